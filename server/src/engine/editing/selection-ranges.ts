/**
 * Selection range (expand/shrink selection): from the token at the cursor out through every list
 * that contains it, innermost first. A list's own span and, where it differs, the span of its
 * contents (without the parentheses) are both steps.
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat/index';
import { nodePathAt } from './tree-query';
import { isList } from '../wat/syntax';

/** The ranges at `offset`, innermost first; each contains the one before it. */
export function selectionRangesAt(doc: WatDocument, offset: number): Span[] {
  const path = nodePathAt(doc.tree, offset);
  const out: Span[] = [];
  const push = (s: Span) => {
    const last = out[out.length - 1];
    if (last && last.start === s.start && last.end === s.end) return;
    if (s.end > s.start) out.push({ start: s.start, end: s.end });
  };
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i];
    if (isList(n) && n.children.length > 0) {
      const first = n.children[0];
      const last = n.children[n.children.length - 1];
      // the contents first, unless the cursor is on the parenthesis itself
      if (offset > n.start && offset < n.end) push({ start: first.start, end: last.end });
    }
    push(n);
  }
  push({ start: 0, end: doc.text.length });
  return out;
}
