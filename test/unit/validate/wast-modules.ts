/**
 * The modules of the spec test suite's `.wast` scripts, with the command each sits in: binary
 * modules as bytes, text modules as their WAT text (for wabt.js to encode), quoted modules as such.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CORPUS = path.resolve(__dirname, '../../..', '../shared/corpus/spec-testsuite');

export interface WastModule {
  file: string;
  line: number;
  /** the top-level command: `module`, `assert_invalid`, `assert_malformed`, `assert_unlinkable`, ... */
  command: string;
  form: 'binary' | 'text' | 'quote';
  /** binary: the bytes */
  bytes?: Uint8Array;
  /** text: the module's text, `definition` dropped (wabt does not know it) */
  text?: string;
  /** the assertion's expected message, when there is one */
  expected?: string;
}

/** Decodes a WAT string literal body (escapes \hh \n \t \r \" \' \\ \u{..}) into bytes. */
export function stringBytes(s: string, out: number[]): void {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = s[++i];
    if (/[0-9a-fA-F]/.test(n)) {
      out.push(parseInt(s.substr(i, 2), 16));
      i++;
    } else if (n === 'u') {
      const end = s.indexOf('}', i);
      out.push(...Buffer.from(String.fromCodePoint(parseInt(s.slice(i + 2, end), 16)), 'utf8'));
      i = end;
    } else out.push(({ n: 10, t: 9, r: 13 } as Record<string, number>)[n] ?? n.charCodeAt(0));
  }
}

/** The index after the form opening at `i` (a `(`), skipping strings and comments. */
function formEnd(text: string, i: number): number {
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === ';' && text[i + 1] === ';') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === '(' && text[i + 1] === ';') {
      let d = 1;
      i += 2;
      while (i < text.length && d > 0) {
        if (text[i] === '(' && text[i + 1] === ';') {
          d++;
          i += 2;
        } else if (text[i] === ';' && text[i + 1] === ')') {
          d--;
          i += 2;
        } else i++;
      }
      i--;
    } else if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** The index after the (nestable) block comment opening at `i` (a `(;`). */
function blockCommentEnd(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    if (text.startsWith('(;', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith(';)', i)) {
      i += 2;
      if (--depth === 0) return i;
    } else i++;
  }
  return text.length;
}

/** Skips whitespace and comments from `i`. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith(';;', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (text.startsWith('(;', i)) i = blockCommentEnd(text, i);
    else return i;
  }
}

function moduleOf(file: string, text: string, start: number, end: number, command: string, expected: string | undefined, lineOf: (i: number) => number): WastModule {
  const line = lineOf(start);
  let i = skipSpace(text, start + '(module'.length);
  let head = text.slice(i, i + 40);
  if (head.startsWith('definition')) {
    i = skipSpace(text, i + 'definition'.length);
    head = text.slice(i, i + 40);
  }
  if (head.startsWith('$')) {
    while (i < end && !/[\s()]/.test(text[i])) i++;
    i = skipSpace(text, i);
    head = text.slice(i, i + 40);
  }
  if (head.startsWith('binary') || head.startsWith('quote')) {
    const quote = head.startsWith('quote');
    const bytes: number[] = [];
    let parts = '';
    // string literals, with whitespace and comments between them (a comment's quotes are not literals)
    for (let j = skipSpace(text, i + (quote ? 5 : 6)); j < end && text[j] === '"'; ) {
      const m = /"((?:[^"\\]|\\.)*)"/y;
      m.lastIndex = j;
      const lit = m.exec(text);
      if (!lit) break;
      const b: number[] = [];
      stringBytes(lit[1], b);
      if (quote) parts += Buffer.from(Uint8Array.from(b)).toString('utf8') + ' ';
      else bytes.push(...b);
      j = skipSpace(text, m.lastIndex);
    }
    if (quote) return { file, line, command, form: 'quote', text: parts, expected };
    return { file, line, command, form: 'binary', bytes: Uint8Array.from(bytes), expected };
  }
  const body = text.slice(start, end).replace(/^\(module\s+definition/, '(module');
  return { file, line, command, form: 'text', text: body, expected };
}

export function wastModules(file: string, text: string): WastModule[] {
  const out: WastModule[] = [];
  const lineStarts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (pos: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  let i = skipSpace(text, 0);
  while (i < text.length) {
    if (text[i] !== '(') {
      i++;
      i = skipSpace(text, i);
      continue;
    }
    const end = formEnd(text, i);
    const command = /^\(\s*([a-z_]+)/.exec(text.slice(i, i + 40))?.[1] ?? '';
    if (command === 'module') out.push(moduleOf(file, text, i, end, 'module', undefined, lineOf));
    else if (command.startsWith('assert_')) {
      const inner = skipSpace(text, i + 1 + command.length);
      if (text.startsWith('(module', inner) && /^\(module[\s)]/.test(text.slice(inner, inner + 8))) {
        const mEnd = formEnd(text, inner);
        const msg = /^\s*"((?:[^"\\]|\\.)*)"/.exec(text.slice(mEnd, end))?.[1];
        out.push(moduleOf(file, text, inner, mEnd, command, msg, lineOf));
      }
    }
    i = skipSpace(text, end);
  }
  return out;
}

export function corpusModules(): WastModule[] {
  return fs
    .readdirSync(CORPUS)
    .filter((f) => f.endsWith('.wast'))
    .sort()
    .flatMap((f) => wastModules(f, fs.readFileSync(path.join(CORPUS, f), 'utf8')));
}
