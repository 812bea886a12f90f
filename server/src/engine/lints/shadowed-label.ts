/**
 * A block label that reuses the `$name` of a label around it: branches inside name the inner block,
 * which is easy to misread. Walked with an explicit work list (no recursion per nesting level).
 */
import type { List } from '../wat/syntax';
import { headOf, isAtom, isList, TokenKind } from '../wat/syntax';
import { cachedPerFunction, type Lint, type LintFinding } from './lint';

const BLOCKS = new Set(['block', 'loop', 'if', 'try', 'try_table']);

export const shadowedLabel: Lint = {
  name: 'shadowed-label',
  description: 'a block label with the same `$name` as a label around it',
  defaultSeverity: 'hint',
  check: (_doc, m) => {
    const out: LintFinding[] = [];
    for (const f of m.funcs) for (const x of cachedPerFunction('shadowed-label', f.node, () => shadowsIn(f.node))) out.push(x);
    return out;
  },
};

function shadowsIn(func: List): LintFinding[] {
  const out: LintFinding[] = [];
  {
    const f = { node: func };
    {
      // each work item: a list to scan, and the labels open around it
      const work: { list: List; open: string[] }[] = [{ list: f.node, open: [] }];
      while (work.length > 0) {
        const { list, open: outer } = work.pop()!;
        const open = [...outer];
        const base = open.length;
        const c = list.children;
        // a folded block's own label is at children[1]
        if (BLOCKS.has(headOf(list) ?? '') && list !== f.node) {
          const id = c[1];
          if (isAtom(id) && id.token === TokenKind.Id) {
            if (open.includes(id.text)) out.push({ span: { start: id.start, end: id.end }, message: `label ${id.text} shadows the label of the same name around it` });
            open.push(id.text);
          } else open.push('');
        }
        const flatBase = open.length;
        for (let i = 1; i < c.length; i++) {
          const n = c[i];
          if (isList(n)) {
            work.push({ list: n, open: [...open] });
            continue;
          }
          if (n.token !== TokenKind.Keyword || (i === 0)) continue;
          if (BLOCKS.has(n.text)) {
            const id = c[i + 1];
            if (isAtom(id) && id.token === TokenKind.Id) {
              if (open.includes(id.text)) out.push({ span: { start: id.start, end: id.end }, message: `label ${id.text} shadows the label of the same name around it` });
              open.push(id.text);
            } else open.push('');
          } else if ((n.text === 'end' || n.text === 'delegate') && open.length > flatBase) open.pop();
        }
        void base;
      }
    }
  }
  return out;
}
