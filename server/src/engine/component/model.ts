/**
 * What the component reader (reader.ts) makes of a WebAssembly component (binary version 0x0d, layer 1):
 * its imports and exports with their names and types, its nested core modules and components (each at
 * its byte offset), its canonical functions and how many entries each other section declares.
 *
 * A component's `ModuleModel` (kind 'component') carries one of these as `component`; its core-module
 * parts (`imports`, `funcs`, `memories`...) stay empty: the core modules inside are internal wiring,
 * listed here and read by the core reader when something asks for them.
 */
import type { Span } from '../span';
import type { SectionInfo } from '../model';
import type { ComponentType } from './types';
import type { ExternName } from './names';

/** The sorts a component import or export can have. */
export type ExternSort = 'module' | 'func' | 'value' | 'type' | 'component' | 'instance';

export interface ComponentExtern {
  /** the name as written (`wasi:cli/stdout@0.2.3`, `run`, `url=<...>`) */
  name: string;
  /** what the name says (interface name, plain name, URL, hash...) */
  parsed: ExternName;
  sort: ExternSort;
  /** the declared type (an instance type lists the interface's functions and types), when known */
  type?: ComponentType;
  /** the whole import/export entry, and the name's bytes */
  span: Span;
  nameSpan: Span;
}

export type ComponentImport = ComponentExtern;
export type ComponentExport = ComponentExtern;

/** A core module inside a component (section 1): a whole core module binary at `start..end`. */
export interface NestedModule {
  /** index in its component's core-module index space */
  index: number;
  /** where the module sits: `module 0`, `component 1 / module 0` ... (components counted per parent) */
  path: string;
  /** offset of the section's id byte, and of the module's own bytes (its `\0asm`) and their end */
  offset: number;
  start: number;
  end: number;
  /** nesting depth of its component (0: the file's component) */
  depth: number;
}

/** A canonical function definition (section 8): `canon lift`, `canon lower`, `resource.new`... */
export interface CanonFunc {
  /** `lift`, `lower`, `resource.new`, `task.return`, `stream.read` ... */
  op: string;
  /** the canonical options, as written in component WAT (`string-encoding=utf8`, `(memory 0)`, `async`...) */
  options: string[];
  span: Span;
}

/** A core instance (section 2): instantiating a core module with named arguments, or a bag of exports. */
export interface CoreInstance {
  index: number;
  /** `instantiate` a module (index `module`), or `exports` gathered from other items */
  how: 'instantiate' | 'exports';
  module?: number;
  /** the instantiation arguments' (or exports') names */
  names: string[];
  span: Span;
}

export interface ComponentInfo {
  /** 0 for the file's component */
  depth: number;
  /** `component 1 / component 0` for nested ones, '' for the file's */
  path: string;
  /** the component's bytes (its preamble to its end) */
  span: Span;
  imports: ComponentImport[];
  exports: ComponentExport[];
  /** core modules directly inside this component */
  modules: NestedModule[];
  /** components directly inside this component */
  components: ComponentInfo[];
  coreInstances: CoreInstance[];
  canons: CanonFunc[];
  /** entries of the sections not modelled one by one */
  counts: { coreTypes: number; instances: number; aliases: number; types: number; values: number; starts: number };
  /** this component's sections in file order */
  sections: SectionInfo[];
  /** components nested deeper than MAX_COMPONENT_DEPTH inside this one (not read) */
  tooDeep?: number;
  /** listed but not read: a header-only file read (a policy check) does not read nested components */
  unread?: boolean;
}

/** All core modules of a component and of its nested components, in file order. */
export function allNestedModules(info: ComponentInfo): NestedModule[] {
  const out: NestedModule[] = [];
  const stack: ComponentInfo[] = [info];
  while (stack.length) {
    const c = stack.pop()!;
    out.push(...c.modules);
    for (let i = c.components.length - 1; i >= 0; i--) stack.push(c.components[i]);
  }
  return out.sort((a, b) => a.start - b.start);
}
