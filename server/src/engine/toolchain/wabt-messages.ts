/**
 * Turns wabt error text into EngineDiagnostics with spans.
 *
 * wabt reports WAT errors as `file:LINE:COL: error: message`, followed by the source line and a
 * caret line (`^^^^^`) under the offending token; LINE and COL are 1-based, lines end at `\n` and
 * COL counts UTF-8 bytes (a tab is one byte). Binary errors read `0000001a: error: message` with a
 * hexadecimal byte offset.
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { Span } from '../span';

export type WabtStage = 'parse' | 'read' | 'resolve' | 'validate' | 'names' | 'text' | 'binary';

const STAGE_CODE: Record<WabtStage, string> = {
  parse: 'wat-syntax',
  read: 'wasm-malformed',
  resolve: 'validation',
  validate: 'validation',
  names: 'validation',
  text: 'toolchain-error',
  binary: 'toolchain-error',
};

export function codeForStage(stage: WabtStage): string {
  return STAGE_CODE[stage];
}

const WAT_LINE = /^(.*?):(\d+):(\d+)(?:-(?:\d+:)?\d+)?: (error|warning): (.*)$/;
const WASM_LINE = /^(?:[^:\n]*:)?([0-9a-fA-F]+): (error|warning): (.*)$/;
const CARETS = /^\s*(\^+)\s*$/;

interface ParsedWatMessage {
  line: number;
  column: number;
  /** caret count under the token, when wabt printed one */
  length?: number;
  severity: 'error' | 'warning';
  message: string;
}

/** Split wabt's error text into its messages (the `X failed:` heading line is ignored). */
export function parseWatMessages(raw: string): ParsedWatMessage[] {
  const lines = raw.split('\n');
  const out: ParsedWatMessage[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = WAT_LINE.exec(lines[i]);
    if (!m) continue;
    const msg: ParsedWatMessage = {
      line: Number(m[2]),
      column: Number(m[3]),
      severity: m[4] as 'error' | 'warning',
      message: m[5].trim(),
    };
    // snippet on i+1, carets on i+2
    const carets = i + 2 < lines.length ? CARETS.exec(lines[i + 2]) : null;
    if (carets && !WAT_LINE.test(lines[i + 1])) {
      msg.length = carets[1].length;
      i += 2;
    }
    out.push(msg);
  }
  return out;
}

function utf8Len(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdfff ? 2 /* half of a 4-byte pair */ : 3;
}

/**
 * Where the `\n`-separated lines of a text start (wabt's lines). wabt may report a message per line of
 * a long text (an unterminated string over 100,000 lines), and finding each line by scanning from the
 * start made mapping them quadratic (45 s): the messages of one text share one of these.
 */
export class WabtLines {
  private starts?: number[];

  constructor(readonly text: string) {}

  /** Offset of the line (1-based), or -1. */
  lineStart(line: number): number {
    if (!this.starts) {
      const text = this.text;
      const starts = [0];
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) starts.push(nl + 1);
      this.starts = starts;
    }
    return line >= 1 && line <= this.starts.length ? this.starts[line - 1] : -1;
  }
}

/** UTF-16 offset of the 1-based UTF-8 byte column `column` on the line starting at `start`. */
function byteColumnToOffset(text: string, start: number, lineEnd: number, column: number): number {
  let bytes = 0;
  let pos = start;
  while (pos < lineEnd && bytes < column - 1) {
    bytes += utf8Len(text.charCodeAt(pos));
    pos++;
  }
  return pos;
}

/** End of the token starting at `pos` (a string literal, a paren, or a run of idchars). */
export function tokenEnd(text: string, pos: number, limit = text.length): number {
  if (pos >= limit) return pos;
  const c = text[pos];
  if (c === '(' || c === ')') return pos + 1;
  if (c === '"') {
    let p = pos + 1;
    while (p < limit && text[p] !== '"' && text[p] !== '\n') p += text[p] === '\\' ? 2 : 1;
    return Math.min(limit, p + 1);
  }
  let p = pos;
  while (p < limit && !/[\s()";]/.test(text[p])) p++;
  return p === pos ? pos + 1 : p;
}

/** Map a wabt line/column (1-based, UTF-8 byte column) and optional byte length to a text span. */
export function watLocationToSpan(text: string, line: number, column: number, length?: number, lines = new WabtLines(text)): Span {
  const start0 = lines.lineStart(line);
  if (start0 < 0) return { start: text.length, end: text.length };
  let lineEnd = text.indexOf('\n', start0);
  if (lineEnd < 0) lineEnd = text.length;
  if (lineEnd > start0 && text[lineEnd - 1] === '\r') lineEnd--;
  const start = byteColumnToOffset(text, start0, lineEnd, column);
  let end: number;
  if (length !== undefined && length > 0) {
    end = byteColumnToOffset(text, start0, lineEnd, column + length);
    // a one-caret mark on a longer token: widen to the whole token
    if (length === 1) end = Math.max(end, tokenEnd(text, start, lineEnd));
  } else {
    end = tokenEnd(text, start, lineEnd);
  }
  if (end <= start) end = Math.min(text.length, start + 1);
  return { start, end: Math.max(start, end) };
}

/** Diagnostics for wabt error text produced while handling WAT `text`. */
export function watDiagnostics(raw: string, text: string, stage: WabtStage): EngineDiagnostic[] {
  const parsed = parseWatMessages(raw);
  const code = codeForStage(stage);
  if (parsed.length === 0) {
    return [{ code, severity: 'error', message: cleanMessage(raw), span: { start: 0, end: 0 }, source: 'wabt', data: { stage } }];
  }
  const lines = new WabtLines(text);
  return dedupe(
    parsed.map((m) => ({
      code,
      severity: m.severity,
      message: m.message,
      span: watLocationToSpan(text, m.line, m.column, m.length, lines),
      source: 'wabt',
      data: { stage },
    })),
  );
}

/** Diagnostics for wabt error text produced while reading a binary of `byteLength` bytes. */
export function wasmDiagnostics(raw: string, byteLength: number, stage: WabtStage): EngineDiagnostic[] {
  const code = codeForStage(stage);
  const out: EngineDiagnostic[] = [];
  for (const line of raw.split('\n')) {
    const m = WASM_LINE.exec(line.trim());
    if (!m) continue;
    const off = Math.min(parseInt(m[1], 16), byteLength);
    out.push({
      code,
      severity: m[2] as 'error' | 'warning',
      message: m[3].trim(),
      span: { start: off, end: Math.min(byteLength, off + 1) },
      source: 'wabt',
      data: { stage },
    });
  }
  if (out.length === 0) {
    out.push({ code, severity: 'error', message: cleanMessage(raw), span: { start: 0, end: 0 }, source: 'wabt', data: { stage } });
  }
  return dedupe(out);
}

/** First meaningful line of an error text, without wabt's `X failed:` heading. */
export function cleanMessage(raw: string): string {
  const lines = raw.split('\n').map((l) => l.trim()).filter((l) => l && !/^\w+ failed:$/.test(l));
  return lines[0] ?? (raw.trim() || 'unknown error');
}

export function dedupe(diags: EngineDiagnostic[]): EngineDiagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.span.start}:${d.span.end}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
