/**
 * A WAT file too large for one JavaScript string (V8's longest is 2^29 - 24 characters), cut into
 * texts the assembler can take (segmented-assembly.ts):
 *
 *   const layout = scanTextLayout(bytes)     one pass over the file's bytes: the module's function
 *                                            bodies (defined functions, in code order) and the string
 *                                            tokens of its `(data ...)` fields, as byte ranges
 *   const chunk = chunkText(bytes, layout, removed)
 *                                            the file without some byte ranges, as a string, with the
 *                                            table that maps its offsets back to the file's
 *
 * Offsets of the file are UTF-16 code units (what `readFileSync(file, 'utf8')` would give), so spans
 * mapped back mean what they mean for a text held as one string. The scanner skips strings, `;;` line
 * comments, nested `(; ;)` block comments and `(@...)` annotations as the lexer does. A function's
 * body starts after its header: `$id`, inline `(export ..)`/`(import ..)`, `(type ..)`, `(param ..)`,
 * `(result ..)`, `(local ..)` (annotations between them belong to the header); it ends before the
 * field's closing parenthesis. When the text is broken (an unterminated string or comment, a list
 * that never closes), the scan stops at the field where it went wrong: everything from there on stays
 * in every chunk, for the parser to report (`stop`, and `error` to say what when the rest is too long).
 */
import { isAscii } from 'buffer';
import * as fs from 'fs';

const LP = 40; // (
const RP = 41; // )
const SEMI = 59; // ;
const QUOTE = 34; // "
const BACKSLASH = 92;
const NL = 10;
const AT = 64; // @
const DOLLAR = 36;

/** The structure of a WAT file, in byte offsets (and the UTF-16 offsets of the same places). */
export interface TextLayout {
  /** defined functions (not the imported ones), in text order = code section order: body [start, end) */
  bodies: number[];
  /**
   * per defined function: where the part of its header that matters only to its own body starts:
   * after its `(type ..)` (the parameters, results and locals: the type index says the type), or
   * without one, its trailing `(local ..)` declarations (its body's start when it has none). What a
   * chunk that does not assemble the body can leave out with it.
   */
  locals: number[];
  /** the string tokens that are direct children of `(data ...)` fields: [start, end) pairs */
  dataStrings: number[];
  /** bytes from here on were not scanned (a broken field starts here); the file's length when all was */
  stop: number;
  /** what stopped the scan early, in byte offsets */
  error?: { message: string; start: number; end: number };
  /** byte offset -> UTF-16 offset, for the offsets above (and 0 and the file's length) */
  charOffset(byte: number): number;
}

/** The bytes a list's scan stops at: ( ) " ; (all others are skipped one by one) */
const SPECIAL = new Uint8Array(256);
for (const c of [LP, RP, QUOTE, SEMI]) SPECIAL[c] = 1;

class ScanError extends Error {
  constructor(message: string, readonly start: number, readonly end: number) {
    super(message);
  }
}

function isSpace(b: number): boolean {
  return b === 32 || b === 9 || b === NL || b === 13;
}

/** A byte that ends an atom (keyword, id, number). */
function endsAtom(b: number): boolean {
  return b === 32 || b === 9 || b === NL || b === 13 || b === LP || b === RP || b === QUOTE || b === SEMI;
}

class Scanner {
  constructor(private readonly b: Uint8Array) {}

  /** After the string opening at `p`; throws on a line end or the file's end before its closing quote. */
  string(p: number): number {
    const b = this.b;
    const n = b.length;
    let i = p + 1;
    for (;;) {
      if (i >= n || b[i] === NL) throw new ScanError('unterminated string', p, Math.min(i, n));
      const c = b[i];
      if (c === QUOTE) return i + 1;
      i += c === BACKSLASH ? 2 : 1;
    }
  }

  /** After the (nested) block comment opening at `p`. */
  blockComment(p: number): number {
    const b = this.b;
    const n = b.length;
    let depth = 1;
    let i = p + 2;
    while (i < n) {
      const c = b[i];
      if (c === LP && b[i + 1] === SEMI) {
        depth++;
        i += 2;
      } else if (c === SEMI && b[i + 1] === RP) {
        i += 2;
        if (--depth === 0) return i;
      } else i++;
    }
    throw new ScanError('unterminated block comment', p, p + 2);
  }

  /** The next byte that is not white space or a comment (annotations are not skipped). */
  trivia(p: number): number {
    const b = this.b;
    const n = b.length;
    while (p < n) {
      const c = b[p];
      if (isSpace(c)) p++;
      else if (c === SEMI && b[p + 1] === SEMI) {
        while (p < n && b[p] !== NL) p++;
      } else if (c === LP && b[p + 1] === SEMI) p = this.blockComment(p);
      else break;
    }
    return p;
  }

  /** After the list (or annotation) opening at `p`, strings and comments skipped. */
  list(p: number): number {
    const b = this.b;
    const n = b.length;
    let depth = 1;
    let i = p + 1;
    while (i < n) {
      if (SPECIAL[b[i]] === 0) {
        i++;
        while (i < n && SPECIAL[b[i]] === 0) i++;
        continue;
      }
      const c = b[i];
      if (c === LP) {
        if (b[i + 1] === SEMI) i = this.blockComment(i);
        else {
          depth++;
          i++;
        }
      } else if (c === RP) {
        i++;
        if (--depth === 0) return i;
      } else if (c === QUOTE) i = this.string(i);
      else if (c === SEMI && b[i + 1] === SEMI) {
        while (i < n && b[i] !== NL) i++;
      } else i++;
    }
    throw new ScanError('this list never closes', p, p + 1);
  }

  /** After the atom at `p` (a `$"..."` id included). */
  atom(p: number): number {
    const b = this.b;
    if (b[p] === QUOTE) return this.string(p);
    if (b[p] === DOLLAR && b[p + 1] === QUOTE) return this.string(p + 1);
    let i = p;
    while (i < b.length && !endsAtom(b[i])) i++;
    return i;
  }

  /** The keyword right after the `(` at `p` (white space and comments between allowed), or ''. */
  head(p: number): string {
    const s = this.trivia(p + 1);
    const e = this.atom(s);
    if (e - s > 8) return '';
    let k = '';
    for (let i = s; i < e; i++) k += String.fromCharCode(this.b[i]);
    return k;
  }
}

const HEADER_ITEMS = new Set(['type', 'param', 'result', 'local', 'export', 'import']);

/** Scans a WAT file's bytes (see the file comment). Never throws. */
export function scanTextLayout(bytes: Uint8Array): TextLayout {
  const s = new Scanner(bytes);
  const n = bytes.length;
  const bodies: number[] = [];
  const locals: number[] = [];
  const dataStrings: number[] = [];
  let stop = n;
  let error: TextLayout['error'];
  let field = 0;
  try {
    let p = s.trivia(0);
    // `(module $id? ...)`, or the fields alone (the abbreviation of a module with no header)
    let module = -1;
    if (bytes[p] === LP && bytes[p + 1] !== AT && s.head(p) === 'module') {
      module = p;
      p = s.trivia(s.atom(s.trivia(p + 1)));
      if (bytes[p] === DOLLAR) p = s.atom(p);
    }
    for (;;) {
      p = s.trivia(p);
      if (p >= n) {
        // every field closed: the parser reports the module's missing `)`
        if (module >= 0) error = { message: 'the module never closes', start: module, end: module + 1 };
        break;
      }
      // what follows the module is left to the parser
      if (module >= 0 && bytes[p] === RP) break;
      field = p;
      if (bytes[p] !== LP) {
        p = bytes[p] === RP ? p + 1 : Math.max(p + 1, s.atom(p));
        continue;
      }
      const head = bytes[p + 1] === AT ? '' : s.head(p);
      if (head === 'func') p = func(s, bytes, p, bodies, locals);
      else if (head === 'data') p = data(s, bytes, p, dataStrings);
      else p = s.list(p);
    }
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    error = { message: e.message, start: e.start, end: e.end };
    stop = field;
  }
  return { bodies, locals, dataStrings, stop, error, charOffset: charOffsets(bytes, [...bodies, ...locals, ...dataStrings, stop, ...(error ? [error.start, error.end] : [])]) };
}

/** A `(func ...)` field at `p`: its body recorded when it is defined; returns the offset after it. */
function func(s: Scanner, bytes: Uint8Array, p: number, bodies: number[], locals: number[]): number {
  let q = s.atom(s.trivia(p + 1)); // after `func`
  let bodyStart = q;
  q = s.trivia(q);
  if (bytes[q] === DOLLAR) {
    q = s.atom(q);
    bodyStart = q;
  }
  let imported = false;
  let localsStart = -1;
  let typed = -1;
  for (;;) {
    q = s.trivia(q);
    if (bytes[q] !== LP) break;
    if (bytes[q + 1] === AT) {
      // an annotation (a `(@custom ...)` makes a section) is never left out with what follows it
      q = s.list(q);
      typed = -1;
      localsStart = -1;
      continue;
    }
    const h = s.head(q);
    if (!HEADER_ITEMS.has(h)) break;
    if (h === 'import') imported = true;
    if (h !== 'local') localsStart = -1;
    else if (localsStart < 0) localsStart = q;
    q = s.list(q);
    if (h === 'type' && typed < 0) typed = q;
    bodyStart = q;
  }
  const end = s.list(p);
  if (!imported) {
    bodies.push(bodyStart, end - 1);
    locals.push(typed >= 0 ? typed : localsStart < 0 ? bodyStart : localsStart);
  }
  return end;
}

/** A `(data ...)` field at `p`: its direct string children recorded; returns the offset after it. */
function data(s: Scanner, bytes: Uint8Array, p: number, strings: number[]): number {
  let q = s.atom(s.trivia(p + 1)); // after `data`
  for (;;) {
    q = s.trivia(q);
    if (q >= bytes.length) throw new ScanError('this list never closes', p, p + 1);
    const c = bytes[q];
    if (c === RP) return q + 1;
    if (c === LP) q = s.list(q);
    else if (c === QUOTE) {
      const e = s.string(q);
      strings.push(q, e);
      q = e;
    } else q = Math.max(q + 1, s.atom(q));
  }
}

/**
 * byte -> UTF-16 offset for the given byte offsets (and 0, the file's length): the identity for an
 * ASCII file, else one pass counting the code units of the bytes before each (a 4-byte sequence is
 * a surrogate pair).
 */
function charOffsets(bytes: Uint8Array, marks: number[]): (byte: number) => number {
  if (isAscii(bytes)) return (b) => b;
  const sorted = [...new Set([0, bytes.length, ...marks])].sort((a, b) => a - b);
  const table = new Map<number, number>();
  let chars = 0;
  let i = 0;
  for (const m of sorted) {
    for (; i < m; i++) {
      const c = bytes[i];
      if ((c & 0xc0) !== 0x80) chars += c >= 0xf0 ? 2 : 1;
    }
    table.set(m, chars);
  }
  return (b) => {
    const c = table.get(b);
    if (c === undefined) throw new Error(`no UTF-16 offset recorded for byte ${b}`);
    return c;
  };
}

/** A text made of the file without some ranges, and the map of its offsets back to the file's. */
export class ChunkText {
  /** per kept piece: its first offset in the chunk text and in the file (UTF-16 units) */
  private readonly chunkStarts: number[] = [];
  private readonly fileStarts: number[] = [];

  constructor(readonly text: string, pieces: { chunk: number; file: number }[]) {
    for (const p of pieces) {
      this.chunkStarts.push(p.chunk);
      this.fileStarts.push(p.file);
    }
  }

  /** The file offset of chunk offset `c` (at a cut: the offset after the removed range). */
  fileOffset(c: number): number {
    const s = this.chunkStarts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= c) lo = mid;
      else hi = mid - 1;
    }
    return this.fileStarts[lo] + (c - s[lo]);
  }

  /** A span of the chunk text as a span of the file (its end maps as the end of what precedes it). */
  fileSpan(span: { start: number; end: number }): { start: number; end: number } {
    const start = this.fileOffset(span.start);
    const end = span.end > span.start ? this.fileOffset(span.end - 1) + 1 : start;
    return { start, end };
  }
}

/** The UTF-16 length of the file's text without the `removed` byte ranges (sorted [start, end) pairs). */
export function chunkLength(layout: TextLayout, size: number, removed: number[]): number {
  let len = layout.charOffset(size);
  for (let k = 0; k < removed.length; k += 2) len -= layout.charOffset(removed[k + 1]) - layout.charOffset(removed[k]);
  return len;
}

/** A file's bytes where a chunk needs them: held in memory, or read piece by piece from a file. */
export interface ByteSource {
  readonly size: number;
  /** the UTF-8 text of bytes [from, to) */
  text(from: number, to: number): string;
}

/** The bytes of a file held in memory. */
export function bufferSource(bytes: Uint8Array): ByteSource {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { size: buf.length, text: (from, to) => buf.toString('utf8', from, to) };
}

/** The bytes of an open file, read where asked (`fs.readSync` at a position: the file is never held whole). */
export function fileSource(fd: number, size: number): ByteSource {
  let scratch = Buffer.allocUnsafe(1 << 16);
  return {
    size,
    text(from, to) {
      const n = to - from;
      if (n > scratch.length) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
      let got = 0;
      while (got < n) {
        const r = fs.readSync(fd, scratch, got, n - got, from + got);
        if (r === 0) throw new Error(`the file ended at byte ${from + got} while ${size} bytes were expected (was it changed during the compile?)`);
        got += r;
      }
      const t = scratch.toString('utf8', 0, n);
      // a large piece's buffer is not kept
      if (scratch.length > 1 << 24) scratch = Buffer.allocUnsafe(1 << 16);
      return t;
    },
  };
}

/** The file's text without the `removed` byte ranges (sorted, disjoint [start, end) pairs). */
export function chunkText(source: ByteSource, layout: TextLayout, removed: number[]): ChunkText {
  const parts: string[] = [];
  const pieces: { chunk: number; file: number }[] = [];
  let at = 0;
  let len = 0;
  const keep = (from: number, to: number): void => {
    pieces.push({ chunk: len, file: layout.charOffset(from) });
    if (to > from) {
      const s = source.text(from, to);
      parts.push(s);
      len += s.length;
    }
  };
  for (let k = 0; k < removed.length; k += 2) {
    keep(at, removed[k]);
    at = removed[k + 1];
  }
  keep(at, source.size);
  return new ChunkText(parts.join(''), pieces);
}
