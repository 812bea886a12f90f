/**
 * What printing any part of a module needs to know about the rest of it, read once (a pass over the
 * section headers and the declaration sections, never over code or data): where each section and each
 * function body is, every type's signature, each function's type, the size of each index space, and
 * the names. The editor keeps one per open view and prints any function body from it on demand.
 *
 * Never throws: malformed declarations end the pass over their section with a diagnostic, and the
 * printer prints what the context could learn.
 */
import type { EngineDiagnostic } from '../diagnostic';
import { ByteReader, WasmFormatError, hex } from '../binary/byte-reader';
import { readValueType, readHeapCode } from '../binary/code-decoder';
import { emptyNameSection, readNameSection, type NameSection } from '../binary/name-section';
import { PrintNames, type PrintNamesOptions } from './print-names';

/** Sections printed at most (custom sections: a valid module has a handful; a hostile one millions). */
export const MAX_SECTIONS = 1_000_100;

export interface SectionSpan {
  id: number;
  /** offset of the id byte, of the payload, and the payload's end */
  offset: number;
  start: number;
  end: number;
}

/** One type of the type section: its kind and, for function types, params and results (type codes). */
export interface TypeInfo {
  kind: 'func' | 'struct' | 'array' | 'cont' | 'unknown';
  params: number[];
  results: number[];
}

export interface PrintContextOptions extends PrintNamesOptions {
  /** use the name section's names (default true) */
  names?: boolean;
  /** the name section as a reader already decoded it (with local names): not decoded again */
  nameSection?: NameSection;
}

export class PrintContext {
  readonly sections: SectionSpan[] = [];
  readonly types: TypeInfo[] = [];
  /** type index of each function (imported first) */
  readonly funcTypes: number[] = [];
  funcImports = 0;
  tableCount = 0;
  memoryCount = 0;
  globalCount = 0;
  tagCount = 0;
  /** body spans of the defined functions: start (after the size) and end, in order */
  readonly bodyStarts: number[] = [];
  readonly bodyEnds: number[] = [];
  names: PrintNames = PrintNames.none();
  private hasNameSection = false;
  /** where reading the section list stopped early (truncated or malformed headers), if it did */
  brokenAt?: number;
  isComponent = false;
  readonly diagnostics: EngineDiagnostic[] = [];

  private constructor(readonly bytes: Uint8Array) {}

  static read(bytes: Uint8Array, options: PrintContextOptions = {}): PrintContext {
    const c = new PrintContext(bytes);
    c.readSections();
    for (const s of c.sections) {
      try {
        if (s.id === 1) c.readTypes(s);
        else if (s.id === 2) c.readImports(s);
        else if (s.id === 3) c.readFunctions(s);
        else if (s.id === 4) c.tableCount += new ByteReader(bytes, s.start, s.end).u32();
        else if (s.id === 5) c.memoryCount += new ByteReader(bytes, s.start, s.end).u32();
        else if (s.id === 6) c.globalCount += new ByteReader(bytes, s.start, s.end).u32();
        else if (s.id === 13) c.tagCount += new ByteReader(bytes, s.start, s.end).u32();
        else if (s.id === 10) c.readBodies(s);
        else if (s.id === 0 && options.names !== false) c.readNames(s, options);
      } catch (e) {
        // the printer reports the section's problem where it prints it
        if (!(e instanceof WasmFormatError)) throw e;
      }
    }
    c.names.prune({ funcs: c.funcTypes.length, types: c.types.length, tables: c.tableCount, memories: c.memoryCount, globals: c.globalCount, tags: c.tagCount });
    return c;
  }

  report(offset: number, message: string): void {
    if (this.diagnostics.length >= 100) return;
    this.diagnostics.push({ code: 'wasm-malformed', severity: 'error', message, span: { start: offset, end: offset + 1 }, source: 'wasm-printer' });
  }

  /** The type of a function, or undefined for an index past the function index space. */
  funcType(func: number): TypeInfo | undefined {
    const t = this.funcTypes[func];
    return t === undefined ? undefined : this.types[t];
  }

  private readSections(): void {
    const b = this.bytes;
    if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
      this.brokenAt = 0;
      this.report(0, b.length < 4 ? `not a WebAssembly module: only ${b.length} bytes` : 'not a WebAssembly module: the magic number \\0asm is missing');
      return;
    }
    if (b[4] !== 1 || b[5] !== 0 || b[6] !== 0 || b[7] !== 0) {
      if (b[6] === 1 && b[7] === 0) {
        this.isComponent = true;
        this.brokenAt = 8;
        this.report(4, 'this is a WebAssembly component: only core modules are printed');
      } else {
        this.brokenAt = 4;
        this.report(4, `unknown binary version ${b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)}`);
      }
      return;
    }
    const r = new ByteReader(b, 8, b.length);
    while (!r.atEnd()) {
      const offset = r.pos;
      try {
        const id = r.u8('section id');
        const size = r.u32('section size');
        const start = r.pos;
        if (size > r.remaining) {
          this.brokenAt = offset;
          this.report(offset, `section ${id} at ${hex(offset)} declares ${size} bytes but only ${r.remaining} are left (truncated file?)`);
          // what there is of it still prints
          this.sections.push({ id, offset, start, end: b.length });
          return;
        }
        if (id === 0 && size === 0) {
          // a custom section needs its name: a run of zero bytes would otherwise be millions of sections
          this.brokenAt = offset;
          this.report(offset, `malformed custom section at ${hex(offset)}: it has no name (size 0)`);
          return;
        }
        if (this.sections.length >= MAX_SECTIONS) {
          this.brokenAt = offset;
          this.report(offset, `more than ${MAX_SECTIONS} sections: the rest (from ${hex(offset)}) are not printed`);
          return;
        }
        r.pos = start + size;
        this.sections.push({ id, offset, start, end: start + size });
      } catch (e) {
        this.brokenAt = offset;
        this.report(offset, e instanceof Error ? e.message : String(e));
        return;
      }
    }
  }

  private readTypes(s: SectionSpan): void {
    const r = new ByteReader(this.bytes, s.start, s.end);
    const n = r.count('type', 1);
    for (let i = 0; i < n; i++) {
      const form = r.peek();
      if (form === 0x4e) {
        r.u8();
        const m = r.count('recursive type', 1);
        for (let k = 0; k < m; k++) this.types.push(readSubType(r));
      } else {
        this.types.push(readSubType(r));
      }
    }
  }

  private readImports(s: SectionSpan): void {
    const r = new ByteReader(this.bytes, s.start, s.end);
    const n = r.count('import', 3);
    for (let i = 0; i < n; i++) {
      r.nameValue();
      r.nameValue();
      const kind = r.u8();
      switch (kind) {
        case 0:
          this.funcTypes.push(r.u32());
          this.funcImports++;
          break;
        case 1:
          readValueType(r);
          readLimits(r);
          this.tableCount++;
          break;
        case 2:
          readLimits(r);
          this.memoryCount++;
          break;
        case 3:
          readValueType(r);
          r.u8();
          this.globalCount++;
          break;
        case 4:
          r.u8();
          r.u32();
          this.tagCount++;
          break;
        default:
          return;
      }
    }
  }

  private readFunctions(s: SectionSpan): void {
    const r = new ByteReader(this.bytes, s.start, s.end);
    const n = r.count('function', 1);
    for (let i = 0; i < n; i++) this.funcTypes.push(r.u32());
  }

  private readBodies(s: SectionSpan): void {
    const r = new ByteReader(this.bytes, s.start, s.end);
    const n = r.count('function body', 1);
    for (let i = 0; i < n; i++) {
      const size = r.u32();
      const start = r.pos;
      const end = Math.min(start + size, s.end);
      this.bodyStarts.push(start);
      this.bodyEnds.push(end);
      if (start + size > s.end) return;
      r.pos = end;
    }
  }

  private readNames(s: SectionSpan, options: PrintContextOptions): void {
    const r = new ByteReader(this.bytes, s.start, s.end);
    const name = r.nameValue();
    // a module has one name section; the names of a second one are not used (as engines do)
    if (name !== 'name' || this.hasNameSection) return;
    this.hasNameSection = true;
    let section = options.nameSection;
    if (!section) {
      section = emptyNameSection();
      try {
        readNameSection(this.bytes, r.pos, s.end, section, true);
      } catch {
        // names read before the problem stay; the section is shown as it is
      }
    }
    this.names = new PrintNames(section, options);
  }
}

/** Skips limits (flags, min, max?, page size?). */
export function readLimits(r: ByteReader): void {
  const flags = r.u8('limits flags');
  const wide = (flags & 4) !== 0;
  if (wide) r.u64();
  else r.u32();
  if (flags & 1) {
    if (wide) r.u64();
    else r.u32();
  }
  if (flags & 8) r.u32();
}

function readSubType(r: ByteReader): TypeInfo {
  let form = r.u8('type form');
  if (form === 0x50 || form === 0x4f) {
    const n = r.count('supertype', 1);
    for (let i = 0; i < n; i++) r.u32();
    form = r.u8('type form');
  }
  if (form === 0x60) {
    const params: number[] = [];
    const results: number[] = [];
    const np = r.count('param', 1);
    for (let i = 0; i < np; i++) params.push(readValueType(r));
    const nr = r.count('result', 1);
    for (let i = 0; i < nr; i++) results.push(readValueType(r));
    return { kind: 'func', params, results };
  }
  if (form === 0x5f) {
    const n = r.count('field', 2);
    for (let i = 0; i < n; i++) {
      readStorage(r);
      r.u8();
    }
    return { kind: 'struct', params: [], results: [] };
  }
  if (form === 0x5e) {
    readStorage(r);
    r.u8();
    return { kind: 'array', params: [], results: [] };
  }
  if (form === 0x5d) {
    readHeapCode(r);
    return { kind: 'cont', params: [], results: [] };
  }
  return r.fail(`unknown type form ${hex(form)}`, r.pos - 1);
}

function readStorage(r: ByteReader): number {
  const b = r.peek();
  if (b === 0x78 || b === 0x77) return r.u8();
  return readValueType(r);
}
