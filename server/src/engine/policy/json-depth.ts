/**
 * How deep JSON-with-comments text nests, found by one linear scan with no recursion, so text nested
 * too deep for a recursive parser is refused before it reaches one.
 *
 * The scan reads strings and comments exactly as jsonc-parser's scanner does (a string ends at its
 * closing quote, at a line break or at the end; `\` skips the next character; `//` runs to the line
 * break, `/*` to `*∕` or the end), so every `[` and `{` it counts is one the parser would open.
 */

/** Offset of the first `[` or `{` that opens level `maxDepth + 1`, or undefined when the text stays within. */
export function firstTooDeep(text: string, maxDepth: number): number | undefined {
  const n = text.length;
  let depth = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return i;
      i++;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (depth > 0) depth--;
      i++;
    } else if (c === 0x22 /* " */) {
      i = stringEnd(text, i + 1);
    } else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      i += 2;
      while (i < n && !isLineBreak(text.charCodeAt(i))) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else {
      i++;
    }
  }
  return undefined;
}

/** Offset just after the string whose content starts at `from`. */
function stringEnd(text: string, from: number): number {
  const n = text.length;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c /* \ */) i += 2;
    else if (isLineBreak(c)) return i;
    else i++;
  }
  return n;
}

function isLineBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d;
}
