/**
 * A small well-formed stand-in for a module that keeps one function's body: every declaration
 * section is copied, every other body becomes `unreachable`, data segments become empty passive
 * segments (same count, so a data count section stays right). Used to disassemble one function
 * with wabt without handing it the whole (possibly huge) module.
 */
import type { WasmReadResult } from './reader';

/** Sections copied verbatim (their ids). Code (10) and data (11) are rebuilt, customs dropped but `name`. */
const COPIED = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13]);

/** The body every other function gets: no locals, `unreachable`, `end`. */
const UNREACHABLE_BODY = [0x03, 0x00, 0x00, 0x0b];

export function encodeU32(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function section(id: number, payload: Uint8Array[] | Uint8Array, out: Uint8Array[]): void {
  const parts = Array.isArray(payload) ? payload : [payload];
  const size = parts.reduce((a, p) => a + p.length, 0);
  const head: number[] = [id];
  encodeU32(size, head);
  out.push(Uint8Array.from(head), ...parts);
}

export interface StubOptions {
  /** keep the `name` section (names in the disassembly) when it is at most this many bytes */
  maxNameSectionBytes?: number;
}

/**
 * Builds the stub for defined function `funcIndex` (an index in the function index space).
 * The caller has checked that the function is defined and has a body.
 */
export function buildStubModule(bytes: Uint8Array, read: WasmReadResult, funcIndex: number, options: StubOptions = {}): Uint8Array {
  const m = read.model;
  const firstDefined = m.funcs.findIndex((f) => !f.imported);
  const definedCount = firstDefined < 0 ? 0 : m.funcs.length - firstDefined;
  const target = m.funcs[funcIndex];
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  let nameSection: Uint8Array | undefined;
  for (const s of m.sections ?? []) {
    const whole = bytes.subarray(s.offset, s.payloadOffset + s.size);
    if (COPIED.has(s.id)) out.push(whole);
    else if (s.id === 0 && s.name === 'custom:name' && s.size <= (options.maxNameSectionBytes ?? 8 << 20)) nameSection = whole;
    else if (s.id === 10) {
      const head: number[] = [];
      encodeU32(definedCount, head);
      const parts: Uint8Array[] = [Uint8Array.from(head)];
      const unreachable = Uint8Array.from(UNREACHABLE_BODY);
      for (let i = 0; i < definedCount; i++) {
        const f = m.funcs[firstDefined + i];
        if (f === target && f.bodySize !== undefined) {
          const size: number[] = [];
          encodeU32(f.bodySize, size);
          parts.push(Uint8Array.from(size), bytes.subarray(f.span.start, f.span.end));
        } else {
          parts.push(unreachable);
        }
      }
      section(10, parts, out);
    } else if (s.id === 11) {
      const payload: number[] = [];
      encodeU32(m.data.length, payload);
      for (let i = 0; i < m.data.length; i++) payload.push(0x01, 0x00);
      section(11, Uint8Array.from(payload), out);
    }
  }
  if (nameSection) out.push(nameSection);
  const total = out.reduce((a, p) => a + p.length, 0);
  const stub = new Uint8Array(total);
  let at = 0;
  for (const p of out) {
    stub.set(p, at);
    at += p.length;
  }
  return stub;
}
