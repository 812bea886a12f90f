/**
 * Refactorings of WAT code that keep its meaning (code actions beside "Convert to $id", rename.ts):
 *  - Convert to index: every `$id` reference to an item written as its numeric index (labels excepted:
 *    their index depends on where the branch is);
 *  - Split a `(param ...)`/`(local ...)` declaring several into one list each, and join consecutive
 *    unnamed ones into one;
 *  - Unfold a folded instruction into flat code (operands first, then the instruction; a folded
 *    `block`/`loop`/`if`/`try_table` into its `... end` form), with an explicit work list (no recursion
 *    per nesting level);
 *  - Fold a run of flat instructions whose operand counts the instruction table knows into folded form.
 * Each returns text changes, or undefined where it does not apply.
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat/index';
import type { List, Node } from '../wat/syntax';
import { headOf, isAtom, isList, TokenKind } from '../wat/syntax';
import { targetAt } from '../wat/navigation';
import { nodePathAt } from './tree-query';
import type { TextChange } from './rename';
import { BY_NAME } from '../isa/instruction-set';

export interface Refactor {
  title: string;
  changes: TextChange[];
}

const slice = (doc: WatDocument, s: Span) => doc.text.slice(s.start, s.end);

/** "Convert to index": every `$id` reference to the item under the cursor, as its index. */
export function convertToIndex(doc: WatDocument, offset: number): Refactor | undefined {
  const t = targetAt(doc, offset);
  if (!t || !t.def.id || t.def.space === 'label') return undefined;
  const changes: TextChange[] = [];
  for (const r of t.m.refs) if (r.target === t.def && r.span.token === TokenKind.Id) changes.push({ span: { start: r.span.start, end: r.span.end }, newText: String(t.def.index) });
  if (changes.length === 0) return undefined;
  const what = t.def.space === 'local' ? t.def.keyword : t.def.space;
  return { title: `Convert ${t.def.id} references to index ${t.def.index} (${changes.length} in this module; the ${what} keeps its id)`, changes };
}

/** The `(param ...)` or `(local ...)` list at the cursor, and the list holding it. */
function declarationAt(doc: WatDocument, offset: number): { decl: List; parent: List } | undefined {
  const path = nodePathAt(doc.tree, offset);
  for (let i = path.length - 1; i > 0; i--) {
    const n = path[i];
    const h = headOf(n);
    if ((h === 'param' || h === 'local') && isList(path[i - 1])) return { decl: n as List, parent: path[i - 1] as List };
  }
  return undefined;
}

const hasId = (l: List) => isAtom(l.children[1]) && (l.children[1] as { token: TokenKind }).token === TokenKind.Id;

/** "Split": `(param i32 i64)` -> `(param i32) (param i64)`. */
export function splitDeclaration(doc: WatDocument, offset: number): Refactor | undefined {
  const d = declarationAt(doc, offset);
  if (!d || hasId(d.decl) || d.decl.children.length < 3 || !d.decl.closed) return undefined;
  const kw = (d.decl.children[0] as { text: string }).text;
  const types = d.decl.children.slice(1);
  const newText = types.map((t) => `(${kw} ${slice(doc, t)})`).join(' ');
  return { title: `Split into ${types.length} (${kw} ...) declarations`, changes: [{ span: { start: d.decl.start, end: d.decl.end }, newText }] };
}

/** "Join": the run of unnamed `(local ...)` (or `(param ...)`) lists around the cursor, as one list. */
export function joinDeclarations(doc: WatDocument, offset: number): Refactor | undefined {
  const d = declarationAt(doc, offset);
  if (!d || hasId(d.decl)) return undefined;
  const kw = headOf(d.decl)!;
  const c = d.parent.children;
  const at = c.indexOf(d.decl);
  const joinable = (n: Node | undefined) => headOf(n) === kw && !hasId(n as List) && (n as List).closed && (n as List).children.length >= 2;
  let first = at;
  let last = at;
  while (joinable(c[first - 1])) first--;
  while (joinable(c[last + 1])) last++;
  if (first === last) return undefined;
  // nothing but white space between them (a comment would be lost)
  for (let i = first; i < last; i++) if (doc.text.slice(c[i].end, c[i + 1].start).trim() !== '') return undefined;
  const types = c.slice(first, last + 1).flatMap((l) => (l as List).children.slice(1).map((t) => slice(doc, t)));
  return {
    title: `Join ${last - first + 1} (${kw} ...) declarations into one`,
    changes: [{ span: { start: c[first].start, end: c[last].end }, newText: `(${kw} ${types.join(' ')})` }],
  };
}

const BLOCKS = new Set(['block', 'loop', 'if', 'try_table']);
const HEADER = new Set(['type', 'param', 'result', 'catch', 'catch_ref', 'catch_all', 'catch_all_ref']);

/**
 * The folded instruction at the cursor that stands in a sequence of instructions (a function or block
 * body, a `then`/`else`): the innermost one there, or the one holding an operand the cursor is on.
 * An operand of another folded instruction (or an `if`'s condition) must stay folded.
 */
function foldedAt(doc: WatDocument, offset: number): List | undefined {
  const path = nodePathAt(doc.tree, offset);
  let i = path.length - 1;
  for (; i >= 0; i--) {
    const h = headOf(path[i]);
    if (h && (BLOCKS.has(h) || BY_NAME.has(h))) break;
    if (h === 'func' || h === 'module') return undefined;
  }
  for (; i >= 1; i--) {
    const parent = headOf(path[i - 1]);
    if (parent === undefined) return undefined;
    const inSequence = parent === 'func' || parent === 'then' || parent === 'else' || parent === 'do' || parent === 'catch' || parent === 'catch_all' || (BLOCKS.has(parent) && parent !== 'if');
    if (inSequence) return path[i] as List;
    if (!(BY_NAME.has(parent) || parent === 'if')) return undefined;
  }
  return undefined;
}

/** "Unfold": a folded instruction as flat code, one instruction per line at the list's indentation. */
export function unfoldInstruction(doc: WatDocument, offset: number): Refactor | undefined {
  const top = foldedAt(doc, offset);
  if (!top || !isFoldedTree(top)) return undefined;
  const lineStart = doc.text.lastIndexOf('\n', top.start - 1) + 1;
  const indent = /^[ \t]*/.exec(doc.text.slice(lineStart, top.start))![0];
  const lines: string[] = [];
  // work items: a list to unfold at a depth, or a line of text to emit
  type Item = { list: List; depth: number } | { line: string; depth: number };
  const work: Item[] = [{ list: top, depth: 0 }];
  while (work.length > 0) {
    const item = work.pop()!;
    if ('line' in item) {
      lines.push('  '.repeat(item.depth) + item.line);
      continue;
    }
    const { list, depth } = item;
    const c = list.children;
    const op = (c[0] as { text: string }).text;
    const later: Item[] = []; // in order; pushed reversed at the end
    if (BLOCKS.has(op)) {
      let i = 1;
      const header: string[] = [op];
      while (i < c.length && (isAtom(c[i]) ? (c[i] as { token: TokenKind }).token === TokenKind.Id : HEADER.has(headOf(c[i]) ?? ''))) header.push(slice(doc, c[i++]));
      if (op === 'if') {
        // the condition's operands come first, then `if`, the then-branch, `else`, the else-branch, `end`
        for (; i < c.length && headOf(c[i]) !== 'then'; i++) later.push({ list: c[i] as List, depth });
        later.push({ line: header.join(' '), depth });
        const then = c[i] as List | undefined;
        const els = c[i + 1] as List | undefined;
        body(then?.children.slice(1) ?? [], depth + 1, later);
        if (els && headOf(els) === 'else') {
          later.push({ line: 'else', depth });
          body(els.children.slice(1), depth + 1, later);
        }
      } else {
        later.push({ line: header.join(' '), depth });
        body(c.slice(i), depth + 1, later);
      }
      later.push({ line: 'end', depth });
    } else {
      // a plain instruction: its immediates are its atoms (and type/result lists), its operands its other lists
      const imm: string[] = [op];
      for (let i = 1; i < c.length; i++) {
        const x = c[i];
        if (isList(x) && !HEADER.has(headOf(x) ?? '')) later.push({ list: x, depth });
        else imm.push(slice(doc, x));
      }
      later.push({ line: imm.join(' '), depth });
    }
    for (let k = later.length - 1; k >= 0; k--) work.push(later[k]);
  }
  /** A body's items: lists to unfold, and runs of flat code, one line per instruction with its immediates. */
  function body(items: Node[], depth: number, out: Item[]): void {
    let line: { line: string; depth: number } | undefined;
    for (const x of items) {
      if (isList(x)) {
        line = undefined;
        out.push({ list: x, depth });
        continue;
      }
      const text = slice(doc, x);
      const starts = (x as { token: TokenKind }).token === TokenKind.Keyword && (BY_NAME.has(text) || BLOCKS.has(text) || text === 'end' || text === 'else');
      if (line && !starts) line.line += ' ' + text;
      else out.push((line = { line: text, depth }));
    }
  }
  const newText = lines.map((l, k) => (k === 0 ? l : indent + l)).join('\n');
  return { title: `Unfold (${(top.children[0] as { text: string }).text} ...) into flat code`, changes: [{ span: { start: top.start, end: top.end }, newText }] };
}

/** Whether every list under `top` is an instruction, a block part or a header (so unfolding is exact). */
function isFoldedTree(top: List): boolean {
  const stack: Node[] = [top];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (!isList(n)) continue;
    if (!n.closed) return false;
    const h = headOf(n);
    if (!h) return false;
    if (HEADER.has(h)) continue;
    if (!(BLOCKS.has(h) || BY_NAME.has(h) || h === 'then' || h === 'else')) return false;
    // legacy `try` folded forms are left alone
    if (h === 'try') return false;
    for (const x of n.children) if (isList(x)) stack.push(x);
  }
  return true;
}

/** Operand and result counts of the instructions "Fold" handles: fixed by the instruction table. */
function arity(name: string): [number, number] | undefined {
  switch (name) {
    case 'local.get':
    case 'global.get':
    case 'memory.size':
      return [0, 1];
    case 'local.set':
    case 'global.set':
    case 'drop':
      return [1, 0];
    case 'local.tee':
    case 'memory.grow':
      return [1, 1];
    case 'select':
      return [3, 1];
  }
  const defs = BY_NAME.get(name);
  const d = defs?.[0];
  if (!d || defs!.length > 1) return undefined;
  if (d.rule === 'sig') return [d.params.length, d.results.length];
  if (d.rule === 'mem') return [d.params.length + 1, d.results.length];
  return undefined;
}

/**
 * "Fold": the flat instructions in `range` (whole instructions of one list, nothing else) as folded
 * expressions, each instruction with its operands inside it. Only for instructions whose operand counts
 * are fixed (numeric, memory, local/global, drop, select) and when every operand is computed inside the
 * range; the instruction order, and so the bytes, stay the same.
 */
export function foldInstructions(doc: WatDocument, range: Span): Refactor | undefined {
  if (range.end <= range.start) return undefined;
  const path = nodePathAt(doc.tree, range.start);
  let list: List | undefined;
  for (let i = path.length - 1; i >= 0; i--) if (isList(path[i]) && path[i].start < range.start && range.end <= path[i].end) { list = path[i] as List; break; }
  if (!list) return undefined;
  const atoms = list.children.filter((c) => c.start >= range.start && c.end <= range.end);
  if (atoms.length === 0 || atoms.some((a) => isList(a))) return undefined;
  // group: an instruction keyword, then its immediates (numbers, ids, `offset=`/`align=`)
  const instrs: { name: string; imm: string[]; span: Span }[] = [];
  for (const a of atoms) {
    const text = slice(doc, a);
    if ((a as { token: TokenKind }).token === TokenKind.Keyword && BY_NAME.has(text)) instrs.push({ name: text, imm: [], span: { start: a.start, end: a.end } });
    else if (instrs.length) {
      instrs[instrs.length - 1].imm.push(text);
      instrs[instrs.length - 1].span.end = a.end;
    } else return undefined;
  }
  if (instrs.length < 2) return undefined;
  // the rest of the range holds nothing but white space (a comment would be lost)
  for (let i = 1; i < atoms.length; i++) if (doc.text.slice(atoms[i - 1].end, atoms[i].start).trim() !== '') return undefined;
  const stack: { text: string; values: number }[] = [];
  for (const ins of instrs) {
    const ar = arity(ins.name);
    if (!ar || ar[1] > 1) return undefined;
    const operands: string[] = [];
    for (let k = 0; k < ar[0]; k++) {
      const top = stack.pop();
      if (!top || top.values !== 1) return undefined; // an operand from outside the range, or past a statement
      operands.unshift(top.text);
    }
    stack.push({ text: `(${[ins.name, ...ins.imm, ...operands].join(' ')})`, values: ar[1] });
  }
  const lineStart = doc.text.lastIndexOf('\n', atoms[0].start - 1) + 1;
  const indent = /^[ \t]*/.exec(doc.text.slice(lineStart, atoms[0].start))![0];
  return {
    title: `Fold ${instrs.length} instructions into ${stack.length === 1 ? 'one expression' : `${stack.length} expressions`}`,
    changes: [{ span: { start: atoms[0].start, end: atoms[atoms.length - 1].end }, newText: stack.map((e) => e.text).join('\n' + indent) }],
  };
}
