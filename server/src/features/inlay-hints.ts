/** Inlay hints for WAT/WAST (setting `wasmWarden.inlayHints`): an adapter over engine/editing/inlay-hints. */
import { InlayHintKind, type Connection, type InlayHint } from 'vscode-languageserver/node';
import { inlayHints } from '../engine/editing/inlay-hints';
import type { Workspace } from '../workspace';
import { typeListName } from '../engine/isa/value-type';

export function registerInlayHints(connection: Connection, workspace: () => Workspace): void {
  connection.languages.inlayHint.on((params): InlayHint[] => {
    const ws = workspace();
    const a = ws.watAnalysis(params.textDocument.uri);
    if (!a) return [];
    const range = { start: a.index.offsetAt(params.range.start), end: a.index.offsetAt(params.range.end) };
    const hints = inlayHints(a.doc, range, ws.settings.inlayHints);
    if (ws.settings.inlayHints.stackTypes) {
      for (const s of ws.typeChecker(params.textDocument.uri).stackTypes(a.doc, range)) {
        hints.push({ offset: s.offset, label: typeListName(s.types), kind: 'type', paddingLeft: true });
      }
      hints.sort((x, y) => x.offset - y.offset);
    }
    return hints.map((h) => ({
      position: a.index.positionAt(h.offset),
      label: h.label,
      kind: h.kind === 'parameter' ? InlayHintKind.Parameter : InlayHintKind.Type,
      paddingLeft: h.paddingLeft,
      paddingRight: h.paddingRight,
    }));
  });
}
