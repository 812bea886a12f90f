/**
 * Analysis results per document: parsed WAT/WAST cached by text and version; `.wasm` read on demand.
 */
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { parseWat, type WatDocument } from './engine/wat';
import { diffText, reparseWat, type WatEdit } from './engine/wat/incremental';
import { readWasm, type WasmReadResult } from './engine/binary/reader';
import { LineIndex, type Position } from './engine/span';
import type { EngineDiagnostic } from './engine/diagnostic';
import { countWatTokens, quickOutline, type QuickOutline } from './engine/wat/quick-outline';
import { DEFAULT_ANALYSIS_LIMITS, sizeLimitFinding, type AnalysisLimits } from './engine/budget/limits';

export interface WatAnalysis {
  kind: 'wat' | 'wast';
  version: number;
  doc: WatDocument;
  index: LineIndex;
  degraded?: undefined;
  /** at least the text's token count (exact after a full parse, an upper bound after edits) */
  tokens: number;
}

/**
 * An open WAT/WAST text over the full analysis's budget (engine/budget/limits.ts): no parse, just the
 * notice that says so and, when asked for, an outline from one quick pass over the text.
 */
export interface DegradedWatAnalysis {
  kind: 'wat' | 'wast';
  version: number;
  degraded: true;
  notice: EngineDiagnostic;
  text: string;
  /** the budgets it was found over: other budgets (the user raised a setting) decide again */
  limits: Pick<AnalysisLimits, 'maxWatBytes' | 'maxWatTokens'>;
  /** made on first use (positions of the outline), once per version */
  readonly index: LineIndex;
  /** computed on first use, once per version */
  outline(): QuickOutline;
  /** fields the outline lists at most */
  outlineLimit: number;
}

/** Fields an outline from the quick scan lists at most. */
export const QUICK_OUTLINE_FIELDS = 10_000;

export interface WasmAnalysis {
  kind: 'wasm';
  bytes: Uint8Array;
  read: WasmReadResult;
  mtimeMs: number;
  size: number;
}

export function uriToPath(uri: string): string | undefined {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? u.fsPath : undefined;
  } catch {
    return undefined;
  }
}

export function pathToUri(p: string): string {
  return URI.file(p).toString();
}

/** Largest `.wasm` read into memory for checking; larger files get one clear diagnostic. */
export const MAX_WASM_BYTES = 512 * 1024 * 1024;

export class AnalysisCache {
  private readonly wat = new Map<string, WatAnalysis | DegradedWatAnalysis>();

  /**
   * Parse (or reuse) a WAT/WAST text at a version. A new version of a cached `.wat` text is reparsed
   * incrementally from the changed range (common prefix and suffix), so an edit costs what it touches.
   * A text over the limits' size or token budget is not parsed: it gets a degraded analysis.
   */
  watText(uri: string, kind: 'wat' | 'wast', text: string, version: number, limits: AnalysisLimits = DEFAULT_ANALYSIS_LIMITS): WatAnalysis | DegradedWatAnalysis {
    const cached = this.wat.get(uri);
    if (
      cached &&
      cached.version === version &&
      (cached.degraded
        ? cached.text === text && cached.limits.maxWatBytes === limits.maxWatBytes && cached.limits.maxWatTokens === limits.maxWatTokens
        : cached.doc.text === text)
    ) {
      return cached;
    }
    const budget = this.overBudget(uri, kind, text, version, cached, limits);
    if (typeof budget !== 'number') {
      this.wat.set(uri, budget); // the parse tree of an earlier version, if any, goes
      return budget;
    }
    return this.parse(uri, kind, text, version, cached?.degraded ? undefined : cached, budget);
  }

  /** A degraded analysis when the text is over the size or token budget, else a bound on its tokens. */
  private overBudget(
    uri: string,
    kind: 'wat' | 'wast',
    text: string,
    version: number,
    cached: WatAnalysis | DegradedWatAnalysis | undefined,
    limits: AnalysisLimits,
  ): DegradedWatAnalysis | number {
    const file = uriToPath(uri) ?? uri;
    // UTF-8 bytes, counted only when they decide (a character is 1-3 bytes; more characters than the limit are over it)
    const bytes = text.length <= limits.maxWatBytes && text.length * 3 > limits.maxWatBytes ? Buffer.byteLength(text, 'utf8') : text.length;
    let notice: EngineDiagnostic | undefined;
    // a text has at most as many tokens as characters; after an edit, at most the edit's more
    let tokens = text.length;
    if (bytes > limits.maxWatBytes) notice = sizeLimitFinding(file, { bytes }, limits, true);
    else if (text.length > limits.maxWatTokens) {
      // (an edit adds at most one token per inserted character, and one for an atom it splits)
      if (cached && !cached.degraded) tokens = Math.min(tokens, cached.tokens + diffText(cached.doc.text, text).text.length + 2);
      if (tokens > limits.maxWatTokens) {
        tokens = countWatTokens(text, limits.maxWatTokens);
        if (tokens > limits.maxWatTokens) notice = sizeLimitFinding(file, { bytes, tokens }, limits, true);
      }
    }
    if (!notice) return tokens;
    let outline: QuickOutline | undefined;
    let index: LineIndex | undefined;
    return {
      kind,
      version,
      degraded: true,
      notice,
      text,
      limits: { maxWatBytes: limits.maxWatBytes, maxWatTokens: limits.maxWatTokens },
      get index() {
        return (index ??= new PrefixLineIndex(text));
      },
      outline: () => (outline ??= quickOutline(text, { maxSymbols: QUICK_OUTLINE_FIELDS })),
      outlineLimit: QUICK_OUTLINE_FIELDS,
    };
  }

  private parse(uri: string, kind: 'wat' | 'wast', text: string, version: number, cached: WatAnalysis | undefined, tokens: number): WatAnalysis {
    let doc: WatDocument | undefined;
    let index: LineIndex | undefined;
    if (cached && cached.kind === kind && kind === 'wat') {
      const edit = diffText(cached.doc.text, text);
      // the cached analysis is consumed by the reparse: forget it first, whatever happens
      this.wat.delete(uri);
      try {
        doc = reparseWat(cached.doc, edit, { text });
      } catch {
        doc = undefined; // never worse than a full parse
      }
      index = editedLineIndex(cached.index, edit, text);
    }
    doc ??= parseWat(text, { script: kind === 'wast' });
    const analysis: WatAnalysis = {
      kind,
      version,
      doc,
      index: index ?? new LineIndex(text),
      tokens,
    };
    this.wat.set(uri, analysis);
    return analysis;
  }

  peekWat(uri: string): WatAnalysis | DegradedWatAnalysis | undefined {
    return this.wat.get(uri);
  }

  /**
   * Read a `.wasm` from disk. Not cached: the reader only walks section headers, so reading again
   * is cheap, and holding the bytes of every scanned module would make memory grow with the workspace.
   * Throws only for I/O errors (missing file, permission) and files over MAX_WASM_BYTES.
   */
  wasmFile(file: string): WasmAnalysis {
    const st = fs.statSync(file);
    if (st.size > MAX_WASM_BYTES) throw new Error(`${path.basename(file)} is ${st.size} bytes, over the ${MAX_WASM_BYTES} byte limit`);
    const buf = fs.readFileSync(file);
    // a large file's buffer is its own: viewed as a plain Uint8Array, not copied (45 MB: about 50 ms);
    // a small one may sit in Node's shared pool, and is copied out of it
    const bytes = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length ? new Uint8Array(buf.buffer, 0, buf.length) : new Uint8Array(buf);
    return { kind: 'wasm', bytes, read: readWasm(bytes, { names: true }), mtimeMs: st.mtimeMs, size: st.size };
  }

  /**
   * A `.wasm` someone is looking at (its WAT view, its function list, a function's body): kept for the
   * last two files while their size and mtime stay the same, so picking and opening bodies of a large
   * module does not read and decode it again each time (0.35 s for 45 MB). Scanned modules use wasmFile.
   */
  viewedWasm(file: string): WasmAnalysis {
    const st = fs.statSync(file);
    const hit = this.viewed.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
    const fresh = this.wasmFile(file);
    this.viewed.delete(file);
    this.viewed.set(file, fresh);
    while (this.viewed.size > 2) this.viewed.delete(this.viewed.keys().next().value!);
    return fresh;
  }

  private readonly viewed = new Map<string, WasmAnalysis>();

  forget(uriOrPath: string): void {
    this.wat.delete(uriOrPath);
    this.viewed.delete(uriOrPath);
  }
}

/**
 * A LineIndex of an edited text, made from the index of the text before the edit: line starts before
 * the edit are kept, the edited range is scanned again, the ones after are shifted.
 */
class EditedLineIndex extends LineIndex {
  private readonly starts: number[];

  constructor(text: string, starts: number[]) {
    super('');
    Object.defineProperty(this, 'text', { value: text, enumerable: true });
    this.starts = starts;
  }

  override get lineCount(): number {
    return this.starts.length;
  }

  override positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    return positionIn(this.starts, o);
  }

  override offsetAt(pos: Position): number {
    return offsetIn(this.starts, pos, this.text.length);
  }
}

/** The position of offset `o` among line starts `starts` (a binary search). */
function positionIn(starts: readonly number[], o: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= o) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: o - starts[lo] };
}

/** The offset of `pos` among line starts `starts` of a text of `length`, clamped to the text and its line. */
function offsetIn(starts: readonly number[], pos: Position, length: number): number {
  if (pos.line >= starts.length) return length;
  if (pos.line < 0) return 0;
  const next = pos.line + 1 < starts.length ? starts[pos.line + 1] : length;
  return Math.min(starts[pos.line] + Math.max(0, pos.character), next);
}

/**
 * A LineIndex that finds line starts only as far as it is asked about: positions near the start of a
 * huge text (the quick outline's fields) cost what they pass over, not a scan of the whole text.
 */
class PrefixLineIndex extends LineIndex {
  private readonly starts: number[] = [0];
  /** offset up to which line starts are known */
  private scanned = 0;

  constructor(text: string) {
    super('');
    Object.defineProperty(this, 'text', { value: text, enumerable: true });
  }

  private scanTo(offset: number): void {
    const text = this.text;
    const to = Math.min(offset, text.length);
    let i = this.scanned;
    for (; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
    this.scanned = Math.max(this.scanned, i);
  }

  override get lineCount(): number {
    this.scanTo(this.text.length);
    return this.starts.length;
  }

  override positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    this.scanTo(o);
    return positionIn(this.starts, o);
  }

  override offsetAt(pos: Position): number {
    const starts = this.starts;
    while (pos.line + 1 >= starts.length && this.scanned < this.text.length) this.scanTo(Math.min(this.text.length, this.scanned + 65536));
    return offsetIn(starts, pos, this.text.length);
  }
}

/** Line starts of a LineIndex (every line's first offset), read through its public API. */
function lineStartsOf(index: LineIndex): number[] {
  if (index instanceof EditedLineIndex) return (index as unknown as { starts: number[] }).starts;
  const out: number[] = new Array(index.lineCount);
  for (let l = 0; l < out.length; l++) out[l] = index.offsetAt({ line: l, character: 0 });
  return out;
}

function editedLineIndex(before: LineIndex, edit: WatEdit, text: string): LineIndex {
  const old = lineStartsOf(before);
  const delta = edit.text.length - (edit.end - edit.start);
  // starts before the edit depend only on text before it
  let keep = 0;
  while (keep < old.length && old[keep] < edit.start) keep++;
  const starts = old.slice(0, keep);
  // scan again from the character before the edit (a '\r' there may pair with what follows) to its end
  const to = edit.start + edit.text.length;
  for (let i = Math.max(0, edit.start - 1); i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  const last = starts.length > 0 ? starts[starts.length - 1] : -1;
  for (let k = keep; k < old.length; k++) {
    if (old[k] <= edit.end) continue;
    const s = old[k] + delta;
    if (s > last) starts.push(s);
  }
  if (starts.length === 0 || starts[0] !== 0) starts.unshift(0);
  return new EditedLineIndex(text, starts);
}
