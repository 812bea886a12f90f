/**
 * A tiny, bounds-checked walker over the raw sections of a WebAssembly binary, and LEB128 helpers.
 * It never decodes section contents (except custom section names) and never copies: signing needs
 * the exact bytes of the file, not a re-encoding of them.
 */
import { SigningError } from './errors';

export const SIGNATURE_SECTION = 'signature';
export const DELIMITER_SECTION = 'signature_delimiter';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const MODULE_VERSION = [0x01, 0x00, 0x00, 0x00];
const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00];
export const PREAMBLE_SIZE = 8;

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

/** Reads an unsigned LEB128 of at most 32 bits in bytes[pos, limit). */
export function readU32(bytes: Uint8Array, pos: number, limit: number, what: string): { value: number; next: number } {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (pos + i >= limit) throw new SigningError('malformed', `truncated ${what}`, pos);
    const b = bytes[pos + i];
    if (i === 4 && (b & 0x70) !== 0) throw new SigningError('malformed', `${what} does not fit in 32 bits`, pos);
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return { value: result, next: pos + i + 1 };
  }
  throw new SigningError('malformed', `${what} is longer than 5 bytes`, pos);
}

/** Shortest unsigned LEB128 encoding. */
export function encodeU32(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not a u32: ${value}`);
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function preambleKind(bytes: Uint8Array): 'module' | 'component' {
  if (bytes.length < PREAMBLE_SIZE) throw new SigningError('malformed', `not a WebAssembly binary: ${bytes.length} bytes, the preamble alone is 8`, 0);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new SigningError('malformed', 'not a WebAssembly binary: missing the \\0asm magic', 0);
  }
  const v = Array.from(bytes.subarray(4, 8));
  if (v.every((b, i) => b === MODULE_VERSION[i])) return 'module';
  if (v.every((b, i) => b === COMPONENT_VERSION[i])) return 'component';
  throw new SigningError('malformed', `unsupported WebAssembly version/layer ${v.map((b) => b.toString(16).padStart(2, '0')).join(' ')}`, 4);
}

/** Walks every section; throws SigningError('malformed') with the offset of the first bad one. */
export function walkSections(bytes: Uint8Array): SectionLayout {
  const kind = preambleKind(bytes);
  const sections: RawSection[] = [];
  let pos = PREAMBLE_SIZE;
  while (pos < bytes.length) {
    const offset = pos;
    const id = bytes[pos];
    const { value: size, next } = readU32(bytes, pos + 1, bytes.length, `size of the section at byte ${offset}`);
    const end = next + size;
    if (end > bytes.length) {
      throw new SigningError('malformed', `section ${id} declares ${size} bytes but only ${bytes.length - next} remain`, offset);
    }
    const section: RawSection = { id, offset, payloadOffset: next, size, end };
    if (id === 0) {
      const n = readU32(bytes, next, end, `name length of the custom section at byte ${offset}`);
      if (n.next + n.value > end) throw new SigningError('malformed', `custom section name runs past its section`, n.next);
      section.name = utf8.decode(bytes.subarray(n.next, n.next + n.value));
      section.contentOffset = n.next + n.value;
    }
    sections.push(section);
    pos = end;
  }
  return { kind, sections };
}

export function isSignatureSection(s: RawSection): boolean {
  return s.id === 0 && s.name === SIGNATURE_SECTION;
}
export function isDelimiterSection(s: RawSection): boolean {
  return s.id === 0 && s.name === DELIMITER_SECTION;
}

/** Encodes a custom section (id, shortest size, name, content). */
export function encodeCustomSection(name: string, content: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const nameLen = encodeU32(nameBytes.length);
  const payloadSize = nameLen.length + nameBytes.length + content.length;
  const size = encodeU32(payloadSize);
  const out = new Uint8Array(1 + size.length + payloadSize);
  let p = 0;
  out[p++] = 0;
  out.set(size, p);
  p += size.length;
  out.set(nameLen, p);
  p += nameLen.length;
  out.set(nameBytes, p);
  p += nameBytes.length;
  out.set(content, p);
  return out;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
