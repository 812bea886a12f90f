/**
 * WAT/WAST lexer: one pass over UTF-16 char codes, producing tokens as parallel typed arrays
 * (kind, start, end) so a 10 MB file costs no per-token objects. Comments and annotations are
 * trivia; block comments and annotations are remembered (for folding), `@custom` annotations too.
 */
import type { Span } from '../span';
import { classifyNumber as classifyNumberImport, NumberClass } from './numbers';
import { keepMaps, objectArray } from '../jit';
import { pushLimited } from '../diagnostic-limit';

// module constants for what the token paths use from other modules (see the note in parser.ts)
const classifyNumber = classifyNumberImport;
const N_INVALID = NumberClass.Invalid;
const N_INT = NumberClass.Int;
const N_FLOAT = NumberClass.Float;

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
  /** for Keyword and Id tokens: hashText() of the token's text (the tree builder interns them by it) */
  hashes: Int32Array;
  /** block comments and annotations, for folding */
  trivia: Span[];
  /** `(@custom "name" ...)` annotations: the whole annotation and its name string token */
  customAnnotations: { span: Span; nameStart: number; nameEnd: number }[];
  errors: LexError[];
}

/**
 * Characters allowed in keywords, ids and numbers (the spec's idchar), by UTF-16 code unit: 1 for
 * digits, 2 for the others, 0 for anything else. 64K entries, so a lookup needs no range check.
 */
const CHAR_CLASS = new Uint8Array(65536);
for (const c of "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'*+-./:<=>?@\\^_`|~") {
  const code = c.charCodeAt(0);
  CHAR_CLASS[code] = code >= 48 && code <= 57 ? 1 : 2;
}

export function isIdChar(c: number): boolean {
  return c >= 0 && c < 65536 && CHAR_CLASS[c] !== 0;
}

/**
 * The hash of text[s, e) the lexer computes for keywords and ids while scanning them (the tree builder
 * interns their strings by it): h = c0, then h = h * 31 + c, in 30 bits (a small integer for V8: no
 * heap number, no deoptimization when it is passed around).
 */
export function hashText(text: string, s: number, e: number): number {
  let h = text.charCodeAt(s) | 0;
  for (let i = s + 1; i < e; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) & 0x3fffffff;
  return h;
}

/**
 * Runs the regexp engine takes over from the char-by-char loops (it runs native code from the first
 * parse on, while a JS loop crawls until the JIT has optimized it): whitespace (text printed by
 * wasm2wat is mostly indentation, 2 spaces per nesting level, hundreds of levels deep), and the plain
 * characters and simple escapes of string literals (data segments). Sticky; STRING_RUN is bounded so
 * its backtracking stack stays small on huge strings (the caller loops).
 */
const SPACE_RUN = /[ \n\t\r]*/y;
const STRING_RUN = /(?:[^"\\\x00-\x1f\x7f]+|\\(?:[nrt\\'"]|[0-9a-fA-F]{2})){0,4096}/y;

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
  // what the regexp engine accepts here is what the loop below would skip without a diagnostic
  for (;;) {
    STRING_RUN.lastIndex = i;
    STRING_RUN.test(text);
    const j = STRING_RUN.lastIndex;
    if (j === i) break;
    i = j;
  }
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 10 || c === 13) break;
    if (c < 32 || c === 127) {
      if (errors) pushLimited(errors, { code: 'wat-bad-string', message: 'control character in string', start: i, end: i + 1 });
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
        if (errors) pushLimited(errors, { code: 'wat-bad-string', message: 'invalid \\u{...} escape in string', start: i, end: Math.min(j + 1, n) });
        while (j < n && text.charCodeAt(j) !== 125 && text.charCodeAt(j) !== 34 && text.charCodeAt(j) !== 10) j++;
        i = text.charCodeAt(j) === 125 ? j + 1 : j;
      } else i = j + 1;
    } else if (HEX(e) >= 0 && HEX(text.charCodeAt(i + 2)) >= 0) {
      i += 3;
    } else {
      if (errors) pushLimited(errors, { code: 'wat-bad-string', message: 'unknown escape sequence in string', start: i, end: Math.min(i + 2, n) });
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
  return new Uint8Array(out);
}

/** Any UTF-16 surrogate, paired or not (strings with one take the byte-exact paths). */
const SURROGATE = /[\ud800-\udfff]/;

/**
 * The payload of a string token when it has no escapes and no surrogates: then its bytes are the
 * UTF-8 encoding of exactly these characters. Otherwise undefined.
 */
function plainStringBody(text: string, start: number, end: number): string | undefined {
  const body = text.slice(start + 1, end - 1);
  return body.indexOf('\\') < 0 && !SURROGATE.test(body) ? body : undefined;
}

/** Is the string token's payload valid UTF-8 (names must be)? */
export function isValidUtf8String(text: string, start: number, end: number): boolean {
  return plainStringBody(text, start, end) !== undefined || isValidUtf8(decodeStringBytes(text, start, end));
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

/** Byte length of a string token's payload (what decodeStringBytes().length is), without building it. */
export function stringByteLength(text: string, start: number, end: number): number {
  return countStringBytes(text, start + 1, end - 1);
}

/** stringByteLength's loop over text[i, last), on its own (see lexRange). */
function countStringBytes(text: string, i: number, last: number): number {
  let n = 0;
  while (i < last) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      const e = text.charCodeAt(i + 1);
      // \u{...} escapes (rare) are counted by decoding them
      if (e === 117) return n + decodeStringBytes(text, i - 1, last + 1).length;
      n++;
      i += e === 110 || e === 116 || e === 114 || e === 92 || e === 39 || e === 34 ? 2 : 3;
    } else if (c < 0x80) {
      n++;
      i++;
    } else if (c < 0x800) {
      n += 2;
      i++;
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < last && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) < 0xe000) {
      n += 4;
      i += 2;
    } else {
      n += 3;
      i++;
    }
  }
  return n;
}

/** Decode a string token to a JS string (escapes resolved; `\hh` bytes decoded as UTF-8). */
export function decodeString(text: string, start: number, end: number): string {
  return plainStringBody(text, start, end) ?? Buffer.from(decodeStringBytes(text, start, end)).toString('utf8');
}


/** The token arrays being filled, grown by doubling. */
class TokenBuffer {
  declare count: number;
  declare cap: number;
  declare kinds: Uint8Array;
  declare starts: Int32Array;
  declare ends: Int32Array;
  declare hashes: Int32Array;
  constructor(cap: number) {
    this.count = 0;
    this.cap = cap;
    this.kinds = new Uint8Array(cap);
    this.starts = new Int32Array(cap);
    this.ends = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
  }
  push(k: TokenKind, s: number, e: number, h: number): void {
    const t = this.count;
    if (t === this.cap) this.grow();
    this.kinds[t] = k;
    this.starts[t] = s;
    this.ends[t] = e;
    this.hashes[t] = h;
    this.count = t + 1;
  }
  private grow(): void {
    const cap = this.cap * 2;
    this.kinds = widened(this.kinds, new Uint8Array(cap));
    this.starts = widened(this.starts, new Int32Array(cap));
    this.ends = widened(this.ends, new Int32Array(cap));
    this.hashes = widened(this.hashes, new Int32Array(cap));
    this.cap = cap;
  }
}

/** `to` (a larger array of the same kind) holding `from`'s elements first. */
function widened<A extends Uint8Array | Int32Array>(from: A, to: A): A {
  to.set(from);
  return to;
}

keepMaps(new TokenBuffer(1));

/** Skip a block comment starting at `(;`, nested; returns the offset after it. */
function skipBlockComment(text: string, p: number, n: number, errors: LexError[]): number {
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
  pushLimited(errors, { code: 'wat-unterminated-comment', message: 'unterminated block comment', start: p, end: p + 2 });
  return n;
}

/** Skip an annotation `(@name ...)` with balanced parens; returns the offset after it. */
function skipAnnotation(
  text: string,
  p: number,
  n: number,
  errors: LexError[],
  trivia: Span[],
  customAnnotations: TokenStream['customAnnotations'],
): number {
  let i = p + 2;
  const nameStart = i;
  if (text.charCodeAt(i) === 34) {
    const e = scanString(text, i, errors);
    i = e < 0 ? n : e;
    if (e >= 0 && (e - nameStart <= 2 || !isValidUtf8(decodeStringBytes(text, nameStart, e)))) {
      pushLimited(errors, { code: 'wat-bad-annotation', message: 'annotation name must be a non-empty UTF-8 string', start: nameStart, end: e });
    }
  } else while (i < n && isIdChar(text.charCodeAt(i))) i++;
  if (i === nameStart) {
    pushLimited(errors, { code: 'wat-bad-annotation', message: 'annotation without a name', start: p, end: i });
  }
  const isCustom = text.startsWith('custom', nameStart) && i - nameStart === 6;
  let firstString = -1;
  let firstStringEnd = -1;
  let depth = 1;
  while (i < n && depth > 0) {
    const c = text.charCodeAt(i);
    if (c === 40) {
      if (text.charCodeAt(i + 1) === 59) i = skipBlockComment(text, i, n, errors);
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
        pushLimited(errors, { code: 'wat-bad-string', message: 'unterminated string', start: i, end: i + 1 });
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
        pushLimited(errors, { code: 'wat-bad-token', message: 'illegal character in annotation', start: i, end: i + 1 });
      }
      i++;
    }
  }
  if (depth > 0) pushLimited(errors, { code: 'wat-bad-annotation', message: 'unterminated annotation', start: p, end: nameStart });
  trivia.push({ start: p, end: i });
  if (isCustom && firstString >= 0) {
    customAnnotations.push({ span: { start: p, end: i }, nameStart: firstString, nameEnd: firstStringEnd });
  }
  return i;
}

/**
 * Tokenize `text`, or only `text[from, to)` (incremental reparsing: offsets stay absolute; the caller
 * checks that the range lexes the same as it does within the whole text).
 *
 * Written for the JIT as much as for the reader: no closures created per call, no reads past the end
 * of the text (an out-of-bounds charCodeAt deoptimizes), whitespace runs and string bodies left to the
 * regexp engine, and the common token (a run of idchars ended by a delimiter) classified on a fast path
 * that also hashes keywords and ids for the tree builder's interning.
 */
export function lex(text: string, from = 0, to = text.length): TokenStream {
  // about one token per 16 chars to start with (wasm2wat output is mostly indentation); grows by doubling
  const out = new TokenBuffer(Math.max(16, ((to - from) >> 4) + 16));
  const trivia = objectArray<Span>();
  const customAnnotations = objectArray<TokenStream['customAnnotations'][number]>();
  const errors = objectArray<LexError>();
  lexRange(text, text.length, from, to, out, trivia, customAnnotations, errors);
  return { count: out.count, kinds: out.kinds, starts: out.starts, ends: out.ends, hashes: out.hashes, trivia, customAnnotations, errors };
}

/**
 * lex's loop, on its own: V8 optimizes it while it runs (on-stack replacement), before the code after
 * the loop has ever run, and before the code ahead of it has type feedback (feedback is only recorded
 * once a function has run a while); code there would deoptimize the fresh code on the next call.
 */
function lexRange(
  text: string,
  len: number,
  from: number,
  n: number,
  out: TokenBuffer,
  trivia: Span[],
  customAnnotations: TokenStream['customAnnotations'],
  errors: LexError[],
): void {
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      const d = i + 1 < len ? text.charCodeAt(i + 1) : 0;
      if (d === 32 || d === 10 || d === 9 || d === 13) {
        SPACE_RUN.lastIndex = i + 2;
        SPACE_RUN.test(text);
        i = SPACE_RUN.lastIndex < n ? SPACE_RUN.lastIndex : n;
      } else i++;
      continue;
    }
    if (c === 40 || c === 41) {
      if (c === 40 && i + 1 < len) {
        const d = text.charCodeAt(i + 1);
        if (d === 59 || d === 64) {
          i = lexTrivia(text, i, n, errors, trivia, customAnnotations);
          continue;
        }
      }
      out.push(c === 40 ? TokenKind.LParen : TokenKind.RParen, i, i + 1, 0);
      i++;
      continue;
    }
    if (c === 59 && i + 1 < len && text.charCodeAt(i + 1) === 59) {
      const nl = text.indexOf('\n', i + 2);
      i = nl < 0 || nl > n ? n : nl;
      continue;
    }
    const s = i;
    // fast path: a run of idchars ended by a delimiter (whitespace, a paren, `;;`) or the end
    let cls = CHAR_CLASS[c];
    if (cls !== 0) {
      let h = c;
      let ch = 0;
      i++;
      while (i < n) {
        ch = text.charCodeAt(i);
        const k = CHAR_CLASS[ch];
        if (k === 0) break;
        cls |= k;
        h = (Math.imul(h, 31) + ch) & 0x3fffffff;
        i++;
      }
      if (i >= n || ch === 32 || ch === 10 || ch === 9 || ch === 13 || ch === 40 || ch === 41 || (ch === 59 && i + 1 < len && text.charCodeAt(i + 1) === 59)) {
        pushWord(text, s, i, c, cls, h, out, errors);
        continue;
      }
      i = s;
    }
    i = lexOther(text, s, n, out, errors);
  }
}

/** A block comment `(;...;)` or an annotation `(@...)` at `(`: skipped, remembered as trivia. */
function lexTrivia(
  text: string,
  i: number,
  n: number,
  errors: LexError[],
  trivia: Span[],
  customAnnotations: TokenStream['customAnnotations'],
): number {
  if (text.charCodeAt(i + 1) === 64) return skipAnnotation(text, i, n, errors, trivia, customAnnotations);
  const e = skipBlockComment(text, i, n, errors);
  trivia.push({ start: i, end: e });
  return e;
}

/**
 * lex's fast path: text[s, e) is a run of idchars (`cls`: 1 when all digits) ended by a delimiter, `c`
 * its first char, `h` its hash. Keywords, ids, numbers; malformed ones reported.
 */
function pushWord(text: string, s: number, e: number, c: number, cls: number, h: number, out: TokenBuffer, errors: LexError[]): void {
  if (c >= 97 && c <= 122) {
    // keywords; `inf`, `nan`, `nan:0x..` are numbers spelled as keywords
    // (like classifyNumber, `nan` is looked for in the text, also past the end of a range's last token)
    if ((c === 105 && e - s >= 3 && text.charCodeAt(s + 1) === 110 && text.charCodeAt(s + 2) === 102) || (c === 110 && s + 2 < text.length && text.charCodeAt(s + 1) === 97 && text.charCodeAt(s + 2) === 110)) {
      if (pushNumberWord(text, s, e, out, errors)) return;
    }
    out.push(TokenKind.Keyword, s, e, h);
  } else if (c === 36) {
    if (e - s === 1) {
      pushLimited(errors, { code: 'wat-bad-token', message: 'empty identifier', start: s, end: e });
      out.push(TokenKind.Reserved, s, e, 0);
    } else out.push(TokenKind.Id, s, e, h);
  } else if (cls === 1) {
    out.push(TokenKind.Int, s, e, 0);
  } else {
    pushNumber(text, s, e, c, out, errors);
  }
}

/** `inf`, `nan`, `nan:0x..` (a keyword-like token starting with i or n): pushes it when it is one. */
function pushNumberWord(text: string, s: number, e: number, out: TokenBuffer, errors: LexError[]): boolean {
  const k = classifyNumber(text, s, e);
  if (k === N_FLOAT) {
    out.push(TokenKind.Float, s, e, 0);
    return true;
  }
  if (k === N_INVALID && text.startsWith('nan:0x', s)) {
    pushLimited(errors, { code: 'wat-bad-number', message: `malformed NaN payload '${text.slice(s, e)}'`, start: s, end: e });
    out.push(TokenKind.Reserved, s, e, 0);
    return true;
  }
  return false;
}

/** A token of idchars that is not a keyword or an id: a number, or malformed. */
function pushNumber(text: string, s: number, e: number, c: number, out: TokenBuffer, errors: LexError[]): void {
  const k = classifyNumber(text, s, e);
  if (k === N_INT) out.push(TokenKind.Int, s, e, 0);
  else if (k === N_FLOAT) out.push(TokenKind.Float, s, e, 0);
  else {
    const looksNumeric = (c >= 48 && c <= 57) || ((c === 43 || c === 45) && e - s > 1);
    pushLimited(errors, 
      looksNumeric
        ? { code: 'wat-bad-number', message: `malformed number '${text.slice(s, Math.min(e, s + 40))}'`, start: s, end: e }
        : { code: 'wat-bad-token', message: `unexpected token '${text.slice(s, Math.min(e, s + 40))}'`, start: s, end: e },
    );
    out.push(TokenKind.Reserved, s, e, 0);
  }
}

/**
 * A token that is not a run of idchars ended by a delimiter (lex's fast path): a maximal run of idchars
 * and strings, reported when malformed. Returns the offset after it.
 */
function lexOther(text: string, s: number, n: number, out: TokenBuffer, errors: LexError[]): number {
  const len = text.length;
  const c = text.charCodeAt(s);
  let i = s;
  // anything else: a maximal run of idchars and strings, reported when malformed
  let strings = 0;
  let idchars = 0;
  let bad = false;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 34) {
      const e = scanString(text, i, errors);
      strings++;
      if (e < 0) {
        pushLimited(errors, { code: 'wat-bad-string', message: 'unterminated string', start: i, end: i + 1 });
        while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
        bad = true;
        break;
      }
      i = e;
    } else if (CHAR_CLASS[ch] !== 0) {
      idchars++;
      i++;
    } else if (isSpace(ch) || ch === 40 || ch === 41 || (ch === 59 && i + 1 < len && text.charCodeAt(i + 1) === 59)) {
      break;
    } else {
      // not a valid character anywhere outside strings and comments
      if (!bad) {
        pushLimited(errors, { code: 'wat-bad-token', message: `unexpected character '${String.fromCharCode(ch)}'`, start: i, end: i + 1 });
      }
      bad = true;
      i++;
    }
  }
  if (bad) {
    if (strings > 0 && idchars === 0) out.push(TokenKind.String, s, i, 0);
    else out.push(TokenKind.Reserved, s, i, 0);
    return i;
  }
  if (strings > 0) {
    if (idchars === 0 && strings === 1) out.push(TokenKind.String, s, i, 0);
    else if (strings === 1 && idchars === 1 && c === 36 && text.charCodeAt(s + 1) === 34 && i - s > 3) {
      if (!isValidUtf8(decodeStringBytes(text, s + 1, i))) {
        pushLimited(errors, { code: 'wat-bad-string', message: 'identifier is not valid UTF-8', start: s, end: i });
      }
      out.push(TokenKind.Id, s, i, hashText(text, s, i));
    } else {
      pushLimited(errors, { code: 'wat-bad-token', message: 'malformed token (missing space between tokens?)', start: s, end: i });
      out.push(TokenKind.Reserved, s, i, 0);
    }
    return i;
  }
  // idchars only (not reached: the fast path takes these, it is kept as the complete classification)
  if (c === 36) {
    if (i - s === 1) {
      pushLimited(errors, { code: 'wat-bad-token', message: 'empty identifier', start: s, end: i });
      out.push(TokenKind.Reserved, s, i, 0);
    } else out.push(TokenKind.Id, s, i, hashText(text, s, i));
    return i;
  }
  if (c >= 97 && c <= 122) {
    if ((c !== 105 && c !== 110) || !pushNumberWord(text, s, i, out, errors)) out.push(TokenKind.Keyword, s, i, hashText(text, s, i));
    return i;
  }
  pushNumber(text, s, i, c, out, errors);
  return i;
}
