/**
 * Memory cap by rewriting the module: the maximum of every memory the module defines becomes
 * min(declared maximum, cap), so `memory.grow` past the cap returns -1 as the spec says. Imported
 * memories are reported so the runner can supply a WebAssembly.Memory with that maximum.
 * Only the memory section's limits are re-encoded; every other byte is copied unchanged.
 */
import { WasmFormatError } from '../binary/byte-reader';
import { walkRawSections } from '../binary/sections';

export class ModuleFormatError extends Error {}

export interface MemoryLimitResult {
  bytes: Uint8Array;
  /** pages (64 KiB) the module's memories may reach after the rewrite */
  maxPages: number;
  /** initial pages of the first memory (defined or imported) */
  initialPages: number;
  /** imported memory, if any, with its declared limits */
  importedMemory?: { module: string; name: string; min: number; max?: number; shared: boolean };
  /** true when the rewrite lowered (or introduced) a maximum */
  capped: boolean;
}

export const PAGE = 65536;

export class Reader {
  constructor(readonly b: Uint8Array, public p = 0) {}
  byte(): number {
    if (this.p >= this.b.length) throw new ModuleFormatError('unexpected end of module');
    return this.b[this.p++];
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      result += (x & 0x7f) * 2 ** shift;
      if (!(x & 0x80)) break;
      shift += 7;
      if (shift > 35) throw new ModuleFormatError('LEB128 too long');
    }
    return result;
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.p, this.p + n));
    this.p += n;
    return s;
  }
  limits(): { flags: number; min: number; max?: number } {
    const flags = this.byte();
    if (flags & 0x04) throw new ModuleFormatError('memory64 is not supported by the sandbox');
    const min = this.u32();
    const max = flags & 1 ? this.u32() : undefined;
    return { flags, min, max };
  }
}

export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

export interface RawSection {
  id: number;
  /** start of the section's contents */
  start: number;
  end: number;
  /** start of the section header (id byte) */
  headerStart: number;
}

/** The sections of a core module (the shared walker in engine/binary/sections); throws ModuleFormatError. */
export function sections(bytes: Uint8Array): RawSection[] {
  let layout;
  try {
    layout = walkRawSections(bytes);
  } catch (e) {
    if (e instanceof WasmFormatError) throw new ModuleFormatError(`not a valid WebAssembly module: ${e.message}`);
    throw e;
  }
  if (layout.kind !== 'module') throw new ModuleFormatError('not a core module version 1 (components are not supported)');
  return layout.sections.map((s) => ({ id: s.id, start: s.payloadOffset, end: s.end, headerStart: s.offset }));
}

export function capMemory(bytes: Uint8Array, capBytes: number): MemoryLimitResult {
  const capPages = Math.max(0, Math.floor(capBytes / PAGE));
  const secs = sections(bytes);
  let importedMemory: MemoryLimitResult['importedMemory'];
  let initialPages = 0;
  let maxPages = capPages;
  let capped = false;
  const imp = secs.find((s) => s.id === 2);
  if (imp) {
    const r = new Reader(bytes, imp.start);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const module = r.name();
      const name = r.name();
      const kind = r.byte();
      if (kind === 0) r.u32();
      else if (kind === 1) {
        r.byte();
        r.limits();
      } else if (kind === 2) {
        const l = r.limits();
        // the sandbox provides the imported memory: it must fit under the cap at start, like a defined one
        if (l.min > capPages) throw new ModuleFormatError(`imported memory ${module}.${name} needs ${l.min} pages (${l.min * PAGE} bytes) at start; the cap is ${capPages} pages`);
        importedMemory = { module, name, min: l.min, max: l.max, shared: (l.flags & 2) !== 0 };
        initialPages = l.min;
        maxPages = Math.min(capPages, l.max ?? Infinity);
        capped = l.max === undefined || l.max > capPages;
      } else if (kind === 3) {
        r.byte();
        r.byte();
      } else if (kind === 4) {
        r.byte();
        r.u32();
      } else throw new ModuleFormatError(`unknown import kind ${kind}`);
    }
  }
  const mem = secs.find((s) => s.id === 5);
  if (!mem) return { bytes, maxPages, initialPages, importedMemory, capped };
  const r = new Reader(bytes, mem.start);
  const n = r.u32();
  const body: number[] = [...leb(n)];
  for (let i = 0; i < n; i++) {
    const l = r.limits();
    if (i === 0 && !importedMemory) initialPages = l.min;
    const max = Math.min(l.max ?? Infinity, capPages);
    if (l.min > max) throw new ModuleFormatError(`memory needs ${l.min} pages (${l.min * PAGE} bytes) at start; the cap is ${capPages} pages`);
    if (l.max === undefined || l.max > capPages) capped = true;
    if (i === 0 && !importedMemory) maxPages = max;
    body.push(l.flags | 1, ...leb(l.min), ...leb(max));
  }
  if (r.p !== mem.end) throw new ModuleFormatError('memory section has trailing bytes');
  const out = new Uint8Array(bytes.length - (mem.end - mem.headerStart) + 1 + leb(body.length).length + body.length);
  out.set(bytes.subarray(0, mem.headerStart), 0);
  let p = mem.headerStart;
  out[p++] = 5;
  for (const b of leb(body.length)) out[p++] = b;
  for (const b of body) out[p++] = b;
  out.set(bytes.subarray(mem.end), p);
  return { bytes: out, maxPages, initialPages, importedMemory, capped };
}
