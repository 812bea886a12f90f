/**
 * The shared module model.
 *
 * Both the WAT parser (`engine/wat`) and the binary reader (`engine/binary`) produce a ModuleModel,
 * so every policy rule, inspection and summary is written once for both. Spans are text offsets when
 * `origin === 'wat'` and byte offsets when `origin === 'binary'` (see span.ts).
 *
 * Index spaces follow the spec: imported items come first, in import order, then the module's own.
 *
 * A model is built once and not changed afterwards (an edit or a new read makes a new model; a lazy
 * read only fills in the parts it deferred, see binary/reader.ts): the policy rules keep what they
 * derive from one (policy/rules/helpers.ts) for as long as it lives.
 */
import type { Span } from './span';
import type { ComponentInfo } from './component/model';

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

/** Proposals/features a module is seen to use (detected statically, no code scan needed for most). */
export type Feature =
  | 'threads' // shared memory, atomics
  | 'memory64'
  | 'multi-memory'
  | 'exceptions' // tags, try/throw
  | 'gc' // struct/array/rec types
  | 'reference-types'
  | 'simd'
  | 'tail-call'
  | 'bulk-memory'
  | 'multi-value'
  | 'custom-page-sizes'
  | 'function-references'
  | 'extended-const'
  | 'relaxed-simd';

export interface Limits {
  /** minimum, in pages for memories (see pageSizeLog2) and elements for tables */
  min: number;
  /** maximum, absent when the limit is unbounded */
  max?: number;
  shared: boolean;
  /** 64-bit index type (memory64 / table64) */
  index64: boolean;
  /** log2 of the page size: 16 (64 KiB) unless the custom-page-sizes proposal says otherwise */
  pageSizeLog2: number;
}

export interface ImportRef {
  module: string;
  name: string;
}

export interface FuncSig {
  params: string[];
  results: string[];
}

export interface TypeEntry {
  index: number;
  id?: string;
  kind: 'func' | 'struct' | 'array' | 'cont' | 'other';
  /** for func types */
  sig?: FuncSig;
  span: Span;
}

export interface ImportEntry extends ImportRef {
  kind: ExternKind;
  /** index within its kind's index space */
  index: number;
  /** `$id` in WAT (or the name-section name in a binary) of the imported item */
  id?: string;
  /** for functions/tags: the signature, when known */
  sig?: FuncSig;
  typeIndex?: number;
  /** for memories/tables */
  limits?: Limits;
  /** for tables: element reference type */
  refType?: string;
  /** for globals */
  globalType?: { valType: string; mutable: boolean };
  /** the whole import clause: `(import "m" "n" (func ...))` or the inline `(func (import "m" "n") ...)` */
  span: Span;
  /** the module-name string and the field-name string, when the source has them separately */
  moduleSpan?: Span;
  nameSpan?: Span;
}

export interface FuncEntry {
  index: number;
  id?: string;
  typeIndex?: number;
  sig?: FuncSig;
  imported?: ImportRef;
  /** the function field (WAT) or its body in the code section (binary; function-section entry if no body) */
  span: Span;
  /** byte size of the body (binary) */
  bodySize?: number;
}

export interface MemoryEntry {
  index: number;
  id?: string;
  limits: Limits;
  imported?: ImportRef;
  span: Span;
  /** the limits clause itself, for precise squiggles and quick fixes */
  limitsSpan?: Span;
}

export interface TableEntry {
  index: number;
  id?: string;
  limits: Limits;
  refType: string;
  imported?: ImportRef;
  span: Span;
  limitsSpan?: Span;
}

export interface GlobalEntry {
  index: number;
  id?: string;
  valType: string;
  mutable: boolean;
  imported?: ImportRef;
  span: Span;
}

export interface TagEntry {
  index: number;
  id?: string;
  typeIndex?: number;
  imported?: ImportRef;
  span: Span;
}

export interface ExportEntry {
  name: string;
  kind: ExternKind;
  /** index in the kind's index space */
  index: number;
  span: Span;
  nameSpan?: Span;
}

export interface StartEntry {
  func: number;
  span: Span;
}

export interface DataSegment {
  index: number;
  id?: string;
  mode: 'active' | 'passive';
  memory?: number;
  /** payload size in bytes */
  size: number;
  span: Span;
}

export interface ElemSegment {
  index: number;
  id?: string;
  mode: 'active' | 'passive' | 'declarative';
  table?: number;
  /** number of elements */
  count: number;
  span: Span;
}

export interface CustomSection {
  name: string;
  /** payload size in bytes (WAT: size of the annotation's content, when written as `(@custom ...)`) */
  size: number;
  span: Span;
  /** where, relative to known sections (binary): 'first' when before all other sections */
  placement?: 'first' | 'middle' | 'last';
}

/**
 * Custom sections past the listed ones (binary: see MAX_LISTED_CUSTOM_SECTIONS): counted, not listed,
 * so a module made of millions of tiny sections costs a count, not a list. Policy rules on custom
 * sections look at the distinct names and the largest size kept here.
 */
export interface OmittedCustomSections {
  count: number;
  /** payload bytes of all of them */
  bytes: number;
  /** the largest payload */
  largest: number;
  /** their distinct names, the first MAX_OMITTED_CUSTOM_NAMES of them */
  names: string[];
  /** true when there were more distinct names than `names` holds */
  moreNames: boolean;
  /** the first of them */
  span: Span;
}

export interface SectionInfo {
  id: number;
  /** `type`, `import`, ... or `custom:<name>` */
  name: string;
  /** offset of the section id byte */
  offset: number;
  /** offset of the payload */
  payloadOffset: number;
  /** payload size in bytes */
  size: number;
}

export interface ModuleModel {
  origin: 'wat' | 'binary';
  /** a core module, or a component (binary only; its parts are in `component`, the core lists stay empty) */
  kind: 'module' | 'component';
  /** components: imports, exports, nested modules and components, canonical functions (component/model.ts) */
  component?: ComponentInfo;
  /** `$name` of a WAT module, or the module name from the `name` section */
  id?: string;
  /** the whole module */
  span: Span;
  types: TypeEntry[];
  imports: ImportEntry[];
  funcs: FuncEntry[];
  tables: TableEntry[];
  memories: MemoryEntry[];
  globals: GlobalEntry[];
  tags: TagEntry[];
  exports: ExportEntry[];
  start?: StartEntry;
  data: DataSegment[];
  elems: ElemSegment[];
  customSections: CustomSection[];
  /** binary only: custom sections past the first MAX_LISTED_CUSTOM_SECTIONS (counted, not listed) */
  customSectionsOmitted?: OmittedCustomSections;
  features: Feature[];
  /** binary only: the sections in file order */
  sections?: SectionInfo[];
  /** binary only: file size in bytes */
  byteLength?: number;
}

export function emptyModel(origin: ModuleModel['origin'], span: Span): ModuleModel {
  return {
    origin,
    kind: 'module',
    span,
    types: [],
    imports: [],
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    tags: [],
    exports: [],
    data: [],
    elems: [],
    customSections: [],
    features: [],
  };
}

export const DEFAULT_PAGE_SIZE_LOG2 = 16;

/** Bytes a memory may reach at its declared maximum (undefined when unbounded). */
export function memoryMaxBytes(limits: Limits): number | undefined {
  return limits.max === undefined ? undefined : limits.max * 2 ** limits.pageSizeLog2;
}

export function memoryMinBytes(limits: Limits): number {
  return limits.min * 2 ** limits.pageSizeLog2;
}
