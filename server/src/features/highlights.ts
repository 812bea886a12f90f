/** Document highlight for WAT/WAST: an adapter over engine/editing/highlights. */
import { DocumentHighlightKind, type Connection, type DocumentHighlight } from 'vscode-languageserver/node';
import { highlightsAt } from '../engine/editing/highlights';
import { toRange } from '../convert';
import type { Workspace } from '../workspace';

const KIND = { text: DocumentHighlightKind.Text, read: DocumentHighlightKind.Read, write: DocumentHighlightKind.Write } as const;

export function registerHighlights(connection: Connection, workspace: () => Workspace): void {
  connection.onDocumentHighlight((params): DocumentHighlight[] => {
    const a = workspace().watAnalysis(params.textDocument.uri);
    if (!a) return [];
    return highlightsAt(a.doc, a.index.offsetAt(params.position)).map((h) => ({ range: toRange(a.index, h.span), kind: KIND[h.kind] }));
  });
}
