/** Selection range (expand/shrink selection) for WAT/WAST: an adapter over engine/editing/selection-ranges. */
import type { Connection, SelectionRange } from 'vscode-languageserver/node';
import { selectionRangesAt } from '../engine/editing/selection-ranges';
import { toRange } from '../convert';
import type { Workspace } from '../workspace';

export function registerSelectionRanges(connection: Connection, workspace: () => Workspace): void {
  connection.onSelectionRanges((params): SelectionRange[] => {
    const a = workspace().watAnalysis(params.textDocument.uri);
    if (!a) return [];
    return params.positions.map((p) => {
      const spans = selectionRangesAt(a.doc, a.index.offsetAt(p));
      // outermost first, each the parent of the next
      let parent: SelectionRange | undefined;
      for (let i = spans.length - 1; i >= 0; i--) parent = { range: toRange(a.index, spans[i]), parent };
      return parent ?? { range: { start: p, end: p } };
    });
  });
}
