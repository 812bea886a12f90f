/**
 * Signing's view of the raw sections (the shared walker in engine/binary/sections, with its errors as
 * SigningError('malformed')), LEB128 helpers, and custom-section encoding. Nothing is re-encoded:
 * signing needs the exact bytes of the file.
 */
import { SigningError } from './errors';
import { WasmFormatError } from '../binary/byte-reader';
import type { ModuleModel } from '../model';
import {
  customNameIs,
  PREAMBLE_SIZE,
  preambleKind as preambleOf,
  readU32At,
  visitRawSections,
  walkRawSections,
  type RawSection,
  type RawSectionHead,
  type SectionLayout,
} from '../binary/sections';

export const SIGNATURE_SECTION = 'signature';
export const DELIMITER_SECTION = 'signature_delimiter';

export { PREAMBLE_SIZE, type RawSection, type SectionLayout };

/** Reads an unsigned LEB128 of at most 32 bits in bytes[pos, limit); throws SigningError('malformed'). */
export function readU32(bytes: Uint8Array, pos: number, limit: number, what: string): { value: number; next: number } {
  return malformedOnFormatError(() => readU32At(bytes, pos, limit, what));
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

export function preambleKind(bytes: Uint8Array): 'module' | 'component' {
  return malformedOnFormatError(() => preambleOf(bytes));
}

/** Walks every section (engine/binary/sections); throws SigningError('malformed') with the offset of the first bad one. */
export function walkSections(bytes: Uint8Array): SectionLayout {
  return malformedOnFormatError(() => walkRawSections(bytes));
}

/** Where a custom section lies: its id byte, the bytes after its name, and its end. */
export interface SectionSpan {
  offset: number;
  contentOffset: number;
  end: number;
}

/**
 * Visits every section without building a list (engine/binary/sections' visitor): `head` is reused for
 * every section, `isNamed(name)` compares the current custom section's name bytes. Throws
 * SigningError('malformed') with the offset of the first bad section.
 */
export function visitSections(
  bytes: Uint8Array,
  visit: (head: Readonly<RawSectionHead>, isNamed: (name: string) => boolean) => void,
): 'module' | 'component' {
  let current: Readonly<RawSectionHead> | undefined;
  const nameIs = customNameIs; // a local: a CommonJS build reads imported bindings through getters
  const isNamed = (name: string) => nameIs(bytes, current!, name);
  return malformedOnFormatError(() =>
    visitRawSections(bytes, (head) => {
      current = head;
      visit(head, isNamed);
    }),
  );
}

/** The leading `signature` section (wasmsign2's embedded signature), checking that every section parses. */
export function leadingSignatureSection(bytes: Uint8Array): { leading?: SectionSpan; otherAt?: number } {
  let leading: SectionSpan | undefined;
  let otherAt: number | undefined;
  visitSections(bytes, (s, isNamed) => {
    if (!isNamed(SIGNATURE_SECTION)) return;
    if (s.offset === PREAMBLE_SIZE) leading = { offset: s.offset, contentOffset: s.contentOffset, end: s.end };
    else otherAt ??= s.offset;
  });
  return { leading, otherAt };
}

function malformedOnFormatError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof WasmFormatError) throw new SigningError('malformed', e.message, e.offset);
    throw e;
  }
}

/** Does the module (its model) carry a custom section named "signature" (ours or another tool's)? */
export function carriesSignature(model: Pick<ModuleModel, 'customSections' | 'customSectionsOmitted'>): boolean {
  return model.customSections.some((c) => c.name === SIGNATURE_SECTION) || !!model.customSectionsOmitted?.names.includes(SIGNATURE_SECTION);
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
