/**
 * The binaries of a segmented compile (segmented-assembly.ts) stitched into one module:
 *
 *   - every section of chunk 0 (the module with every function body elided) but the code section;
 *   - the code section made of the code entries of each chunk's own functions (chunk k >= 1 holds
 *     the bodies of functions [from, to) and empty bodies for the others);
 *   - the `name` section of chunk 0 with the label names (subsection 3) of every chunk's own
 *     functions (a body names its labels; the headers name everything else);
 *   - the data count section when any chunk has one (it says a body uses `memory.init`/`data.drop`).
 *
 * The other sections of every chunk must equal chunk 0's (the data section excepted: chunks k >= 1
 * are assembled with the data strings elided; and the local names: with the other functions' locals). When they do not (a body whose type use needs an
 * implicit type adds to the type section), `stitch` says which chunk and section differ instead of
 * writing wrong bytes.
 */
import { walkRawSections, type RawSection } from '../binary/sections';
import { ByteWriter } from './byte-writer';
import { ByteReader } from '../binary/byte-reader';

export interface ChunkBinary {
  bytes: Uint8Array;
  /** the defined functions (code entry indices) whose bodies this chunk holds: [from, to) */
  from: number;
  to: number;
}

/** A run of the stitched bytes copied from a chunk's: stitched offset -> chunk offset. */
export interface StitchedRun {
  at: number;
  length: number;
  chunk: number;
  from: number;
}

export type Stitched =
  | { bytes: Uint8Array; runs: StitchedRun[]; mismatch?: undefined }
  | { bytes?: undefined; mismatch: { chunk: number; section: string } };

const DATA = 11;
const CODE = 10;
const DATA_COUNT = 12;
const SECTION_NAMES: Record<number, string> = { 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory', 6: 'global', 7: 'export', 8: 'start', 9: 'element', 13: 'tag' };

/** The unsigned LEB128 at `p`: its value and the offset after it. */
function readU32(bytes: Uint8Array, p: number): { value: number; next: number } {
  const r = new ByteReader(bytes, p, bytes.length);
  const value = r.u32();
  return { value, next: r.pos };
}

function isName(bytes: Uint8Array, s: RawSection): boolean {
  return s.id === 0 && s.name === 'name';
}

/** The sections every chunk must have alike (in order). */
function compared(bytes: Uint8Array, sections: RawSection[]): RawSection[] {
  return sections.filter((s) => s.id !== CODE && s.id !== DATA && s.id !== DATA_COUNT && !isName(bytes, s));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** A name section's subsections: id -> content bytes. */
function subsections(bytes: Uint8Array, s: RawSection): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let p = s.contentOffset!;
  while (p < s.end) {
    const id = bytes[p];
    const size = readU32(bytes, p + 1);
    out.set(id, bytes.subarray(size.next, size.next + size.value));
    p = size.next + size.value;
  }
  return out;
}

/** The code entries [from, to) of a code section: their byte range. */
function entries(bytes: Uint8Array, s: RawSection, from: number, to: number): { start: number; end: number; count: number } {
  const count = readU32(bytes, s.payloadOffset);
  let p = count.next;
  let start = p;
  for (let k = 0; k < count.value; k++) {
    if (k === from) start = p;
    if (k === to) return { start, end: p, count: count.value };
    const size = readU32(bytes, p);
    p = size.next + size.value;
  }
  if (from >= count.value) start = p;
  return { start, end: p, count: count.value };
}

/** The stitched module (see the file comment); `chunks[0]` is the module without bodies. */
export function stitch(chunks: ChunkBinary[]): Stitched {
  try {
    return stitched(chunks);
  } catch {
    // a chunk's bytes that are not a module (the assembler gives none for some broken texts)
    return { mismatch: { chunk: 0, section: 'unreadable' } };
  }
}

function stitched(chunks: ChunkBinary[]): Stitched {
  const base = chunks[0].bytes;
  const baseSections = walkRawSections(base).sections;
  const baseCompared = compared(base, baseSections);
  const baseName = baseSections.find((s) => isName(base, s));
  const baseNames = baseName ? subsections(base, baseName) : undefined;
  const code = new ByteWriter(1024);
  const codeRuns: { length: number; chunk: number; from: number }[] = [];
  let functions = 0;
  let dataCount: Uint8Array | undefined;
  const labels: Uint8Array[] = [];
  let labelCount = 0;
  // where a name section goes when only bodies name anything (chunk 0 has none): its place in a chunk
  // that has one, counted in sections other than the data count
  let namePlace = -1;
  for (let k = 0; k < chunks.length; k++) {
    const { bytes, from, to } = chunks[k];
    const sections = walkRawSections(bytes).sections;
    if (k > 0) {
      const mine = compared(bytes, sections);
      for (let i = 0; i < Math.max(mine.length, baseCompared.length); i++) {
        const a = baseCompared[i];
        const b = mine[i];
        if (a === undefined || b === undefined || a.id !== b.id || !equalBytes(base.subarray(a.offset, a.end), bytes.subarray(b.offset, b.end))) {
          const s = a ?? b!;
          return { mismatch: { chunk: k, section: s.id === 0 ? `custom "${s.name}"` : SECTION_NAMES[s.id] ?? String(s.id) } };
        }
      }
      const name = sections.find((s) => isName(bytes, s));
      const names = name ? subsections(bytes, name) : undefined;
      if (name && !baseName) namePlace = sections.filter((s) => s.id !== DATA_COUNT).indexOf(name);
      for (const [id, content] of names ?? []) {
        // labels: the chunk's own; locals: chunk 0 has them all (the other chunks leave out the
        // local declarations of the functions they do not assemble)
        if (id === 3 || id === 2) continue;
        if (!baseNames?.has(id) || !equalBytes(baseNames.get(id)!, content)) return { mismatch: { chunk: k, section: 'name' } };
      }
      const l = names?.get(3);
      if (l !== undefined) {
        const n = readU32(l, 0);
        labelCount += n.value;
        labels.push(l.subarray(n.next));
      }
    }
    const dc = sections.find((s) => s.id === DATA_COUNT);
    if (dc) dataCount = bytes.subarray(dc.payloadOffset, dc.end);
    const cs = sections.find((s) => s.id === CODE);
    if (cs && to > from) {
      const e = entries(bytes, cs, from, to);
      code.bytes(bytes.subarray(e.start, e.end));
      codeRuns.push({ length: e.end - e.start, chunk: k, from: e.start });
    }
    if (k === 0 && cs) functions = readU32(bytes, cs.payloadOffset).value;
  }
  // the module: chunk 0's sections with the code, data count and name sections replaced
  const out = new ByteWriter(base.length + code.len + 64);
  const runs: StitchedRun[] = [];
  const copy = (chunk: number, bytes: Uint8Array, from: number, to: number): void => {
    runs.push({ at: out.len, length: to - from, chunk, from });
    out.bytes(bytes.subarray(from, to));
  };
  copy(0, base, 0, 8);
  let wroteDataCount = false;
  let place = 0;
  const names = (): void => {
    runs.push({ at: out.len, length: 0, chunk: 0, from: base.length });
    out.bytes(nameSection(new Map(), labelCount, labels));
  };
  for (const s of baseSections) {
    if (s.id !== DATA_COUNT && place++ === namePlace && labels.length > 0) names();
    if (s.id === DATA_COUNT || (s.id === CODE && !wroteDataCount)) {
      if (dataCount !== undefined && !wroteDataCount) {
        out.u8(DATA_COUNT);
        out.u32(dataCount.length);
        out.bytes(dataCount);
        wroteDataCount = true;
      }
      if (s.id === DATA_COUNT) continue;
    }
    if (s.id === CODE) {
      const count = new ByteWriter(8);
      count.u32(functions);
      runs.push({ at: out.len, length: 0, chunk: 0, from: s.offset });
      out.u8(CODE);
      out.u32(count.len + code.len);
      out.append(count);
      for (const r of codeRuns) {
        runs.push({ at: out.len, length: r.length, chunk: r.chunk, from: r.from });
        out.bytes(chunks[r.chunk].bytes.subarray(r.from, r.from + r.length));
      }
    } else if (isName(base, s) && labels.length > 0) {
      runs.push({ at: out.len, length: 0, chunk: 0, from: s.offset });
      out.bytes(nameSection(baseNames!, labelCount, labels));
    } else copy(0, base, s.offset, s.end);
  }
  if (place === namePlace && labels.length > 0) names();
  return { bytes: out.toBytes(), runs };
}

/** The name section from chunk 0's subsections and the label names of every chunk. */
function nameSection(subs: Map<number, Uint8Array>, labelCount: number, labels: Uint8Array[]): Uint8Array {
  const body = new ByteWriter(1024);
  const ids = [...subs.keys(), 3].filter((id, i, a) => a.indexOf(id) === i).sort((a, b) => a - b);
  for (const id of ids) {
    if (id === 3) {
      const c = new ByteWriter(1024);
      c.u32(labelCount);
      for (const l of labels) c.bytes(l);
      body.section(3, c);
    } else body.section(id, subs.get(id)!);
  }
  const out = new ByteWriter(body.len + 16);
  out.customSection('name', body);
  return out.toBytes();
}

/** The chunk and chunk offset a stitched offset was copied from (the nearest run at or before it). */
export function sourceOf(runs: StitchedRun[], offset: number): { chunk: number; offset: number } {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (runs[mid].at <= offset) lo = mid;
    else hi = mid - 1;
  }
  const r = runs[lo];
  return { chunk: r.chunk, offset: r.from + Math.min(offset - r.at, Math.max(0, r.length - 1)) };
}
