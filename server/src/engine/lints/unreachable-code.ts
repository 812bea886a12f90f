/**
 * Code after an unconditional branch (`br`, `br_table`, `return`, `unreachable`, `throw`, ...) in the
 * same block: it can never run. One finding per stretch of dead code, in flat and folded code alike.
 * Function bodies are walked with an explicit work list (no recursion per nesting level).
 */
import type { List, Node } from '../wat/syntax';
import { headOf, isList, TokenKind } from '../wat/syntax';
import { INSTRUCTIONS } from '../wat/instructions';
import { cachedPerFunction, type Lint, type LintFinding } from './lint';

const TERMINATORS = new Set([
  'unreachable', 'br', 'br_table', 'return', 'throw', 'throw_ref', 'rethrow', 'return_call', 'return_call_indirect', 'return_call_ref',
]);
const BLOCKS = new Set(['block', 'loop', 'if', 'try', 'try_table']);
const CLAUSES = new Set(['else', 'catch', 'catch_all']);
const CLOSERS = new Set(['end', 'delegate']);
/** lists that are not instructions: a block's or function's header */
const HEADER = new Set(['param', 'result', 'type', 'local', 'export', 'import', 'catch', 'catch_ref', 'catch_all', 'catch_all_ref']);
/** the parts of a folded `if`/`try`: sequences of their own */
const PARTS = new Set(['then', 'else', 'do', 'catch', 'catch_all']);

interface Level {
  dead: boolean;
  /** inside code that is dead already (reported by the enclosing level) */
  quiet: boolean;
  regionStart: number;
  regionEnd: number;
}

export const unreachableCode: Lint = {
  name: 'unreachable-code',
  description: 'instructions after an unconditional branch, return or trap in the same block',
  defaultSeverity: 'hint',
  check: (_doc, m) => {
    const out: LintFinding[] = [];
    for (const f of m.funcs) {
      for (const x of cachedPerFunction('unreachable-code', f.node, () => {
        const found: LintFinding[] = [];
        walk(f.node, found);
        return found;
      })) out.push(x);
    }
    return out;
  },
};

function walk(func: List, out: LintFinding[]): void {
  const work: { list: List; from: number; quiet: boolean }[] = [{ list: func, from: 1, quiet: false }];
  while (work.length > 0) {
    const { list, from, quiet } = work.pop()!;
    const levels: Level[] = [{ dead: false, quiet, regionStart: -1, regionEnd: -1 }];
    const top = () => levels[levels.length - 1];
    const close = (l: Level) => {
      if (l.regionStart >= 0 && !l.quiet) out.push({ span: { start: l.regionStart, end: l.regionEnd }, message: 'unreachable code: it follows an unconditional branch, return or trap', unnecessary: true });
      l.regionStart = -1;
      l.dead = false;
    };
    const mark = (l: Level, n: Node) => {
      if (l.regionStart < 0) l.regionStart = n.start;
      l.regionEnd = n.end;
    };
    const c = list.children;
    for (let i = from; i < c.length; i++) {
      const n = c[i];
      const l = top();
      if (isList(n)) {
        const h = headOf(n);
        if (h !== undefined && HEADER.has(h) && !(PARTS.has(h) && isFoldedPart(list))) continue;
        if (h !== undefined && PARTS.has(h) && isFoldedPart(list)) {
          work.push({ list: n, from: 1, quiet: l.quiet || l.dead });
          continue;
        }
        if (l.dead) {
          mark(l, n);
          continue;
        }
        work.push({ list: n, from: 1, quiet: l.quiet });
        if (h !== undefined && TERMINATORS.has(h)) l.dead = true;
        continue;
      }
      if (n.token !== TokenKind.Keyword) {
        if (l.dead && l.regionStart >= 0) l.regionEnd = n.end; // an immediate of dead code
        continue;
      }
      const k = n.text;
      if (BLOCKS.has(k)) {
        if (l.dead) mark(l, n);
        levels.push({ dead: false, quiet: l.quiet || l.dead, regionStart: -1, regionEnd: -1 });
      } else if (CLAUSES.has(k)) {
        close(l);
      } else if (CLOSERS.has(k)) {
        close(l);
        if (levels.length > 1) levels.pop();
        const outer = top();
        if (outer.dead) mark(outer, n);
      } else if (INSTRUCTIONS.has(k)) {
        if (l.dead) mark(l, n);
        else if (TERMINATORS.has(k)) l.dead = true;
      } else if (l.dead && l.regionStart >= 0) {
        l.regionEnd = n.end; // a keyword immediate (`func` of `ref.null func`, a v128 shape)
      }
    }
    for (let k = levels.length - 1; k >= 0; k--) close(levels[k]);
  }
}

/** Whether a list is a folded `if` or `try` (whose `then`/`else`/`do`/`catch` children are bodies). */
function isFoldedPart(l: List): boolean {
  const h = headOf(l);
  return h === 'if' || h === 'try';
}
