/**
 * A read-only WAT-like text view of a `.wasm` for the editor, built from the reader's model alone
 * (no wabt), so it renders modules of any size at once: every declaration is shown, each defined
 * function as one header line with its body's size and offset. Segments map view text back to bytes.
 * One function's full body is disassembled on demand (see function-disassembly.ts).
 */
import type { ModuleModel } from '../model';
import { hex } from './byte-reader';
import type { WasmReadResult } from './reader';
import { commentText, escapeWatBytes, watIdFromModel, watString } from './wat-strings';
import { limitsText, sigText } from '../model-text';

export { disassembleFunction } from './function-disassembly';
export { summarizeModule } from './module-summary';

export interface WatViewSegment {
  textStart: number;
  textEnd: number;
  byteOffset: number;
  byteEnd: number;
}

export interface WatView {
  text: string;
  /** sorted segments mapping view text ranges to byte ranges */
  segments: WatViewSegment[];
}

export interface WatViewOptions {
  /** bytes of each data segment shown as an escaped preview (default 32) */
  maxInlineBytes?: number;
  /** entries of one kind listed before the rest are summarised in a comment (default 200000) */
  maxEntries?: number;
}

class ViewBuilder {
  private text = '';
  readonly segments: WatViewSegment[] = [];

  line(text: string, bytes?: { start: number; end: number }): void {
    const at = this.text.length;
    if (bytes) this.segments.push({ textStart: at, textEnd: at + text.length, byteOffset: bytes.start, byteEnd: bytes.end });
    this.text += text + '\n';
  }

  build(): WatView {
    return { text: this.text, segments: this.segments };
  }
}


function idPart(id: string | undefined, index: number): string {
  const w = watIdFromModel(id);
  return w ? ` ${w} (;${index};)` : ` (;${index};)`;
}

function typeRef(model: ModuleModel, typeIndex: number | undefined): string {
  if (typeIndex === undefined) return '';
  const id = watIdFromModel(model.types[typeIndex]?.id);
  return ` (type ${id ?? typeIndex})`;
}

function importDesc(model: ModuleModel, imp: ModuleModel['imports'][number]): string {
  const id = idPart(imp.id, imp.index);
  switch (imp.kind) {
    case 'func':
    case 'tag':
      return `(${imp.kind}${id}${typeRef(model, imp.typeIndex)}${sigText(imp.sig)})`;
    case 'memory':
      return `(memory${id} ${imp.limits ? limitsText(imp.limits) : ''})`;
    case 'table':
      return `(table${id} ${imp.limits ? limitsText(imp.limits) : ''} ${imp.refType ?? ''})`;
    case 'global': {
      const g = imp.globalType;
      return `(global${id} ${g ? (g.mutable ? `(mut ${g.valType})` : g.valType) : ''})`;
    }
  }
}

/** Renders the declarations of a module (or a component's section list) as WAT-like text. */
export function renderWatView(bytes: Uint8Array, read: WasmReadResult, options: WatViewOptions = {}): WatView {
  const maxInline = Math.max(0, options.maxInlineBytes ?? 32);
  const maxEntries = Math.max(1, options.maxEntries ?? 200_000);
  const m = read.model;
  const v = new ViewBuilder();
  const kindWord = m.kind === 'component' ? 'component' : 'module';
  v.line(`;; WebAssembly ${kindWord}, ${bytes.length} bytes, ${m.sections?.length ?? 0} sections (read-only view)`);
  if (m.features.length) v.line(`;; features: ${m.features.join(', ')}`);
  for (const d of read.diagnostics) {
    v.line(`;; ${d.severity} @${hex(d.span.start)}: ${commentText(d.message)}`, { start: d.span.start, end: Math.max(d.span.end, d.span.start) });
  }
  if (m.kind === 'component') {
    for (const s of m.sections ?? []) {
      v.line(`;; section ${s.id} (${commentText(s.name)}) @${hex(s.offset)}, ${s.size} bytes`, { start: s.offset, end: s.payloadOffset + s.size });
    }
    return v.build();
  }

  const list = <T>(items: T[], render: (item: T) => void, what: string) => {
    const n = Math.min(items.length, maxEntries);
    for (let i = 0; i < n; i++) render(items[i]);
    if (items.length > n) v.line(`  ;; ... ${items.length - n} more ${what} not shown`);
  };

  v.line(`(module${m.id ? ' ' + watIdFromModel(m.id) : ''}`, { start: 0, end: Math.min(8, bytes.length) });
  const sectionComment = (id: number) => {
    for (const s of m.sections ?? []) {
      if (s.id === id) v.line(`  ;; section ${s.id} (${s.name}) @${hex(s.offset)}, ${s.size} bytes`, { start: s.offset, end: s.payloadOffset + s.size });
    }
  };

  sectionComment(1);
  list(
    m.types,
    (t) => {
      const body = t.kind === 'func' ? `(func${sigText(t.sig)})` : `(${t.kind})`;
      v.line(`  (type${idPart(t.id, t.index)} ${body})`, t.span);
    },
    'types',
  );

  sectionComment(2);
  list(m.imports, (imp) => v.line(`  (import ${watString(imp.module)} ${watString(imp.name)} ${importDesc(m, imp)})`, imp.span), 'imports');

  sectionComment(5);
  list(
    m.memories.filter((x) => !x.imported),
    (mem) => v.line(`  (memory${idPart(mem.id, mem.index)} ${limitsText(mem.limits)})`, mem.span),
    'memories',
  );
  sectionComment(4);
  list(
    m.tables.filter((x) => !x.imported),
    (t) => v.line(`  (table${idPart(t.id, t.index)} ${limitsText(t.limits)} ${t.refType})`, t.span),
    'tables',
  );
  sectionComment(6);
  list(
    m.globals.filter((x) => !x.imported),
    (g) => v.line(`  (global${idPart(g.id, g.index)} ${g.mutable ? `(mut ${g.valType})` : g.valType} ;; init @${hex(g.span.start)})`, g.span),
    'globals',
  );
  sectionComment(7);
  list(
    m.exports,
    (e) => {
      const target = e.kind === 'func' ? m.funcs[e.index] : e.kind === 'memory' ? m.memories[e.index] : e.kind === 'table' ? m.tables[e.index] : e.kind === 'global' ? m.globals[e.index] : m.tags[e.index];
      v.line(`  (export ${watString(e.name)} (${e.kind} ${watIdFromModel(target?.id) ?? e.index}))`, e.span);
    },
    'exports',
  );
  if (m.start) {
    sectionComment(8);
    v.line(`  (start ${watIdFromModel(m.funcs[m.start.func]?.id) ?? m.start.func})`, m.start.span);
  }
  sectionComment(13);
  list(
    m.tags.filter((x) => !x.imported),
    (t) => v.line(`  (tag${idPart(t.id, t.index)}${typeRef(m, t.typeIndex)}${sigText(t.typeIndex !== undefined ? m.types[t.typeIndex]?.sig : undefined)})`, t.span),
    'tags',
  );
  sectionComment(12);
  if (read.dataCount !== undefined) v.line(`  ;; data count ${read.dataCount}`);
  sectionComment(11);
  list(
    m.data,
    (d) => {
      const payload = d.span.end - d.size;
      const shown = Math.min(d.size, maxInline);
      const where = d.mode === 'active' ? ` (memory ${d.memory ?? 0}) (;offset expr;)` : '';
      const more = d.size > shown ? ` ;; ${d.size} bytes @${hex(payload)}, first ${shown} shown` : ` ;; ${d.size} bytes @${hex(payload)}`;
      v.line(`  (data${idPart(d.id, d.index)}${where} "${escapeWatBytes(bytes, payload, payload + shown)}"${d.size > shown ? ' ...' : ''})${more}`, d.span);
    },
    'data segments',
  );
  sectionComment(9);
  list(
    m.elems,
    (e) => {
      const where = e.mode === 'active' ? ` (table ${e.table ?? 0})` : e.mode === 'declarative' ? ' declare' : '';
      v.line(`  (elem${idPart(e.id, e.index)}${where} ;; ${e.mode}, ${e.count} elements)`, e.span);
    },
    'elem segments',
  );
  list(m.customSections, (c) => v.line(`  (@custom ${watString(c.name)} ;; ${c.size} bytes, ${c.placement ?? 'middle'})`, c.span), 'custom sections');
  const omitted = m.customSectionsOmitted;
  if (omitted) v.line(`  ;; ... ${omitted.count} more custom sections (${omitted.bytes} bytes), counted, not listed`, omitted.span);

  sectionComment(10);
  const defined = m.funcs.filter((f) => !f.imported);
  const typeText = new Map<number | undefined, string>(); // `(type ..) (param ..) (result ..)` per type index
  list(
    defined,
    (f) => {
      let tt = typeText.get(f.typeIndex);
      if (tt === undefined) typeText.set(f.typeIndex, (tt = typeRef(m, f.typeIndex) + sigText(f.sig)));
      const body = f.bodySize !== undefined ? `body ${f.bodySize} bytes @0x${f.span.start.toString(16)}` : 'no body';
      v.line(`  (func${idPart(f.id, f.index)}${tt} ;; ${body}\n    ...)`, f.span);
    },
    'functions',
  );
  v.line(')');
  return v.build();
}

/** The view text offset of the line that shows the given byte (the narrowest entry containing it). */
export function textOffsetForByte(view: WatView, byteOffset: number): number | undefined {
  let best: WatViewSegment | undefined;
  for (const s of view.segments) {
    if (byteOffset >= s.byteOffset && (byteOffset < s.byteEnd || (s.byteEnd === s.byteOffset && byteOffset === s.byteOffset))) {
      if (!best || s.byteEnd - s.byteOffset < best.byteEnd - best.byteOffset) best = s;
    }
  }
  return best?.textStart;
}

/** The byte offset of the entry shown at a view text offset (undefined between entries). */
export function byteOffsetForText(view: WatView, textOffset: number): number | undefined {
  const segs = view.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segs[mid];
    if (textOffset < s.textStart) hi = mid - 1;
    else if (textOffset > s.textEnd) lo = mid + 1;
    else return s.byteOffset;
  }
  return undefined;
}
