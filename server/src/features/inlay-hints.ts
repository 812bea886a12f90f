/** Inlay hints for WAT/WAST (setting `wasmWarden.inlayHints`): an adapter over engine/editing/inlay-hints. */
import { InlayHintKind, type Connection, type InlayHint } from 'vscode-languageserver/node';
import { inlayHints } from '../engine/editing/inlay-hints';
import type { Workspace } from '../workspace';

export function registerInlayHints(connection: Connection, workspace: () => Workspace): void {
  connection.languages.inlayHint.on((params): InlayHint[] => {
    const ws = workspace();
    const a = ws.watAnalysis(params.textDocument.uri);
    if (!a) return [];
    const range = { start: a.index.offsetAt(params.range.start), end: a.index.offsetAt(params.range.end) };
    return inlayHints(a.doc, range, ws.settings.inlayHints).map((h) => ({
      position: a.index.positionAt(h.offset),
      label: h.label,
      kind: h.kind === 'parameter' ? InlayHintKind.Parameter : InlayHintKind.Type,
      paddingLeft: h.paddingLeft,
      paddingRight: h.paddingRight,
    }));
  });
}
