/**
 * The `$ids` a printed module uses, from its name section: one resolved id per named entry of each
 * index space, spelled so our parser (and other WAT tools) read them back. A name that is not a plain
 * id becomes `$"..."` (escaped); a name already taken in its index space gets no id (the entry is then
 * printed and referenced by its index), so the text never declares an id twice.
 */
import type { NameMap, NameSection } from '../binary/name-section';
import { watId } from '../binary/wat-strings';

/** Resolved ids of one index space: index -> `$id` (only named entries are in it). */
export type IdMap = Map<number, string>;

const NO_IDS: IdMap = new Map();

export interface PrintNamesOptions {
  /** spell names that are not plain ids as `$"..."` (default true); false drops those names */
  quotedIds?: boolean;
}

const PLAIN_ID = /^[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+$/;

/** `$name` or `$"..."` for a name, or undefined when it cannot be an id under the options. */
export function idFor(name: string, quoted: boolean): string | undefined {
  if (name.length === 0) return undefined; // `$""` is no id
  if (PLAIN_ID.test(name)) return '$' + name;
  return quoted ? watId(name) : undefined;
}

function resolve(map: NameMap | undefined, quoted: boolean): IdMap {
  const out: IdMap = new Map();
  if (!map || map.size === 0) return out;
  // deduplicated by name, not by id: idFor maps distinct names to distinct ids (a plain id has no `"`,
  // a quoted one starts with it), and the decoded names are flat strings whose hashes are cached, where
  // each `$` + name would be flattened and hashed again (35,881 long Rust names: a third of the time)
  const used = new Set<string>();
  for (const [index, name] of map) {
    if (used.has(name)) continue;
    const id = idFor(name, quoted);
    if (id === undefined) continue;
    used.add(name);
    // flat: an id is written once per reference to it, and `'$' + name` is a rope each copy walks again
    out.set(index, id.length < 13 ? id : Buffer.from(id, 'utf8').toString('utf8'));
  }
  return out;
}

export class PrintNames {
  readonly funcs: IdMap;
  readonly types: IdMap;
  readonly tables: IdMap;
  readonly memories: IdMap;
  readonly globals: IdMap;
  readonly elems: IdMap;
  readonly data: IdMap;
  readonly tags: IdMap;
  readonly module?: string;
  private readonly localNames: Map<number, NameMap>;
  private readonly labelNames: Map<number, NameMap>;
  private readonly fieldNames: Map<number, NameMap>;
  /** resolved field ids by type, made on first use (a struct.get names its field at every use) */
  private readonly fieldIds = new Map<number, IdMap>();
  private readonly quoted: boolean;

  constructor(section: NameSection | undefined, options: PrintNamesOptions = {}) {
    const q = (this.quoted = options.quotedIds !== false);
    this.funcs = resolve(section?.functions, q);
    this.types = resolve(section?.types, q);
    this.tables = resolve(section?.tables, q);
    this.memories = resolve(section?.memories, q);
    this.globals = resolve(section?.globals, q);
    this.elems = resolve(section?.elems, q);
    this.data = resolve(section?.data, q);
    this.tags = resolve(section?.tags, q);
    if (section?.module !== undefined) this.module = idFor(section.module, q);
    this.localNames = section?.locals ?? new Map();
    this.labelNames = section?.labels ?? new Map();
    this.fieldNames = section?.fields ?? new Map();
  }

  /** Drops names of indices past the end of their index space (a corrupted module names what it lacks). */
  prune(sizes: { funcs: number; types: number; tables: number; memories: number; globals: number; tags: number }): void {
    const cut = (m: IdMap, n: number) => {
      for (const k of m.keys()) if (k >= n) m.delete(k);
    };
    cut(this.funcs, sizes.funcs);
    cut(this.types, sizes.types);
    cut(this.tables, sizes.tables);
    cut(this.memories, sizes.memories);
    cut(this.globals, sizes.globals);
    cut(this.tags, sizes.tags);
  }

  /** The ids of one function's locals (params first), deduplicated. */
  locals(func: number): IdMap {
    const names = this.localNames.get(func);
    // most functions of a large module have no local names: no new map for each (read only, like all IdMaps here)
    return names && names.size ? resolve(names, this.quoted) : NO_IDS;
  }

  /** The ids of one struct type's fields (by field index), deduplicated within the type. */
  fields(type: number): IdMap {
    const names = this.fieldNames.get(type);
    if (!names || names.size === 0) return NO_IDS;
    let ids = this.fieldIds.get(type);
    if (ids === undefined) this.fieldIds.set(type, (ids = resolve(names, this.quoted)));
    return ids;
  }

  /** The raw label names of one function (by the ordinal of the block that opens the label). */
  labels(func: number): NameMap | undefined {
    return this.labelNames.get(func);
  }

  /** No names at all. */
  static none(): PrintNames {
    return new PrintNames(undefined);
  }
}
