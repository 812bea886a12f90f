/**
 * The raw sections of a WebAssembly binary: id, where the section and its payload start and end, and
 * custom sections' names. Bounds-checked, never decodes payloads, never copies. The one section walker
 * that signing (which needs the exact bytes of the file), the toolchain's size reports and others share;
 * the full model comes from reader.ts.
 */
import { WasmFormatError } from './byte-reader';
import { sectionName } from './reader';

export const PREAMBLE_SIZE = 8;
const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const MODULE_VERSION = [0x01, 0x00, 0x00, 0x00];
const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00];

export interface RawSection {
  /** section id (0 = custom) */
  id: number;
  /** offset of the id byte */
  offset: number;
  /** offset of the payload (after the size LEB) */
  payloadOffset: number;
  /** payload size as declared */
  size: number;
  /** offset just past the section */
  end: number;
  /** custom sections only: the name, and the offset of the bytes after it */
  name?: string;
  contentOffset?: number;
}

export interface SectionLayout {
  kind: 'module' | 'component';
  sections: RawSection[];
}

/** Reads an unsigned LEB128 of at most 32 bits in bytes[pos, limit); throws WasmFormatError. */
export function readU32At(bytes: Uint8Array, pos: number, limit: number, what: string): { value: number; next: number } {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (pos + i >= limit) throw new WasmFormatError(`truncated ${what}`, pos);
    const b = bytes[pos + i];
    if (i === 4 && (b & 0x70) !== 0) throw new WasmFormatError(`${what} does not fit in 32 bits`, pos);
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return { value: result, next: pos + i + 1 };
  }
  throw new WasmFormatError(`${what} is longer than 5 bytes`, pos);
}

/** A core module or a component, from the 8-byte preamble; throws WasmFormatError for anything else. */
export function preambleKind(bytes: Uint8Array): 'module' | 'component' {
  if (bytes.length < PREAMBLE_SIZE) throw new WasmFormatError(`not a WebAssembly binary: ${bytes.length} bytes, the preamble alone is 8`, 0);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new WasmFormatError('not a WebAssembly binary: missing the \\0asm magic', 0);
  }
  const v = Array.from(bytes.subarray(4, 8));
  if (v.every((b, i) => b === MODULE_VERSION[i])) return 'module';
  if (v.every((b, i) => b === COMPONENT_VERSION[i])) return 'component';
  throw new WasmFormatError(`unsupported WebAssembly version/layer ${v.map((b) => b.toString(16).padStart(2, '0')).join(' ')}`, 4);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A section's head as visitRawSections passes it. One object is reused for every section: copy what you keep.
 * For custom sections `nameOffset`/`contentOffset` delimit the name's bytes; for the others both are -1.
 */
export interface RawSectionHead {
  id: number;
  offset: number;
  payloadOffset: number;
  size: number;
  end: number;
  nameOffset: number;
  contentOffset: number;
}

/** Value of the last successful readU32Fast (module state, so the hot loop allocates nothing). */
let fastValue = 0;

/** readU32At without allocating: the next position (value in fastValue), or -1 where readU32At would throw. */
function readU32Fast(bytes: Uint8Array, pos: number, limit: number): number {
  if (pos < limit && bytes[pos] < 0x80) {
    fastValue = bytes[pos];
    return pos + 1;
  }
  let result = 0;
  for (let i = 0; i < 5; i++) {
    if (pos + i >= limit) return -1;
    const b = bytes[pos + i];
    if (i === 4 && (b & 0x70) !== 0) return -1;
    result += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      fastValue = result;
      return pos + i + 1;
    }
  }
  return -1;
}

/**
 * Visits every section in file order without building a list: constant memory and no allocation per
 * section, so a file of millions of tiny sections costs time linear in its size and nothing more.
 * Throws WasmFormatError with the offset of the first bad section (after visiting the ones before it).
 */
export function visitRawSections(bytes: Uint8Array, visit: (head: Readonly<RawSectionHead>) => void): 'module' | 'component' {
  const kind = preambleKind(bytes);
  const head: RawSectionHead = { id: 0, offset: 0, payloadOffset: 0, size: 0, end: 0, nameOffset: -1, contentOffset: -1 };
  const len = bytes.length;
  let pos = PREAMBLE_SIZE;
  while (pos < len) {
    const offset = pos;
    const id = bytes[pos];
    const next = readU32Fast(bytes, pos + 1, len);
    if (next < 0) readU32At(bytes, pos + 1, len, `size of the section at byte ${offset}`); // throws the precise error
    const size = fastValue;
    const end = next + size;
    if (end > len) throw new WasmFormatError(`section ${id} (${sectionName(id)}) declares ${size} bytes but only ${len - next} remain (past the end of the file)`, offset);
    head.id = id;
    head.offset = offset;
    head.payloadOffset = next;
    head.size = size;
    head.end = end;
    head.nameOffset = head.contentOffset = -1;
    if (id === 0) {
      const nameOffset = readU32Fast(bytes, next, end);
      if (nameOffset < 0) readU32At(bytes, next, end, `name length of the custom section at byte ${offset}`);
      if (nameOffset + fastValue > end) throw new WasmFormatError('custom section name runs past its section', nameOffset);
      head.nameOffset = nameOffset;
      head.contentOffset = nameOffset + fastValue;
    }
    visit(head);
    pos = end;
  }
  return kind;
}

/** Does a custom section's name equal `name` (ASCII), compared byte for byte without decoding it? */
export function customNameIs(bytes: Uint8Array, head: Readonly<RawSectionHead>, name: string): boolean {
  if (head.id !== 0 || head.contentOffset - head.nameOffset !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (bytes[head.nameOffset + i] !== name.charCodeAt(i)) return false;
  return true;
}

/** Every section in file order; throws WasmFormatError with the offset of the first bad one. */
export function walkRawSections(bytes: Uint8Array): SectionLayout {
  const sections: RawSection[] = [];
  const kind = visitRawSections(bytes, (h) => {
    const section: RawSection = { id: h.id, offset: h.offset, payloadOffset: h.payloadOffset, size: h.size, end: h.end };
    if (h.id === 0) {
      section.name = utf8.decode(bytes.subarray(h.nameOffset, h.contentOffset));
      section.contentOffset = h.contentOffset;
    }
    sections.push(section);
  });
  return { kind, sections };
}
