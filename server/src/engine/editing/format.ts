/**
 * The WAT/WAST formatter. It only ever changes the whitespace between tokens (a token, a comment or
 * an annotation is never touched), so the formatted text lexes to the same tokens in the same order:
 * formatting cannot change what a module means, and it works on any text, broken or not.
 *
 * What it does to the whitespace:
 * - indentation from the structure: one level more than the line its list opened on (lists opened on
 *   one line count once), and one per open flat block
 *   (`block`/`loop`/`if`/`try`/`try_table` ... `end`; `else`, `catch`, `catch_all` and `delegate` sit
 *   at their block's level);
 * - one space between tokens on a line, none after `(` or before `)`, no trailing whitespace, at most
 *   `maxBlankLines` blank lines in a row, no blank lines at the start, one line end at the end;
 * - the author's line breaks are kept (so folded and flat instructions, and closing parens on a line of
 *   their own, stay as written); a list whose line is longer than `lineWidth` is broken before each of
 *   its instructions and sub-lists after its header (`(func $f (param i32) (result i32)` stays together);
 * - `;; fmt-ignore` on the line before a list or token keeps that list or token exactly as written;
 *   `;; fmt-ignore-start` ... `;; fmt-ignore-end` keeps everything between them.
 */
import type { Span } from '../span';
import { lex, TokenKind, type TokenStream } from '../wat/lexer';
import { INSTRUCTIONS } from '../wat/instructions';

export interface FormatOptions {
  /** columns per indentation level (the width of a tab when `insertSpaces` is false) */
  indentWidth: number;
  /** indent with spaces (else one tab per level) */
  insertSpaces: boolean;
  /** lists on lines longer than this are broken */
  lineWidth: number;
  /** blank lines kept in a row */
  maxBlankLines: number;
}

export const DEFAULT_FORMAT_OPTIONS: FormatOptions = { indentWidth: 2, insertSpaces: true, lineWidth: 100, maxBlankLines: 1 };

/** Indentation stops growing at this level. */
export const MAX_INDENT_LEVEL = 100;

/** The comment that keeps the next list or token as written. */
export const FMT_IGNORE = ';; fmt-ignore';
/** The comments around a region kept as written. */
export const FMT_IGNORE_START = ';; fmt-ignore-start';
export const FMT_IGNORE_END = ';; fmt-ignore-end';

const enum El {
  Open,
  Close,
  Atom,
  LineComment,
  /** a block comment or an annotation: kept verbatim */
  Block,
}

interface Elements {
  tokens: TokenStream;
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  count: number;
}

/** The text's elements in order: parens, tokens, comments and annotations. Undefined if some text is none of them. */
function elementsOf(text: string): Elements | undefined {
  const tokens = lex(text);
  const trivia = tokens.trivia;
  const cap = tokens.count + trivia.length + 16;
  let kinds = new Uint8Array(cap);
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  let count = 0;
  const push = (k: El, s: number, e: number): void => {
    if (count === kinds.length) {
      const grow = <A extends Uint8Array | Int32Array>(a: A, b: A): A => (b.set(a), b);
      kinds = grow(kinds, new Uint8Array(count * 2));
      starts = grow(starts, new Int32Array(count * 2));
      ends = grow(ends, new Int32Array(count * 2));
    }
    kinds[count] = k;
    starts[count] = s;
    ends[count] = e;
    count++;
  };
  // the gap before `to` holds whitespace and line comments only
  let pos = 0;
  const gap = (to: number): boolean => {
    let i = pos;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        i++;
        continue;
      }
      if (c === 59 && text.charCodeAt(i + 1) === 59) {
        let e = i + 2;
        while (e < to && text.charCodeAt(e) !== 10 && text.charCodeAt(e) !== 13) e++;
        let last = e;
        while (last > i + 2 && (text.charCodeAt(last - 1) === 32 || text.charCodeAt(last - 1) === 9)) last--;
        push(El.LineComment, i, last);
        i = e;
        continue;
      }
      return false;
    }
    return true;
  };
  let t = 0;
  let v = 0;
  while (t < tokens.count || v < trivia.length) {
    const takeTrivia = v < trivia.length && (t >= tokens.count || trivia[v].start < tokens.starts[t]);
    const s = takeTrivia ? trivia[v].start : tokens.starts[t];
    const e = takeTrivia ? trivia[v].end : tokens.ends[t];
    if (!gap(s)) return undefined;
    if (takeTrivia) {
      push(El.Block, s, e);
      v++;
    } else {
      const k = tokens.kinds[t];
      push(k === TokenKind.LParen ? El.Open : k === TokenKind.RParen ? El.Close : El.Atom, s, e);
      t++;
    }
    pos = e;
  }
  if (!gap(text.length)) return undefined;
  return { tokens, kinds, starts, ends, count };
}

const OPENS_BLOCK = new Set(['block', 'loop', 'if', 'try', 'try_table']);
const SPLITS_BLOCK = new Set(['else', 'catch', 'catch_all']);
const CLOSES_BLOCK = new Set(['end', 'delegate']);
/** Lists that stay on a broken list's first line (while they fit). */
const HEADER_LISTS = new Set(['type', 'param', 'result', 'export', 'import']);

interface Frame {
  /** the level of the line the list opens on (lists opened on one line share it) */
  level: number;
  /** open flat blocks inside it */
  flat: number;
  /** index of the `(` */
  open: number;
  /** broken for the line width: element indexes before which a line break goes */
  breaks?: Set<number>;
}

/**
 * The formatted text of `text`, or of the part of it in `range` (the whitespace between tokens that
 * touches the range; the rest is kept). Undefined when the text cannot be split into tokens and
 * comments, or when the result would not lex to the same tokens (nothing is changed then).
 */
export function formatWat(text: string, options: FormatOptions = DEFAULT_FORMAT_OPTIONS, range?: Span): string | undefined {
  const els = elementsOf(text);
  if (!els) return undefined;
  const { kinds, starts, ends, count } = els;
  const unit = options.insertSpaces ? ' '.repeat(Math.max(0, options.indentWidth)) : '\t';
  const columnsPerLevel = Math.max(0, options.indentWidth);
  const indents: string[] = [];
  // (deeper levels are indented like this one: a text nested 100,000 deep, a list per line, would
  // otherwise format to gigabytes of indentation)
  const indent = (level: number): string => (indents[Math.min(level, MAX_INDENT_LEVEL)] ??= unit.repeat(Math.min(level, MAX_INDENT_LEVEL)));
  const maxNewlines = Math.max(0, options.maxBlankLines) + 1;

  // the matching `)` of every `(` (or count when unclosed), for fmt-ignore and width checks
  const close = new Int32Array(count).fill(count);
  {
    const stack: number[] = [];
    for (let i = 0; i < count; i++) {
      if (kinds[i] === El.Open) stack.push(i);
      else if (kinds[i] === El.Close && stack.length) close[stack.pop()!] = i;
    }
  }
  // line ends in the gap before each element, counted once (up to 255): width checks look at them again and again
  const newlinesBefore = new Uint8Array(count);
  for (let i = 1; i < count; i++) {
    let n = 0;
    for (let p = ends[i - 1], e = starts[i]; p < e && n < 255; p++) {
      const c = text.charCodeAt(p);
      if (c === 10 || (c === 13 && text.charCodeAt(p + 1) !== 10)) n++;
    }
    newlinesBefore[i] = n;
  }
  // the line end: the first one between tokens (one in a comment or a string is no guide: a second pass
  // would not find the same one first)
  let eol = '\n';
  {
    let i = 1;
    while (i < count && newlinesBefore[i] === 0) i++;
    const from = i < count ? ends[i - 1] : count > 0 ? ends[count - 1] : 0;
    const to = i < count ? starts[i] : text.length;
    for (let p = from; p < to; p++) {
      const c = text.charCodeAt(p);
      if (c === 10) break;
      if (c === 13) {
        if (text.charCodeAt(p + 1) === 10) eol = '\r\n';
        break;
      }
    }
  }
  const startsTrivia = (at: number): boolean => text.charCodeAt(at) === 59 || text.charCodeAt(at) === 64;
  const textOf = (i: number): string => text.slice(starts[i], ends[i]);
  const isInstruction = (i: number): boolean => kinds[i] === El.Atom && INSTRUCTIONS.has(textOf(i));
  const isHeadAtom = (i: number): boolean => i > 0 && kinds[i - 1] === El.Open;

  /** Width of the elements from `from` to the end of their line as laid out (at most `limit`; past it, limit + 1). */
  const lineWidthFrom = (from: number, limit: number, stopAt: number): number => {
    let w = 0;
    for (let i = from; i <= stopAt && i < count; i++) {
      if (i > from) {
        if (newlinesBefore[i] > 0 || kinds[i - 1] === El.LineComment) return w;
        if (kinds[i - 1] !== El.Open && kinds[i] !== El.Close) w++;
      }
      // a comment at the end of the line does not make it too long
      if (kinds[i] === El.LineComment) return w;
      const len = ends[i] - starts[i];
      if (kinds[i] === El.Block) {
        const nl = text.indexOf('\n', starts[i]);
        if (nl >= 0 && nl < ends[i]) return w + (nl - starts[i]);
      }
      w += len;
      if (w > limit) return limit + 1;
    }
    return w;
  };

  /** Where a list too long for its line is broken: before each instruction and sub-list after its header. */
  const breaksOf = (open: number, column: number): Set<number> => {
    const end = close[open];
    const out = new Set<number>();
    let i = open + 1;
    let col = column + 1;
    // header: the head keyword and the atoms after it that are not instructions, then the signature lists that fit
    let header = true;
    let first = true;
    while (i < end) {
      const k = kinds[i];
      const next = k === El.Open ? close[i] + 1 : i + 1;
      if (header) {
        if (first || (k === El.Atom && !isInstruction(i))) {
          col += (first ? 0 : 1) + (ends[i] - starts[i]);
        } else if (k === El.Open && HEADER_LISTS.has(headText(i)) && col + 1 + (ends[Math.min(close[i], count - 1)] - starts[i]) <= options.lineWidth) {
          col += 1 + (ends[Math.min(close[i], count - 1)] - starts[i]);
        } else if (k === El.Block || k === El.LineComment) {
          // stays where it is
        } else header = false;
      }
      if (!header && (k === El.Open || isInstruction(i))) out.add(i);
      first = false;
      i = next;
    }
    return out;
  };
  const headText = (open: number): string => (open + 1 < count && kinds[open + 1] === El.Atom ? textOf(open + 1) : '');

  const within = (s: number, e: number): boolean => range === undefined || (s <= range.end && e >= range.start);
  const parts: string[] = [];
  let copied = 0;
  /** replace the gap [s, e) with `gap` (when it is in the range) */
  const setGap = (s: number, e: number, gap: string): void => {
    if (!within(s, e)) return;
    if (e - s === gap.length && text.startsWith(gap, s)) return;
    parts.push(text.slice(copied, s), gap);
    copied = e;
  };

  const stack: Frame[] = [];
  let column = 0;
  /** the level of the current line */
  let lineLevel = 0;
  /** elements up to this index are kept as written (fmt-ignore) */
  let verbatimFrom = -1;
  let verbatimUntil = -1;
  for (let i = 0; i < count; i++) {
    const k = kinds[i];
    const gapStart = i === 0 ? 0 : ends[i - 1];
    const gapEnd = starts[i];
    const top = stack.length ? stack[stack.length - 1] : undefined;
    const childLevel = top ? top.level + 1 + top.flat : 0;
    // (only the block keywords matter: no slice of longer atoms, or of ids, numbers and strings)
    const word = k === El.Atom && ends[i] - starts[i] <= 9 && text.charCodeAt(starts[i]) >= 97 && !isHeadAtom(i) ? textOf(i) : '';
    // this element's level if it starts a line
    let level = childLevel;
    if (k === El.Close) level = top ? top.level : 0;
    else if (top && top.flat > 0 && (SPLITS_BLOCK.has(word) || CLOSES_BLOCK.has(word))) level = childLevel - 1;
    else if (!top && CLOSES_BLOCK.has(word)) level = 0;

    if (i > verbatimFrom && i <= verbatimUntil) {
      // inside an ignored list: as written
      const last = text.lastIndexOf('\n', gapEnd - 1);
      column = last >= gapStart ? gapEnd - last - 1 : column + (gapEnd - gapStart);
    } else if (i === 0) {
      setGap(0, gapEnd, level > 0 ? indent(level) : '');
      column = Math.min(level, MAX_INDENT_LEVEL) * columnsPerLevel;
      lineLevel = level;
    } else {
      let newlines = Math.min(newlinesBefore[i], maxNewlines);
      const prev = kinds[i - 1];
      if (prev === El.LineComment && newlines === 0) newlines = 1;
      if (newlines === 0 && top?.breaks?.has(i)) newlines = 1;
      let gap: string;
      if (newlines > 0) {
        gap = eol.repeat(newlines) + indent(level);
        column = Math.min(level, MAX_INDENT_LEVEL) * columnsPerLevel;
        lineLevel = level;
      } else if (k === El.Close || (prev === El.Open && !startsTrivia(starts[i]))) {
        // (`( ;;c` must not become `(;;c`, a block comment; nor `( @x` an annotation)
        gap = '';
      } else if (k === El.LineComment) {
        const orig = text.slice(gapStart, gapEnd);
        gap = orig.length > 0 && /^[ \t]+$/.test(orig) ? orig : ' ';
      } else gap = ' ';
      setGap(gapStart, gapEnd, gap);
      if (newlines === 0) column += gap.length;
    }
    // the element itself
    const len = ends[i] - starts[i];
    if (k === El.Block) {
      const nl = text.lastIndexOf('\n', ends[i] - 1);
      column = nl >= starts[i] ? ends[i] - nl - 1 : column + len;
    } else column += len;

    if (i > verbatimUntil && k === El.LineComment && i + 1 < count) {
      const comment = textOf(i);
      if (comment === FMT_IGNORE) {
        const next = i + 1;
        verbatimFrom = next;
        verbatimUntil = kinds[next] === El.Open ? Math.min(close[next], count - 1) : next;
      } else if (comment === FMT_IGNORE_START) {
        // everything up to the end comment (or the end of the text) as written, its line breaks and indentation too
        let end = i + 1;
        while (end < count - 1 && !(kinds[end] === El.LineComment && textOf(end) === FMT_IGNORE_END)) end++;
        verbatimFrom = i;
        verbatimUntil = end;
      }
    }

    if (k === El.Open) {
      const frame: Frame = { level: lineLevel, flat: 0, open: i };
      // (a list kept as written is not broken)
      if (i > verbatimUntil) {
        const startColumn = column - 1;
        if (startColumn + lineWidthFrom(i, options.lineWidth - startColumn, close[i]) > options.lineWidth) frame.breaks = breaksOf(i, startColumn);
      }
      stack.push(frame);
    } else if (k === El.Close) {
      if (stack.length) stack.pop();
    } else if (top && word) {
      if (OPENS_BLOCK.has(word)) top.flat++;
      else if (CLOSES_BLOCK.has(word) && top.flat > 0) top.flat--;
    }
  }
  // the end: one line end after the last element
  const lastEnd = count > 0 ? ends[count - 1] : 0;
  // (not after a comment or annotation that runs to the end: an unterminated one would take it in)
  const runsToEnd = count > 0 && kinds[count - 1] === El.Block && lastEnd === text.length;
  if (!runsToEnd) setGap(lastEnd, text.length, count > 0 ? eol : '');
  if (copied === 0 && parts.length === 0) return text;
  parts.push(text.slice(copied));
  const out = parts.join('');
  // the guarantee, checked: the same tokens (a gap next to a malformed token, such as a string left
  // open by a `\` before a line end, can lex differently when its whitespace changes): else decline
  return sameTokens(text, els.tokens, out) ? out : undefined;
}

/** Do `a` and `b` lex to the same tokens, comments and annotations (their texts, in order)? */
function sameTokens(a: string, x: TokenStream, b: string): boolean {
  const y = lex(b);
  if (x.count !== y.count || x.trivia.length !== y.trivia.length) return false;
  for (let i = 0; i < x.count; i++) {
    const len = x.ends[i] - x.starts[i];
    if (x.kinds[i] !== y.kinds[i] || y.ends[i] - y.starts[i] !== len || !b.startsWith(a.slice(x.starts[i], x.ends[i]), y.starts[i])) return false;
  }
  for (let i = 0; i < x.trivia.length; i++) {
    const s = x.trivia[i];
    const t = y.trivia[i];
    if (t.end - t.start !== s.end - s.start || !b.startsWith(a.slice(s.start, s.end), t.start)) return false;
  }
  return true;
}

/** The smallest single edit that turns `before` into `after` (undefined when they are equal). */
export function minimalEdit(before: string, after: string): { span: Span; newText: string } | undefined {
  if (before === after) return undefined;
  let p = 0;
  const max = Math.min(before.length, after.length);
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return { span: { start: p, end: before.length - s }, newText: after.slice(p, after.length - s) };
}
