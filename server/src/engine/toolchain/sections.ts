/**
 * The toolchain's view of a `.wasm` file's top-level sections (the shared walker in
 * engine/binary/sections): size reports, "is it signed" and dropping custom sections.
 */
import { WasmFormatError } from '../binary/byte-reader';
import { walkRawSections } from '../binary/sections';

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

export function isWasmBinary(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;
}

/** The sections of a module, in file order (engine/binary/sections). Throws SectionWalkError (with the byte offset). */
export function walkSections(b: Uint8Array): RawSection[] {
  let layout;
  try {
    layout = walkRawSections(b);
  } catch (e) {
    if (e instanceof WasmFormatError) throw new SectionWalkError(e.message, e.offset);
    throw e;
  }
  return layout.sections.map((s) => ({
    id: s.id,
    name: s.id === 0 ? `custom:${s.name}` : SECTION_NAMES[s.id] ?? `unknown:${s.id}`,
    customName: s.name,
    start: s.offset,
    end: s.end,
  }));
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
