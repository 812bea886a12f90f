/**
 * Component-model types (the type section, section 7, and the type declarations inside instance and
 * component types), decoded into a small tree the policy and the WIT-style view read: an instance
 * type lists an interface's functions (with their parameter and result types) and its named types.
 *
 * Types refer to earlier types by index, so the tree is a DAG, never a cycle; deftypes nest (a
 * component type declares instance types declaring ...), bounded by MAX_TYPE_DEPTH. Every read goes
 * through the bounds-checked ByteReader, which throws WasmFormatError; the reader catches it.
 */
import type { ByteReader } from '../binary/byte-reader';
import { hex } from '../binary/byte-reader';
import type { ExternSort } from './model';

export type ComponentType =
  | { k: 'prim'; name: string }
  | { k: 'record'; fields: [string, ComponentType][] }
  | { k: 'variant'; cases: [string, ComponentType | undefined][] }
  | { k: 'list'; of: ComponentType; length?: number }
  | { k: 'tuple'; of: ComponentType[] }
  | { k: 'flags' | 'enum'; names: string[] }
  | { k: 'option'; of: ComponentType }
  | { k: 'result'; ok?: ComponentType; err?: ComponentType }
  | { k: 'own' | 'borrow'; of: ComponentType }
  | { k: 'stream' | 'future'; of?: ComponentType }
  | { k: 'func'; params: [string, ComponentType][]; result?: ComponentType; async: boolean }
  | { k: 'instance'; exports: TypeDecl[] }
  | { k: 'component'; imports: TypeDecl[]; exports: TypeDecl[] }
  | { k: 'resource' }
  /** a type given a name by an import/export declaration or an alias (`descriptor`, `error`) */
  | { k: 'named'; name: string; of: ComponentType }
  | { k: 'core-module' }
  | { k: 'unknown' };

/** An import or export declared inside an instance or component type. */
export interface TypeDecl {
  name: string;
  sort: ExternSort;
  type?: ComponentType;
}

export const UNKNOWN: ComponentType = { k: 'unknown' };

/** Deepest nesting of instance/component types inside one another that is decoded. */
export const MAX_TYPE_DEPTH = 64;

const PRIMITIVES: Record<number, string> = {
  0x7f: 'bool',
  0x7e: 's8',
  0x7d: 'u8',
  0x7c: 's16',
  0x7b: 'u16',
  0x7a: 's32',
  0x79: 'u32',
  0x78: 's64',
  0x77: 'u64',
  0x76: 'f32',
  0x75: 'f64',
  0x74: 'char',
  0x73: 'string',
  0x64: 'error-context',
};
const PRIM_TYPES: Record<number, ComponentType> = Object.fromEntries(Object.entries(PRIMITIVES).map(([b, name]) => [b, { k: 'prim', name }]));

/**
 * The index spaces a scope of declarations has (a component, or an instance/component type's
 * declarations): what the types of its types, functions and instances are. `parent` is the enclosing
 * scope, for outer aliases.
 */
export class Scope {
  readonly types: ComponentType[] = [];
  readonly funcs: (ComponentType | undefined)[] = [];
  readonly instances: (ComponentType | undefined)[] = [];
  /** what each component of the index space exports (a nested component's list fills in as it is read) */
  readonly components: (readonly TypeDecl[] | undefined)[] = [];
  modules = 0;
  constructor(readonly parent?: Scope) {}

  type(i: number): ComponentType {
    return this.types[i] ?? UNKNOWN;
  }

  /** The scope `count` levels out (0: this one). */
  outer(count: number): Scope | undefined {
    let s: Scope | undefined = this;
    for (let i = 0; i < count && s; i++) s = s.parent;
    return s;
  }

  /** Adds an entry of `sort` with its type (if known) to its index space. */
  add(sort: ExternSort, type: ComponentType | undefined): void {
    if (sort === 'type') this.types.push(type ?? UNKNOWN);
    else if (sort === 'func') this.funcs.push(type);
    else if (sort === 'instance') this.instances.push(type);
    else if (sort === 'component') this.components.push(type?.k === 'component' ? type.exports : undefined);
    else if (sort === 'module') this.modules++;
  }

  /** The type of an entry of an index space, when known. */
  typeOf(sort: ExternSort, index: number): ComponentType | undefined {
    if (sort === 'type') return this.types[index];
    if (sort === 'func') return this.funcs[index];
    if (sort === 'instance') return this.instances[index];
    return undefined;
  }
}

/** The named type `name` exported by an instance type (for `alias export`), if it declares one. */
export function exportedType(instance: ComponentType | undefined, name: string): ComponentType | undefined {
  if (instance?.k !== 'instance') return undefined;
  for (const d of instance.exports) if (d.name === name) return d.type;
  return undefined;
}

/** `sort` byte(s) of a component sortidx/alias: returns the component sort, or 'core' for core sorts. */
export function readSort(r: ByteReader): ExternSort | 'core' {
  const at = r.pos;
  const b = r.u8('sort');
  switch (b) {
    case 0x00:
      // core modules are the one core sort a component may import or export
      return r.u8('core sort') === 0x11 ? 'module' : 'core';
    case 0x01:
      return 'func';
    case 0x02:
      return 'value';
    case 0x03:
      return 'type';
    case 0x04:
      return 'component';
    case 0x05:
      return 'instance';
  }
  return r.fail(`unknown sort 0x${b.toString(16)} at ${hex(at)}`, at);
}

/** A value type: a primitive, or an index into the scope's types. */
export function readValType(r: ByteReader, scope: Scope): ComponentType {
  const b = r.peek();
  const prim = PRIM_TYPES[b];
  if (prim) {
    r.pos++;
    return prim;
  }
  const at = r.pos;
  const i = r.sleb(33, 'type index');
  if (i < 0) r.fail(`unknown value type 0x${b.toString(16)} at ${hex(at)}`, at);
  return scope.type(i);
}

function optional<T>(r: ByteReader, read: () => T): T | undefined {
  const at = r.pos;
  const flag = r.u8('option flag');
  if (flag === 0) return undefined;
  if (flag === 1) return read();
  return r.fail(`bad option flag 0x${flag.toString(16)} at ${hex(at)} (expected 0 or 1)`, at);
}

function labels(r: ByteReader, what: string): string[] {
  const n = r.count(what, 1);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.nameValue(what));
  return out;
}

/** `externdesc`: the sort and type of an import or export declaration. */
export function readExternDesc(r: ByteReader, scope: Scope): { sort: ExternSort; type?: ComponentType; bound?: 'eq' | 'sub-resource' } {
  const at = r.pos;
  const b = r.u8('extern kind');
  switch (b) {
    case 0x00: {
      const c = r.u8('core sort');
      if (c !== 0x11) r.fail(`import/export of core sort 0x${c.toString(16)} at ${hex(at)}: only core modules can be imported`, at);
      r.u32('core type index');
      return { sort: 'module', type: { k: 'core-module' } };
    }
    case 0x01:
      return { sort: 'func', type: scope.type(r.u32('type index')) };
    case 0x02: {
      const vb = r.u8('value bound');
      if (vb === 0x00) r.u32('value index');
      else if (vb === 0x01) return { sort: 'value', type: readValType(r, scope) };
      else r.fail(`bad value bound 0x${vb.toString(16)} at ${hex(r.pos - 1)}`, r.pos - 1);
      return { sort: 'value' };
    }
    case 0x03: {
      const tb = r.u8('type bound');
      if (tb === 0x00) return { sort: 'type', type: scope.type(r.u32('type index')), bound: 'eq' };
      if (tb === 0x01) return { sort: 'type', type: { k: 'resource' }, bound: 'sub-resource' };
      return r.fail(`bad type bound 0x${tb.toString(16)} at ${hex(r.pos - 1)}`, r.pos - 1);
    }
    case 0x04:
      return { sort: 'component', type: scope.type(r.u32('type index')) };
    case 0x05:
      return { sort: 'instance', type: scope.type(r.u32('type index')) };
  }
  return r.fail(`unknown extern kind 0x${b.toString(16)} at ${hex(at)}`, at);
}

/** An import or export name: a discriminant byte (0x00, or 0x01 of older binaries) and the string. */
export function readExternName(r: ByteReader, what: string): { value: string; start: number; end: number } {
  const at = r.pos;
  const d = r.u8(`${what} name kind`);
  if (d !== 0x00 && d !== 0x01) r.fail(`unknown ${what} name kind 0x${d.toString(16)} at ${hex(at)}`, at);
  return r.name(`${what} name`);
}

/** Adds what a declaration introduces to the scope: a named type for type imports/exports. */
export function declare(scope: Scope, name: string, desc: { sort: ExternSort; type?: ComponentType }): ComponentType | undefined {
  const type = desc.sort === 'type' ? { k: 'named' as const, name, of: desc.type ?? UNKNOWN } : desc.type;
  scope.add(desc.sort, type);
  return type;
}

/** One `deftype` (a type section entry, or a `type` declaration inside an instance/component type). */
export function readDefType(r: ByteReader, scope: Scope, depth: number): ComponentType {
  const at = r.pos;
  const b = r.u8('type form');
  const prim = PRIM_TYPES[b];
  if (prim) return prim;
  switch (b) {
    case 0x72: {
      const n = r.count('record field', 2);
      const fields: [string, ComponentType][] = [];
      for (let i = 0; i < n; i++) fields.push([r.nameValue('field name'), readValType(r, scope)]);
      return { k: 'record', fields };
    }
    case 0x71: {
      const n = r.count('variant case', 3);
      const cases: [string, ComponentType | undefined][] = [];
      for (let i = 0; i < n; i++) {
        const name = r.nameValue('case name');
        const t = optional(r, () => readValType(r, scope));
        const refines = r.u8('case refines');
        if (refines === 1) r.u32('case refines index');
        cases.push([name, t]);
      }
      return { k: 'variant', cases };
    }
    case 0x70:
      return { k: 'list', of: readValType(r, scope) };
    case 0x67: {
      const of = readValType(r, scope);
      return { k: 'list', of, length: r.u32('list length') };
    }
    case 0x6f: {
      const n = r.count('tuple field', 1);
      const of: ComponentType[] = [];
      for (let i = 0; i < n; i++) of.push(readValType(r, scope));
      return { k: 'tuple', of };
    }
    case 0x6e:
      return { k: 'flags', names: labels(r, 'flag') };
    case 0x6d:
      return { k: 'enum', names: labels(r, 'enum case') };
    case 0x6b:
      return { k: 'option', of: readValType(r, scope) };
    case 0x6a: {
      const ok = optional(r, () => readValType(r, scope));
      const err = optional(r, () => readValType(r, scope));
      return { k: 'result', ok, err };
    }
    case 0x69:
      return { k: 'own', of: scope.type(r.u32('resource type index')) };
    case 0x68:
      return { k: 'borrow', of: scope.type(r.u32('resource type index')) };
    case 0x66:
      return { k: 'stream', of: optional(r, () => readValType(r, scope)) };
    case 0x65:
      return { k: 'future', of: optional(r, () => readValType(r, scope)) };
    case 0x40:
    case 0x43:
      return readFuncType(r, scope, b === 0x43);
    case 0x41:
    case 0x42:
      return readDeclarations(r, scope, depth, b === 0x41);
    case 0x3f: {
      r.u8('resource representation');
      optional(r, () => r.u32('destructor index'));
      return { k: 'resource' };
    }
    case 0x3e: {
      r.u8('resource representation');
      r.u32('destructor index');
      optional(r, () => r.u32('callback index'));
      return { k: 'resource' };
    }
  }
  return r.fail(`unknown type form 0x${b.toString(16)} at ${hex(at)}`, at);
}

function readFuncType(r: ByteReader, scope: Scope, async: boolean): ComponentType {
  const n = r.count('parameter', 2);
  const params: [string, ComponentType][] = [];
  for (let i = 0; i < n; i++) params.push([r.nameValue('parameter name'), readValType(r, scope)]);
  const at = r.pos;
  const form = r.u8('result list');
  let result: ComponentType | undefined;
  if (form === 0x00) result = readValType(r, scope);
  else if (form === 0x01) {
    // no result (`0x01 0x00`); older binaries named results here
    const named = r.count('named result', 2);
    const fields: [string, ComponentType][] = [];
    for (let i = 0; i < named; i++) fields.push([r.nameValue('result name'), readValType(r, scope)]);
    if (named) result = { k: 'record', fields };
  } else r.fail(`bad result list 0x${form.toString(16)} at ${hex(at)}`, at);
  return { k: 'func', params, result, async };
}

/** The declarations of a component type (0x41) or an instance type (0x42), in a scope of their own. */
function readDeclarations(r: ByteReader, outer: Scope, depth: number, component: boolean): ComponentType {
  if (depth >= MAX_TYPE_DEPTH) r.fail(`types nested deeper than ${MAX_TYPE_DEPTH} levels at ${hex(r.pos)}`);
  const scope = new Scope(outer);
  const n = r.count('declaration', 2);
  const imports: TypeDecl[] = [];
  const exports: TypeDecl[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const d = r.u8('declaration kind');
    switch (d) {
      case 0x00:
        skipCoreType(r, depth + 1);
        break;
      case 0x01:
        scope.types.push(readDefType(r, scope, depth + 1));
        break;
      case 0x02:
        readAlias(r, scope);
        break;
      case 0x03:
      case 0x04: {
        if (d === 0x03 && !component) r.fail(`import declaration inside an instance type at ${hex(at)}`, at);
        const name = readExternName(r, d === 0x03 ? 'import' : 'export').value;
        const desc = readExternDesc(r, scope);
        const type = declare(scope, name, desc);
        (d === 0x03 ? imports : exports).push({ name, sort: desc.sort, type });
        break;
      }
      default:
        r.fail(`unknown declaration kind 0x${d.toString(16)} at ${hex(at)}`, at);
    }
  }
  return component ? { k: 'component', imports, exports } : { k: 'instance', exports };
}

/**
 * An alias (section 6 entry, or a declaration): adds the aliased item to its index space. Returns the
 * sort, for counting.
 */
export function readAlias(r: ByteReader, scope: Scope): ExternSort | 'core' {
  const sort = readSort(r);
  const at = r.pos;
  const target = r.u8('alias target');
  if (target === 0x00) {
    const instance = r.u32('instance index');
    const name = r.nameValue('export name');
    if (sort !== 'core') {
      const t = sort === 'type' ? exportedType(scope.instances[instance], name) : exportedDecl(scope.instances[instance], name);
      scope.add(sort, t ?? (sort === 'type' ? { k: 'named', name, of: UNKNOWN } : undefined));
    }
  } else if (target === 0x01) {
    r.u32('core instance index');
    r.nameValue('core export name');
  } else if (target === 0x02) {
    const count = r.u32('outer count');
    const index = r.u32('outer index');
    if (sort !== 'core') scope.add(sort, scope.outer(count)?.typeOf(sort, index));
  } else {
    r.fail(`unknown alias target 0x${target.toString(16)} at ${hex(at)}`, at);
  }
  return sort;
}

function exportedDecl(instance: ComponentType | undefined, name: string): ComponentType | undefined {
  return exportedType(instance, name);
}

/**
 * Skips one core type (a core type section entry or declaration): a function type (0x60) or a module
 * type (0x50) with its declarations. Core types of the GC proposal end the section (reported).
 */
export function skipCoreType(r: ByteReader, depth: number): void {
  const at = r.pos;
  const b = r.u8('core type form');
  if (b === 0x60) {
    for (let k = 0; k < 2; k++) {
      const n = r.count('core value type', 1);
      for (let i = 0; i < n; i++) skipCoreValType(r);
    }
    return;
  }
  if (b === 0x50) {
    if (depth >= MAX_TYPE_DEPTH) r.fail(`types nested deeper than ${MAX_TYPE_DEPTH} levels at ${hex(at)}`, at);
    const n = r.count('module type declaration', 2);
    for (let i = 0; i < n; i++) {
      const dat = r.pos;
      const d = r.u8('module type declaration kind');
      if (d === 0x00) {
        r.nameValue('import module');
        r.nameValue('import name');
        skipCoreImportDesc(r);
      } else if (d === 0x01) skipCoreType(r, depth + 1);
      else if (d === 0x02) {
        r.u8('core sort');
        const t = r.u8('alias target');
        if (t !== 0x01) r.fail(`bad core alias target 0x${t.toString(16)} at ${hex(r.pos - 1)}`, r.pos - 1);
        r.u32('outer count');
        r.u32('outer index');
      } else if (d === 0x03) {
        r.nameValue('export name');
        skipCoreImportDesc(r);
      } else r.fail(`unknown module type declaration 0x${d.toString(16)} at ${hex(dat)}`, dat);
    }
    return;
  }
  r.fail(`core type form 0x${b.toString(16)} at ${hex(at)} is not read (only function and module types)`, at);
}

function skipCoreValType(r: ByteReader): void {
  const at = r.pos;
  const b = r.u8('core value type');
  if (b >= 0x7b && b <= 0x7f) return; // i32 i64 f32 f64 v128
  if (b >= 0x69 && b <= 0x74) return; // abstract reference types (funcref, externref ...)
  if (b === 0x63 || b === 0x64) {
    r.sleb(33, 'heap type');
    return;
  }
  r.fail(`unknown core value type 0x${b.toString(16)} at ${hex(at)}`, at);
}

function skipLimits(r: ByteReader): void {
  const at = r.pos;
  const flags = r.u8('limits flags');
  if (flags > 0x0f) r.fail(`bad limits flags 0x${flags.toString(16)} at ${hex(at)}`, at);
  const wide = (flags & 0x04) !== 0;
  if (wide) r.u64('limit minimum');
  else r.u32('limit minimum');
  if (flags & 0x01) {
    if (wide) r.u64('limit maximum');
    else r.u32('limit maximum');
  }
  if (flags & 0x08) r.u32('page size');
}

function skipCoreImportDesc(r: ByteReader): void {
  const at = r.pos;
  const k = r.u8('import kind');
  if (k === 0x00) r.u32('type index');
  else if (k === 0x01) {
    skipCoreValType(r);
    skipLimits(r);
  } else if (k === 0x02) skipLimits(r);
  else if (k === 0x03) {
    skipCoreValType(r);
    r.u8('mutability');
  } else if (k === 0x04) {
    r.u8('tag attribute');
    r.u32('type index');
  } else r.fail(`unknown import kind 0x${k.toString(16)} at ${hex(at)}`, at);
}
