/**
 * WAT/WAST lexer: one pass over UTF-16 char codes, producing tokens as parallel typed arrays
 * (kind, start, end) so a 10 MB file costs no per-token objects. Comments and annotations are
 * trivia; block comments and annotations are remembered (for folding), `@custom` annotations too.
 */
import type { Span } from '../span';
import { classifyNumber, NumberClass } from './numbers';

export const enum TokenKind {
  LParen = 0,
  RParen = 1,
  /** starts with a lowercase letter: keywords, instruction names, `offset=4`, `inf`, `nan:0x1` */
  Keyword = 2,
  /** `$name` or `$"quoted name"` */
  Id = 3,
  Int = 4,
  Float = 5,
  String = 6,
  /** anything else the grammar reserves (a malformed token); the lexer reports it */
  Reserved = 7,
}

export interface LexError {
  code: 'wat-bad-string' | 'wat-bad-number' | 'wat-bad-token' | 'wat-unterminated-comment' | 'wat-bad-annotation';
  message: string;
  start: number;
  end: number;
}

export interface TokenStream {
  count: number;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  /** block comments and annotations, for folding */
  trivia: Span[];
  /** `(@custom "name" ...)` annotations: the whole annotation and its name string token */
  customAnnotations: { span: Span; nameStart: number; nameEnd: number }[];
  errors: LexError[];
}

/** Characters allowed in keywords, ids and numbers (the spec's idchar). */
const ID_CHAR = new Uint8Array(128);
for (const c of "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'*+-./:<=>?@\\^_`|~") {
  ID_CHAR[c.charCodeAt(0)] = 1;
}

export function isIdChar(c: number): boolean {
  return c < 128 && ID_CHAR[c] === 1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

const HEX = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/**
 * Scan a string literal starting at the opening quote. Returns the offset after the closing quote,
 * or -1 when the string is not terminated on its line. Reports bad escapes into `errors`.
 */
export function scanString(text: string, pos: number, errors: LexError[] | undefined): number {
  const n = text.length;
  let i = pos + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 10 || c === 13) break;
    if (c < 32 || c === 127) {
      errors?.push({ code: 'wat-bad-string', message: 'control character in string', start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c !== 92) {
      i++;
      continue;
    }
    const e = text.charCodeAt(i + 1);
    if (e === 110 || e === 116 || e === 114 || e === 92 || e === 39 || e === 34) {
      i += 2;
    } else if (e === 117 /* u */ && text.charCodeAt(i + 2) === 123 /* { */) {
      let j = i + 3;
      let value = 0;
      let digits = 0;
      let ok = true;
      while (j < n) {
        const h = text.charCodeAt(j);
        if (h === 125) break;
        if (h === 95 && digits > 0 && HEX(text.charCodeAt(j + 1)) >= 0) {
          j++;
          continue;
        }
        const d = HEX(h);
        if (d < 0) {
          ok = false;
          break;
        }
        value = value * 16 + d;
        if (value > 0x10ffff) ok = false;
        digits++;
        j++;
      }
      if (!ok || digits === 0 || text.charCodeAt(j) !== 125 || (value >= 0xd800 && value < 0xe000)) {
        errors?.push({ code: 'wat-bad-string', message: 'invalid \\u{...} escape in string', start: i, end: Math.min(j + 1, n) });
        while (j < n && text.charCodeAt(j) !== 125 && text.charCodeAt(j) !== 34 && text.charCodeAt(j) !== 10) j++;
        i = text.charCodeAt(j) === 125 ? j + 1 : j;
      } else i = j + 1;
    } else if (HEX(e) >= 0 && HEX(text.charCodeAt(i + 2)) >= 0) {
      i += 3;
    } else {
      errors?.push({ code: 'wat-bad-string', message: 'unknown escape sequence in string', start: i, end: Math.min(i + 2, n) });
      i += 2;
    }
  }
  return -1;
}

/** Decode a string token (with its quotes) to bytes (UTF-8 for characters, raw for `\hh`). */
export function decodeStringBytes(text: string, start: number, end: number): Uint8Array {
  const out: number[] = [];
  const push = (cp: number) => {
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  };
  let i = start + 1;
  const last = end - 1;
  while (i < last) {
    const c = text.charCodeAt(i);
    if (c !== 92) {
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < last) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          push(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00));
          i += 2;
          continue;
        }
      }
      push(c);
      i++;
      continue;
    }
    const e = text.charCodeAt(i + 1);
    if (e === 110) out.push(10);
    else if (e === 116) out.push(9);
    else if (e === 114) out.push(13);
    else if (e === 92 || e === 39 || e === 34) out.push(e);
    else if (e === 117) {
      let j = i + 3;
      let v = 0;
      while (j < last && text.charCodeAt(j) !== 125) {
        const d = HEX(text.charCodeAt(j));
        if (d >= 0) v = v * 16 + d;
        j++;
      }
      push(v);
      i = j + 1;
      continue;
    } else {
      out.push(HEX(e) * 16 + HEX(text.charCodeAt(i + 2)));
      i += 3;
      continue;
    }
    i += 2;
  }
  return Uint8Array.from(out);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Is the byte string valid UTF-8 (names must be)? */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Byte length of a string token's payload, without building it. */
export function stringByteLength(text: string, start: number, end: number): number {
  return decodeStringBytes(text, start, end).length;
}

/** Decode a string token to a JS string (escapes resolved; `\hh` bytes decoded as UTF-8). */
export function decodeString(text: string, start: number, end: number): string {
  return Buffer.from(decodeStringBytes(text, start, end)).toString('utf8');
}

/**
 * Tokenize `text`, or only `text[from, to)` (incremental reparsing: offsets stay absolute; the caller
 * checks that the range lexes the same as it does within the whole text).
 */
export function lex(text: string, from = 0, to = text.length): TokenStream {
  const n = to;
  let cap = Math.max(16, ((n - from) >> 3) + 16); // about one token per 8 chars; grows by doubling
  let kinds = new Uint8Array(cap);
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  let count = 0;
  const trivia: Span[] = [];
  const customAnnotations: TokenStream['customAnnotations'] = [];
  const errors: LexError[] = [];

  const push = (k: number, s: number, e: number) => {
    if (count === cap) {
      cap *= 2;
      const k2 = new Uint8Array(cap);
      k2.set(kinds);
      kinds = k2;
      const s2 = new Int32Array(cap);
      s2.set(starts);
      starts = s2;
      const e2 = new Int32Array(cap);
      e2.set(ends);
      ends = e2;
    }
    kinds[count] = k;
    starts[count] = s;
    ends[count] = e;
    count++;
  };

  /** skip a block comment starting at `(;`, nested; returns the offset after it */
  const skipBlockComment = (p: number): number => {
    let depth = 1;
    let i = p + 2;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 40 && text.charCodeAt(i + 1) === 59) {
        depth++;
        i += 2;
      } else if (c === 59 && text.charCodeAt(i + 1) === 41) {
        depth--;
        i += 2;
        if (depth === 0) return i;
      } else i++;
    }
    errors.push({ code: 'wat-unterminated-comment', message: 'unterminated block comment', start: p, end: p + 2 });
    return n;
  };

  /** skip an annotation `(@name ...)` with balanced parens; returns the offset after it */
  const skipAnnotation = (p: number): number => {
    let i = p + 2;
    const nameStart = i;
    if (text.charCodeAt(i) === 34) {
      const e = scanString(text, i, errors);
      i = e < 0 ? n : e;
      if (e >= 0 && (e - nameStart <= 2 || !isValidUtf8(decodeStringBytes(text, nameStart, e)))) {
        errors.push({ code: 'wat-bad-annotation', message: 'annotation name must be a non-empty UTF-8 string', start: nameStart, end: e });
      }
    } else while (i < n && isIdChar(text.charCodeAt(i))) i++;
    if (i === nameStart) {
      errors.push({ code: 'wat-bad-annotation', message: 'annotation without a name', start: p, end: i });
    }
    const isCustom = text.startsWith('custom', nameStart) && i - nameStart === 6;
    let firstString = -1;
    let firstStringEnd = -1;
    let depth = 1;
    while (i < n && depth > 0) {
      const c = text.charCodeAt(i);
      if (c === 40) {
        if (text.charCodeAt(i + 1) === 59) i = skipBlockComment(i);
        else {
          depth++;
          i++;
        }
      } else if (c === 41) {
        depth--;
        i++;
      } else if (c === 34) {
        const e = scanString(text, i, errors);
        if (e < 0) {
          errors.push({ code: 'wat-bad-string', message: 'unterminated string', start: i, end: i + 1 });
          while (i < n && text.charCodeAt(i) !== 10) i++;
        } else {
          if (firstString < 0 && depth === 1) {
            firstString = i;
            firstStringEnd = e;
          }
          i = e;
        }
      } else if (c === 59 && text.charCodeAt(i + 1) === 59) {
        while (i < n && text.charCodeAt(i) !== 10) i++;
      } else {
        if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c >= 127) {
          errors.push({ code: 'wat-bad-token', message: 'illegal character in annotation', start: i, end: i + 1 });
        }
        i++;
      }
    }
    if (depth > 0) errors.push({ code: 'wat-bad-annotation', message: 'unterminated annotation', start: p, end: nameStart });
    trivia.push({ start: p, end: i });
    if (isCustom && firstString >= 0) {
      customAnnotations.push({ span: { start: p, end: i }, nameStart: firstString, nameEnd: firstStringEnd });
    }
    return i;
  };

  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 40) {
      const d = text.charCodeAt(i + 1);
      if (d === 59) {
        const s = i;
        i = skipBlockComment(i);
        trivia.push({ start: s, end: i });
        continue;
      }
      if (d === 64) {
        i = skipAnnotation(i);
        continue;
      }
      push(TokenKind.LParen, i, i + 1);
      i++;
      continue;
    }
    if (c === 41) {
      push(TokenKind.RParen, i, i + 1);
      i++;
      continue;
    }
    if (c === 59 && text.charCodeAt(i + 1) === 59) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    // A token: a maximal run of idchars and strings.
    const s = i;
    let strings = 0;
    let idchars = 0;
    let bad = false;
    while (i < n) {
      const ch = text.charCodeAt(i);
      if (ch === 34) {
        const e = scanString(text, i, errors);
        strings++;
        if (e < 0) {
          errors.push({ code: 'wat-bad-string', message: 'unterminated string', start: i, end: i + 1 });
          while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
          bad = true;
          break;
        }
        i = e;
      } else if (ch < 128 && ID_CHAR[ch] === 1) {
        idchars++;
        i++;
      } else if (isSpace(ch) || ch === 40 || ch === 41 || (ch === 59 && text.charCodeAt(i + 1) === 59)) {
        break;
      } else {
        // not a valid character anywhere outside strings and comments
        if (!bad) {
          errors.push({ code: 'wat-bad-token', message: `unexpected character '${String.fromCharCode(ch)}'`, start: i, end: i + 1 });
        }
        bad = true;
        i++;
      }
    }
    if (bad) {
      if (strings > 0 && idchars === 0) push(TokenKind.String, s, i);
      else push(TokenKind.Reserved, s, i);
      continue;
    }
    if (strings > 0) {
      if (idchars === 0 && strings === 1) push(TokenKind.String, s, i);
      else if (strings === 1 && idchars === 1 && c === 36 && text.charCodeAt(s + 1) === 34 && i - s > 3) {
        if (!isValidUtf8(decodeStringBytes(text, s + 1, i))) {
          errors.push({ code: 'wat-bad-string', message: 'identifier is not valid UTF-8', start: s, end: i });
        }
        push(TokenKind.Id, s, i);
      }
      else {
        errors.push({ code: 'wat-bad-token', message: 'malformed token (missing space between tokens?)', start: s, end: i });
        push(TokenKind.Reserved, s, i);
      }
      continue;
    }
    if (c === 36) {
      if (i - s === 1) {
        errors.push({ code: 'wat-bad-token', message: 'empty identifier', start: s, end: i });
        push(TokenKind.Reserved, s, i);
      } else push(TokenKind.Id, s, i);
      continue;
    }
    if (c >= 97 && c <= 122) {
      // keywords; `inf`, `nan`, `nan:0x..` are numbers spelled as keywords
      if (c === 105 || c === 110) {
        const k = classifyNumber(text, s, i);
        if (k === NumberClass.Float) {
          push(TokenKind.Float, s, i);
          continue;
        }
        if (k === NumberClass.Invalid && text.startsWith('nan:0x', s)) {
          errors.push({ code: 'wat-bad-number', message: `malformed NaN payload '${text.slice(s, i)}'`, start: s, end: i });
          push(TokenKind.Reserved, s, i);
          continue;
        }
      }
      push(TokenKind.Keyword, s, i);
      continue;
    }
    const k = classifyNumber(text, s, i);
    if (k === NumberClass.Int) push(TokenKind.Int, s, i);
    else if (k === NumberClass.Float) push(TokenKind.Float, s, i);
    else {
      const looksNumeric = (c >= 48 && c <= 57) || ((c === 43 || c === 45) && i - s > 1);
      errors.push(
        looksNumeric
          ? { code: 'wat-bad-number', message: `malformed number '${text.slice(s, Math.min(i, s + 40))}'`, start: s, end: i }
          : { code: 'wat-bad-token', message: `unexpected token '${text.slice(s, Math.min(i, s + 40))}'`, start: s, end: i },
      );
      push(TokenKind.Reserved, s, i);
    }
  }
  return { count, kinds, starts, ends, trivia, customAnnotations, errors };
}
