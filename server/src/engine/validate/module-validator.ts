/**
 * Validates a binary module: the section structure (order, sizes, counts), the module-level rules
 * (types and subtyping, imports, limits, constant expressions, segments, start function, exports,
 * data count) and every function body, one at a time, with the function validator.
 *
 * Bytes in, findings out: never throws, never allocates from an untrusted count (counts are checked
 * against the bytes left), and holds one function's state at a time (memory does not grow with the
 * code size). Stops at the first finding, as the spec's validation does.
 */
import type { EngineDiagnostic } from '../diagnostic';
import { ByteReader, WasmFormatError, hex } from '../binary/byte-reader';
import { readValueType } from '../binary/code-decoder';
import {
  CONCRETE,
  HT_FUNC,
  I32,
  I64,
  heapOf,
  isDefaultable,
  isRef,
  refType,
  typeName,
} from '../isa/value-type';
import type { CodeFinding, GlobalInfo, MemoryInfo, ModuleContext, TableInfo } from './context';
import { FunctionValidator } from './function-validator';
import { ByteNameSet } from './name-set';
import { functionNameOf, locatedMessage, type LocatedFinding } from './finding-location';
import { PACKED_I16, PACKED_I8, TypeKind, TypeSpace, type CompositeType } from './types';
import { keepMaps } from '../jit';

/** Where a finding sits: the function (index, name) and instruction when inside a body. */
export type ValidationFinding = LocatedFinding;

export interface BinaryValidation {
  valid: boolean;
  /** the first problem found (validation stops there, as the spec's does) */
  finding?: ValidationFinding;
  /** the finding as an engine diagnostic (span: the byte offset) */
  diagnostics: EngineDiagnostic[];
}

export interface ValidateOptions {
  /** stops validation between functions (the result is then an `input-limit` note, not a verdict) */
  signal?: AbortSignal;
  /** longest stretch of work between two yields to the event loop (default 20 ms) */
  sliceMs?: number;
}

/** Section ids in the order the binary format requires (tag 13 between memory and global, data count 12 before code). */
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

const MAX_PAGES_32 = 65536;
const MAX_PAGES_64 = 2 ** 48;
/** Functions validated between two looks at the clock (async validation). */
const FUNCTIONS_PER_CLOCK_CHECK = 64;

const EXPORT_KINDS = ['function', 'table', 'memory', 'global', 'tag'];

/** An export's name (already checked to be UTF-8), for a message. */
function exportName(bytes: Uint8Array, start: number, end: number): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(start, end));
}

class Stop {
  constructor(readonly finding: ValidationFinding) {}
}

/** Validates a binary module in one go (synchronously). */
export function validateWasm(bytes: Uint8Array): BinaryValidation {
  const v = new ModuleValidator(bytes, Infinity);
  const steps = v.run();
  return settle(bytes, () => {
    while (!steps.next().done);
  });
}

/**
 * Validates a binary module in slices of at most `sliceMs` of work, yielding to the event loop between
 * them (a language server keeps answering while a 45 MB module is validated), and stopping when
 * `signal` fires (then rejects with the signal's reason, as an aborted operation does).
 */
export async function validateWasmAsync(bytes: Uint8Array, options: ValidateOptions = {}): Promise<BinaryValidation> {
  const v = new ModuleValidator(bytes, options.sliceMs ?? 20);
  const steps = v.run();
  let done = false;
  while (!done) {
    options.signal?.throwIfAborted();
    const r = settle(bytes, () => {
      done = steps.next().done === true;
    });
    if (!r.valid) return r;
    if (!done) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { valid: true, diagnostics: [] };
}

/** Runs `work`; a finding it stops at becomes the result, with its place in the message. */
function settle(bytes: Uint8Array, work: () => void): BinaryValidation {
  let finding: ValidationFinding | undefined;
  try {
    work();
  } catch (e) {
    if (e instanceof Stop) finding = e.finding;
    else if (e instanceof WasmFormatError) finding = { offset: e.offset, message: e.message, malformed: true };
    else throw e;
  }
  if (!finding) return { valid: true, diagnostics: [] };
  if (finding.func !== undefined) finding.funcName = functionNameOf(bytes, finding.func);
  const diagnostic: EngineDiagnostic = {
    code: finding.malformed ? 'wasm-malformed' : 'wasm-invalid',
    severity: 'error',
    message: locatedMessage(finding),
    span: { start: finding.offset, end: finding.offset + 1 },
    source: 'validator',
    data: {
      offset: finding.offset,
      ...(finding.func !== undefined && { func: finding.func }),
      ...(finding.funcName !== undefined && { funcName: finding.funcName }),
      ...(finding.instruction !== undefined && { instruction: finding.instruction }),
    },
  };
  return { valid: false, finding, diagnostics: [diagnostic] };
}

/** A module checked in parts, for the live type checker (see `validateWasmParts`). */
export interface ModuleParts {
  /** the first module-level problem (validation of the module stopped there) */
  finding?: ValidationFinding;
  /** one finding per invalid function body */
  functions: ValidationFinding[];
  /** the context is complete (the code section was reached, or nothing went wrong): bodies can be checked against it */
  complete: boolean;
  context: ModuleContext;
  /** validates further function bodies against the context */
  validator: FunctionValidator;
}

/**
 * Validates a module as `validateWasm` does, except that an invalid function body does not stop it:
 * every body is checked (one finding each), and the module's context is returned for checking bodies
 * again later (the live type checker assembles only the function an edit changed).
 */
export function validateWasmParts(bytes: Uint8Array): ModuleParts {
  const v = new ModuleValidator(bytes, Infinity);
  v.collect = [];
  let finding: ValidationFinding | undefined;
  try {
    const steps = v.run();
    while (!steps.next().done);
  } catch (e) {
    if (e instanceof Stop) finding = e.finding;
    else if (e instanceof WasmFormatError) finding = { offset: e.offset, message: e.message, malformed: true };
    else throw e;
  }
  return { finding, functions: v.collect, complete: finding === undefined || v.codeReached, context: v.context, validator: v.functionValidator };
}

class ModuleValidator {
  /** when set, function findings are collected here instead of stopping the validation */
  collect: ValidationFinding[] | undefined;
  codeReached = false;
  private readonly types = new TypeSpace();
  private readonly ctx: ModuleContext = {
    types: this.types,
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    tags: [],
    elems: [],
    dataCount: undefined,
    refs: new Set(),
    importedGlobals: 0,
  };
  private importedFuncs = 0;
  private dataSeen = false;
  private readonly fv: FunctionValidator;
  /** function section seen with a non-zero count */
  private functionCount = 0;
  private codeCount = -1;

  get context(): ModuleContext {
    return this.ctx;
  }

  get functionValidator(): FunctionValidator {
    return this.fv;
  }

  constructor(
    private readonly bytes: Uint8Array,
    /** work between two yields of `run` (Infinity: never yields) */
    private readonly sliceMs: number,
  ) {
    this.fv = new FunctionValidator(this.ctx);
  }

  private invalid(message: string, offset: number): never {
    throw new Stop({ offset, message, malformed: false });
  }

  private malformed(message: string, offset: number): never {
    throw new Stop({ offset, message, malformed: true });
  }

  /** Validates the module; yields between slices of the code section (see `sliceMs`). Throws Stop or WasmFormatError. */
  *run(): Generator<void, void, void> {
    const bytes = this.bytes;
    const r = new ByteReader(bytes, 0, bytes.length);
    if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) this.malformed('magic header not detected', 0);
    if (bytes.length < 8) this.malformed('unexpected end: no version', 4);
    if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) this.malformed('unknown binary version', 4);
    r.pos = 8;
    let lastOrder = -1;
    while (!r.atEnd()) {
      const at = r.pos;
      const id = r.u8('section id');
      const size = r.u32('section size');
      const start = r.pos;
      if (size > r.end - start) this.malformed(`section ${id} at ${hex(at)} declares ${size} bytes, ${r.end - start} left: unexpected end`, at);
      const end = start + size;
      if (id !== 0) {
        const order = SECTION_ORDER.indexOf(id);
        if (order < 0) this.malformed(`malformed section id ${id}`, at);
        if (order <= lastOrder) this.malformed(`section ${id} at ${hex(at)} is out of order or repeated: unexpected content after last section`, at);
        lastOrder = order;
      }
      const s = new ByteReader(bytes, start, end);
      if (id === 10) yield* this.codeSection(s);
      else this.section(id, s);
      if (!s.atEnd()) this.malformed(`section ${id} at ${hex(at)} has ${s.end - s.pos} bytes left over: section size mismatch`, s.pos);
      r.pos = end;
    }
    if (this.codeCount < 0 && this.functionCount > 0) this.malformed('function and code section have inconsistent lengths', bytes.length);
    if (this.ctx.dataCount !== undefined && this.ctx.dataCount > 0 && !this.dataSeen) this.malformed('data count and data section have inconsistent lengths', bytes.length);
  }

  private section(id: number, r: ByteReader): void {
    switch (id) {
      case 0:
        r.nameValue('custom section name');
        r.pos = r.end;
        return;
      case 1:
        return this.typeSection(r);
      case 2:
        return this.importSection(r);
      case 3: {
        const n = r.count('function');
        this.functionCount = n;
        for (let i = 0; i < n; i++) {
          const at = r.pos;
          const t = r.u32('type index');
          this.funcTypeIndex(t, at);
          this.ctx.funcs.push(t);
        }
        return;
      }
      case 4: {
        const n = r.count('table');
        for (let i = 0; i < n; i++) this.table(r, true);
        return;
      }
      case 5: {
        const n = r.count('memory');
        for (let i = 0; i < n; i++) this.ctx.memories.push(this.memoryType(r));
        return;
      }
      case 13: {
        const n = r.count('tag');
        for (let i = 0; i < n; i++) this.ctx.tags.push(this.tagType(r));
        return;
      }
      case 6: {
        const n = r.count('global', 3);
        for (let i = 0; i < n; i++) {
          const g = this.globalType(r);
          this.constExpr(r, g.type, this.ctx.globals.length);
          this.ctx.globals.push(g);
        }
        return;
      }
      case 7:
        return this.exportSection(r);
      case 8: {
        const at = r.pos;
        const f = r.u32('start function');
        const ti = this.ctx.funcs[f];
        if (ti === undefined) this.invalid(`unknown function ${f}: the start function must exist`, at);
        const ft = this.types.funcType(ti)!;
        if (ft.params.length || ft.results.length) this.invalid(`start function ${f} must take and return nothing: invalid start function`, at);
        return;
      }
      case 9:
        return this.elemSection(r);
      case 12:
        this.ctx.dataCount = r.u32('data count');
        return;
      case 11:
        return this.dataSection(r);
    }
  }

  // ---- types

  private typeSection(r: ByteReader): void {
    const n = r.count('type');
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      if (r.peek() === 0x4e) {
        r.u8();
        const size = r.count('recursive type', 2);
        const start = this.types.length;
        for (let k = 0; k < size; k++) this.subType(r, start, size);
        this.checkGroup(start, size, at);
      } else {
        const start = this.types.length;
        this.subType(r, start, 1);
        this.checkGroup(start, 1, at);
      }
    }
  }

  private subType(r: ByteReader, groupStart: number, groupSize: number): void {
    const at = r.pos;
    let b = r.peek();
    let superIndex = -1;
    let final = true;
    if (b === 0x50 || b === 0x4f) {
      r.u8();
      final = b === 0x4f;
      const n = r.count('supertype');
      if (n > 1) this.invalid(`a type may declare at most one supertype, not ${n}: multiple supertypes`, at);
      if (n === 1) superIndex = r.u32('supertype index');
      b = r.peek();
    }
    const t: CompositeType = { kind: TypeKind.Func, params: [], results: [], fields: [], mutables: [], contFunc: -1, superIndex, final, groupStart, groupSize };
    const form = r.u8('type form');
    if (form === 0x60) {
      const np = r.count('parameter');
      for (let i = 0; i < np; i++) t.params.push(readValueType(r));
      const nr = r.count('result');
      for (let i = 0; i < nr; i++) t.results.push(readValueType(r));
    } else if (form === 0x5f) {
      t.kind = TypeKind.Struct;
      const nf = r.count('field', 2);
      for (let i = 0; i < nf; i++) this.field(r, t);
    } else if (form === 0x5e) {
      t.kind = TypeKind.Array;
      this.field(r, t);
    } else if (form === 0x5d) {
      t.kind = TypeKind.Cont;
      t.contFunc = r.u32('type index');
    } else this.malformed(`malformed type form ${hex(form)} at ${hex(at)}: integer representation too long or unknown type`, at);
    this.types.types.push(t);
  }

  private field(r: ByteReader, t: CompositeType): void {
    const b = r.peek();
    let st: number;
    if (b === PACKED_I8 || b === PACKED_I16) st = r.u8();
    else st = readValueType(r);
    const at = r.pos;
    const m = r.u8('mutability');
    if (m > 1) this.malformed(`malformed mutability ${m}`, at);
    t.fields.push(st);
    t.mutables.push(m === 1);
  }

  /** Types may refer to any type of their own group or before it; supertypes must come before and match. Canonicalises the group. */
  private checkGroup(start: number, size: number, at: number): void {
    const limit = start + size;
    const check = (v: number): void => {
      if (isRef(v) && heapOf(v) >= CONCRETE && heapOf(v) - CONCRETE >= limit) this.invalid(`unknown type ${heapOf(v) - CONCRETE}`, at);
    };
    for (let i = start; i < limit; i++) {
      const t = this.types.types[i];
      t.params.forEach(check);
      t.results.forEach(check);
      t.fields.forEach(check);
      if (t.kind === TypeKind.Cont && (t.contFunc >= limit || this.types.types[t.contFunc]?.kind !== TypeKind.Func)) this.invalid(`cont type ${i} must name a function type`, at);
      if (t.superIndex >= 0) {
        if (t.superIndex >= i) this.invalid(`type ${i}: supertype ${t.superIndex} must be declared before it: unknown type`, at);
      }
    }
    // supertype checks need the group's canonical ids for references into it: canonicalise first
    this.types.closeGroup(start, size);
    for (let i = start; i < limit; i++) {
      const t = this.types.types[i];
      if (t.superIndex < 0) continue;
      const s = this.types.types[t.superIndex];
      if (s.final) this.invalid(`type ${i}: supertype ${t.superIndex} is final: sub type`, at);
      if (!this.compositeMatches(t, s)) this.invalid(`type ${i} does not match its supertype ${t.superIndex}: sub type`, at);
    }
  }

  private compositeMatches(a: CompositeType, b: CompositeType): boolean {
    const ts = this.types;
    if (a.kind !== b.kind) return false;
    switch (a.kind) {
      case TypeKind.Func:
        return (
          a.params.length === b.params.length &&
          a.results.length === b.results.length &&
          b.params.every((p, i) => ts.matches(p, a.params[i])) &&
          a.results.every((r, i) => ts.matches(r, b.results[i]))
        );
      case TypeKind.Struct:
      case TypeKind.Array:
        if (a.fields.length < b.fields.length) return false;
        if (a.kind === TypeKind.Array && a.fields.length !== b.fields.length) return false;
        for (let i = 0; i < b.fields.length; i++) {
          if (a.mutables[i] !== b.mutables[i]) return false;
          const fa = a.fields[i];
          const fb = b.fields[i];
          if (a.mutables[i] ? !(ts.matches(fa, fb) && ts.matches(fb, fa)) : !ts.matches(fa, fb)) return false;
        }
        return true;
      case TypeKind.Cont:
        return ts.isSubIndex(a.contFunc, b.contFunc);
    }
    /* c8 ignore next */
    return false;
  }

  private funcTypeIndex(t: number, at: number): CompositeType {
    const ty = this.types.types[t];
    if (!ty) this.invalid(`unknown type ${t}: the module has ${this.types.length} types`, at);
    if (ty.kind !== TypeKind.Func) this.invalid(`type ${t} is not a function type`, at);
    return ty;
  }

  private valueType(r: ByteReader): number {
    const at = r.pos;
    const t = readValueType(r);
    if (isRef(t) && heapOf(t) >= CONCRETE && heapOf(t) - CONCRETE >= this.types.length) this.invalid(`unknown type ${heapOf(t) - CONCRETE}`, at);
    return t;
  }

  // ---- imports and declarations

  private importSection(r: ByteReader): void {
    const n = r.count('import', 3);
    for (let i = 0; i < n; i++) {
      r.nameValue('import module name');
      r.nameValue('import name');
      const at = r.pos;
      const kind = r.u8('import kind');
      switch (kind) {
        case 0: {
          const tat = r.pos;
          const t = r.u32('type index');
          this.funcTypeIndex(t, tat);
          this.ctx.funcs.push(t);
          this.importedFuncs++;
          break;
        }
        case 1:
          this.table(r, false);
          break;
        case 2:
          this.ctx.memories.push(this.memoryType(r));
          break;
        case 3:
          this.ctx.globals.push(this.globalType(r));
          this.ctx.importedGlobals++;
          break;
        case 4:
          this.ctx.tags.push(this.tagType(r));
          break;
        default:
          this.malformed(`malformed import kind ${kind}`, at);
      }
    }
  }

  private tagType(r: ByteReader): number {
    const at = r.pos;
    const attr = r.u8('tag attribute');
    if (attr !== 0) this.malformed(`malformed tag attribute ${attr}`, at);
    const tat = r.pos;
    const t = r.u32('type index');
    const ft = this.funcTypeIndex(t, tat);
    if (ft.results.length) this.invalid(`tag type ${t} must return nothing: non-empty tag result type`, tat);
    return t;
  }

  private limits(r: ByteReader, what: string): { flags: number; min: number; max: number | undefined; is64: boolean } {
    const at = r.pos;
    const flags = r.u8('limits flags');
    if (flags > 0x0f) this.malformed(`malformed limits flags ${hex(flags)}: integer too large`, at);
    const is64 = (flags & 4) !== 0;
    const min = is64 ? r.u64('minimum') : r.u32('minimum');
    const max = flags & 1 ? (is64 ? r.u64('maximum') : r.u32('maximum')) : undefined;
    if (max !== undefined && min > max) this.invalid(`${what} minimum ${min} is above its maximum ${max}: size minimum must not be greater than maximum`, at);
    return { flags, min, max, is64 };
  }

  private table(r: ByteReader, defined: boolean): void {
    const at = r.pos;
    let hasInit = false;
    if (defined && r.peek() === 0x40) {
      r.u8();
      const z = r.u8();
      if (z !== 0) this.malformed('malformed table: reserved byte must be zero', at);
      hasInit = true;
    }
    const elem = this.valueType(r);
    if (!isRef(elem)) this.malformed(`malformed reference type ${typeName(elem)} for a table`, at);
    const lat = r.pos;
    const l = this.limits(r, 'table');
    if (l.flags & 0x0a) this.malformed(`malformed table limits flags ${hex(l.flags)}`, lat);
    const at2 = l.is64 ? I64 : I32;
    if (!l.is64 && (l.min > 0xffffffff || (l.max ?? 0) > 0xffffffff)) this.invalid('table size must be at most 2^32-1', lat);
    const info: TableInfo = { elem, at: at2 };
    if (hasInit) this.constExpr(r, elem, this.ctx.globals.length);
    else if (!isDefaultable(elem)) this.invalid(`table of non-nullable ${typeName(elem)} needs an initialiser: type mismatch`, at);
    this.ctx.tables.push(info);
  }

  private memoryType(r: ByteReader): MemoryInfo {
    const at = r.pos;
    const l = this.limits(r, 'memory');
    let pageLog2 = 16;
    if (l.flags & 8) {
      const pat = r.pos;
      pageLog2 = r.u32('page size');
      if (pageLog2 !== 0 && pageLog2 !== 16) this.invalid(`invalid custom page size 2^${pageLog2}`, pat);
    }
    const shared = (l.flags & 2) !== 0;
    if (shared && l.max === undefined) this.invalid('shared memory must have maximum', at);
    const limit = l.is64 ? (pageLog2 === 16 ? MAX_PAGES_64 : 2 ** 64 - 1) : pageLog2 === 16 ? MAX_PAGES_32 : 2 ** 32 - 1;
    if (l.min > limit || (l.max ?? 0) > limit) this.invalid(`memory size must be at most ${limit} pages`, at);
    return { at: l.is64 ? I64 : I32 };
  }

  private globalType(r: ByteReader): GlobalInfo {
    const type = this.valueType(r);
    const at = r.pos;
    const m = r.u8('mutability');
    if (m > 1) this.malformed(`malformed mutability ${m}`, at);
    return { type, mutable: m === 1 };
  }

  private constExpr(r: ByteReader, expected: number, globals: number): void {
    const res = this.fv.validateConstExpr(r.bytes, r.pos, r.end, expected, globals);
    if (typeof res !== 'number') throw new Stop(res);
    r.pos = res;
  }

  // ---- exports, start, elements

  private exportSection(r: ByteReader): void {
    const n = r.count('export', 3);
    // names are compared as bytes (see ByteNameSet); a string is made only for a message
    const names = new ByteNameSet(r.bytes, n);
    const spaces = [this.ctx.funcs.length, this.ctx.tables.length, this.ctx.memories.length, this.ctx.globals.length, this.ctx.tags.length];
    for (let i = 0; i < n; i++) {
      const nat = r.pos;
      r.nameBytes('export name');
      const nameStart = r.nameStart;
      const nameEnd = r.pos;
      const fresh = names.add(nameStart, nameEnd - nameStart);
      if (!names.ascii) r.checkName('export name');
      const at = r.pos;
      const kind = r.u8('export kind');
      const idx = r.u32('export index');
      if (!fresh) this.invalid(`duplicate export name "${exportName(r.bytes, nameStart, nameEnd)}"`, nat);
      if (kind > 4) this.malformed(`malformed export kind ${kind}`, at);
      if (idx >= spaces[kind]) this.invalid(`unknown ${EXPORT_KINDS[kind]} ${idx} in export "${exportName(r.bytes, nameStart, nameEnd)}"`, at);
      if (kind === 0) this.ctx.refs.add(idx);
    }
  }

  private elemSection(r: ByteReader): void {
    const n = r.count('element segment');
    const funcref = refType(HT_FUNC, true);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const flags = r.u32('element segment flags');
      if (flags > 7) this.malformed(`malformed element segment flags ${flags}`, at);
      const passiveOrDeclarative = (flags & 1) !== 0;
      const explicitTable = (flags & 2) !== 0;
      const usesExprs = (flags & 4) !== 0;
      let table = 0;
      let type = funcref;
      if (!passiveOrDeclarative && explicitTable) table = r.u32('table index');
      const active = !passiveOrDeclarative;
      let tinfo: TableInfo | undefined;
      if (active) {
        tinfo = this.ctx.tables[table];
        if (!tinfo) this.invalid(`unknown table ${table} in element segment ${i}`, at);
        this.constExpr(r, tinfo.at, this.ctx.globals.length);
      }
      if (passiveOrDeclarative || explicitTable) {
        const kat = r.pos;
        if (usesExprs) type = this.valueType(r);
        else {
          const kind = r.u8('element kind');
          if (kind !== 0) this.malformed(`malformed element kind ${kind}`, kat);
        }
        if (!isRef(type)) this.malformed('malformed element type: not a reference type', kat);
      }
      const count = r.count('element');
      for (let k = 0; k < count; k++) {
        if (usesExprs) this.constExpr(r, type, this.ctx.globals.length);
        else {
          const fat = r.pos;
          const f = r.u32('function index');
          if (f >= this.ctx.funcs.length) this.invalid(`unknown function ${f} in element segment ${i}`, fat);
          this.ctx.refs.add(f);
        }
      }
      // a vector of function indexes holds non-null function references
      if (!usesExprs) type = refType(HT_FUNC, false);
      if (tinfo && !this.types.matches(type, tinfo.elem)) this.invalid(`element segment ${i} of ${typeName(type)} does not fit table ${table} of ${typeName(tinfo.elem)}: type mismatch`, at);
      this.ctx.elems.push(type);
    }
  }

  // ---- code and data

  private *codeSection(r: ByteReader): Generator<void, void, void> {
    const at = r.pos;
    this.codeReached = true;
    const n = r.count('function body');
    this.codeCount = n;
    if (n !== this.functionCount) this.malformed(`function and code section have inconsistent lengths: ${this.functionCount} functions, ${n} bodies`, at);
    let sliceStart = performance.now();
    for (let i = 0; i < n; i++) {
      const sat = r.pos;
      const size = r.u32('function body size');
      if (size > r.end - r.pos) this.malformed(`function body ${i} at ${hex(sat)} declares ${size} bytes, ${r.end - r.pos} left: unexpected end`, sat);
      const start = r.pos;
      const end = start + size;
      const func = this.importedFuncs + i;
      const finding = this.fv.validateFunction(this.bytes, start, end, this.ctx.funcs[func]);
      if (finding) {
        if (this.collect === undefined) throw new Stop({ ...finding, func });
        this.collect.push({ ...finding, func });
      }
      r.pos = end;
      if (this.sliceMs !== Infinity && i % FUNCTIONS_PER_CLOCK_CHECK === FUNCTIONS_PER_CLOCK_CHECK - 1 && performance.now() - sliceStart > this.sliceMs) {
        yield;
        sliceStart = performance.now();
      }
    }
  }

  private dataSection(r: ByteReader): void {
    const at = r.pos;
    const n = r.count('data segment');
    this.dataSeen = true;
    if (this.ctx.dataCount !== undefined && this.ctx.dataCount !== n) this.malformed(`data count and data section have inconsistent lengths: ${this.ctx.dataCount} and ${n}`, at);
    for (let i = 0; i < n; i++) {
      const sat = r.pos;
      const flags = r.u32('data segment flags');
      if (flags > 2) this.malformed(`malformed data segment flags ${flags}`, sat);
      if (flags !== 1) {
        const mem = flags === 2 ? r.u32('memory index') : 0;
        const m = this.ctx.memories[mem];
        if (!m) this.invalid(`unknown memory ${mem} in data segment ${i}`, sat);
        this.constExpr(r, m.at, this.ctx.globals.length);
      }
      const len = r.u32('data segment size');
      if (len > r.end - r.pos) this.malformed(`data segment ${i} declares ${len} bytes, ${r.end - r.pos} left: unexpected end of section or function`, sat);
      r.pos += len;
    }
  }
}

// The validator's objects are made per module and none outlives it: after a major GC their shapes were
// gone, and with them the optimized code of the function validator and its decoder (see ../jit.ts). One
// small module's validator (its function validator, decoder, type space and context) is kept for good.
{
  const bytes = Uint8Array.of(
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f, // type 0: [i32] -> [i32]
    3, 2, 1, 0, // func 0: type 0
    5, 3, 1, 0, 1, // memory 0: 1 page
    10, 12, 1, 10, 0, 0x20, 0, 0x28, 2, 0, 0x41, 1, 0x6a, 0x0b, // local.get 0, i32.load, i32.const 1, i32.add
  );
  const v = new ModuleValidator(bytes, Infinity);
  v.collect = [];
  const steps = v.run();
  while (!steps.next().done);
  keepMaps(v);
}
