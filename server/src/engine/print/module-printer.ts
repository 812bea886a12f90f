/**
 * A whole module as WAT, section by section in binary order, written to a sink as it goes (never
 * one string of the module's text): types (rec groups, subtypes, structs, arrays, continuations),
 * imports, tables, memories, tags, globals, exports, start, element and data segments, functions
 * with their locals and bodies (body-printer.ts), and custom sections as `(@custom ...)` annotations
 * (the `name` section becomes the `$ids`).
 *
 * Never throws on bad input: a malformed section prints what could be read, then a `;; error` comment,
 * and the problem is returned as a diagnostic; a truncated file prints up to where it ends.
 */
import type { EngineDiagnostic } from '../diagnostic';
import { ByteReader, WasmFormatError, hex } from '../binary/byte-reader';
import { readHeapCode, readValueType } from '../binary/code-decoder';
import { commentText, escapeWatBytes, watString } from '../binary/wat-strings';
import { BodyPrinter } from './body-printer';
import { indent } from './indent';
import type { OffsetMap } from './offset-map';
import { PrintContext, type SectionSpan, type TypeInfo } from './print-context';
import type { IdMap } from './print-names';
import type { TextSink } from './text-sink';
import { valTypeText } from './value-type-text';

const EMPTY_IDS: IdMap = new Map();

export interface PrintOptions {
  /** blocks, loops, ifs and trys as S-expressions (default: flat, like wasm2wat) */
  fold?: boolean;
  /** `;; @0x1234` byte offsets after entries and instructions */
  offsets?: boolean;
  /** use the name section's names as `$ids` (default true) */
  names?: boolean;
  /** names that are not plain ids as `$"..."` (default true); false drops them */
  quotedIds?: boolean;
  /** print function bodies (default true); false prints each function as one line: its header and its body's size and offset */
  bodies?: boolean;
  /** bytes of each data segment and custom section printed (default: all); the rest is summarised */
  maxInlineBytes?: number;
  /** records each entry's line (and with `instructionLines`, each instruction's) with its byte range */
  map?: OffsetMap;
  instructionLines?: boolean;
  /** print custom sections as `(@custom ...)` annotations (default true); false: a comment each */
  customSections?: boolean;
  /** custom sections printed before the rest are only counted (the editor's view: a module can hold millions) */
  maxCustomSections?: number;
  /** a context read before (the editor keeps one per view) */
  context?: PrintContext;
}

export interface PrintResult {
  diagnostics: EngineDiagnostic[];
  context: PrintContext;
}

const SECTION_WORDS: Record<number, string> = {
  1: 'type',
  2: 'import',
  3: 'func',
  4: 'table',
  5: 'memory',
  6: 'global',
  7: 'export',
  8: 'start',
  9: 'elem',
  10: 'code',
  11: 'data',
  12: 'datacount',
  13: 'tag',
};

/** Bytes per string literal line of a data segment or custom section. */
const BYTES_PER_LINE = 64;
/** Indices per line of an element segment. */
const INDICES_PER_LINE = 16;

export function printModule(bytes: Uint8Array, sink: TextSink, options: PrintOptions = {}): PrintResult {
  const ctx = options.context ?? PrintContext.read(bytes, { names: options.names, quotedIds: options.quotedIds });
  const p = new ModulePrinter(ctx, sink, options);
  p.print();
  return { diagnostics: [...ctx.diagnostics, ...p.diagnostics], context: ctx };
}

/**
 * One defined function (`func` in the function index space), header and body, as a module-level
 * field (`(func ...)` at indentation 0). Problems are returned as diagnostics.
 */
export function printFunction(ctx: PrintContext, func: number, sink: TextSink, options: PrintOptions = {}): EngineDiagnostic[] {
  const p = new ModulePrinter(ctx, sink, options);
  p.function(func - ctx.funcImports, 0);
  return p.diagnostics;
}

class ModulePrinter {
  readonly diagnostics: EngineDiagnostic[] = [];
  private readonly body: BodyPrinter;
  private readonly bytes: Uint8Array;
  private readonly maxInline: number;
  private readonly bodies: boolean;
  private readonly offsets: boolean;
  private readonly customs: boolean;
  private readonly maxCustoms: number;
  private customsSeen = 0;
  private customsOmitted = 0;
  private customBytesOmitted = 0;
  private firstOmittedCustom = 0;
  private readonly map: OffsetMap | undefined;
  private readonly types: IdMap;
  /** index counters of the index spaces (imports first) */
  private tableIndex = 0;
  private memoryIndex = 0;
  private globalIndex = 0;
  private tagIndex = 0;
  private typeIndex = 0;
  private lastSection = '';
  /** index in ctx.sections of the section printed, and of the last one that is not a custom section */
  private sectionIndex = 0;
  private lastDeclared = -1;
  /** the name section was seen (its comment printed or deferred) */
  private nameSeen = false;
  private deferredName: SectionSpan | undefined;
  /** parens of an entry printed in pieces (a rec group, a segment) still open: closed when its section breaks */
  private openParens = 0;

  constructor(
    private readonly ctx: PrintContext,
    private readonly sink: TextSink,
    options: PrintOptions,
  ) {
    this.bytes = ctx.bytes;
    this.maxInline = Math.max(0, options.maxInlineBytes ?? Infinity);
    this.bodies = options.bodies !== false;
    this.offsets = options.offsets === true;
    this.customs = options.customSections !== false;
    this.maxCustoms = options.maxCustomSections ?? Infinity;
    this.map = options.map;
    this.types = ctx.names.types;
    this.body = new BodyPrinter(ctx, sink, { fold: options.fold, offsets: options.offsets, map: options.instructionLines ? options.map : undefined });
  }

  print(): void {
    const ctx = this.ctx;
    const sink = this.sink;
    for (const d of ctx.diagnostics) sink.write(`;; error @${hex(d.span.start)}: ${commentText(d.message)}\n`);
    if (ctx.isComponent || (ctx.brokenAt !== undefined && ctx.brokenAt < 8)) return;
    const start = sink.written;
    sink.write(`(module${ctx.names.module ? ' ' + ctx.names.module : ''}\n`);
    this.record(start, 0, Math.min(8, this.bytes.length));
    const sections = ctx.sections;
    // the custom sections after the last other section are printed `(after last)` once the name section
    // is behind them, so that the assembler, which writes the name section after the other placed custom
    // sections and before the `(after last)` ones, puts it back where it was (docs/round-trip.md)
    let lastDeclared = sections.length - 1;
    while (lastDeclared >= 0 && sections[lastDeclared].id === 0) lastDeclared--;
    this.lastDeclared = lastDeclared;
    for (let i = 0; i < sections.length; i++) {
      const s = sections[i];
      this.sectionIndex = i;
      try {
        this.section(s);
      } catch (e) {
        if (!(e instanceof WasmFormatError)) throw e;
        this.problem(e.offset, `section ${s.id} (${SECTION_WORDS[s.id] ?? 'unknown'}) at ${hex(s.offset)}: ${e.message}`);
        if (this.openParens) {
          sink.write(`\n  ${')'.repeat(this.openParens)}\n`);
          this.openParens = 0;
        }
        sink.write(`  ;; error @${hex(e.offset)}: ${commentText(e.message)}; the rest of this section is not printed\n`);
      }
      if (s.id !== 0) this.lastSection = SECTION_WORDS[s.id] ?? '';
      // a name section before the last other section (unusual: it belongs at the end) is noted where
      // the assembler writes it back: after that section
      if (i === lastDeclared && this.deferredName) this.nameComment(this.deferredName);
    }
    if (this.customsOmitted) {
      const at = sink.written;
      sink.write(`  ;; ... ${this.customsOmitted} more custom sections (${this.customBytesOmitted} bytes), counted, not listed\n`);
      this.record(at, this.firstOmittedCustom, this.firstOmittedCustom);
    }
    if (ctx.brokenAt !== undefined) sink.write(`  ;; the file ends or breaks at ${hex(ctx.brokenAt)}: what follows is not printed\n`);
    sink.write(')\n');
  }

  private problem(offset: number, message: string): void {
    if (this.diagnostics.length >= 100) return;
    this.diagnostics.push({ code: 'wasm-malformed', severity: 'error', message, span: { start: offset, end: offset + 1 }, source: 'wasm-printer' });
  }

  /** Ends an entry's line: the offset comment, the newline, the map record. */
  private line(text: string, byteStart: number, byteEnd: number): void {
    const start = this.sink.written;
    this.sink.write(this.offsets ? `${text} ;; @${hex(byteStart)}\n` : text + '\n');
    this.record(start, byteStart, byteEnd);
  }

  private record(textStart: number, byteStart: number, byteEnd: number): void {
    if (this.map) this.map.add(textStart, this.sink.written - 1, byteStart, byteEnd);
  }

  private idx(ids: IdMap, i: number): string {
    return ids.get(i) ?? String(i);
  }

  /** ` $id (;i;)` or ` (;i;)` */
  private decl(ids: IdMap, i: number): string {
    const id = ids.get(i);
    return id ? ` ${id} (;${i};)` : ` (;${i};)`;
  }

  private section(s: SectionSpan): void {
    const r = new ByteReader(this.bytes, s.start, s.end);
    switch (s.id) {
      case 0:
        return this.custom(s, r);
      case 1:
        return this.typeSection(r);
      case 2:
        return this.imports(r);
      case 3:
        return; // the functions print with their bodies (code section)
      case 4:
        return this.tables(r);
      case 5:
        return this.memories(r);
      case 6:
        return this.globals(r);
      case 7:
        return this.exports(r);
      case 8: {
        const at = r.pos;
        this.line(`  (start ${this.idx(this.ctx.names.funcs, r.u32('start function'))})`, at, r.pos);
        return;
      }
      case 9:
        return this.elems(r);
      case 10:
        return this.code(r, s);
      case 11:
        return this.data(r);
      case 12:
        return; // implied by the data segments
      case 13:
        return this.tags(r);
      default:
        this.problem(s.offset, `unknown section id ${s.id} at ${hex(s.offset)}`);
        this.sink.write(`  ;; error @${hex(s.offset)}: unknown section id ${s.id} (${s.end - s.start} bytes) not printed\n`);
    }
  }

  // ---- types

  private typeSection(r: ByteReader): void {
    const n = r.count('type', 1);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      if (r.peek() === 0x4e) {
        r.u8();
        const m = r.count('recursive type', 1);
        this.line('  (rec', at, r.pos);
        this.openParens = 1;
        for (let k = 0; k < m; k++) {
          const tat = r.pos;
          const text = this.subType(r);
          this.line(`    (type${this.decl(this.types, this.typeIndex++)} ${text})`, tat, r.pos);
        }
        this.sink.write('  )\n');
        this.openParens = 0;
      } else {
        const text = this.subType(r);
        this.line(`  (type${this.decl(this.types, this.typeIndex++)} ${text})`, at, r.pos);
      }
    }
    this.expectEnd(r, 'type');
  }

  private subType(r: ByteReader): string {
    const form = r.peek();
    if (form === 0x50 || form === 0x4f) {
      r.u8();
      const n = r.count('supertype', 1);
      let supers = '';
      for (let i = 0; i < n; i++) supers += ' ' + this.idx(this.types, r.u32('supertype'));
      const comp = this.compType(r);
      if (form === 0x4f && n === 0) return comp;
      return `(sub${form === 0x4f ? ' final' : ''}${supers} ${comp})`;
    }
    return this.compType(r);
  }

  private compType(r: ByteReader): string {
    const at = r.pos;
    const form = r.u8('type form');
    switch (form) {
      case 0x60: {
        let s = '(func';
        const np = r.count('param', 1);
        if (np) {
          s += ' (param';
          for (let i = 0; i < np; i++) s += ' ' + valTypeText(readValueType(r), this.types);
          s += ')';
        }
        const nr = r.count('result', 1);
        if (nr) {
          s += ' (result';
          for (let i = 0; i < nr; i++) s += ' ' + valTypeText(readValueType(r), this.types);
          s += ')';
        }
        return s + ')';
      }
      case 0x5f: {
        let s = '(struct';
        const n = r.count('field', 2);
        // the fields of the type being printed (its index is taken when its line is written)
        const ids = this.ctx.names.fields(this.typeIndex);
        for (let i = 0; i < n; i++) {
          const id = ids.get(i);
          s += id !== undefined ? ` (field ${id} ${this.fieldType(r)})` : ` (field ${this.fieldType(r)})`;
        }
        return s + ')';
      }
      case 0x5e:
        return `(array ${this.fieldType(r)})`;
      case 0x5d: {
        const heap = readHeapCode(r);
        return `(cont ${heap >= 0x80 ? this.idx(this.types, heap - 0x80) : String(heap)})`;
      }
    }
    return r.fail(`unknown type form ${hex(form)} at ${hex(at)}`, at);
  }

  private fieldType(r: ByteReader): string {
    const b = r.peek();
    const storage = b === 0x78 ? (r.u8(), 'i8') : b === 0x77 ? (r.u8(), 'i16') : valTypeText(readValueType(r), this.types);
    const at = r.pos;
    const mut = r.u8('field mutability');
    if (mut > 1) r.fail(`malformed mutability ${mut} at ${hex(at)}`, at);
    return mut ? `(mut ${storage})` : storage;
  }

  /** `(type $t) (param ..) (result ..)` for a type use. */
  private typeUse(typeIndex: number): string {
    const t: TypeInfo | undefined = this.ctx.types[typeIndex];
    let s = `(type ${this.idx(this.types, typeIndex)})`;
    if (t?.kind !== 'func') return s;
    if (t.params.length) {
      s += ' (param';
      for (const p of t.params) s += ' ' + valTypeText(p, this.types);
      s += ')';
    }
    if (t.results.length) {
      s += ' (result';
      for (const p of t.results) s += ' ' + valTypeText(p, this.types);
      s += ')';
    }
    return s;
  }

  // ---- imports and declarations

  private limits(r: ByteReader): string {
    const at = r.pos;
    const flags = r.u8('limits flags');
    if (flags > 15) r.fail(`malformed limits flags ${hex(flags)} at ${hex(at)}`, at);
    const wide = (flags & 4) !== 0;
    let s = wide ? 'i64 ' : '';
    s += String(wide ? r.u64('minimum') : r.u32('minimum'));
    if (flags & 1) s += ' ' + String(wide ? r.u64('maximum') : r.u32('maximum'));
    if (flags & 2) s += ' shared';
    if (flags & 8) {
      const log2 = r.u32('page size');
      s += ` (pagesize ${log2 < 64 ? (2n ** BigInt(log2)).toString() : `(;2**${log2};)`})`;
    }
    return s;
  }

  private tableType(r: ByteReader): string {
    const t = readValueType(r);
    return `${this.limits(r)} ${valTypeText(t, this.types)}`;
  }

  private globalType(r: ByteReader): string {
    const t = valTypeText(readValueType(r), this.types);
    const at = r.pos;
    const mut = r.u8('global mutability');
    if (mut > 1) r.fail(`malformed mutability ${mut} at ${hex(at)}`, at);
    return mut ? `(mut ${t})` : t;
  }

  private tagType(r: ByteReader): string {
    const at = r.pos;
    const attr = r.u8('tag attribute');
    if (attr !== 0) r.fail(`malformed tag attribute ${attr} at ${hex(at)}`, at);
    return this.typeUse(r.u32('tag type'));
  }

  private imports(r: ByteReader): void {
    const n = r.count('import', 3);
    const names = this.ctx.names;
    let func = 0;
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const module = watString(r.nameValue('import module'));
      const name = watString(r.nameValue('import name'));
      const kindAt = r.pos;
      const kind = r.u8('import kind');
      let desc: string;
      switch (kind) {
        case 0:
          desc = `(func${this.decl(names.funcs, func++)} ${this.typeUse(r.u32('function type'))})`;
          break;
        case 1:
          desc = `(table${this.decl(names.tables, this.tableIndex++)} ${this.tableType(r)})`;
          break;
        case 2:
          desc = `(memory${this.decl(names.memories, this.memoryIndex++)} ${this.limits(r)})`;
          break;
        case 3:
          desc = `(global${this.decl(names.globals, this.globalIndex++)} ${this.globalType(r)})`;
          break;
        case 4:
          desc = `(tag${this.decl(names.tags, this.tagIndex++)} ${this.tagType(r)})`;
          break;
        default:
          return r.fail(`malformed import kind ${kind} at ${hex(kindAt)}`, kindAt);
      }
      this.line(`  (import ${module} ${name} ${desc})`, at, r.pos);
    }
    this.expectEnd(r, 'import');
  }

  private tables(r: ByteReader): void {
    const n = r.count('table', 2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      let init = '';
      let type: string;
      if (r.peek() === 0x40) {
        r.u8();
        const zat = r.pos;
        if (r.u8('reserved byte') !== 0) r.fail(`malformed table: expected 0x00 at ${hex(zat)}`, zat);
        type = this.tableType(r);
        init = ' ' + this.constExpr(r);
      } else type = this.tableType(r);
      this.line(`  (table${this.decl(this.ctx.names.tables, this.tableIndex++)} ${type}${init})`, at, r.pos);
    }
    this.expectEnd(r, 'table');
  }

  private memories(r: ByteReader): void {
    const n = r.count('memory', 2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      this.line(`  (memory${this.decl(this.ctx.names.memories, this.memoryIndex++)} ${this.limits(r)})`, at, r.pos);
    }
    this.expectEnd(r, 'memory');
  }

  private tags(r: ByteReader): void {
    const n = r.count('tag', 2);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      this.line(`  (tag${this.decl(this.ctx.names.tags, this.tagIndex++)} ${this.tagType(r)})`, at, r.pos);
    }
    this.expectEnd(r, 'tag');
  }

  private globals(r: ByteReader): void {
    const n = r.count('global', 3);
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const type = this.globalType(r);
      this.line(`  (global${this.decl(this.ctx.names.globals, this.globalIndex++)} ${type} ${this.constExpr(r)})`, at, r.pos);
    }
    this.expectEnd(r, 'global');
  }

  private exports(r: ByteReader): void {
    const n = r.count('export', 3);
    const names = this.ctx.names;
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const name = watString(r.nameValue('export name'));
      const kindAt = r.pos;
      const kind = r.u8('export kind');
      const index = r.u32('export index');
      let target: string;
      switch (kind) {
        case 0:
          target = `func ${this.idx(names.funcs, index)}`;
          break;
        case 1:
          target = `table ${this.idx(names.tables, index)}`;
          break;
        case 2:
          target = `memory ${this.idx(names.memories, index)}`;
          break;
        case 3:
          target = `global ${this.idx(names.globals, index)}`;
          break;
        case 4:
          target = `tag ${this.idx(names.tags, index)}`;
          break;
        default:
          return r.fail(`malformed export kind ${kind} at ${hex(kindAt)}`, kindAt);
      }
      this.line(`  (export ${name} (${target}))`, at, r.pos);
    }
    this.expectEnd(r, 'export');
  }

  /** A constant expression as folded instructions; advances `r` past its `end`. */
  private constExpr(r: ByteReader): string {
    const c = this.body.constExprText(r.pos, r.end);
    if (c.error !== undefined) r.fail(c.error, c.end);
    r.pos = c.end;
    return c.text;
  }

  /** An active segment's offset: `(i32.const 0)`, or `(offset ...)` for more than one instruction. */
  private offsetExpr(r: ByteReader): string {
    const text = this.constExpr(r);
    return text.indexOf(') (') >= 0 ? `(offset ${text})` : text;
  }

  private elems(r: ByteReader): void {
    const n = r.count('element segment', 1);
    const names = this.ctx.names;
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const flags = r.u32('element segment flags');
      if (flags > 7) r.fail(`malformed element segment flags ${flags} at ${hex(at)}`, at);
      let head = `  (elem${this.decl(names.elems, i)}`;
      const passiveOrDeclared = (flags & 1) !== 0;
      const exprs = (flags & 4) !== 0;
      if (!passiveOrDeclared) {
        const table = flags & 2 ? r.u32('table index') : 0;
        if (flags & 2) head += ` (table ${this.idx(names.tables, table)})`;
        head += ' ' + this.offsetExpr(r);
      } else if (flags & 2) head += ' declare';
      let type = exprs ? 'funcref' : 'func';
      if (flags & 3) {
        if (exprs) type = valTypeText(readValueType(r), this.types);
        else {
          const kat = r.pos;
          const kind = r.u8('element kind');
          if (kind !== 0) r.fail(`malformed element kind ${kind} at ${hex(kat)}`, kat);
        }
      }
      // an active segment of table 0 with function indices keeps the short form (flags 0): `func` only there is optional
      head += flags === 0 ? ' func' : ' ' + type;
      const count = r.count('element', 1);
      const startText = this.sink.written;
      this.sink.write(head);
      this.openParens = 1;
      let onLine = 0;
      for (let k = 0; k < count; k++) {
        if (onLine === INDICES_PER_LINE) {
          this.sink.write('\n    ');
          onLine = 0;
        }
        if (exprs) this.sink.write(` (item ${this.constExpr(r)})`);
        else this.sink.write(' ' + this.idx(names.funcs, r.u32('function index')));
        onLine++;
      }
      this.sink.write(this.offsets ? `) ;; @${hex(at)}\n` : ')\n');
      this.openParens = 0;
      this.record(startText, at, r.pos);
    }
    this.expectEnd(r, 'element');
  }

  private data(r: ByteReader): void {
    const n = r.count('data segment', 1);
    const names = this.ctx.names;
    for (let i = 0; i < n; i++) {
      const at = r.pos;
      const flags = r.u32('data segment flags');
      if (flags > 2) r.fail(`malformed data segment flags ${flags} at ${hex(at)}`, at);
      let head = `  (data${this.decl(names.data, i)}`;
      if (flags !== 1) {
        const memory = flags === 2 ? r.u32('memory index') : 0;
        if (flags === 2) head += ` (memory ${this.idx(names.memories, memory)})`;
        head += ' ' + this.offsetExpr(r);
      }
      const sizeAt = r.pos;
      const size = r.u32('data segment size');
      if (size > r.remaining) r.fail(`data segment ${i} size ${size} at ${hex(sizeAt)} runs past the end of the section (${r.remaining} bytes left)`, sizeAt);
      const start = this.sink.written;
      this.sink.write(head);
      this.byteStrings(r.pos, size, '    ');
      r.pos += size;
      this.sink.write(this.offsets ? `) ;; @${hex(at)}\n` : ')\n');
      this.record(start, at, r.pos);
    }
    this.expectEnd(r, 'data');
  }

  /** `"..."` string literals of BYTES_PER_LINE bytes each, one per line after the first (the rest summarised past maxInline). */
  private byteStrings(start: number, size: number, pad: string): void {
    const shown = Math.min(size, this.maxInline);
    const sink = this.sink;
    if (size === 0) {
      sink.write(' ""');
      return;
    }
    for (let p = 0; p < shown; p += BYTES_PER_LINE) {
      const e = Math.min(p + BYTES_PER_LINE, shown);
      sink.write((p === 0 ? ' "' : '\n' + pad + '"') + escapeWatBytes(this.bytes, start + p, start + e) + '"');
    }
    if (shown < size) sink.write(` ;; ... ${size - shown} more bytes (${size} in all, at ${hex(start)}) not shown\n${pad}`);
  }

  // ---- code

  private code(r: ByteReader, s: SectionSpan): void {
    const n = r.count('function body', 1);
    const defined = this.ctx.funcTypes.length - this.ctx.funcImports;
    if (n !== defined) this.problem(s.start, `the code section has ${n} function bodies but the function section declares ${defined} functions`);
    for (let i = 0; i < n; i++) {
      if (i >= this.ctx.bodyStarts.length) {
        r.fail(`function body ${i} could not be read (the code section ends or is malformed)`, this.ctx.bodyEnds[this.ctx.bodyEnds.length - 1] ?? s.start);
      }
      this.function(i, 1);
    }
  }

  /** Defined function `i` (its position in the code section) at indentation `level`. */
  function(i: number, level: number): void {
    const ctx = this.ctx;
    const func = ctx.funcImports + i;
    const start = ctx.bodyStarts[i];
    const end = ctx.bodyEnds[i];
    if (start === undefined) {
      this.problem(0, `function ${func} has no body`);
      this.sink.write(`${indent(level)};; function ${func} has no body in the code section\n`);
      return;
    }
    const typeIndex = ctx.funcTypes[func];
    const type = typeIndex === undefined ? undefined : ctx.types[typeIndex];
    const locals = ctx.names.locals(func);
    let head = `${indent(level)}(func${this.decl(ctx.names.funcs, func)}`;
    if (typeIndex === undefined) {
      this.problem(start, `function ${func} has a body but no type in the function section`);
      head += ' ;; (no type in the function section)\n';
    } else {
      head += locals.size === 0 ? this.signatureText(typeIndex, type) : this.signatureWithLocals(typeIndex, type, locals);
    }
    if (!this.bodies) {
      // one line per function (a block comment keeps the closing paren on it): the view of a module of
      // 100,000 functions stays 100,000 lines
      this.line(`${head} (; body ${end - start} bytes @${hex(start)} ;))`, start, end);
      return;
    }
    this.line(head, start, end);
    const problems = this.body.problems.length;
    this.body.printBody(func, start, end, level + 1);
    for (let k = problems; k < this.body.problems.length; k++) this.problem(this.body.problems[k].offset, this.body.problems[k].message);
    this.body.problems.length = 0;
    this.sink.write(`${indent(level)})\n`);
  }

  /** ` (type t) (param ...) (result ...)` of a function of type `typeIndex` without local names: made once per type */
  private signatureText(typeIndex: number, type: TypeInfo | undefined): string {
    return (this.signatures[typeIndex] ??= this.signatureWithLocals(typeIndex, type, EMPTY_IDS));
  }

  private readonly signatures: string[] = [];

  /** ` (type t) (param ...) (result ...)`, params named by `locals` where they have ids */
  private signatureWithLocals(typeIndex: number, type: TypeInfo | undefined, locals: IdMap): string {
    let head = ` (type ${this.idx(this.types, typeIndex)})`;
    if (type?.kind === 'func') {
      let group = '';
      type.params.forEach((p, k) => {
        const id = locals.get(k);
        const t = valTypeText(p, this.types);
        if (id) {
          if (group) head += ` (param${group})`;
          group = '';
          head += ` (param ${id} ${t})`;
        } else group += ' ' + t;
      });
      if (group) head += ` (param${group})`;
      if (type.results.length) head += ` (result ${type.results.map((t) => valTypeText(t, this.types)).join(' ')})`;
    }
    return head;
  }

  // ---- custom sections

  private custom(s: SectionSpan, r: ByteReader): void {
    if (++this.customsSeen > this.maxCustoms) {
      if (this.customsOmitted++ === 0) this.firstOmittedCustom = s.offset;
      // the content's bytes, after the name
      const len = r.u32('custom section name length');
      this.customBytesOmitted += Math.max(0, s.end - r.pos - len);
      return;
    }
    const name = r.nameValue('custom section name');
    const start = this.sink.written;
    if (name === 'name' && !this.nameSeen) {
      this.nameSeen = true;
      if (this.sectionIndex < this.lastDeclared) this.deferredName = s;
      else this.nameComment(s);
      return;
    }
    if (name === 'name' || !this.customs) {
      this.sink.write(`  ;; custom section ${commentText(watString(name))} (${s.end - s.start} bytes @${hex(s.offset)}): ${name === 'name' ? 'a second name section, not used' : 'not printed'}\n`);
      this.record(start, s.offset, s.end);
      return;
    }
    const place = this.sectionIndex > this.lastDeclared && this.nameSeen ? '(after last)' : this.lastSection ? `(after ${this.lastSection})` : '(before first)';
    this.sink.write(`  (@custom ${watString(name)} ${place}`);
    this.byteStrings(r.pos, s.end - r.pos, '    ');
    this.sink.write(this.offsets ? `) ;; @${hex(s.offset)}\n` : ')\n');
    this.record(start, s.offset, s.end);
  }

  /**
   * The line that stands for the name section (its content is the `$ids`). Its size and offset are
   * shown only with the offsets or in the view: the text of a module compiled back from this text
   * must be this text, and its name section holds only the names the text has (docs/round-trip.md).
   */
  private nameComment(s: SectionSpan): void {
    const start = this.sink.written;
    const where = this.offsets || !this.bodies ? ` (${s.end - s.start} bytes @${hex(s.offset)})` : '';
    this.sink.write(`  ;; custom section "name"${where}: printed as the $ids\n`);
    this.record(start, s.offset, s.end);
  }

  private expectEnd(r: ByteReader, what: string): void {
    if (!r.atEnd()) r.fail(`the ${what} section has ${r.remaining} bytes after its last entry at ${hex(r.pos)}`, r.pos);
  }
}


