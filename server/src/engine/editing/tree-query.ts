/**
 * Small queries over a parsed WAT/WAST tree that the editor services share: the chain of nodes at an
 * offset, the instruction keyword a reference is the immediate of, the function a span lies in.
 * No recursion per nesting level (the tree can be 100,000 lists deep).
 */
import type { Span } from '../span';
import type { FuncSyntax, List, ModuleSyntax, Node, Reference, Root } from '../wat/syntax';
import { isList } from '../wat/syntax';

/** The nodes containing `offset`, outermost first (the root excluded). */
export function nodePathAt(root: Root, offset: number): Node[] {
  const out: Node[] = [];
  let children: Node[] = root.children;
  for (;;) {
    const child = childAt(children, offset);
    if (!child) return out;
    out.push(child);
    if (!isList(child)) return out;
    children = child.children;
  }
}

/** The child whose span contains `offset` (binary search: children are in text order). */
function childAt(children: Node[], offset: number): Node | undefined {
  let lo = 0;
  let hi = children.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = children[mid];
    if (offset < c.start) hi = mid - 1;
    else if (offset > c.end) lo = mid + 1;
    else {
      // touching spans (`a)(b`): prefer the one that starts at the offset
      const next = children[mid + 1];
      return next && next.start === offset ? next : c;
    }
  }
  return undefined;
}

/** The innermost list that holds the node starting at `offset` as a direct child. */
export function parentListAt(root: Root, offset: number): List | undefined {
  const path = nodePathAt(root, offset);
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i];
    if (n.start === offset && i > 0 && isList(path[i - 1])) return path[i - 1] as List;
    if (n.start !== offset && isList(n)) return n;
  }
  return undefined;
}

/**
 * The token before `offset`, skipping white space and comments: for a reference, the instruction or
 * keyword whose immediate it is (`call` in `call $f`, `local.set` in `(local.set $x ...)`).
 */
export function tokenBefore(text: string, offset: number): string {
  let i = offset - 1;
  for (;;) {
    while (i >= 0 && isSpace(text.charCodeAt(i))) i--;
    // a block comment `(; ... ;)` just before
    if (i >= 1 && text[i] === ')' && text[i - 1] === ';') {
      const open = text.lastIndexOf('(;', i - 1);
      if (open < 0) return '';
      i = open - 1;
      continue;
    }
    break;
  }
  const end = i + 1;
  while (i >= 0 && isTokenChar(text.charCodeAt(i))) i--;
  return text.slice(i + 1, end);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isTokenChar(c: number): boolean {
  return c > 32 && c !== 40 && c !== 41 && c !== 34 && c !== 59; // not ( ) " ;
}

/** The function of `m` whose node contains `span` (functions are in text order). */
export function funcContaining(m: ModuleSyntax, span: Span): FuncSyntax | undefined {
  const fs = m.funcs;
  let lo = 0;
  let hi = fs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const n = fs[mid].node;
    if (span.start < n.start) hi = mid - 1;
    else if (span.start > n.end) lo = mid + 1;
    else return fs[mid];
  }
  return undefined;
}

/** Instructions a function reference is called by. */
export const CALL_INSTRUCTIONS = new Set(['call', 'return_call']);

/** Instructions that write the local or global they name. */
export const WRITE_INSTRUCTIONS = new Set(['local.set', 'local.tee', 'global.set']);

/** Whether a reference is a direct call (`call $f`, `return_call $f`). */
export function isCall(text: string, r: Reference): boolean {
  return r.space === 'func' && CALL_INSTRUCTIONS.has(tokenBefore(text, r.span.start));
}
