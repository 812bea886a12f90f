/**
 * Document highlight: every occurrence of the item under the cursor in its module (a `.wast` keeps
 * its modules apart), the declaration marked as text, writes (`local.set`, `local.tee`, `global.set`)
 * marked as writes, every other use as a read.
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat/index';
import { targetAt } from '../wat/navigation';
import { WRITE_INSTRUCTIONS, tokenBefore } from './tree-query';

export type HighlightKind = 'text' | 'read' | 'write';

export interface Highlight {
  span: Span;
  kind: HighlightKind;
}

export function highlightsAt(doc: WatDocument, offset: number): Highlight[] {
  const t = targetAt(doc, offset);
  if (!t) return [];
  const out: Highlight[] = [];
  const decl = t.def.idSpan ?? t.def.selectionSpan;
  out.push({ span: { start: decl.start, end: decl.end }, kind: 'text' });
  for (const r of t.m.refs) {
    if (r.target !== t.def) continue;
    const kind: HighlightKind = WRITE_INSTRUCTIONS.has(tokenBefore(doc.text, r.span.start)) ? 'write' : 'read';
    out.push({ span: { start: r.span.start, end: r.span.end }, kind });
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}
