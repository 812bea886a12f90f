/**
 * Small readers of recurring text-format forms, shared by the parser, the model builder and
 * navigation: identifier keys, type text, type uses.
 */
import type { FuncSig } from '../model';
import { decodeStringBytes, TokenKind } from './lexer';
import { type Atom, type List, type Node, headOf, isAtom } from './syntax';

/** `$"name"` and `$name` are the same identifier: the key used for comparisons. */
export function idKey(text: string): string {
  if (text.charCodeAt(1) !== 34) return text;
  return '$' + Buffer.from(decodeStringBytes(text, 1, text.length)).toString('utf8');
}

export { isValidUtf8 } from './lexer';

/** Normalised source text of a type (whitespace collapsed). */
export function typeText(text: string, n: Node): string {
  if (isAtom(n)) return n.text;
  return text.slice(n.start, n.end).replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')');
}

/** Signature written inline in a typeuse or func type, and the `(type idx)` atom if present. */
export function readTypeUse(text: string, c: Node[], i: number): { typeRef?: Atom; sig: FuncSig; explicit: boolean; next: number } {
  let typeRef: Atom | undefined;
  if (headOf(c[i]) === 'type') {
    const a = (c[i] as List).children[1];
    if (isAtom(a)) typeRef = a;
    i++;
  }
  const sig: FuncSig = { params: [], results: [] };
  let explicit = false;
  for (; i < c.length; i++) {
    const h = headOf(c[i]);
    if (h !== 'param' && h !== 'result') break;
    explicit = true;
    const lc = (c[i] as List).children;
    const from = idOf(lc, 1) ? 2 : 1;
    for (let j = from; j < lc.length; j++) (h === 'param' ? sig.params : sig.results).push(typeText(text, lc[j]));
  }
  return { typeRef, sig, explicit, next: i };
}


function idOf(c: Node[], i: number): Atom | undefined {
  const a = c[i];
  return isAtom(a) && a.token === TokenKind.Id ? a : undefined;
}
