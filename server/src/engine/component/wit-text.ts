/**
 * A component's world as WIT-style text, for the read-only `.wasm` view: its imports and exports
 * (interfaces with their functions and named types, functions, other sorts), then its nested core
 * modules and components with their offsets. Built from the component reader's model alone, so the
 * view costs what the reader costs; each line maps back to the bytes it shows (WatView segments).
 *
 * Types form a DAG that a hostile file can make exponentially wide when written out, so each type
 * expression is cut at MAX_TYPE_TEXT characters and MAX_TYPE_NESTING levels.
 */
import type { WatView } from '../binary/wat-view';
import { OffsetMap } from '../print';

/** A line of the view and the bytes it shows. */
interface WatViewSegment {
  textStart: number;
  textEnd: number;
  byteOffset: number;
  byteEnd: number;
}
import type { WasmReadResult } from '../binary/reader';
import { hex } from '../binary/byte-reader';
import { formatBytes } from '../binary/module-summary';
import type { ComponentExtern, ComponentInfo } from './model';
import type { ComponentType, TypeDecl } from './types';

const MAX_TYPE_TEXT = 400;
const MAX_TYPE_NESTING = 16;
/** Entries of one list shown before the rest are counted in a comment. */
const MAX_LISTED = 10_000;

/** Identifiers and names shown in the view: control characters would break its lines. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
}

/** A type as WIT writes it where it is used (`list<u8>`, `result<descriptor, error-code>`, `borrow<descriptor>`). */
export function typeText(t: ComponentType | undefined): string {
  const out = { s: '' };
  write(t, 0, out);
  return out.s.length > MAX_TYPE_TEXT ? out.s.slice(0, MAX_TYPE_TEXT) + '…' : out.s;
}

function write(t: ComponentType | undefined, depth: number, out: { s: string }): void {
  if (out.s.length > MAX_TYPE_TEXT) return;
  if (depth > MAX_TYPE_NESTING) {
    out.s += '…';
    return;
  }
  const list = (items: readonly (ComponentType | undefined)[]) => {
    items.forEach((x, i) => {
      if (i) out.s += ', ';
      write(x, depth + 1, out);
    });
  };
  if (!t) {
    out.s += '_';
    return;
  }
  switch (t.k) {
    case 'prim':
      out.s += t.name;
      return;
    case 'named':
      out.s += clean(t.name);
      return;
    case 'list':
      out.s += 'list<';
      write(t.of, depth + 1, out);
      out.s += t.length !== undefined ? `, ${t.length}>` : '>';
      return;
    case 'tuple':
      out.s += 'tuple<';
      list(t.of);
      out.s += '>';
      return;
    case 'option':
      out.s += 'option<';
      write(t.of, depth + 1, out);
      out.s += '>';
      return;
    case 'result':
      if (!t.ok && !t.err) out.s += 'result';
      else {
        out.s += 'result<';
        if (t.ok) write(t.ok, depth + 1, out);
        else out.s += '_';
        if (t.err) {
          out.s += ', ';
          write(t.err, depth + 1, out);
        }
        out.s += '>';
      }
      return;
    case 'own':
      write(t.of, depth + 1, out);
      return;
    case 'borrow':
      out.s += 'borrow<';
      write(t.of, depth + 1, out);
      out.s += '>';
      return;
    case 'stream':
    case 'future':
      out.s += t.k;
      if (t.of) {
        out.s += '<';
        write(t.of, depth + 1, out);
        out.s += '>';
      }
      return;
    case 'func':
      out.s += t.async ? 'async func(' : 'func(';
      t.params.forEach(([n, p], i) => {
        if (i) out.s += ', ';
        out.s += clean(n) + ': ';
        write(p, depth + 1, out);
      });
      out.s += ')';
      if (t.result) {
        out.s += ' -> ';
        write(t.result, depth + 1, out);
      }
      return;
    case 'record':
      out.s += 'record { ';
      t.fields.forEach(([n, f], i) => {
        if (i) out.s += ', ';
        out.s += clean(n) + ': ';
        write(f, depth + 1, out);
      });
      out.s += ' }';
      return;
    case 'variant':
      out.s += 'variant { ';
      t.cases.forEach(([n, c], i) => {
        if (i) out.s += ', ';
        out.s += clean(n);
        if (c) {
          out.s += '(';
          write(c, depth + 1, out);
          out.s += ')';
        }
      });
      out.s += ' }';
      return;
    case 'flags':
    case 'enum':
      out.s += `${t.k} { ${t.names.map(clean).join(', ')} }`;
      return;
    case 'resource':
      out.s += 'resource';
      return;
    case 'instance':
      out.s += `instance { ${t.exports.length} exports }`;
      return;
    case 'component':
      out.s += `component { ${t.imports.length} imports, ${t.exports.length} exports }`;
      return;
    case 'core-module':
      out.s += 'core module';
      return;
    case 'unknown':
      out.s += '_';
      return;
  }
}

/** The WIT line of a declaration inside an interface: a named type's definition or a function. */
export function declText(d: TypeDecl): string {
  const name = clean(d.name);
  if (d.sort === 'type') {
    const def = d.type?.k === 'named' ? d.type.of : d.type;
    switch (def?.k) {
      case 'resource':
        return `resource ${name};`;
      case 'record':
        return `record ${name} { ${def.fields.map(([n, t]) => `${clean(n)}: ${typeText(t)}`).join(', ')} }`;
      case 'variant':
        return `variant ${name} { ${def.cases.map(([n, t]) => (t ? `${clean(n)}(${typeText(t)})` : clean(n))).join(', ')} }`;
      case 'enum':
      case 'flags':
        return `${def.k} ${name} { ${def.names.map(clean).join(', ')} }`;
      case 'named':
        return def.name === d.name ? `use ${name};` : `type ${name} = ${clean(def.name)};`;
      default:
        return `type ${name} = ${typeText(def)};`;
    }
  }
  if (d.sort === 'func') return `${name}: ${d.type?.k === 'func' ? typeText(d.type) : 'func'};`;
  return `${d.sort} ${name}${d.type ? `: ${typeText(d.type)}` : ''};`;
}

/** An outline entry of the view (text offsets). */
export interface ViewSymbol {
  name: string;
  kind: 'world' | 'import' | 'export' | 'func' | 'type' | 'module' | 'component';
  detail?: string;
  start: number;
  end: number;
  children: ViewSymbol[];
}

/** The component view: its text and byte segments, its outline, and which lines show which import or export. */
export interface ComponentView extends WatView {
  symbols: ViewSymbol[];
  externs: { start: number; end: number; ext: ComponentExtern; exported: boolean }[];
}

class Lines {
  text = '';
  readonly segments: WatViewSegment[] = [];
  readonly symbols: ViewSymbol[] = [];
  readonly externs: ComponentView['externs'] = [];
  /** the symbol lines are added under (a world's, an interface's) */
  parent?: ViewSymbol;
  get at(): number {
    return this.text.length;
  }
  symbol(s: Omit<ViewSymbol, 'children'>): ViewSymbol {
    const sym: ViewSymbol = { ...s, children: [] };
    (this.parent?.children ?? this.symbols).push(sym);
    return sym;
  }
  /** the symbol `sym` spans up to here (the end of the last line added) */
  close(sym: ViewSymbol): void {
    sym.end = Math.max(sym.start, this.text.length - 1);
  }
  line(s: string, bytes?: { start: number; end: number }): void {
    const at = this.text.length;
    if (bytes) this.segments.push({ textStart: at, textEnd: at + s.length, byteOffset: bytes.start, byteEnd: bytes.end });
    this.text += s + '\n';
  }
}

function externLines(v: Lines, word: 'import' | 'export', e: ComponentExtern, indent: string): void {
  const name = clean(e.name);
  const t = e.type;
  const inner = t?.k === 'named' ? t.of : t;
  const start = v.at;
  const sym = v.symbol({ name, kind: word, detail: e.sort === 'instance' ? 'interface' : e.sort, start, end: start });
  if (e.sort === 'instance' && inner?.k === 'instance' && inner.exports.length > 0) {
    v.line(`${indent}${word} ${name} {`, e.span);
    const shown = inner.exports.slice(0, MAX_LISTED);
    const outer = v.parent;
    v.parent = sym;
    for (const d of shown) {
      const at = v.at;
      v.line(`${indent}  ${declText(d)}`, e.span);
      if (d.sort === 'func' || d.sort === 'type') v.symbol({ name: clean(d.name), kind: d.sort, detail: d.sort === 'func' ? typeText(d.type) : undefined, start: at, end: v.at - 1 });
    }
    v.parent = outer;
    if (inner.exports.length > shown.length) v.line(`${indent}  // ... ${inner.exports.length - shown.length} more`);
    v.line(`${indent}}`);
  } else if (e.sort === 'instance') v.line(`${indent}${word} ${name} { }`, e.span);
  else if (e.sort === 'func') v.line(`${indent}${word} ${name}: ${inner?.k === 'func' ? typeText(inner) : 'func'};`, e.span);
  else if (e.sort === 'type') v.line(`${indent}${word} ${declText({ name: e.name, sort: 'type', type: t })}`, e.span);
  else v.line(`${indent}${word} ${name}: ${e.sort}${inner ? ` ${typeText(inner)}` : ''};`, e.span);
  v.close(sym);
  v.externs.push({ start, end: sym.end, ext: e, exported: word === 'export' });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function worldLines(v: Lines, c: ComponentInfo, indent: string): void {
  const imports = c.imports.slice(0, MAX_LISTED);
  const exports = c.exports.slice(0, MAX_LISTED);
  for (const e of imports) externLines(v, 'import', e, indent);
  if (c.imports.length > imports.length) v.line(`${indent}// ... ${c.imports.length - imports.length} more imports`);
  if (imports.length && exports.length) v.line('');
  for (const e of exports) externLines(v, 'export', e, indent);
  if (c.exports.length > exports.length) v.line(`${indent}// ... ${c.exports.length - exports.length} more exports`);
}

/** The view of a component: its world, then its nested modules and components. */
export function renderComponentView(bytes: Uint8Array, read: WasmReadResult): ComponentView {
  const v = new Lines();
  const m = read.model;
  const c = m.component;
  const size = m.byteLength ?? bytes.length;
  v.line(`// WebAssembly component, ${formatBytes(size)} (${size} bytes), WIT-style view of its world (read-only)`, { start: 0, end: Math.min(8, size) });
  for (const d of read.diagnostics) v.line(`// ${d.severity} @${hex(d.span.start)}: ${clean(d.message)}`, d.span);
  if (!c) return { text: v.text, map: mapOf(v.segments), symbols: [], externs: [] };
  v.line(
    `// ${plural(c.imports.length, 'import')}, ${plural(c.exports.length, 'export')}, ${plural(c.modules.length, 'core module')}, ${plural(c.components.length, 'nested component')}, ${plural(c.canons.length, 'canonical function')}`,
  );
  v.line('');
  const world = v.symbol({ name: 'world component', kind: 'world', start: v.at, end: v.at });
  v.line('world component {', { start: 0, end: Math.min(8, size) });
  v.parent = world;
  worldLines(v, c, '  ');
  v.parent = undefined;
  v.line('}');
  v.close(world);
  // nested parts, in file order, without recursion (nesting can be deep)
  const stack: ComponentInfo[] = [c];
  let listed = 0;
  while (stack.length && listed < MAX_LISTED) {
    const info = stack.pop()!;
    const parts: { at: number; render: () => void }[] = [];
    for (const mod of info.modules) {
      parts.push({
        at: mod.start,
        render: () => {
          v.line('');
          const at = v.at;
          v.line(`// core ${mod.path} @${hex(mod.start)}, ${formatBytes(mod.end - mod.start)}: internal wiring (open it as WAT: "Wasm Warden: Show Nested Module as WAT")`, { start: mod.offset, end: mod.end });
          v.symbol({ name: `core ${mod.path}`, kind: 'module', detail: formatBytes(mod.end - mod.start), start: at, end: v.at - 1 });
        },
      });
    }
    for (const child of info.components) {
      parts.push({
        at: child.span.start,
        render: () => {
          v.line('');
          const sym = v.symbol({ name: child.path, kind: 'component', detail: formatBytes(child.span.end - child.span.start), start: v.at, end: v.at });
          v.line(`// nested ${child.path} @${hex(child.span.start)}, ${formatBytes(child.span.end - child.span.start)}`, child.span);
          if (child.imports.length || child.exports.length) {
            v.line(`world ${clean(child.path.replace(/ \/ /g, '-').replace(/ /g, ''))} {`, child.span);
            v.parent = sym;
            worldLines(v, child, '  ');
            v.parent = undefined;
            v.line('}');
          }
          v.close(sym);
        },
      });
    }
    for (const p of parts.sort((a, b) => a.at - b.at)) {
      p.render();
      listed++;
    }
    if (info.tooDeep) v.line(`// ${plural(info.tooDeep, 'component')} nested too deep inside ${info.path || 'the component'}: not read`);
    for (let i = info.components.length - 1; i >= 0; i--) stack.push(info.components[i]);
  }
  return { text: v.text, map: mapOf(v.segments), symbols: v.symbols, externs: v.externs };
}

/** The view's lines and their bytes as the printer's offset map (records in text order). */
function mapOf(segments: WatViewSegment[]): OffsetMap {
  const map = new OffsetMap();
  for (const s of [...segments].sort((a, b) => a.textStart - b.textStart)) map.add(s.textStart, s.textEnd, s.byteOffset, s.byteEnd);
  return map;
}
