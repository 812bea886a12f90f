/**
 * Semantic tokens (full and range) for WAT/WAST: an adapter over engine/editing/semantic-tokens. Items
 * a policy finding is about carry the `flagged` modifier.
 */
import type { Connection, SemanticTokensLegend } from 'vscode-languageserver/node';
import { semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from '../engine/editing/semantic-tokens';
import { checkWatDocument } from '../engine/operations/check';
import { uriToPath, type WatAnalysis } from '../documents';
import type { Span } from '../engine/span';
import type { Workspace } from '../workspace';

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

function encodeTokens(a: WatAnalysis, range: Span | undefined, flagged: Span[] = []): number[] {
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const t of semanticTokens(a.doc, flagged, range)) {
    const p = a.index.positionAt(t.start);
    const deltaLine = p.line - line;
    data.push(deltaLine, deltaLine === 0 ? p.character - char : p.character, t.end - t.start, t.type, t.modifiers);
    line = p.line;
    char = p.character;
  }
  return data;
}

export function registerSemanticTokens(connection: Connection, workspace: () => Workspace): void {
  const flaggedSpans = (uri: string, a: WatAnalysis): Span[] => {
    const file = uriToPath(uri);
    const policy = file ? workspace().policies.policyFor(file) : undefined;
    if (!file || !policy) return [];
    return checkWatDocument(a.doc, file, policy)
      .filter((d) => d.source === 'policy' && d.severity !== 'hint')
      .map((d) => d.span);
  };
  connection.languages.semanticTokens.on((params) => {
    const a = workspace().watAnalysis(params.textDocument.uri);
    if (!a) return { data: [] };
    return { data: encodeTokens(a, undefined, flaggedSpans(params.textDocument.uri, a)) };
  });
  connection.languages.semanticTokens.onRange((params) => {
    const a = workspace().watAnalysis(params.textDocument.uri);
    if (!a) return { data: [] };
    const range = { start: a.index.offsetAt(params.range.start), end: a.index.offsetAt(params.range.end) };
    return { data: encodeTokens(a, range, flaggedSpans(params.textDocument.uri, a)) };
  });
}
