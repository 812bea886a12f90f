/**
 * The `name` custom section (and its extended-name subsections): module, function, local, label,
 * type, table, memory, global, elem, data, field and tag names.
 */
import { ByteReader, hex } from './byte-reader';

export type NameMap = Map<number, string>;

/**
 * Names kept from one `name` section (all subsections together: functions, locals, types ...). A name
 * section of a few bytes per entry can hold millions of them; past this many they are checked and
 * counted (`NameSection.omitted`), not kept, and the reader reports it. Real modules name at most a few
 * hundred thousand functions, and their locals.
 */
export const MAX_NAMES = 250_000;

export interface NameSection {
  module?: string;
  functions: NameMap;
  /** function index -> local index -> name (only filled when asked for, see readNameSection) */
  locals: Map<number, NameMap>;
  /** function index -> block ordinal -> label name (only filled when asked for, as locals) */
  labels: Map<number, NameMap>;
  /** struct type index -> field index -> name (only filled when asked for, as locals) */
  fields: Map<number, NameMap>;
  types: NameMap;
  tables: NameMap;
  memories: NameMap;
  globals: NameMap;
  elems: NameMap;
  data: NameMap;
  tags: NameMap;
  /** names kept so far (at most MAX_NAMES) */
  kept: number;
  /** names past MAX_NAMES: checked and counted, not kept */
  omitted: number;
}

export function emptyNameSection(): NameSection {
  return {
    functions: new Map(),
    locals: new Map(),
    labels: new Map(),
    fields: new Map(),
    types: new Map(),
    tables: new Map(),
    memories: new Map(),
    globals: new Map(),
    elems: new Map(),
    data: new Map(),
    tags: new Map(),
    kept: 0,
    omitted: 0,
  };
}

const SUBSECTION_NAMES = ['module', 'function', 'local', 'label', 'type', 'table', 'memory', 'global', 'elem', 'data', 'field', 'tag'];

function readNameMap(r: ByteReader, into: NameMap | undefined, what: string, out: NameSection): void {
  const n = r.count(`${what} name`, 2);
  for (let i = 0; i < n; i++) {
    const idx = r.u32(`${what} index`);
    const name = r.nameValue(`${what} name`);
    if (!into) continue;
    if (out.kept < MAX_NAMES) {
      into.set(idx, name);
      out.kept++;
    } else {
      out.omitted++;
    }
  }
}

/** An indirect name map (locals, labels, fields): outer index -> inner index -> name. */
function readIndirectNameMap(r: ByteReader, into: Map<number, NameMap> | undefined, outer: string, what: string, out: NameSection): void {
  const n = r.count(`${what} name map`, 2);
  for (let i = 0; i < n; i++) {
    const k = r.u32(`${outer} index`);
    const map: NameMap | undefined = into ? new Map() : undefined;
    readNameMap(r, map, what, out);
    if (map && map.size) into!.set(k, map);
  }
}

/**
 * Reads the payload of a `name` section in [start, end). Throws WasmFormatError on malformed
 * content; subsections already read stay in `out`. Local, label and field names are kept only when
 * `withLocals` (they are read and checked either way).
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
        readNameMap(sub, out.functions, 'function', out);
        break;
      case 2:
        readIndirectNameMap(sub, withLocals ? out.locals : undefined, 'function', 'local', out);
        break;
      case 3:
        readIndirectNameMap(sub, withLocals ? out.labels : undefined, 'function', 'label', out);
        break;
      case 10:
        readIndirectNameMap(sub, withLocals ? out.fields : undefined, 'type', 'field', out);
        break;
      case 4:
        readNameMap(sub, out.types, 'type', out);
        break;
      case 5:
        readNameMap(sub, out.tables, 'table', out);
        break;
      case 6:
        readNameMap(sub, out.memories, 'memory', out);
        break;
      case 7:
        readNameMap(sub, out.globals, 'global', out);
        break;
      case 8:
        readNameMap(sub, out.elems, 'elem', out);
        break;
      case 9:
        readNameMap(sub, out.data, 'data', out);
        break;
      case 11:
        readNameMap(sub, out.tags, 'tag', out);
        break;
      default:
        // unknown subsections: skipped by size
        continue;
    }
    if (!sub.atEnd()) sub.fail(`name subsection ${id} (${SUBSECTION_NAMES[id]}) has ${sub.remaining} unread bytes at ${hex(sub.pos)}`);
  }
}
