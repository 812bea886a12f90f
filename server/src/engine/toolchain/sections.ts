/**
 * A tiny, bounds-checked walker over the top-level sections of a `.wasm` file: size reports,
 * "is it signed" and dropping custom sections. It never decodes section contents.
 */

export interface SizeReport {
  /** file size in bytes */
  total: number;
  /**
   * Every part of the file in file order, whole sections (id byte + size + payload):
   * `header` (magic + version), `type`, `code`, `data`, `custom:<name>` ... They sum to `total`.
   */
  sections: { name: string; size: number }[];
}

export interface RawSection {
  id: number;
  /** `type` ... `tag`, `custom:<name>`, or `unknown:<id>` */
  name: string;
  /** the custom section's own name */
  customName?: string;
  /** offset of the id byte */
  start: number;
  /** offset just past the payload */
  end: number;
}

const SECTION_NAMES = [
  'custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data',
  'datacount', 'tag',
];

export class SectionWalkError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'SectionWalkError';
  }
}

function leb(b: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (pos + i >= b.length) throw new SectionWalkError('unexpected end of file in a LEB128 number', pos);
    const byte = b[pos + i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, next: pos + i + 1 };
  }
  throw new SectionWalkError('LEB128 number too long', pos);
}

export function isWasmBinary(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;
}

/** The sections of a core module, in file order. Throws SectionWalkError (with the byte offset). */
export function walkSections(b: Uint8Array): RawSection[] {
  if (!isWasmBinary(b)) throw new SectionWalkError('not a WebAssembly binary (bad magic number)', 0);
  if (b.length < 8) throw new SectionWalkError('unexpected end of file in the header', b.length);
  const out: RawSection[] = [];
  let pos = 8;
  while (pos < b.length) {
    const id = b[pos];
    const { value: size, next } = leb(b, pos + 1);
    const end = next + size;
    if (end > b.length) throw new SectionWalkError(`section ${SECTION_NAMES[id] ?? id} extends past the end of the file`, pos);
    let name = SECTION_NAMES[id] ?? `unknown:${id}`;
    let customName: string | undefined;
    if (id === 0) {
      const { value: len, next: s } = leb(b, next);
      if (s + len > end) throw new SectionWalkError('custom section name extends past its section', next);
      customName = new TextDecoder().decode(b.subarray(s, s + len));
      name = `custom:${customName}`;
    }
    out.push({ id, name, customName, start: pos, end });
    pos = end;
  }
  return out;
}

export function sizeReport(b: Uint8Array): SizeReport {
  const sections = walkSections(b);
  return {
    total: b.length,
    sections: [{ name: 'header', size: 8 }, ...sections.map((s) => ({ name: s.name, size: s.end - s.start }))],
  };
}

/** True when the first section is a custom section named `signature` (a wasmsign2-style signed module). */
export function hasLeadingSignature(b: Uint8Array): boolean {
  try {
    const first = walkSections(b)[0];
    return first !== undefined && first.id === 0 && first.customName === 'signature';
  } catch {
    return false;
  }
}

/** A copy of the module without the custom sections for which `drop(name)` is true. */
export function dropCustomSections(b: Uint8Array, drop: (name: string) => boolean): Uint8Array {
  const keep = walkSections(b).filter((s) => !(s.id === 0 && drop(s.customName ?? '')));
  const size = 8 + keep.reduce((n, s) => n + (s.end - s.start), 0);
  const out = new Uint8Array(size);
  out.set(b.subarray(0, 8), 0);
  let pos = 8;
  for (const s of keep) {
    out.set(b.subarray(s.start, s.end), pos);
    pos += s.end - s.start;
  }
  return out;
}
