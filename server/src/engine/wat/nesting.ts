/**
 * How deeply a WAT text nests its instructions: folded lists and plain `block`/`loop`/`if`/`try`
 * instructions (closed by `end`) together, found from the tokens alone, in one pass.
 *
 * The toolchain needs it before it hands a text to wabt: wabt's parser recurses per nesting level in
 * a small wasm stack and, past about 140 folded or 175 plain blocks, crashes ("memory access out of
 * bounds") or never returns (178 plain blocks: the 20 s timeout). binaryen's parser goes deeper
 * (about 700 folded, 1,000 plain) and fails fast past that. See toolchain/validate.ts.
 */
import type { Span } from '../span';
import { lex, TokenKind } from './lexer';

/** Keywords that open a plain (unfolded) structured instruction, closed by `end`. */
const OPENERS = new Set(['block', 'loop', 'if', 'try', 'try_table']);

export interface Nesting {
  /** the deepest nesting: enclosing lists plus open plain blocks */
  depth: number;
  /** where it is reached (the token that opens the deepest level) */
  at: Span;
}

/** The deepest nesting of `text` (0 for a text with no lists). */
export function deepestNesting(text: string): Nesting {
  const ts = lex(text);
  const { kinds, starts, ends, count } = ts;
  // per open list: the depth at its `(`; plain blocks open inside it add to the depth until `end`
  const base: number[] = [];
  const plain: number[] = [];
  let depth = 0;
  let open = 0;
  let best: Nesting = { depth: 0, at: { start: 0, end: 0 } };
  for (let t = 0; t < count; t++) {
    const k = kinds[t];
    if (k === TokenKind.LParen) {
      base.push(depth);
      plain.push(open);
      depth++;
      open = 0;
    } else if (k === TokenKind.RParen) {
      if (base.length === 0) continue;
      depth = base.pop()!;
      open = plain.pop()!;
      continue;
    } else if (k === TokenKind.Keyword) {
      const len = ends[t] - starts[t];
      // only the first token of a list is its head: a keyword after `(` is a folded instruction, not a plain one
      if (len > 9 || (t > 0 && kinds[t - 1] === TokenKind.LParen)) continue;
      const word = text.slice(starts[t], ends[t]);
      if (word === 'end') {
        if (open > 0) {
          open--;
          depth--;
        }
        continue;
      }
      if (!OPENERS.has(word)) continue;
      open++;
      depth++;
    } else {
      continue;
    }
    if (depth > best.depth) best = { depth, at: { start: starts[t], end: ends[t] } };
  }
  return best;
}
