/**
 * The `name` custom section (and its extended-name subsections): module, function, local, label,
 * type, table, memory, global, elem, data, field and tag names.
 */
import { ByteReader, hex } from './byte-reader';

export type NameMap = Map<number, string>;

export interface NameSection {
  module?: string;
  functions: NameMap;
  /** function index -> local index -> name (only filled when asked for, see readNameSection) */
  locals: Map<number, NameMap>;
  types: NameMap;
  tables: NameMap;
  memories: NameMap;
  globals: NameMap;
  elems: NameMap;
  data: NameMap;
  tags: NameMap;
}

export function emptyNameSection(): NameSection {
  return {
    functions: new Map(),
    locals: new Map(),
    types: new Map(),
    tables: new Map(),
    memories: new Map(),
    globals: new Map(),
    elems: new Map(),
    data: new Map(),
    tags: new Map(),
  };
}

const SUBSECTION_NAMES = ['module', 'function', 'local', 'label', 'type', 'table', 'memory', 'global', 'elem', 'data', 'field', 'tag'];

function readNameMap(r: ByteReader, into: NameMap | undefined, what: string): void {
  const n = r.count(`${what} name`, 2);
  for (let i = 0; i < n; i++) {
    const idx = r.u32(`${what} index`);
    const name = r.name(`${what} name`);
    into?.set(idx, name.value);
  }
}

/**
 * Reads the payload of a `name` section in [start, end). Throws WasmFormatError on malformed
 * content; subsections already read stay in `out`. Local names are kept only when `withLocals`.
 */
export function readNameSection(bytes: Uint8Array, start: number, end: number, out: NameSection, withLocals: boolean): void {
  const r = new ByteReader(bytes, start, end);
  let lastId = -1;
  while (!r.atEnd()) {
    const at = r.pos;
    const id = r.u8('name subsection id');
    const size = r.u32('name subsection size');
    if (size > r.remaining) r.fail(`name subsection ${id} at ${hex(at)} has size ${size} past the end of the section`, at);
    if (id <= lastId && id < SUBSECTION_NAMES.length) r.fail(`name subsection ${id} at ${hex(at)} is out of order or repeated`, at);
    lastId = Math.max(lastId, id);
    const sub = new ByteReader(bytes, r.pos, r.pos + size);
    r.pos += size;
    switch (id) {
      case 0:
        out.module = sub.name('module name').value;
        break;
      case 1:
        readNameMap(sub, out.functions, 'function');
        break;
      case 2: {
        const n = sub.count('local name map', 2);
        for (let i = 0; i < n; i++) {
          const f = sub.u32('function index');
          const map: NameMap | undefined = withLocals ? new Map() : undefined;
          readNameMap(sub, map, 'local');
          if (map && map.size) out.locals.set(f, map);
        }
        break;
      }
      case 4:
        readNameMap(sub, out.types, 'type');
        break;
      case 5:
        readNameMap(sub, out.tables, 'table');
        break;
      case 6:
        readNameMap(sub, out.memories, 'memory');
        break;
      case 7:
        readNameMap(sub, out.globals, 'global');
        break;
      case 8:
        readNameMap(sub, out.elems, 'elem');
        break;
      case 9:
        readNameMap(sub, out.data, 'data');
        break;
      case 11:
        readNameMap(sub, out.tags, 'tag');
        break;
      default:
        // labels, fields and unknown subsections: skipped by size
        continue;
    }
    if (!sub.atEnd()) sub.fail(`name subsection ${id} (${SUBSECTION_NAMES[id]}) has ${sub.remaining} unread bytes at ${hex(sub.pos)}`);
  }
}
