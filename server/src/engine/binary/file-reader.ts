/**
 * Reading a `.wasm` file for what a policy check needs, without reading what it does not. The file's
 * section headers are walked with small positional reads, and each section gets only what a lazy read
 * (`HEADER_READ_OPTIONS`) needs of it, in its own small buffer: the whole payload of the declaration
 * sections (import, table, memory, tag, start, data count), the head of custom sections (their name)
 * and of the type, function, global, export and element sections (whose payloads are read only when
 * the lazy read decodes them, `FileSections.load`), the segment count of data, and nothing of code. So memory and I/O
 * follow what the policy looks at, not the module's size. Pair it with
 * `readWasm(bytes, { ...HEADER_READ_OPTIONS, file })`.
 *
 * A component gets its own sections whole and nothing of its nested modules and components (see
 * componentHeaders; the reader then lists them without reading them).
 *
 * Anything unusual (a malformed size, a truncated header, another version, a custom section name
 * longer than the head read) falls back to reading the whole file, so the reader sees the real bytes
 * and reports the problem with its offset.
 */
import * as fs from 'fs';
import { keepLatest } from '../jit';
import { DEFERRED_SECTIONS, type FileSection, type FileSections, type ReadWasmOptions } from './reader';
import type { OmittedCustomSections } from '../model';
import { MAX_LISTED_CUSTOM_SECTIONS, tallyCustomSection } from './custom-section-tally';

/** Reader options matching a header-only read: no bodies, no data segments, no names; lazy. */
export const HEADER_READ_OPTIONS: ReadWasmOptions = { bodies: false, data: false, ids: false, names: false, lazy: true };

/** The file's first bytes, read at once (one read instead of a few dozen small ones for small modules). */
const START_BYTES = 16 * 1024;

/**
 * A section header past the file's start is read with this many bytes: the id, the size (at most 5
 * bytes) and the first bytes of the payload, which hold all of a small section (start, data count, a
 * memory), the count at the head of a deferred section and most custom section names, and often the
 * next sections' headers too (a run of small sections, a data count before the code): one read for
 * them all. A read costs the same for 16 bytes as for a few hundred.
 */
const HEADER_READ_BYTES = 256;

/** The buffer the start of each file is read into (a fresh one cost more than the read: zeroing, page faults). */
const startBuffer = new Uint8Array(START_BYTES);

/** Custom sections are read up to this many bytes first (enough for most names; a longer name is read whole). */
const CUSTOM_HEAD_BYTES = 64;

/** Longest custom section name a header read reads (a longer one: the whole file is read). */
const CUSTOM_NAME_MAX = 4096;

export interface WasmFileBytes {
  /** the whole file; for a header read, only its first 8 bytes */
  bytes: Uint8Array;
  size: number;
  /** false for a header read */
  complete: boolean;
  /** header reads: the sections, for `readWasm(bytes, { ...HEADER_READ_OPTIONS, file })` */
  file?: FileSections;
}

/** Reads `length` bytes of the file at `position` into `bytes` at `offset`; returns how many were read. */
function readAt(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, bytes, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** The whole file, as a fresh (unpooled) array. */
export function readWasmFileFully(file: string): WasmFileBytes {
  const bytes = new Uint8Array(fs.readFileSync(file));
  return { bytes, size: bytes.length, complete: true };
}

export function readWasmFileHeaders(file: string): WasmFileBytes {
  const fd = fs.openSync(file, 'r');
  try {
    const stat = fs.fstatSync(fd);
    keepLatest('file stat', stat); // fs.Stats' shape survives major GCs (see ../jit.ts)
    const size = stat.size;
    // the file's start in one read: the magic, and most headers and declaration sections come from it
    // (into a buffer kept for the next read: only copies of its bytes leave this function)
    const start = startBuffer.subarray(0, Math.min(size, START_BYTES));
    if (size < 8 || readAt(fd, start, 0, start.length, 0) < start.length) return readWhole(fd, size);
    const magic = start.slice(0, 8);
    // components: their own sections, without the nested modules and components (componentHeaders)
    if (magic[0] === 0 && magic[1] === 0x61 && magic[2] === 0x73 && magic[3] === 0x6d && magic[4] === 0x0d && magic[5] === 0 && magic[6] === 1 && magic[7] === 0) {
      const sections = componentHeaders(fd, size, start);
      if (!sections) return readWhole(fd, size);
      return { bytes: magic, size, complete: false, file: { byteLength: size, sections, load: loadPayload.bind(undefined, file) } };
    }
    // core modules of version 1 only; anything else is for the reader to describe from the whole file
    if (magic[0] !== 0 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d || magic[4] !== 1 || magic[5] | magic[6] | magic[7]) return readWhole(fd, size);
    const walked = walkHeaders(fd, size, start);
    if (!walked) return readWhole(fd, size);
    const { sections, heads, omitted } = walked;
    for (let i = 0; i < sections.length; i++) {
      const s = sections[i];
      const want = bytesWanted(s);
      if (want === 0) continue;
      const head = heads[i];
      let data: Uint8Array;
      if (s.payloadOffset + want <= start.length) {
        data = start.slice(s.payloadOffset, s.payloadOffset + want);
      } else if (head !== undefined && (head.length >= want || s.id === 0)) {
        // what the header read brought (a copy: it is in headerBuffer): all that is wanted, or (custom) a
        // head that may hold the name
        data = head.slice(0, want);
      } else {
        data = new Uint8Array(want);
        if (readAt(fd, data, 0, want, s.payloadOffset) < want) return readWhole(fd, size);
      }
      if (s.id === 0) {
        const needed = nameLength(data);
        if (needed === undefined || needed > s.size || needed > CUSTOM_NAME_MAX) return readWhole(fd, size);
        if (needed > data.length) {
          data = new Uint8Array(needed);
          if (readAt(fd, data, 0, needed, s.payloadOffset) < needed) return readWhole(fd, size);
        }
      }
      s.data = data;
    }
    return { bytes: magic, size, complete: false, file: { byteLength: size, sections, omittedCustom: omitted, load: loadPayload.bind(undefined, file) } };
  } finally {
    fs.closeSync(fd);
  }
}

/** The whole of an open file (a header read that met something unusual). */
function readWhole(fd: number, size: number): WasmFileBytes {
  const bytes = new Uint8Array(size);
  readAt(fd, bytes, 0, size, 0);
  return { bytes, size, complete: true };
}

/** How much of a section's payload a header read takes up front. */
function bytesWanted(s: FileSection): number {
  if (s.id === 11) return Math.min(s.size, 5); // data: its segment count only (checked against the data count)
  if (s.id === 10 || s.id > 13) return 0; // code, unknown: nothing
  if (DEFERRED_SECTIONS.has(s.id)) return Math.min(s.size, 5); // read when decoded; the count now
  if (s.id === 0) return Math.min(s.size, CUSTOM_HEAD_BYTES); // custom: the name
  return s.size; // the declaration sections
}

/**
 * Header reads after this many take a window of WINDOW_BYTES at a time: a module whose sections are
 * many and small (a hostile one: millions of empty custom sections) is then walked with one read per
 * window, not one per section, while a real module (a few dozen sections) keeps its small reads.
 */
const DENSE_AFTER = 64;
const WINDOW_BYTES = 64 * 1024;

/**
 * The buffer the header reads of a file go into, one part each (the heads of sections point into it
 * until readWasmFileHeaders copies what it keeps: only copies of its bytes leave that function).
 */
const headerBuffer = new Uint8Array(HEADER_READ_BYTES * DENSE_AFTER);

/** More non-custom sections than this cannot be a valid module (13 kinds, once each): the full read reports it. */
const MAX_KNOWN_SECTIONS = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The section headers of the file, or undefined if anything is off. Headers inside the file's start
 * come from it; each later one takes one positional read of HEADER_READ_BYTES (or, once there were
 * many, of a window), whose bytes past the header (within the section) are that section's `heads`
 * entry. Custom sections past MAX_LISTED_CUSTOM_SECTIONS are counted into `omitted`, not listed.
 */
function walkHeaders(
  fd: number,
  size: number,
  start: Uint8Array,
): { sections: FileSection[]; heads: (Uint8Array | undefined)[]; omitted?: OmittedCustomSections } | undefined {
  const sections: FileSection[] = [];
  const heads: (Uint8Array | undefined)[] = [];
  let omitted: OmittedCustomSections | undefined;
  let customs = 0;
  // header reads go into the next unused part of headerBuffer (a typed array each cost more than its read)
  let used = 0;
  // the bytes at hand: the file's start, then the last header read or (dense headers) window, from `winPos`
  let win = start;
  let winPos = 0;
  let reads = 0;
  let pos = 8;
  while (pos < size) {
    // id byte and up to 5 bytes of size: from the bytes at hand, or one positional read from `pos`,
    // whose bytes are then at hand for the headers after it
    if (pos < winPos || pos + Math.min(6, size - pos) > winPos + win.length) {
      let into: Uint8Array;
      if (reads++ < DENSE_AFTER) {
        const length = Math.min(HEADER_READ_BYTES, size - pos);
        into = headerBuffer.subarray(used, used + length);
        used += length;
      } else {
        into = new Uint8Array(Math.min(WINDOW_BYTES, size - pos));
      }
      win = into.subarray(0, readAt(fd, into, 0, into.length, pos));
      winPos = pos;
    }
    const chunk = win;
    const at = pos - winPos;
    const got = win.length;
    if (got - at < 2) return undefined;
    let payloadSize = 0;
    let p = at + 1;
    let shift = 0;
    for (;;) {
      if (p >= got || shift > 28) return undefined;
      const b = chunk[p++];
      payloadSize += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    const id = chunk[at];
    const payloadOffset = pos + (p - at);
    if (payloadOffset + payloadSize > size) return undefined;
    if (id === 0 && ++customs > MAX_LISTED_CUSTOM_SECTIONS) {
      const name = customName(fd, chunk.subarray(p, Math.min(got, p + payloadSize)), payloadOffset, payloadSize);
      if (name === undefined) return undefined;
      omitted = tallyCustomSection(omitted, name.value, payloadSize - name.bytes, { start: pos, end: payloadOffset + payloadSize });
    } else {
      if (id !== 0 && sections.length - Math.min(customs, MAX_LISTED_CUSTOM_SECTIONS) >= MAX_KNOWN_SECTIONS) return undefined;
      sections.push({ id, offset: pos, payloadOffset, size: payloadSize });
      // (the file's start is at hand to the caller anyway)
      heads.push(chunk === start ? undefined : chunk.subarray(p, Math.min(got, p + payloadSize)));
    }
    pos = payloadOffset + payloadSize;
  }
  return { sections, heads, omitted };
}

/**
 * Component sections a policy check does not read past their first bytes: core modules and components
 * (their preamble), core instances, core types, canonical functions and values (the wiring inside).
 */
const COMPONENT_SECTIONS_SKIPPED: ReadonlySet<number> = new Set([1, 2, 3, 4, 8, 12]);

/** More top-level sections than this in a component: the full read (and its findings) instead. */
const MAX_COMPONENT_SECTIONS = 100_000;

/**
 * A component's top-level sections for a policy check: the whole payload of the sections that say what
 * it imports and exports (imports, exports, types, aliases, instances: small), the first bytes of the
 * others (nested modules and components, core instances and types, canonical functions, values: the
 * wiring inside, see COMPONENT_SECTIONS_SKIPPED) and the name of each custom section. So the check
 * of a component wrapping a 30 MB program reads kilobytes. Undefined when anything is off (a
 * malformed size, a long custom name, too many sections): the whole file is read then.
 */
function componentHeaders(fd: number, size: number, start: Uint8Array): FileSection[] | undefined {
  const sections: FileSection[] = [];
  // the bytes at hand: the file's start, then windows of WINDOW_BYTES read where the next section is
  // (a component's own sections lie together between its modules: one read each run of them)
  const w = new FileWindow(fd, size, start);
  let pos = 8;
  while (pos < size) {
    if (sections.length >= MAX_COMPONENT_SECTIONS) return undefined;
    // the header is parsed where it lies in the window (no copy of it)
    const headerBytes = Math.min(6, size - pos);
    if (headerBytes < 2 || !w.holds(pos, headerBytes)) return undefined;
    const h = w.bytes;
    const at = pos - w.pos;
    const end = at + headerBytes;
    let payloadSize = 0;
    let p = at + 1;
    for (let shift = 0; ; shift += 7) {
      if (p >= end || shift > 28) return undefined;
      const b = h[p++];
      payloadSize += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
    }
    const id = h[at];
    const payloadOffset = pos + (p - at);
    if (payloadOffset + payloadSize > size) return undefined;
    let want = COMPONENT_SECTIONS_SKIPPED.has(id) ? Math.min(payloadSize, 8) : id === 0 ? Math.min(payloadSize, CUSTOM_HEAD_BYTES) : payloadSize;
    let data = w.copy(payloadOffset, want);
    if (!data) return undefined;
    if (id === 0) {
      const needed = nameLength(data);
      if (needed === undefined || needed > payloadSize || needed > CUSTOM_NAME_MAX) return undefined;
      if (needed > want) {
        want = needed;
        data = w.copy(payloadOffset, want);
        if (!data) return undefined;
      }
    }
    sections.push({ id, offset: pos, payloadOffset, size: payloadSize, data });
    pos = payloadOffset + payloadSize;
  }
  return sections;
}

/** The bytes of a file at hand while walking it: `bytes` hold the file's bytes from `pos`. */
class FileWindow {
  constructor(
    private readonly fd: number,
    private readonly size: number,
    public bytes: Uint8Array,
    public pos = 0,
  ) {}

  /** Makes [at, at + n) at hand, reading a window of at least WINDOW_BYTES from `at` when it is not; false when the file ends first. */
  holds(at: number, n: number): boolean {
    if (at >= this.pos && at + n <= this.pos + this.bytes.length) return true;
    const want = Math.min(Math.max(n, WINDOW_BYTES), this.size - at);
    const next = new Uint8Array(want);
    const got = readAt(this.fd, next, 0, want, at);
    if (got < n) return false;
    this.bytes = got < want ? next.subarray(0, got) : next;
    this.pos = at;
    return true;
  }

  /** A copy of [at, at + n), or undefined when the file ends first. */
  copy(at: number, n: number): Uint8Array | undefined {
    if (!this.holds(at, n)) return undefined;
    return this.bytes.slice(at - this.pos, at - this.pos + n);
  }
}

/** A counted custom section's name and the bytes it takes, or undefined when it is malformed (the full read reports it). */
function customName(fd: number, head: Uint8Array, payloadOffset: number, payloadSize: number): { value: string; bytes: number } | undefined {
  let data = head;
  const needed = nameLength(data);
  if (needed === undefined || needed > payloadSize || needed > CUSTOM_NAME_MAX) return undefined;
  if (needed > data.length) {
    data = new Uint8Array(needed);
    if (readAt(fd, data, 0, needed, payloadOffset) < needed) return undefined;
  }
  let p = 0;
  while (data[p] & 0x80) p++;
  try {
    return { value: utf8.decode(data.subarray(p + 1, needed)), bytes: needed };
  } catch {
    return undefined;
  }
}

/** Bytes a custom section's name takes (its LEB128 length and UTF-8), from the head of the payload. */
function nameLength(b: Uint8Array): number | undefined {
  let len = 0;
  let p = 0;
  for (let shift = 0; ; shift += 7) {
    if (p >= b.length || shift > 28) return undefined;
    const byte = b[p++];
    len += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  return p + len;
}

/**
 * A section's whole payload, read when a lazy read decodes it. The file is opened again: if it changed
 * in between, the reader sees the new bytes (bounds-checked) and reports what does not fit. An I/O
 * error gives what could be read (possibly nothing), which the reader reports as a truncated section.
 */
function loadPayload(file: string, s: FileSection): Uint8Array {
  const data = new Uint8Array(s.size);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    return data.subarray(0, readAt(fd, data, 0, s.size, s.payloadOffset));
  } catch {
    return data.subarray(0, 0);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
