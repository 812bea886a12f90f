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

/** Every section in file order; throws WasmFormatError with the offset of the first bad one. */
export function walkRawSections(bytes: Uint8Array): SectionLayout {
  const kind = preambleKind(bytes);
  const sections: RawSection[] = [];
  let pos = PREAMBLE_SIZE;
  while (pos < bytes.length) {
    const offset = pos;
    const id = bytes[pos];
    const { value: size, next } = readU32At(bytes, pos + 1, bytes.length, `size of the section at byte ${offset}`);
    const end = next + size;
    if (end > bytes.length) throw new WasmFormatError(`section ${id} (${sectionName(id)}) declares ${size} bytes but only ${bytes.length - next} remain (past the end of the file)`, offset);
    const section: RawSection = { id, offset, payloadOffset: next, size, end };
    if (id === 0) {
      const n = readU32At(bytes, next, end, `name length of the custom section at byte ${offset}`);
      if (n.next + n.value > end) throw new WasmFormatError('custom section name runs past its section', n.next);
      section.name = utf8.decode(bytes.subarray(n.next, n.next + n.value));
      section.contentOffset = n.next + n.value;
    }
    sections.push(section);
    pos = end;
  }
  return { kind, sections };
}
