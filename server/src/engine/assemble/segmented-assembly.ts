/**
 * The assembly of a WAT file too large for one JavaScript string (a 45 MB module's disassembly is
 * about 540 M characters; V8's longest string is 2^29 - 24), from its bytes, in chunks the existing
 * assembler takes unchanged:
 *
 *   chunk 0       the file with every function body elided: every header stays, so every index,
 *                 `$id`, type, parameter and local is what it is in the whole text
 *   chunk k >= 1  the file with the bodies of the other chunks elided (with their parameters and
 *                 results after a `(type ..)`, and their `(local ..)` declarations: only chunk 0's
 *                 name section uses their names), and the strings of its `(data ...)` fields
 *                 (chunk 0 has them)
 *
 * Each chunk is assembled as `compileWatText` does (the fast path, else the full parse with its
 * diagnostics), and the binaries stitched (module-stitcher.ts): chunk 0's sections, the code entries
 * of each chunk's own functions. Diagnostics are chunk 0's and those of the other chunks that chunk 0
 * does not have (their bodies'), mapped back onto the file's offsets (UTF-16 units, as in a text held
 * as one string), sorted; as with `compileWatText`, a parse error anywhere leaves the assembler's
 * diagnostics out. A body that changes the module outside the code section (an inline type use that
 * needs an implicit type: neither our printer nor wasm2wat writes one) stops the compile with a
 * diagnostic on that chunk's first body, never wrong bytes.
 *
 * Memory: for a file (`assembleSegmentedFile`), its bytes during the scan only; then one chunk's text
 * and tokens at a time (at most `budget` bytes of bodies plus the module's headers), read piece by
 * piece from the file, chunk 0's source map and the chunks' code entries. A validator finding in chunk
 * k's code is mapped by assembling chunk k again (`spanAt`).
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { Span } from '../span';
import { parse } from '../wat/parser';
import { assembleModule, assembleWithoutBodyTreesOf, type SourceMap } from './index';
import * as fs from 'fs';
import { bufferSource, chunkLength, chunkText, fileSource, scanTextLayout, type ByteSource, type ChunkText, type TextLayout } from './segmented-text';
import { sourceOf, stitch, type ChunkBinary, type StitchedRun } from './module-stitcher';

/** V8's longest string (2^29 - 24 UTF-16 units). */
export const MAX_STRING_LENGTH = 2 ** 29 - 24;

/** Bytes of function bodies per chunk, unless told otherwise. */
export const DEFAULT_CHUNK_BUDGET = 64 * 1024 * 1024;

export interface SegmentedOptions {
  /** write the `name` section */
  names?: boolean;
  /** bytes of function bodies per chunk (a larger body gets a chunk of its own); 0: one function per chunk */
  budget?: number;
}

export interface SegmentedAssembly {
  /** absent when a diagnostic is an error */
  bytes?: Uint8Array;
  /** spans are UTF-16 offsets of the file */
  diagnostics: EngineDiagnostic[];
  /** the file span of what was written at byte `offset` of `bytes` (the module's, when nothing more precise) */
  spanAt(offset: number): Span;
}

interface ChunkResult {
  bytes?: Uint8Array;
  map?: SourceMap;
  /** the module's span in the chunk text */
  module?: Span;
  parse: EngineDiagnostic[];
  parseFailed: boolean;
  assemble: EngineDiagnostic[];
}

/**
 * One chunk as compileWatText assembles a text (without the validation); `instructionMap` false: each
 * function maps as a whole (a chunk of bodies is assembled again with one to locate a finding).
 */
function assembleChunk(text: string, names: boolean, instructionMap = true): ChunkResult {
  const fast = assembleWithoutBodyTreesOf(text, { names, instructionMap });
  if (fast !== undefined) return { bytes: fast.assembly.bytes, map: fast.assembly.map, module: fast.module.node, parse: [], parseFailed: false, assemble: [] };
  const { root, diagnostics } = parse(text, { script: false });
  if (diagnostics.some((d) => d.severity === 'error')) return { parse: diagnostics, parseFailed: true, assemble: [] };
  const m = root.modules[0];
  if (m === undefined) return { parse: diagnostics, parseFailed: false, assemble: [] };
  const a = assembleModule(text, root, m, { names, instructionMap });
  return { bytes: a.bytes, map: a.map, module: m.node, parse: diagnostics, parseFailed: false, assemble: a.diagnostics };
}

function onFile(d: EngineDiagnostic, chunk: ChunkText): EngineDiagnostic {
  const out: EngineDiagnostic = { ...d, span: chunk.fileSpan(d.span) };
  if (d.related) out.related = d.related.map((r) => (r.span && r.file === undefined ? { ...r, span: chunk.fileSpan(r.span) } : r));
  return out;
}

function keyOf(d: EngineDiagnostic): string {
  return `${d.code}\0${d.span.start}\0${d.span.end}\0${d.message}`;
}

/** Sorted, disjoint [start, end) pairs `a` and `b` as one sorted list. */
function merged(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {
      out.push(a[i], a[i + 1]);
      i += 2;
    } else {
      out.push(b[j], b[j + 1]);
      j += 2;
    }
  }
  return out;
}

/** The groups of defined functions, [from, to) each, whose bodies total at most `budget` bytes. */
function groups(bodies: number[], budget: number): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  let size = 0;
  const n = bodies.length / 2;
  for (let f = 0; f < n; f++) {
    const len = bodies[2 * f + 1] - bodies[2 * f];
    if (f > from && size + len > budget) {
      out.push([from, f]);
      from = f;
      size = 0;
    }
    size += len;
  }
  if (n > from) out.push([from, n]);
  return out;
}

/** Assembles a WAT text held in memory as bytes, in chunks (see the file comment). Never throws on bad input. */
export function assembleSegmented(bytes: Uint8Array, options: SegmentedOptions = {}): SegmentedAssembly {
  return assembleFrom(scanTextLayout(bytes), bufferSource(bytes), options);
}

/**
 * Assembles the WAT file open as `fd` in chunks: its bytes are read whole for the scan only, then
 * each chunk's pieces are read from the file (the file is not held while chunks are assembled).
 * `fd` must stay open while `spanAt` is used.
 */
export function assembleSegmentedFile(fd: number, options: SegmentedOptions = {}): SegmentedAssembly {
  const size = fs.fstatSync(fd).size;
  return assembleFrom(scanFile(fd, size), fileSource(fd, size), options);
}

/** The layout of the file open as `fd` (its bytes unreachable once this returns). */
function scanFile(fd: number, size: number): TextLayout {
  const bytes = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const r = fs.readSync(fd, bytes, got, size - got, got);
    if (r === 0) break;
    got += r;
  }
  return scanTextLayout(bytes.subarray(0, got));
}

function assembleFrom(layout: TextLayout, source: ByteSource, options: SegmentedOptions): SegmentedAssembly {
  const names = options.names !== false;
  const fileSpan = (start: number, end: number): Span => ({ start: layout.charOffset(start), end: layout.charOffset(end) });
  const whole = fileSpan(0, source.size);
  const failed = (d: Omit<EngineDiagnostic, 'severity' | 'source'>): SegmentedAssembly => ({
    diagnostics: [{ severity: 'error', source: 'wat-assembler', ...d }],
    spanAt: () => whole,
  });
  const bodies = layout.bodies;
  const data: number[] = [];
  for (let k = 0; k < layout.dataStrings.length; k += 2) if (layout.dataStrings[k] < layout.stop) data.push(layout.dataStrings[k], layout.dataStrings[k + 1]);
  const chunks = groups(bodies, Math.max(0, options.budget ?? DEFAULT_CHUNK_BUDGET));
  // chunk k >= 1 leaves out the other functions' parameters, results (after a `(type ..)`) and local
  // declarations with their bodies (the type index says the type; chunk 0 names the locals)
  const others = (from: number, to: number): number[] => {
    const out: number[] = [];
    for (let f = 0; f < bodies.length / 2; f++) if (f < from || f >= to) out.push(layout.locals[f], bodies[2 * f + 1]);
    return out;
  };
  const removedOf = (c: number): number[] => {
    if (c === 0) return bodies;
    const [from, to] = chunks[c - 1];
    return merged(others(from, to), data);
  };
  // every chunk must fit in a string
  for (let c = 0; c <= chunks.length; c++) {
    const len = chunkLength(layout, source.size, removedOf(c));
    if (len <= MAX_STRING_LENGTH) continue;
    if (layout.error) return failed({ code: 'wat-syntax', message: layout.error.message, span: fileSpan(layout.error.start, layout.error.end) });
    const what = c === 0 ? "the module's text outside its function bodies" : 'one function body';
    const at = c === 0 ? whole : fileSpan(bodies[2 * chunks[c - 1][0]], bodies[2 * chunks[c - 1][0] + 1]);
    return failed({ code: 'wat-too-large', message: `${what} is ${(len / 1e6).toFixed(0)} M characters, past the longest string JavaScript can hold (${(MAX_STRING_LENGTH / 1e6).toFixed(0)} M)`, span: at });
  }
  const parse: EngineDiagnostic[] = [];
  const assemble: EngineDiagnostic[] = [];
  let parseFailed = false;
  const seen = new Set<string>();
  const binaries: ChunkBinary[] = [];
  let map0: SourceMap | undefined;
  let module0: Span = whole;
  let text0: ChunkText | undefined;
  for (let c = 0; c <= chunks.length; c++) {
    const text = chunkText(source, layout, removedOf(c));
    // chunk 0's map is kept (it has no bodies); the others' are made again where a finding is
    const r = assembleChunk(text.text, names, c === 0);
    // chunk 0's diagnostics, and the others' that chunk 0 does not have (their bodies' own; where the
    // text is broken, a chunk's parser may also recover otherwise than the whole text's: the test
    // checks that every diagnostic of the whole text is among these)
    for (const [list, into] of [[r.parse, parse], [r.assemble, assemble]] as const) {
      for (const d of list) {
        const f = onFile(d, text);
        const key = keyOf(f);
        if (c === 0) seen.add(key);
        else if (seen.has(key)) continue;
        into.push(f);
      }
    }
    parseFailed ||= r.parseFailed;
    if (c === 0) {
      map0 = r.map;
      text0 = text;
      if (r.module) module0 = text.fileSpan(r.module);
    }
    if (r.bytes) binaries.push({ bytes: r.bytes, from: c === 0 ? 0 : chunks[c - 1][0], to: c === 0 ? 0 : chunks[c - 1][1] });
  }
  const diagnostics = byPlace(parseFailed ? parse : [...parse, ...assemble]);
  if (diagnostics.some((d) => d.severity === 'error') || binaries.length !== chunks.length + 1) {
    return { diagnostics, spanAt: () => module0 };
  }
  const s = chunks.length === 0 ? { bytes: binaries[0].bytes, runs: [{ at: 0, length: binaries[0].bytes.length, chunk: 0, from: 0 }] } : stitch(binaries);
  if (s.bytes === undefined) {
    if (s.mismatch.chunk === 0) return failed({ code: 'wat-assemble', message: 'the pieces of this text did not assemble into modules that can be put together', span: module0 });
    const [from] = chunks[s.mismatch.chunk - 1];
    const first = bodies[2 * from];
    const section = s.mismatch.section;
    const why =
      section === 'type'
        ? 'a type use in a body needs an implicit type, which a piecewise compile cannot place among the types; give the blocks and call_indirect an explicit (type ...)'
        : section.startsWith('custom')
          ? 'a (@custom ...) annotation inside a function body makes a section a piecewise compile cannot place; put it among the module fields'
          : 'a piecewise compile cannot place what they add';
    return failed({
      code: 'wat-segmented-unsupported',
      message: `this text is compiled in pieces (it is too large for one string), and the function bodies from here (functions ${from} to ${chunks[s.mismatch.chunk - 1][1] - 1} of the code) change the module's ${section} section: ${why}`,
      // white space is ASCII: one byte, one UTF-16 unit
      span: { start: layout.charOffset(first) + leadingSpaces(source.text(first, Math.min(bodies[2 * from + 1], first + 4096))), end: layout.charOffset(bodies[2 * from + 1]) },
    });
  }
  const runs: StitchedRun[] = s.runs;
  return {
    bytes: s.bytes,
    diagnostics,
    spanAt: (offset) => {
      const src = sourceOf(runs, offset);
      if (src.chunk === 0) return map0 && text0 ? mapped(map0, text0, src.offset, module0) : module0;
      // assembled again: the chunk's source map was not kept
      const text = chunkText(source, layout, removedOf(src.chunk));
      const r = assembleChunk(text.text, names);
      if (!r.map) return module0;
      return mapped(r.map, text, src.offset, r.module ? text.fileSpan(r.module) : module0);
    },
  };
}

/** How many white space characters (WAT's: space, tab, line ends) `text` starts with. */
function leadingSpaces(text: string): number {
  return /^[ \t\n\r]*/.exec(text)![0].length;
}

function mapped(map: SourceMap, text: ChunkText, offset: number, fallback: Span): Span {
  const span = map.spanAt(offset);
  return span ? text.fileSpan(span) : fallback;
}

function byPlace(list: EngineDiagnostic[]): EngineDiagnostic[] {
  return list.map((d, i) => ({ d, i })).sort((a, b) => a.d.span.start - b.d.span.start || a.i - b.i).map((x) => x.d);
}
