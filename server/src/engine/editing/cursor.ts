/**
 * Where a cursor is in a parsed WAT/WAST document, for the editing features (completion, signature
 * help): its module and function, the lists around it, the word being typed, the atoms before it.
 */
import type { WatDocument } from '../wat';
import { moduleAt } from '../wat/navigation';
import { isIdChar, TokenKind } from '../wat/lexer';
import { type Atom, type FuncSyntax, type List, type ModuleSyntax, type Node, isAtom, isList } from '../wat/syntax';

export interface Cursor {
  offset: number;
  module: ModuleSyntax | undefined;
  /** the function whose field holds the cursor */
  func: FuncSyntax | undefined;
  /** the lists that hold the cursor, outermost first (the cursor is after their `(`) */
  path: List[];
  /** the innermost of them */
  list: List | undefined;
  /** the word being typed: [start, offset) (empty right after a space or a paren) */
  wordStart: number;
  word: string;
  /** the string atom the cursor is inside, if any */
  inString: Atom | undefined;
  /** the children of `list` that end before the word */
  before: Node[];
}

/** The child of `nodes` that holds `offset` inside it (an unclosed list or string up to its end). */
function childAt(nodes: Node[], offset: number): Node | undefined {
  // the last child that starts before the offset (children are in order)
  let lo = 0;
  let hi = nodes.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid].start < offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const n = nodes[found];
  if (offset < n.end) return n;
  if (offset === n.end && n.type === 'list' && !n.closed) return n;
  if (offset === n.end && n.type === 'atom' && n.token === TokenKind.String && !closedString(n)) return n;
  return undefined;
}

function closedString(a: Atom): boolean {
  return a.text.length >= 2 && a.text.endsWith('"') && !/(^|[^\\])(\\\\)*\\"$/.test(a.text);
}

export function cursorAt(doc: WatDocument, offset: number): Cursor {
  const text = doc.text;
  const path: List[] = [];
  let nodes: Node[] = doc.tree.children;
  let inString: Atom | undefined;
  for (;;) {
    const n = childAt(nodes, offset);
    if (!n) break;
    if (isList(n)) {
      path.push(n);
      nodes = n.children;
      continue;
    }
    if (n.token === TokenKind.String && n.start < offset) inString = n;
    break;
  }
  let wordStart = offset;
  if (!inString) while (wordStart > 0 && isIdChar(text.charCodeAt(wordStart - 1))) wordStart--;
  const list = path[path.length - 1];
  const before: Node[] = [];
  if (list) for (const c of list.children) if (c.end <= (inString ? inString.start : wordStart) && c.start < wordStart) before.push(c);
  const module = moduleAt(doc, offset);
  let func: FuncSyntax | undefined;
  if (module) {
    for (const f of module.funcs) if (f.node.start < offset && (offset < f.node.end || !f.node.closed)) func = f;
  }
  return { offset, module, func, path, list, wordStart, word: text.slice(wordStart, offset), inString, before };
}

/** The keyword text of an atom (undefined for other tokens). */
export function keywordOf(n: Node | undefined): string | undefined {
  return isAtom(n) && n.token === TokenKind.Keyword ? n.text : undefined;
}
