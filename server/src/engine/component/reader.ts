/**
 * The component binary reader: bytes of a WebAssembly component (version 0x0d, layer 1) -> ComponentInfo.
 *
 * It reads every section kind of the component model: imports and exports (names, sorts, types),
 * types, aliases, canonical functions with their options, core instances, instances, start, and
 * counts values. Nested core modules are located, not decoded (nested-modules.ts reads them with the
 * core reader when asked); nested components are read like the outer one, with an explicit stack
 * (no recursion per nesting level) down to MAX_COMPONENT_DEPTH levels.
 *
 * Like the core reader it is bounds-checked and never throws: a malformed section becomes a
 * `wasm-malformed` finding and the rest of that section is skipped; broken section sizes end the
 * component they are in. Counts are checked against the bytes left before anything is allocated.
 */
import { ByteReader, WasmFormatError, hex } from '../binary/byte-reader';
import type { CustomSection, SectionInfo } from '../model';
import type { FileSection } from '../binary/reader';
import type { Severity } from '../diagnostic';
import type { CanonFunc, ComponentInfo, CoreInstance, ExternSort } from './model';
import { parseExternName } from './names';
import { declare, readAlias, readDefType, readExternDesc, readExternName, readSort, readValType, Scope, skipCoreType, type ComponentType } from './types';

export const COMPONENT_SECTION_NAMES = [
  'custom',
  'core module',
  'core instance',
  'core type',
  'component',
  'instance',
  'alias',
  'type',
  'canon',
  'start',
  'import',
  'export',
  'value',
] as const;

/** Components nested deeper than this inside the file's component are not read (a finding says so). */
export const MAX_COMPONENT_DEPTH = 100;

export const COMPONENT_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const CORE_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

export type Report = (offset: number, message: string, severity?: Severity, code?: string) => void;

export interface ComponentReadResult {
  info: ComponentInfo;
  /** the file's component's custom sections (nested components' own are listed in their sections only) */
  customSections: CustomSection[];
}

interface Frame {
  r: ByteReader;
  info: ComponentInfo;
  scope: Scope;
  /** a header-only file read (file-reader.ts): the file's component sections, and the next to read */
  file?: { sections: readonly FileSection[]; next: number };
}

function newInfo(depth: number, path: string, start: number, end: number): ComponentInfo {
  return {
    depth,
    path,
    span: { start, end },
    imports: [],
    exports: [],
    modules: [],
    components: [],
    coreInstances: [],
    canons: [],
    counts: { coreTypes: 0, instances: 0, aliases: 0, types: 0, values: 0, starts: 0 },
    sections: [],
  };
}

/** Do the 8 bytes at file offset `at` (read by `r`) hold the preamble? */
function hasPreamble(r: ByteReader, at: number, preamble: readonly number[]): boolean {
  if (r.end - at < 8) return false;
  for (let i = 0; i < 8; i++) if (r.bytes[at - r.base + i] !== preamble[i]) return false;
  return true;
}

function pathOf(parent: string, what: string): string {
  return parent ? `${parent} / ${what}` : what;
}

/**
 * Reads the component whose preamble starts at 0 (already checked by the caller). Never throws.
 * `file`: a header-only read of a file (file-reader.ts), `bytes` then being its first 8 bytes: the
 * component's own sections are read from there, its nested modules and components listed, not read.
 */
export function readComponent(bytes: Uint8Array, report: Report, file?: readonly FileSection[]): ComponentReadResult {
  const byteLength = file ? Math.max(8, ...file.slice(-1).map((f) => f.payloadOffset + f.size)) : bytes.length;
  const top = newInfo(0, '', 0, byteLength);
  const customSections: CustomSection[] = [];
  const stack: Frame[] = [{ r: new ByteReader(bytes, 8, bytes.length), info: top, scope: new Scope(), file: file && { sections: file, next: 0 } }];
  let tooDeepReported = false;
  while (stack.length) {
    const frame = stack[stack.length - 1];
    const { r, info, scope } = frame;
    let id: number;
    let size: number;
    let offset: number;
    let payloadOffset: number;
    let s: ByteReader;
    /** only the head of the payload was read (header-only reads of nested modules and components) */
    let partial = false;
    if (frame.file) {
      if (frame.file.next >= frame.file.sections.length) {
        stack.pop();
        continue;
      }
      const f = frame.file.sections[frame.file.next++];
      ({ id, size, offset, payloadOffset } = f);
      const data = f.data ?? new Uint8Array(0);
      partial = data.length < size;
      s = new ByteReader(data, payloadOffset, payloadOffset + data.length, payloadOffset);
    } else {
      if (r.atEnd()) {
        stack.pop();
        continue;
      }
      offset = r.pos;
      try {
        id = r.u8('section id');
        size = r.u32('section size');
        if (size > r.remaining) r.fail(`section size ${size} runs past the end of its component (${r.remaining} bytes left)`, offset);
      } catch (e) {
        if (!(e instanceof WasmFormatError)) throw e;
        report(e.offset, `${where(info)}section at ${hex(offset)}: ${e.message}; the rest of the component is not read`);
        stack.pop();
        continue;
      }
      payloadOffset = r.pos;
      r.pos = payloadOffset + size;
      s = new ByteReader(bytes, payloadOffset, payloadOffset + size);
    }
    const end = payloadOffset + size;
    const name = COMPONENT_SECTION_NAMES[id] ?? 'unknown';
    const section: SectionInfo = { id, name, offset, payloadOffset, size };
    info.sections.push(section);
    // a header-only read has only the head of the wiring sections: listed, not read
    if (partial && id !== 0 && id !== 1 && id !== 4) continue;
    try {
      switch (id) {
        case 0: {
          const n = s.name('custom section name');
          section.name = `custom:${n.value}`;
          if (info.depth === 0) customSections.push({ name: n.value, size: end - s.pos, span: { start: offset, end } });
          s.pos = end;
          break;
        }
        case 1: {
          const index = scope.modules++;
          info.modules.push({ index, path: pathOf(info.path, `module ${index}`), offset, start: payloadOffset, end, depth: info.depth });
          if (!hasPreamble(s, payloadOffset, CORE_PREAMBLE)) {
            report(payloadOffset, `${where(info)}core module ${index} at ${hex(payloadOffset)} does not start with the core module preamble (00 61 73 6d 01 00 00 00)`);
          }
          s.pos = end;
          break;
        }
        case 2:
          readCoreInstances(s, info);
          break;
        case 3: {
          const n = s.count('core type', 2);
          for (let i = 0; i < n; i++) skipCoreType(s, 0);
          info.counts.coreTypes += n;
          break;
        }
        case 4: {
          const index = scope.components.length;
          if (!hasPreamble(s, payloadOffset, COMPONENT_PREAMBLE)) {
            s.fail(`component ${index} does not start with the component preamble (00 61 73 6d 0d 00 01 00)`, payloadOffset);
          }
          if (info.depth + 1 > MAX_COMPONENT_DEPTH) {
            info.tooDeep = (info.tooDeep ?? 0) + 1;
            if (!tooDeepReported) {
              tooDeepReported = true;
              report(payloadOffset, `components are nested more than ${MAX_COMPONENT_DEPTH} levels deep at ${hex(payloadOffset)}: the inner ones are not read (their imports are not checked)`, 'warning', 'input-limit');
            }
            s.pos = end;
            break;
          }
          const child = newInfo(info.depth + 1, pathOf(info.path, `component ${index}`), payloadOffset, end);
          info.components.push(child);
          scope.components.push(child.exports);
          s.pos = end;
          if (partial) {
            // a header-only read: listed, not read (its imports are wired inside this component)
            child.unread = true;
            break;
          }
          stack.push({ r: new ByteReader(bytes, payloadOffset + 8, end), info: child, scope: new Scope(scope) });
          break;
        }
        case 5:
          readInstances(s, info, scope);
          break;
        case 6: {
          const n = s.count('alias', 3);
          for (let i = 0; i < n; i++) readAlias(s, scope);
          info.counts.aliases += n;
          break;
        }
        case 7: {
          const n = s.count('type', 1);
          for (let i = 0; i < n; i++) scope.types.push(readDefType(s, scope, 0));
          info.counts.types += n;
          break;
        }
        case 8:
          readCanons(s, info, scope);
          break;
        case 9: {
          s.u32('start function index');
          const n = s.count('start argument', 1);
          for (let i = 0; i < n; i++) s.u32('value index');
          s.u32('start result count');
          info.counts.starts++;
          break;
        }
        case 10: {
          const n = s.count('import', 3);
          for (let i = 0; i < n; i++) {
            const at = s.pos;
            const nm = readExternName(s, 'import');
            const desc = readExternDesc(s, scope);
            const type = declare(scope, nm.value, desc);
            info.imports.push({
              name: nm.value,
              parsed: parseExternName(nm.value),
              sort: desc.sort,
              type,
              span: { start: at, end: s.pos },
              nameSpan: { start: nm.start, end: nm.end },
            });
          }
          break;
        }
        case 11: {
          const n = s.count('export', 4);
          for (let i = 0; i < n; i++) {
            const at = s.pos;
            const nm = readExternName(s, 'export');
            const sort = readSort(s);
            const index = s.u32('export index');
            const flagAt = s.pos;
            const flag = s.u8('export type flag');
            let type: ComponentType | undefined;
            if (flag === 1) type = readExternDesc(s, scope).type;
            else if (flag !== 0) s.fail(`bad export type flag 0x${flag.toString(16)} at ${hex(flagAt)}`, flagAt);
            if (sort === 'core') continue; // core items cannot be exported by a component (the validator says so)
            type ??= scope.typeOf(sort, index);
            const declared = declare(scope, nm.value, { sort, type });
            info.exports.push({
              name: nm.value,
              parsed: parseExternName(nm.value),
              sort,
              type: declared,
              span: { start: at, end: s.pos },
              nameSpan: { start: nm.start, end: nm.end },
            });
          }
          break;
        }
        case 12: {
          info.counts.values += s.count('value', 2);
          s.pos = end; // values are counted, not decoded
          break;
        }
        default:
          report(offset, `${where(info)}unknown component section id ${id} at ${hex(offset)} (${size} bytes); skipped`, 'warning');
          s.pos = end;
      }
      if (s.pos !== end && !partial) report(s.pos, `${where(info)}section ${id} (${name}) at ${hex(offset)}: ${end - s.pos} bytes left over after its entries`);
    } catch (e) {
      if (!(e instanceof WasmFormatError)) throw e;
      report(e.offset, `${where(info)}section ${id} (${name}) at ${hex(offset)}: ${e.message}; the rest of the section is skipped`);
    }
  }
  return { info: top, customSections };
}

/** `component 1: ` for nested components' findings ('' for the file's). */
function where(info: ComponentInfo): string {
  return info.path ? `${info.path}: ` : '';
}

const CORE_SORT_NAMES: Record<number, string> = { 0x00: 'func', 0x01: 'table', 0x02: 'memory', 0x03: 'global', 0x04: 'tag', 0x10: 'type', 0x11: 'module', 0x12: 'instance' };

function readCoreInstances(r: ByteReader, info: ComponentInfo): void {
  const n = r.count('core instance', 2);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const form = r.u8('core instance form');
    const inst: CoreInstance = { index: info.coreInstances.length, how: form === 0 ? 'instantiate' : 'exports', names: [], span: { start: at, end: at } };
    if (form === 0x00) {
      inst.module = r.u32('module index');
      const args = r.count('instantiation argument', 3);
      for (let j = 0; j < args; j++) {
        inst.names.push(r.nameValue('argument name'));
        const kind = r.u8('argument kind');
        if (kind !== 0x12) r.fail(`instantiation argument kind 0x${kind.toString(16)} at ${hex(r.pos - 1)} (expected 0x12, an instance)`, r.pos - 1);
        r.u32('instance index');
      }
    } else if (form === 0x01) {
      const m = r.count('core export', 3);
      for (let j = 0; j < m; j++) {
        inst.names.push(r.nameValue('export name'));
        const sortAt = r.pos;
        const sort = r.u8('core sort');
        if (!(sort in CORE_SORT_NAMES)) r.fail(`unknown core sort 0x${sort.toString(16)} at ${hex(sortAt)}`, sortAt);
        r.u32('index');
      }
    } else {
      r.fail(`unknown core instance form 0x${form.toString(16)} at ${hex(at)}`, at);
    }
    inst.span.end = r.pos;
    info.coreInstances.push(inst);
  }
}

function readInstances(r: ByteReader, info: ComponentInfo, scope: Scope): void {
  const n = r.count('instance', 2);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const form = r.u8('instance form');
    if (form === 0x00) {
      const component = r.u32('component index');
      const args = r.count('instantiation argument', 3);
      for (let j = 0; j < args; j++) {
        r.nameValue('argument name');
        readSort(r);
        r.u32('index');
      }
      // the instance exports what the component does
      const exports = scope.components[component];
      scope.instances.push(exports ? { k: 'instance', exports: exports.map((e) => ({ name: e.name, sort: e.sort, type: e.type })) } : undefined);
    } else if (form === 0x01) {
      const m = r.count('instance export', 3);
      const exports: { name: string; sort: ExternSort; type?: ComponentType }[] = [];
      for (let j = 0; j < m; j++) {
        const name = readExternName(r, 'export').value;
        const sort = readSort(r);
        const index = r.u32('index');
        if (sort !== 'core') exports.push({ name, sort, type: sort === 'type' ? { k: 'named', name, of: scope.type(index) } : scope.typeOf(sort, index) });
      }
      scope.instances.push({ k: 'instance', exports });
    } else {
      r.fail(`unknown instance form 0x${form.toString(16)} at ${hex(at)}`, at);
    }
    info.counts.instances++;
  }
}

/** Canonical options, written as in component WAT. */
function readCanonOptions(r: ByteReader): string[] {
  const n = r.count('canonical option', 1);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const b = r.u8('canonical option');
    switch (b) {
      case 0x00:
        out.push('string-encoding=utf8');
        break;
      case 0x01:
        out.push('string-encoding=utf16');
        break;
      case 0x02:
        out.push('string-encoding=latin1+utf16');
        break;
      case 0x03:
        out.push(`(memory ${r.u32('memory index')})`);
        break;
      case 0x04:
        out.push(`(realloc ${r.u32('function index')})`);
        break;
      case 0x05:
        out.push(`(post-return ${r.u32('function index')})`);
        break;
      case 0x06:
        out.push('async');
        break;
      case 0x07:
        out.push(`(callback ${r.u32('function index')})`);
        break;
      case 0x08:
        out.push(`(core-type ${r.u32('type index')})`);
        break;
      case 0x09:
        out.push('gc');
        break;
      default:
        r.fail(`unknown canonical option 0x${b.toString(16)} at ${hex(at)}`, at);
    }
  }
  return out;
}

/** Operand layouts of the canonical built-ins after `lift` and `lower` (the component model's async additions). */
type Operand = 'type' | 'opts' | 'async' | 'i32-index' | 'memory' | 'results' | 'table';
const CANON_OPS: Record<number, [string, ...Operand[]]> = {
  0x02: ['resource.new', 'type'],
  0x03: ['resource.drop', 'type'],
  0x07: ['resource.drop async', 'type'],
  0x04: ['resource.rep', 'type'],
  0x05: ['task.cancel'],
  0x06: ['subtask.cancel', 'async'],
  0x08: ['backpressure.set'],
  0x24: ['backpressure.inc'],
  0x25: ['backpressure.dec'],
  0x09: ['task.return', 'results', 'opts'],
  0x0a: ['context.get', 'i32-index'],
  0x0b: ['context.set', 'i32-index'],
  0x0c: ['yield', 'async'],
  0x0d: ['subtask.drop'],
  0x0e: ['stream.new', 'type'],
  0x0f: ['stream.read', 'type', 'opts'],
  0x10: ['stream.write', 'type', 'opts'],
  0x11: ['stream.cancel-read', 'type', 'async'],
  0x12: ['stream.cancel-write', 'type', 'async'],
  0x13: ['stream.drop-readable', 'type'],
  0x14: ['stream.drop-writable', 'type'],
  0x15: ['future.new', 'type'],
  0x16: ['future.read', 'type', 'opts'],
  0x17: ['future.write', 'type', 'opts'],
  0x18: ['future.cancel-read', 'type', 'async'],
  0x19: ['future.cancel-write', 'type', 'async'],
  0x1a: ['future.drop-readable', 'type'],
  0x1b: ['future.drop-writable', 'type'],
  0x1c: ['error-context.new', 'opts'],
  0x1d: ['error-context.debug-message', 'opts'],
  0x1e: ['error-context.drop'],
  0x1f: ['waitable-set.new'],
  0x20: ['waitable-set.wait', 'async', 'memory'],
  0x21: ['waitable-set.poll', 'async', 'memory'],
  0x22: ['waitable-set.drop'],
  0x23: ['waitable.join'],
  0x40: ['thread.spawn-ref', 'type'],
  0x41: ['thread.spawn-indirect', 'type', 'table'],
  0x42: ['thread.available-parallelism'],
};

function readCanons(r: ByteReader, info: ComponentInfo, scope: Scope): void {
  const n = r.count('canonical function', 2);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const b = r.u8('canonical function kind');
    const canon: CanonFunc = { op: '', options: [], span: { start: at, end: at } };
    if (b === 0x00 || b === 0x01) {
      const sub = r.u8('canonical function sub-kind');
      if (sub !== 0x00) r.fail(`bad canonical ${b === 0 ? 'lift' : 'lower'} sub-kind 0x${sub.toString(16)} at ${hex(r.pos - 1)}`, r.pos - 1);
      r.u32('function index');
      canon.options = readCanonOptions(r);
      if (b === 0x00) {
        canon.op = 'lift';
        scope.funcs.push(scope.type(r.u32('type index')));
      } else canon.op = 'lower';
    } else {
      const layout = CANON_OPS[b];
      if (!layout) r.fail(`unknown canonical function kind 0x${b.toString(16)} at ${hex(at)}`, at);
      const [op, ...operands] = layout;
      canon.op = op;
      for (const o of operands) {
        if (o === 'type' || o === 'table' || o === 'memory') r.u32(`${o} index`);
        else if (o === 'opts') canon.options = readCanonOptions(r);
        else if (o === 'async') {
          if (r.u8('async flag') === 1) canon.options.push('async');
        } else if (o === 'i32-index') {
          const t = r.u8('value type');
          if (t !== 0x7f) r.fail(`context slot type 0x${t.toString(16)} at ${hex(r.pos - 1)} (expected i32)`, r.pos - 1);
          r.u32('slot index');
        } else if (o === 'results') {
          const form = r.u8('result list');
          if (form === 0x00) readValType(r, scope);
          else if (form === 0x01) r.u8('empty result list');
          else r.fail(`bad result list 0x${form.toString(16)} at ${hex(r.pos - 1)}`, r.pos - 1);
        }
      }
    }
    canon.span.end = r.pos;
    info.canons.push(canon);
  }
}
