/**
 * The bounds-checked `.wasm` reader: bytes -> ModuleModel (origin 'binary', spans are byte offsets).
 *
 * It walks the sections by their declared sizes and never decodes code bodies (it records each body's
 * offset and size), so its cost and memory depend on the module's declarations, not on its code size.
 * Every read is bounds-checked; malformed input becomes a `wasm-malformed` diagnostic and the reader
 * skips the rest of that section (or stops, when the section sizes themselves are broken). It never
 * throws and never allocates from an untrusted count (counts are checked against the bytes left).
 */
import type { EngineDiagnostic, Severity } from '../diagnostic';
import {
  emptyModel,
  DEFAULT_PAGE_SIZE_LOG2,
  type ExternKind,
  type Feature,
  type FuncSig,
  type CustomSection,
  type DataSegment,
  type ElemSegment,
  type ExportEntry,
  type FuncEntry,
  type GlobalEntry,
  type ImportEntry,
  type Limits,
  type MemoryEntry,
  type ModuleModel,
  type OmittedCustomSections,
  type StartEntry,
  type TableEntry,
  type TagEntry,
  type SectionInfo,
  type TypeEntry,
} from '../model';
import type { Span } from '../span';
import { ByteReader, WasmFormatError, hex, namePool, namePoolSeed } from './byte-reader';
import { WASI_PREVIEW1_MODULES } from '../wasi';
import { keepLatest, keepMaps } from '../jit';
import { MAX_NAMES, emptyNameSection, readNameSection, type NameSection } from './name-section';
import { newTypeUse, readStorageType, readValType, skipConstExpr, type TypeUse } from './value-types';
import { MAX_LISTED_CUSTOM_SECTIONS, omittedCustomSectionsMessage, tallyCustomSection } from './custom-section-tally';
import { boundedMessage } from '../diagnostic-limit';
import { readComponent } from '../component/reader';

export type { NameSection } from './name-section';

export interface WasmReadResult {
  model: ModuleModel;
  diagnostics: EngineDiagnostic[];
  /** the `name` section, when the module has one and `options.names` is not false (locals only then) */
  names?: NameSection;
  /** the value of the data count section, when present */
  dataCount?: number;
  /** Decodes every section a lazy read deferred (a no-op otherwise); their problems join `diagnostics`. */
  decodeAll(): void;
}

export interface ReadWasmOptions {
  /** return the name section (incl. local names) in the result; default true. Ids are set either way. */
  names?: boolean;
  /** decode the name section at all (entry ids); default true. Policy checks need no ids. */
  ids?: boolean;
  /** walk the code section's bodies (func spans and sizes); default true. When false the code section's
   *  payload is not read at all, so it may be absent (see file-reader.ts). */
  bodies?: boolean;
  /** walk the data section's segments; default true. When false only its segment count is read. */
  data?: boolean;
  /**
   * Decode the type, function, global, export and element sections only when the model's `types`,
   * `funcs`, `globals`, `exports`, `elems` or `features` are first read (each section once; see
   * DEFERRED_SECTIONS), and build each type only when first needed. Only with `ids`, `bodies` and
   * `data` false (a header read); ignored otherwise. Problems found in a section decoded later are
   * added to the result's `diagnostics` then.
   */
  lazy?: boolean;
  /**
   * A header-only file read (file-reader.ts): `bytes` is then only the file's first 8 bytes, and the
   * sections come from here, each payload in its own buffer as far as it was read. Lazy reads only.
   */
  file?: FileSections;
}

/** A `.wasm` file's sections by their headers, as a header-only file read has them. */
export interface FileSections {
  /** the file's length */
  byteLength: number;
  /** every section, in file order, except custom sections past the listed ones (see `omittedCustom`) */
  sections: FileSection[];
  /** custom sections past MAX_LISTED_CUSTOM_SECTIONS: counted by the file read, not listed */
  omittedCustom?: OmittedCustomSections;
  /** reads a section's whole payload (a deferred section, when it is decoded) */
  load(section: FileSection): Uint8Array;
}

export interface FileSection {
  id: number;
  /** file offsets of the id byte and of the payload; payload size */
  offset: number;
  payloadOffset: number;
  size: number;
  /** the payload as far as it was read (from `payloadOffset`): whole for declaration sections, the
   *  head of custom and deferred sections, nothing for code and data */
  data?: Uint8Array;
}

/**
 * The sections a lazy read defers (type, function, global, export, element): decoded when `types`,
 * `funcs`, `globals`, `exports`, `elems` or `features` are first read. Until the type section is
 * decoded, the signatures of imported functions and tags are not known (`sig` is undefined); decoding
 * it fills them in.
 */
export const DEFERRED_SECTIONS: ReadonlySet<number> = new Set([1, 3, 6, 7, 9]);

export const SECTION_NAMES = [
  'custom',
  'type',
  'import',
  'function',
  'table',
  'memory',
  'global',
  'export',
  'start',
  'element',
  'code',
  'data',
  'datacount',
  'tag',
] as const;

/** Position of each known section id in the required order (tag sits between memory and global). */
const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

const EXTERN_KINDS: ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

const MAX_DIAGNOSTICS = 100;

/** Module names most imports come from (Emscripten, wasi-libc, wasm-bindgen, dynamic linking), as the pool of every import section starts. */
const IMPORT_MODULES_SEED = namePoolSeed(['env', ...WASI_PREVIEW1_MODULES, 'wbg', '__wbindgen_placeholder__', 'GOT.mem', 'GOT.func']);

/** `section 7 (export) at 0x1234`, built only when a problem is reported. */
function sectionLabel(id: number, offset: number): () => string {
  return () => `section ${id} (${sectionName(id)}) at ${hex(offset)}`;
}

export function sectionName(id: number): string {
  return SECTION_NAMES[id] ?? 'unknown';
}

/** Reads a `.wasm`: a core module, or a component (component/reader.ts; `model.component`). Never throws. */
export function readWasm(bytes: Uint8Array, options: ReadWasmOptions = {}): WasmReadResult {
  const reader = new ModuleReader(bytes, options);
  try {
    reader.read();
  } catch (e) {
    // Not expected: every known failure is a WasmFormatError handled per section. Report, don't crash.
    reader.report(0, `internal reader error: ${e instanceof Error ? e.message : String(e)}`);
  }
  return reader.result();
}

class TooManyDiagnostics extends Error {}

/**
 * What a lazy model asks its reader for, on first read of each key. The reader itself, not an object of
 * closures: a read makes no functions (each of which a keep-names build also names at run time).
 */
interface DeferredParts {
  deferredTypes(): TypeEntry[];
  deferredFuncs(): FuncEntry[];
  deferredGlobals(): GlobalEntry[];
  deferredExports(): ExportEntry[];
  deferredElems(): ElemSegment[];
  deferredFeatures(): Feature[];
}

/**
 * The model of a lazy read: a ModuleModel whose `types`, `funcs`, `globals`, `exports`, `elems` and
 * `features` are decoded on first read. They are getters on the class (one shape for every model,
 * which V8 optimises; accessors defined per object would make every model a slow dictionary object).
 * `toJSON` gives the plain model with every part decoded.
 */
class LazyModel implements ModuleModel {
  readonly origin = 'binary' as const;
  kind: ModuleModel['kind'] = 'module';
  declare id?: string;
  imports: ImportEntry[] = [];
  tables: TableEntry[] = [];
  memories: MemoryEntry[] = [];
  tags: TagEntry[] = [];
  data: DataSegment[] = [];
  customSections: CustomSection[] = [];
  declare start?: StartEntry;
  declare sections?: SectionInfo[];
  declare byteLength?: number;
  #parts: DeferredParts;
  #types?: TypeEntry[];
  #funcs?: FuncEntry[];
  #globals?: GlobalEntry[];
  #exports?: ExportEntry[];
  #elems?: ElemSegment[];
  #features?: Feature[];

  constructor(
    public span: Span,
    parts: DeferredParts,
  ) {
    this.#parts = parts;
  }

  get types(): TypeEntry[] {
    return (this.#types ??= this.#parts.deferredTypes());
  }
  set types(v: TypeEntry[]) {
    this.#types = v;
  }
  get funcs(): FuncEntry[] {
    return (this.#funcs ??= this.#parts.deferredFuncs());
  }
  set funcs(v: FuncEntry[]) {
    this.#funcs = v;
  }
  get globals(): GlobalEntry[] {
    return (this.#globals ??= this.#parts.deferredGlobals());
  }
  set globals(v: GlobalEntry[]) {
    this.#globals = v;
  }
  get exports(): ExportEntry[] {
    return (this.#exports ??= this.#parts.deferredExports());
  }
  set exports(v: ExportEntry[]) {
    this.#exports = v;
  }
  get elems(): ElemSegment[] {
    return (this.#elems ??= this.#parts.deferredElems());
  }
  set elems(v: ElemSegment[]) {
    this.#elems = v;
  }
  get features(): Feature[] {
    return (this.#features ??= this.#parts.deferredFeatures());
  }
  set features(v: Feature[]) {
    this.#features = v;
  }

  toJSON(): ModuleModel {
    return { ...this, types: this.types, funcs: this.funcs, globals: this.globals, exports: this.exports, elems: this.elems, features: this.features };
  }
}

class ModuleReader implements DeferredParts {
  readonly model: ModuleModel;
  readonly diagnostics: EngineDiagnostic[] = [];
  private names?: NameSection;
  private nameSectionOffset?: number;
  private dataCount?: number;
  private readonly use: TypeUse = newTypeUse();
  private gc = false;
  private extendedConst = false;
  private bulkMemory = false;
  private refTypesInSegments = false;
  private multiValue = false;
  private definedFuncStart = 0;
  /** imported functions and globals so far (a lazy read lists them in their index spaces only when asked) */
  private funcImports = 0;
  private globalImports = 0;
  private declaredFuncs = 0;
  private sawCode = false;
  private dataSectionCount?: number;
  /** the entries of the function and global index spaces (the model's own arrays unless lazy) */
  private readonly funcs: FuncEntry[];
  private readonly globals: GlobalEntry[];
  private readonly exports: ExportEntry[];
  private readonly elems: ElemSegment[];
  private readonly lazy: boolean;
  /** lazy reads of a file: its sections, and the payloads read so far by section offset */
  private readonly file?: FileSections;
  private readonly payloads = new Map<number, Uint8Array>();
  private readonly byteLength: number;
  /**
   * Lazy reads: the type section is walked (and checked) when decoded, and each type is built only
   * when something needs it (a signature, `model.types`): its file offset, the reader over its
   * section, the types built so far. Modules with hundreds of signatures otherwise spent most of a
   * policy check building them; the section is not even decoded unless something asks for types.
   */
  private readonly typeOffsets: number[] = [];
  private readonly typeSections: ByteReader[] = [];
  private readonly builtTypes: (TypeEntry | undefined)[] = [];
  /** where the (first) import section's payload starts */
  private importSection?: number;
  /** sections a lazy read has not decoded yet, by id */
  private readonly deferred = new Map<number, SectionInfo>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: ReadWasmOptions,
  ) {
    this.lazy = options.lazy === true && options.ids === false && options.bodies === false && options.data === false;
    this.file = this.lazy ? options.file : undefined;
    this.byteLength = this.file?.byteLength ?? bytes.length;
    const span = { start: 0, end: this.byteLength };
    this.model = this.lazy ? new LazyModel(span, this) : emptyModel('binary', span);
    this.model.byteLength = this.byteLength;
    this.model.sections = [];
    this.funcs = this.lazy ? [] : this.model.funcs;
    this.globals = this.lazy ? [] : this.model.globals;
    this.exports = this.lazy ? [] : this.model.exports;
    this.elems = this.lazy ? [] : this.model.elems;
  }

  // DeferredParts: what a lazy model decodes on first read of each key
  deferredTypes(): TypeEntry[] {
    this.decodeDeferred(1);
    return this.typeOffsets.map((_, i) => this.typeAt(i)!);
  }
  deferredFuncs(): FuncEntry[] {
    this.listImported('func');
    this.decodeDeferred(3);
    return this.funcs;
  }
  deferredGlobals(): GlobalEntry[] {
    this.listImported('global');
    this.decodeDeferred(6);
    return this.globals;
  }
  deferredExports(): ExportEntry[] {
    this.decodeDeferred(7);
    return this.exports;
  }
  deferredElems(): ElemSegment[] {
    this.decodeDeferred(9);
    return this.elems;
  }
  deferredFeatures(): Feature[] {
    // the types tell GC, multi-value and typed references; value types of globals and element
    // segments tell reference types, SIMD and extended consts
    this.decodeDeferred(1);
    this.decodeDeferred(6);
    this.decodeDeferred(9);
    return this.detectFeatures();
  }

  /** Decodes every section a lazy read deferred. */
  decodeAll(): void {
    for (const id of [...this.deferred.keys()]) this.decodeDeferred(id);
  }

  result(): WasmReadResult {
    // a bound method, not an arrow function: see DeferredParts
    const out: WasmReadResult = { model: this.model, diagnostics: this.diagnostics, decodeAll: this.decodeAll.bind(this) };
    if (this.names && this.options.names !== false) out.names = this.names;
    if (this.dataCount !== undefined) out.dataCount = this.dataCount;
    return out;
  }

  /** Decodes a section a lazy read deferred, once; its problems join the diagnostics. */
  private decodeDeferred(id: number): void {
    const info = this.deferred.get(id);
    if (!info) return;
    this.deferred.delete(id);
    if (this.file) {
      const section = this.file.sections.find((x) => x.offset === info.offset);
      if (section) this.payloads.set(info.offset, this.file.load(section));
    }
    try {
      this.decodeSection(id, info);
    } catch (e) {
      if (!(e instanceof TooManyDiagnostics)) throw e;
    }
    if (id === 1) this.fillImportSigs(info);
  }

  /**
   * Lazy reads: the signatures of imported functions and tags, once the type section is decoded. As an
   * eager read, which resolves them as it reads the imports, only from a type section before them.
   */
  private fillImportSigs(types: SectionInfo): void {
    if (this.importSection === undefined || types.offset > this.importSection) return;
    const funcs = this.funcs;
    let f = 0;
    for (const imp of this.model.imports) {
      if (imp.kind === 'func') {
        const sig = this.typeSig(imp.typeIndex!);
        imp.sig = sig;
        if (f < funcs.length) funcs[f].sig = sig;
        f++;
      } else if (imp.kind === 'tag') {
        imp.sig = this.typeSig(imp.typeIndex!);
      }
    }
  }

  /**
   * Lazy reads: the entries of imported functions (globals) in their index space, made from the
   * imports when the functions (globals) are first needed: a policy check of a module with hundreds of
   * imports needs none. Eager reads list them as they read the imports.
   */
  private listImported(kind: 'func' | 'global'): void {
    const list = kind === 'func' ? this.funcs : this.globals;
    if (!this.lazy || list.length > 0 || (kind === 'func' ? this.funcImports : this.globalImports) === 0) return;
    for (const imp of this.model.imports) {
      if (imp.kind !== kind) continue;
      const imported = { module: imp.module, name: imp.name };
      if (kind === 'func') this.funcs.push({ index: imp.index, typeIndex: imp.typeIndex, sig: imp.sig, imported, span: imp.span });
      else this.globals.push({ index: imp.index, valType: imp.globalType!.valType, mutable: imp.globalType!.mutable, imported, span: imp.span });
    }
  }

  report(offset: number, message: string, severity: Severity = 'error', code = 'wasm-malformed'): void {
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) throw new TooManyDiagnostics();
    const start = Math.max(0, Math.min(offset, this.byteLength));
    this.diagnostics.push({
      code,
      severity,
      message: boundedMessage(message),
      span: { start, end: Math.min(start + 1, this.byteLength) || start },
      source: 'wasm-reader',
    });
  }

  read(): void {
    try {
      this.readAll();
    } catch (e) {
      if (!(e instanceof TooManyDiagnostics)) throw e;
      this.diagnostics.push({
        code: 'wasm-malformed',
        severity: 'error',
        message: `more than ${MAX_DIAGNOSTICS} problems; stopped reading`,
        span: { start: 0, end: 0 },
        source: 'wasm-reader',
      });
    }
  }

  private readAll(): void {
    const b = this.bytes;
    if (b.length < 8) {
      if (b.length < 4 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
        this.report(0, `not a WebAssembly binary: ${b.length} bytes, need at least 8 (magic \\0asm and version)`);
      } else {
        this.report(b.length, `truncated header at ${hex(b.length)}: the 4-byte version is missing`);
      }
      return;
    }
    if (b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
      this.report(0, `not a WebAssembly binary: bad magic ${hexBytes(b, 0, 4)} at 0x0 (expected 00 61 73 6d)`);
      return;
    }
    const version = b[4] | (b[5] << 8);
    const layer = b[6] | (b[7] << 8);
    if (layer === 1 && version >= 0x0a) {
      this.model.kind = 'component';
      if (version !== 0x0d) {
        this.report(4, `component binary version ${hex(version)} at 0x4 predates the current encoding (0xd); not analysed`, 'warning', 'wasm-component');
        return;
      }
      const report = (offset: number, message: string, severity?: Severity, code?: string) => this.report(offset, message, severity, code);
      const { info, customSections } = readComponent(b, report, this.file?.sections);
      this.model.component = info;
      this.model.sections = info.sections;
      const listed = customSections.slice(0, MAX_LISTED_CUSTOM_SECTIONS);
      this.model.customSections.push(...listed);
      for (const c of customSections.slice(MAX_LISTED_CUSTOM_SECTIONS)) {
        this.model.customSectionsOmitted = tallyCustomSection(this.model.customSectionsOmitted, c.name, c.size, c.span);
      }
      const omitted = this.model.customSectionsOmitted;
      if (omitted) this.report(omitted.span.start, omittedCustomSectionsMessage(this.model.customSections, omitted), 'warning', 'input-limit');
      return;
    }
    if (version !== 1 || layer !== 0) {
      this.report(4, `unsupported binary version ${hexBytes(b, 4, 8)} at 0x4 (expected 01 00 00 00)`);
      return;
    }
    this.walkSections();
    this.finish();
  }

  private walkSections(): void {
    if (this.file) {
      let last = 0;
      for (const f of this.file.sections) {
        if (f.data) this.payloads.set(f.offset, f.data);
        last = this.visitSection({ id: f.id, name: sectionName(f.id), offset: f.offset, payloadOffset: f.payloadOffset, size: f.size }, last);
      }
      if (this.file.omittedCustom) this.model.customSectionsOmitted = this.file.omittedCustom;
      return;
    }
    const b = this.bytes;
    const r = new ByteReader(b, 8, b.length);
    let lastOrder = 0;
    while (!r.atEnd()) {
      const offset = r.pos;
      let id: number;
      let size: number;
      try {
        id = r.u8('section id');
        size = r.u32('section size');
      } catch (e) {
        if (!(e instanceof WasmFormatError)) throw e;
        this.report(e.offset, `section header at ${hex(offset)}: ${e.message}`);
        return;
      }
      const payloadOffset = r.pos;
      if (size > r.remaining) {
        this.report(offset, `section ${id} (${sectionName(id)}) at ${hex(offset)}: size ${size} runs past the end of the file (payload at ${hex(payloadOffset)}, ${r.remaining} bytes left)`);
        return;
      }
      r.pos = payloadOffset + size;
      lastOrder = this.visitSection({ id, name: sectionName(id), offset, payloadOffset, size }, lastOrder);
    }
  }

  /** One section, in file order: order checks, then decoded now or (lazy reads) deferred. */
  private visitSection(info: SectionInfo, lastOrder: number): number {
    const { id, offset } = info;
    if (id === 0 && this.model.customSections.length >= MAX_LISTED_CUSTOM_SECTIONS && !this.file) {
      this.tallyCustom(info);
      return lastOrder;
    }
    const label = sectionLabel(id, offset);
    this.model.sections!.push(info);
    if (id !== 0) {
      const order = SECTION_ORDER[id];
      if (order === undefined) {
        this.report(offset, `${label()}: unknown section id ${id}; skipped`);
        return lastOrder;
      }
      if (order <= lastOrder) {
        this.report(offset, `${label()}: section is out of order or repeated`);
      }
      lastOrder = Math.max(lastOrder, order);
    }
    if (this.lazy && DEFERRED_SECTIONS.has(id)) {
      if (!this.deferred.has(id)) {
        this.deferred.set(id, info);
        if (id === 3) this.countFunctions(info, label);
        return lastOrder;
      }
      // a repeated section (reported above): decode both now, in file order
      this.decodeDeferred(id);
    }
    this.decodeSection(id, info);
    return lastOrder;
  }

  /** A reader over a section's payload: in the bytes, or (a file read) in the payload read for it. */
  private payloadReader(info: SectionInfo): ByteReader {
    const end = info.payloadOffset + info.size;
    if (!this.file) return new ByteReader(this.bytes, info.payloadOffset, end);
    const data = this.payloads.get(info.offset) ?? new Uint8Array(0);
    // never past what was read: a section that could not be read reads as truncated, not as garbage
    return new ByteReader(data, info.payloadOffset, Math.min(end, info.payloadOffset + data.length), info.payloadOffset);
  }

  private decodeSection(id: number, info: SectionInfo): void {
    const s = this.payloadReader(info);
    try {
      this.readSection(id, s, info);
      if (!s.atEnd()) s.fail(`${s.remaining} unread bytes at ${hex(s.pos)} after the last entry`);
    } catch (e) {
      if (!(e instanceof WasmFormatError)) throw e;
      this.report(e.offset, `section ${id} (${sectionName(id)}) at ${hex(info.offset)}: ${e.message}`);
    }
  }

  /** A deferred function section's entry count (its first bytes), for the code-section check. */
  private countFunctions(info: SectionInfo, label: () => string): void {
    try {
      // a file read holds only the head of this section: check the count against the section's size
      const r = this.payloadReader(info);
      const at = r.pos;
      const n = r.u32('function count');
      const left = info.payloadOffset + info.size - r.pos;
      if (n > left) r.fail(`function count ${n} at ${hex(at)} cannot fit in the ${left} bytes left`, at);
      this.declaredFuncs = n;
    } catch (e) {
      if (!(e instanceof WasmFormatError)) throw e;
      this.report(e.offset, `${label()}: ${e.message}`);
    }
  }

  private readSection(id: number, r: ByteReader, info: SectionInfo): void {
    switch (id) {
      case 0:
        return this.readCustom(r, info);
      case 1:
        return this.readTypes(r);
      case 2:
        return this.readImports(r);
      case 3:
        return this.readFunctions(r);
      case 4:
        return this.readTables(r);
      case 5:
        return this.readMemories(r);
      case 6:
        return this.readGlobals(r);
      case 7:
        return this.readExports(r);
      case 8: {
        const at = r.pos;
        const func = r.u32('start function index');
        this.model.start = { func, span: { start: at, end: r.pos } };
        return;
      }
      case 9:
        return this.readElems(r);
      case 10:
        if (this.options.bodies === false) {
          this.sawCode = true;
          r.pos = r.end;
          return;
        }
        return this.readCode(r);
      case 11:
        if (this.options.data === false) {
          // the segments are not walked, but their count is checked against the data count section
          // (a file read holds the count's bytes at the head of the section)
          this.dataSectionCount = r.u32('data segment count');
          r.pos = r.end;
          return;
        }
        return this.readData(r);
      case 12:
        this.dataCount = r.u32('data count');
        this.bulkMemory = true;
        return;
      case 13:
        return this.readTags(r);
    }
  }

  private readCustom(r: ByteReader, info: SectionInfo): void {
    const n = r.name('custom section name');
    info.name = `custom:${n.value}`;
    // the section's own end: a file read holds only the head of a custom section's payload
    const end = info.payloadOffset + info.size;
    this.model.customSections.push({ name: n.value, size: end - r.pos, span: { start: info.offset, end } });
    if (n.value === 'name' && this.options.ids !== false) {
      this.names ??= emptyNameSection();
      this.nameSectionOffset ??= info.offset;
      const start = r.pos;
      r.pos = r.end;
      try {
        readNameSection(this.bytes, start, r.end, this.names, this.options.names !== false);
      } catch (e) {
        if (!(e instanceof WasmFormatError)) throw e;
        this.report(e.offset, `custom section "name" at ${hex(info.offset)}: ${e.message}; names after this point are ignored`, 'warning');
      }
    } else {
      r.pos = r.end;
    }
  }

  /** A custom section past the listed ones: its name is checked, then it is counted (see custom-section-tally.ts). */
  private tallyCustom(info: SectionInfo): void {
    const r = this.payloadReader(info);
    try {
      const name = r.nameValue('custom section name');
      const end = info.payloadOffset + info.size;
      this.model.customSectionsOmitted = tallyCustomSection(this.model.customSectionsOmitted, name, end - r.pos, { start: info.offset, end });
    } catch (e) {
      if (!(e instanceof WasmFormatError)) throw e;
      this.report(e.offset, `section 0 (custom) at ${hex(info.offset)}: ${e.message}`);
    }
  }

  /** A type's signature (a lazy read decodes the type section for it, if it has not yet). */
  private typeSig(typeIndex: number): FuncSig | undefined {
    if (!this.lazy) return this.model.types[typeIndex]?.sig;
    this.decodeDeferred(1);
    return this.typeAt(typeIndex)?.sig;
  }

  /** A lazy read's type `i`, built on first use from the section the read walked. */
  private typeAt(i: number): TypeEntry | undefined {
    let t = this.builtTypes[i];
    if (t === undefined && i < this.typeOffsets.length) {
      const r = this.typeSections[i];
      // checked when the section was walked: building it again cannot fail
      t = this.readSubType(new ByteReader(r.bytes, this.typeOffsets[i], r.end, r.base), i, true)!;
      this.builtTypes[i] = t;
    }
    return t;
  }

  private readTypes(r: ByteReader): void {
    const n = r.count('type');
    for (let i = 0; i < n; i++) {
      const b = r.peek();
      if (b === 0x4e) {
        r.u8();
        this.gc = true;
        const m = r.count('rec group member');
        for (let j = 0; j < m; j++) this.readType(r);
      } else {
        this.readType(r);
      }
    }
  }

  /** One type of the section: built now, or (lazy reads) checked, skipped and built when first needed. */
  private readType(r: ByteReader): void {
    if (!this.lazy) {
      this.model.types.push(this.readSubType(r, this.model.types.length, true)!);
      return;
    }
    const start = r.pos;
    this.readSubType(r, this.typeOffsets.length, false);
    this.typeOffsets.push(start);
    this.typeSections.push(r);
  }

  /** A subtype; its entry when `build`, else only checked and skipped (undefined). */
  private readSubType(r: ByteReader, index: number, build: boolean): TypeEntry | undefined {
    const start = r.pos;
    const b = r.peek();
    if (b === 0x50 || b === 0x4f) {
      r.u8();
      this.gc = true;
      const supers = r.count('supertype');
      for (let k = 0; k < supers; k++) r.u32('supertype index');
    }
    let kind: TypeEntry['kind'] = 'other';
    let sig: FuncSig | undefined;
    const formAt = r.pos;
    const form = r.u8('type form');
    switch (form) {
      case 0x60: {
        const params: string[] | undefined = build ? [] : undefined;
        const results: string[] | undefined = build ? [] : undefined;
        this.readValTypes(r, 'param', params);
        if (this.readValTypes(r, 'result', results) > 1) this.multiValue = true;
        kind = 'func';
        if (params && results) sig = { params, results };
        break;
      }
      case 0x5f: {
        this.gc = true;
        kind = 'struct';
        const fields = r.count('struct field', 2);
        for (let k = 0; k < fields; k++) this.readFieldType(r);
        break;
      }
      case 0x5e:
        this.gc = true;
        kind = 'array';
        this.readFieldType(r);
        break;
      case 0x5d:
        kind = 'cont';
        r.sleb(33, 'continuation type index');
        break;
      default:
        r.fail(`unknown type form ${hex(form)} at ${hex(formAt)} (type ${index})`, formAt);
    }
    if (!build) return undefined;
    const entry: TypeEntry = { index, kind, span: { start, end: r.pos } };
    if (sig) entry.sig = sig;
    return entry;
  }

  private readFieldType(r: ByteReader): void {
    readStorageType(r, this.use);
    const at = r.pos;
    const m = r.u8('field mutability');
    if (m > 1) r.fail(`bad mutability ${hex(m)} at ${hex(at)}`, at);
  }

  /** A vector of value types, their spellings pushed to `out` (if given: else checked and skipped); the count. */
  private readValTypes(r: ByteReader, what: string, out: string[] | undefined): number {
    const n = r.count(what);
    let k = 0;
    if (out === undefined) {
      // checking only: i32, i64, f32 and f64 are one byte each, skipped in a tight loop (a module has thousands)
      const bytes = r.bytes;
      const base = r.base;
      let p = r.pos;
      while (k < n && p < r.end) {
        const b = bytes[p - base];
        if (b < 0x7c || b > 0x7f) break;
        p++;
        k++;
      }
      r.pos = p;
    }
    for (; k < n; k++) {
      const t = readValType(r, this.use);
      if (out) out.push(t);
    }
    return n;
  }

  private readLimits(r: ByteReader, what: 'memory' | 'table'): { limits: Limits; span: Span } {
    const start = r.pos;
    const flags = r.u8(`${what} limits flags`);
    if (flags > 0x0f) r.fail(`unknown ${what} limits flags ${hex(flags)} at ${hex(start)}`, start);
    const index64 = (flags & 4) !== 0;
    const min = index64 ? r.u64(`${what} minimum`) : r.u32(`${what} minimum`);
    const limits: Limits = { min, shared: (flags & 2) !== 0, index64, pageSizeLog2: DEFAULT_PAGE_SIZE_LOG2 };
    if (flags & 1) limits.max = index64 ? r.u64(`${what} maximum`) : r.u32(`${what} maximum`);
    if (flags & 8) {
      const at = r.pos;
      const log2 = r.u32('page size log2');
      if (log2 > 32) r.fail(`page size 2^${log2} at ${hex(at)} is not supported`, at);
      limits.pageSizeLog2 = log2;
    }
    return { limits, span: { start, end: r.pos } };
  }

  private readImports(r: ByteReader): void {
    this.importSection ??= r.pos;
    const n = r.count('import', 4);
    const m = this.model;
    const lazy = this.lazy;
    // signatures now, unless a lazy read has not decoded the types (then fillImportSigs does)
    const sigsNow = !lazy || !this.deferred.has(1);
    // a module imports from a few modules, hundreds of times: one string each (see pooledName)
    const modules = namePool(IMPORT_MODULES_SEED);
    keepLatest('import section reader', r);
    keepLatest('import module pool', modules);
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const module = r.pooledName('import module name', modules);
      const moduleSpan = { start: r.nameStart, end: r.pos };
      const name = r.nameValue('import field name');
      const nameSpan = { start: r.nameStart, end: r.pos };
      const kindAt = r.pos;
      const kindByte = r.u8('import kind');
      const kind = EXTERN_KINDS[kindByte];
      if (kind === undefined) r.fail(`unknown import kind ${hex(kindByte)} at ${hex(kindAt)} (import ${i} ${JSON.stringify(module)} ${JSON.stringify(name)})`, kindAt);
      const span = { start, end: start };
      // each kind's entry in one literal (the same key order for all): no properties added afterwards
      let entry: ImportEntry;
      switch (kind) {
        case 'func': {
          const typeIndex = r.u32('function type index');
          const sig = sigsNow ? this.typeSig(typeIndex) : undefined;
          entry = { module, name, kind, index: this.funcImports++, span, moduleSpan, nameSpan, typeIndex, sig };
          if (!lazy) this.funcs.push({ index: entry.index, typeIndex, sig, imported: { module, name }, span });
          break;
        }
        case 'table': {
          const refType = this.readRefType(r);
          const { limits, span: limitsSpan } = this.readLimits(r, 'table');
          entry = { module, name, kind, index: m.tables.length, span, moduleSpan, nameSpan, limits, refType };
          m.tables.push({ index: entry.index, limits, refType, imported: { module, name }, span, limitsSpan });
          break;
        }
        case 'memory': {
          const { limits, span: limitsSpan } = this.readLimits(r, 'memory');
          entry = { module, name, kind, index: m.memories.length, span, moduleSpan, nameSpan, limits };
          m.memories.push({ index: entry.index, limits, imported: { module, name }, span, limitsSpan });
          break;
        }
        case 'global': {
          const valType = readValType(r, this.use);
          const mutable = this.readMut(r);
          entry = { module, name, kind, index: this.globalImports++, span, moduleSpan, nameSpan, globalType: { valType, mutable } };
          if (!lazy) this.globals.push({ index: entry.index, valType, mutable, imported: { module, name }, span });
          break;
        }
        default: {
          const typeIndex = this.readTagType(r);
          entry = { module, name, kind, index: m.tags.length, span, moduleSpan, nameSpan, typeIndex, sig: sigsNow ? this.typeSig(typeIndex) : undefined };
          m.tags.push({ index: entry.index, typeIndex, imported: { module, name }, span });
          break;
        }
      }
      span.end = r.pos;
      m.imports.push(entry);
    }
    this.definedFuncStart = this.funcImports;
  }

  /** A reference type (tables, element segments): a value type that is not a number or vector. */
  private readRefType(r: ByteReader): string {
    const at = r.pos;
    const t = readValType(r, this.use);
    if (t === 'i32' || t === 'i64' || t === 'f32' || t === 'f64' || t === 'v128') r.fail(`malformed reference type ${t} at ${hex(at)}`, at);
    return t;
  }

  private readMut(r: ByteReader): boolean {
    const at = r.pos;
    const mut = r.u8('global mutability');
    if (mut > 1) r.fail(`bad global mutability ${hex(mut)} at ${hex(at)}`, at);
    return mut === 1;
  }

  private readTagType(r: ByteReader): number {
    const at = r.pos;
    const attr = r.u8('tag attribute');
    if (attr !== 0) r.fail(`unknown tag attribute ${hex(attr)} at ${hex(at)}`, at);
    return r.u32('tag type index');
  }

  private readFunctions(r: ByteReader): void {
    this.listImported('func');
    const n = r.count('function');
    this.declaredFuncs = n;
    const funcs = this.funcs;
    this.definedFuncStart = funcs.length;
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const typeIndex = r.u32('function type index');
      funcs.push({ index: funcs.length, typeIndex, sig: this.typeSig(typeIndex), span: { start, end: r.pos } });
    }
  }

  private readTables(r: ByteReader): void {
    const n = r.count('table', 2);
    const m = this.model;
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      let withInit = false;
      if (r.peek() === 0x40) {
        r.u8();
        const at = r.pos;
        if (r.u8('table reserved byte') !== 0) r.fail(`expected 0x00 after 0x40 in table ${m.tables.length} at ${hex(at)}`, at);
        withInit = true;
      }
      const refType = this.readRefType(r);
      const { limits, span } = this.readLimits(r, 'table');
      if (withInit) {
        const c = skipConstExpr(r);
        if (c.extended) this.extendedConst = true;
      }
      m.tables.push({ index: m.tables.length, limits, refType, span: { start, end: r.pos }, limitsSpan: span });
    }
  }

  private readMemories(r: ByteReader): void {
    const n = r.count('memory', 2);
    const m = this.model;
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const { limits, span } = this.readLimits(r, 'memory');
      m.memories.push({ index: m.memories.length, limits, span: { start, end: r.pos }, limitsSpan: span });
    }
  }

  private readGlobals(r: ByteReader): void {
    this.listImported('global');
    const n = r.count('global', 3);
    const globals = this.globals;
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const valType = readValType(r, this.use);
      const mutable = this.readMut(r);
      if (skipConstExpr(r).extended) this.extendedConst = true;
      globals.push({ index: globals.length, valType, mutable, span: { start, end: r.pos } });
    }
  }

  private readExports(r: ByteReader): void {
    const n = r.count('export', 3);
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const name = r.name('export name');
      const kindAt = r.pos;
      const kindByte = r.u8('export kind');
      const kind = EXTERN_KINDS[kindByte];
      if (kind === undefined) r.fail(`unknown export kind ${hex(kindByte)} at ${hex(kindAt)} (export ${JSON.stringify(name.value)})`, kindAt);
      const index = r.u32('export index');
      this.exports.push({ name: name.value, kind, index, span: { start, end: r.pos }, nameSpan: { start: name.start, end: name.end } });
    }
  }

  private readElems(r: ByteReader): void {
    const n = r.count('element segment');
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const flags = r.u32('element segment flags');
      if (flags > 7) r.fail(`unknown element segment flags ${flags} at ${hex(start)}`, start);
      const exprs = (flags & 4) !== 0;
      const mode = flags & 1 ? (flags & 2 ? 'declarative' : 'passive') : 'active';
      let table: number | undefined;
      if (mode === 'active') {
        table = flags & 2 ? r.u32('table index') : 0;
        if (skipConstExpr(r).extended) this.extendedConst = true;
      } else {
        this.bulkMemory = true;
      }
      if (flags & 3) {
        if (exprs) {
          const t = this.readRefType(r);
          if (t !== 'funcref') this.refTypesInSegments = true;
        } else {
          const at = r.pos;
          const kind = r.u8('element kind');
          if (kind !== 0) r.fail(`unknown element kind ${hex(kind)} at ${hex(at)}`, at);
        }
      }
      const count = r.count('element');
      if (exprs) {
        for (let k = 0; k < count; k++) skipConstExpr(r);
      } else {
        for (let k = 0; k < count; k++) r.u32('function index');
      }
      if (table !== undefined && table > 0) this.refTypesInSegments = true;
      this.elems.push({ index: this.elems.length, mode, table, count, span: { start, end: r.pos } });
    }
  }

  private readCode(r: ByteReader): void {
    this.sawCode = true;
    const n = r.count('function body');
    const funcs = this.funcs;
    const defined = funcs.length - this.definedFuncStart;
    if (n !== defined) {
      this.report(r.pos, `section 10 (code): ${n} function bodies but the function section declares ${defined} functions`);
    }
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const size = r.u32('function body size');
      if (size === 0) r.fail(`function body ${i} at ${hex(at)} is empty (a body needs at least its locals and end)`, at);
      const start = r.pos;
      if (size > r.end - start) r.fail(`function body ${i} (${size} bytes at ${hex(start)}) runs past the end of the section (${r.end - start} bytes left)`, at);
      r.pos = start + size;
      const f = funcs[this.definedFuncStart + i];
      if (f) {
        f.span = { start, end: start + size };
        f.bodySize = size;
      }
    }
  }

  private readData(r: ByteReader): void {
    const n = r.count('data segment');
    this.dataSectionCount = n;
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const flags = r.u32('data segment flags');
      if (flags > 2) r.fail(`unknown data segment flags ${flags} at ${hex(start)}`, start);
      let memory: number | undefined;
      if (flags === 1) this.bulkMemory = true;
      else {
        memory = flags === 2 ? r.u32('memory index') : 0;
        if (skipConstExpr(r).extended) this.extendedConst = true;
      }
      const sizeAt = r.pos;
      const size = r.u32('data segment size');
      if (size > r.remaining) r.fail(`data segment ${i} size ${size} at ${hex(sizeAt)} runs past the end of the section (${r.remaining} bytes left)`, sizeAt);
      r.pos += size;
      this.model.data.push({ index: i, mode: flags === 1 ? 'passive' : 'active', memory, size, span: { start, end: r.pos } });
    }
  }

  private readTags(r: ByteReader): void {
    const n = r.count('tag', 2);
    for (let i = 0; i < n; i++) {
      const start = r.pos;
      const typeIndex = this.readTagType(r);
      this.model.tags.push({ index: this.model.tags.length, typeIndex, span: { start, end: r.pos } });
    }
  }

  /** Cross-section checks, names, custom-section placement and feature detection. */
  private finish(): void {
    const m = this.model;
    const defined = this.declaredFuncs;
    if (defined > 0 && !this.sawCode) {
      this.report(this.byteLength, `the function section declares ${defined} functions but there is no code section (file ends at ${hex(this.byteLength)})`);
    }
    // (no data section: no segments; a header read takes the count from the data section's head)
    if (this.dataCount !== undefined && (this.dataSectionCount ?? 0) !== this.dataCount) {
      const section = m.sections!.find((s) => s.id === (this.dataSectionCount === undefined ? 12 : 11));
      this.report(
        section?.offset ?? this.byteLength,
        this.dataSectionCount === undefined
          ? `the data count section says ${this.dataCount} data segments but there is no data section`
          : `the data count section says ${this.dataCount} data segments but the data section has ${this.dataSectionCount}`,
      );
    }
    if (this.names && this.names.omitted > 0) {
      this.report(
        this.nameSectionOffset ?? 0,
        `the name section holds ${this.names.kept + this.names.omitted} names: only the first ${MAX_NAMES} are used (limit ${MAX_NAMES}); the other ${this.names.omitted} are checked and counted, not shown`,
        'warning',
        'input-limit',
      );
    }
    const omitted = m.customSectionsOmitted;
    if (omitted) this.report(omitted.span.start, omittedCustomSectionsMessage(m.customSections, omitted), 'warning', 'input-limit');
    this.applyNames();
    this.placeCustomSections();
    if (!this.lazy) m.features = this.detectFeatures();
  }

  private applyNames(): void {
    const names = this.names;
    if (!names) return;
    const m = this.model;
    if (names.module !== undefined) m.id = `$${names.module}`;
    const apply = (list: { index: number; id?: string }[], map: Map<number, string>) => {
      if (map.size === 0) return;
      for (const e of list) {
        const n = map.get(e.index);
        if (n !== undefined) e.id = `$${n}`;
      }
    };
    apply(this.funcs, names.functions);
    apply(m.types, names.types);
    apply(m.tables, names.tables);
    apply(m.memories, names.memories);
    apply(this.globals, names.globals);
    apply(m.tags, names.tags);
    apply(m.data, names.data);
    apply(this.elems, names.elems);
    for (const imp of m.imports) {
      const map =
        imp.kind === 'func'
          ? names.functions
          : imp.kind === 'table'
            ? names.tables
            : imp.kind === 'memory'
              ? names.memories
              : imp.kind === 'global'
                ? names.globals
                : names.tags;
      const n = map.get(imp.index);
      if (n !== undefined) imp.id = `$${n}`;
    }
  }

  private placeCustomSections(): void {
    const sections = this.model.sections!;
    let first = -1;
    let last = -1;
    sections.forEach((s, i) => {
      if (s.id !== 0) {
        if (first < 0) first = i;
        last = i;
      }
    });
    let c = 0;
    sections.forEach((s, i) => {
      if (s.id !== 0) return;
      const custom = this.model.customSections[c++];
      if (!custom) return;
      custom.placement = first < 0 || i < first ? 'first' : i > last ? 'last' : 'middle';
    });
  }

  private detectFeatures(): Feature[] {
    const m = this.model;
    const f = new Set<Feature>();
    for (const mem of m.memories) {
      if (mem.limits.shared) f.add('threads');
      if (mem.limits.index64) f.add('memory64');
      if (mem.limits.pageSizeLog2 !== DEFAULT_PAGE_SIZE_LOG2) f.add('custom-page-sizes');
    }
    if (m.memories.length > 1) f.add('multi-memory');
    for (const t of m.tables) {
      if (t.limits.index64) f.add('memory64');
      if (t.refType !== 'funcref') f.add('reference-types');
    }
    if (m.tables.length > 1 || this.refTypesInSegments || this.use.refTypes) f.add('reference-types');
    if (m.tags.length > 0) f.add('exceptions');
    if (this.gc) f.add('gc');
    if (this.use.typedRefs) f.add('function-references');
    if (this.use.simd) f.add('simd');
    if (this.multiValue) f.add('multi-value');
    if (this.bulkMemory) f.add('bulk-memory');
    if (this.extendedConst) f.add('extended-const');
    return [...f];
  }
}

function hexBytes(b: Uint8Array, start: number, end: number): string {
  const out: string[] = [];
  for (let i = start; i < end && i < b.length; i++) out.push(b[i].toString(16).padStart(2, '0'));
  return out.join(' ');
}

// One lazy and one eager read of a small module, kept alive for good: the shapes of the reader, the
// models, their entries and the byte readers then survive major GCs, and so does the optimized code
// specialized to them (see ../jit.ts; a policy check otherwise ran unoptimized again after each GC).
// The module: a type, an import, a function with its body, a memory and an export.
{
  const bytes = Uint8Array.of(
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f,
    2, 7, 1, 1, 0x6d, 1, 0x66, 0, 0,
    3, 2, 1, 0,
    5, 3, 1, 0, 1,
    7, 5, 1, 1, 0x65, 0, 1,
    10, 6, 1, 4, 0, 0x20, 0, 0x0b,
  );
  const lazy = readWasm(bytes, { bodies: false, data: false, ids: false, names: false, lazy: true });
  lazy.decodeAll();
  keepMaps(lazy, lazy.model.types, lazy.model.features, readWasm(bytes), new ByteReader(bytes, 0, 0));
}
