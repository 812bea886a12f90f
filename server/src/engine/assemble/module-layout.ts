/**
 * What the assembler knows about one module before it writes a byte: the index of every `$id` in
 * every index space (from the parser's definitions), the explicit types (rec groups, subtypes) and
 * the implicit function types type uses add, value type encodings, struct field names, and the
 * diagnostics found on the way (unknown `$id`s, malformed indexes and types).
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { Span } from '../span';
import { TokenKind } from '../wat/lexer';
import { idKey } from '../wat/forms';
import { intInRange, intNumber } from '../wat/numbers';
import { type Atom, type List, type Node, type ModuleSyntax, headOf } from '../wat/syntax';
import { ByteWriter } from './byte-writer';

const T_ID = TokenKind.Id;
const T_INT = TokenKind.Int;

export type ModuleSpace = 'type' | 'func' | 'table' | 'memory' | 'global' | 'tag' | 'data' | 'elem';

/** Abstract heap types: their one-byte encodings. */
export const HEAP_CODES: Record<string, number> = {
  func: 0x70, extern: 0x6f, any: 0x6e, eq: 0x6d, i31: 0x6c, struct: 0x6b, array: 0x6a, exn: 0x69, cont: 0x68,
  noexn: 0x74, nofunc: 0x73, noextern: 0x72, none: 0x71, nocont: 0x75,
};

/** Value types written as one keyword: numeric types and nullable abstract references. */
export const VALTYPE_CODES: Record<string, number> = {
  i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b,
  funcref: 0x70, externref: 0x6f, anyref: 0x6e, eqref: 0x6d, i31ref: 0x6c, structref: 0x6b, arrayref: 0x6a,
  exnref: 0x69, contref: 0x68, nullexnref: 0x74, nullfuncref: 0x73, nullexternref: 0x72, nullref: 0x71, nullcontref: 0x75,
};

/** One type of the type section. */
export interface TypeEntry {
  /** its encoding (subtype), without the rec group header */
  bytes: Uint8Array;
  /** func types: the encoded param and result lists, and their counts */
  params?: string;
  results?: string;
  paramCount: number;
  resultCount: number;
  /** the text the type was written at */
  span: Span;
  /** the number of types of the rec group starting here (0 for a type inside a group) */
  group: number;
  /** written `(rec ...)`: encoded with the rec header even for one type */
  explicitRec: boolean;
  /** may implicit type uses match it (a func type not written in a `(rec ...)`) */
  plainFunc: boolean;
  /** struct field `$id`s -> field index */
  fields?: Map<string, number>;
  fieldNames?: (string | undefined)[];
}

export class ModuleLayout {
  readonly ids = new Map<ModuleSpace, Map<string, number>>();
  readonly counts: Record<ModuleSpace, number> = { type: 0, func: 0, table: 0, memory: 0, global: 0, tag: 0, data: 0, elem: 0 };
  readonly types: TypeEntry[] = [];
  /** func signature key (params + ';' + results) -> first matching type index */
  private readonly sigIndex = new Map<string, number>();
  readonly scratch = new ByteWriter(64);

  constructor(
    /** the text atoms are read from (the live checker sets it to a buffer's newer text) */
    public text: string,
    readonly mod: ModuleSyntax,
    /** where errors go (the live checker swaps it per function) */
    public diagnostics: EngineDiagnostic[],
  ) {
    for (const space of Object.keys(this.counts) as ModuleSpace[]) {
      const defs = mod.defs[space];
      this.counts[space] = defs.length;
      const m = new Map<string, number>();
      for (const d of defs) if (d.id !== undefined && !m.has(d.id)) m.set(d.id, d.index);
      this.ids.set(space, m);
    }
  }

  error(message: string, s: Span, code = 'wat-assemble'): void {
    if (this.diagnostics.length > 1000) return;
    this.diagnostics.push({ code, severity: 'error', message, span: { start: s.start, end: s.end }, source: 'wat-assembler' });
  }

  /** An index token (`$id` or unsigned integer) in `space`; reports and returns 0 when it cannot be read. */
  index(space: ModuleSpace, n: Node | undefined, at: Span): number {
    if (n === undefined || n.type !== 'atom') {
      this.error(`expected a ${space} index`, n ?? at);
      return 0;
    }
    if (n.token === T_INT) return this.uint(n);
    if (n.token === T_ID) {
      const v = this.ids.get(space)!.get(idKey(n.text));
      if (v === undefined) {
        this.error(`unknown ${space} ${n.text}`, n, 'wat-unknown-id');
        return 0;
      }
      return v;
    }
    this.error(`expected a ${space} index, found '${n.text}'`, n);
    return 0;
  }

  /** An unsigned 32-bit integer token. */
  uint(a: Atom): number {
    const t = this.text;
    if (a.end - a.start <= 9 && t.charCodeAt(a.start + 1) !== 120) {
      // at most 9 decimal digits: always an unsigned 32-bit value when it is one at all
      const v = intNumber(t, a.start, a.end);
      if (v >= 0) return v;
    }
    if (!intInRange(t, a.start, a.end, 32, true)) {
      this.error(`'${a.text}' is not an unsigned 32-bit integer`, a, 'wat-bad-number');
      return 0;
    }
    return intNumber(t, a.start, a.end);
  }

  isIndex(n: Node | undefined): n is Atom {
    return n !== undefined && n.type === 'atom' && (n.token === T_ID || n.token === T_INT);
  }

  // ------------------------------------------------------------------ value types

  /** Writes a heap type (abstract keyword or type index, as s33). */
  heapType(w: ByteWriter, n: Node | undefined, at: Span): void {
    if (n !== undefined && n.type === 'atom') {
      const code = HEAP_CODES[n.text];
      if (code !== undefined) {
        w.u8(code);
        return;
      }
      if (n.token === T_ID || n.token === T_INT) {
        w.sNum(this.index('type', n, at));
        return;
      }
    } else if (headOf(n) === 'exact') {
      // custom descriptors: (exact $t)
      w.u8(0x62);
      w.sNum(this.index('type', (n as List).children[1], n!));
      return;
    }
    this.error('expected a heap type', n ?? at);
    w.u8(0x70);
  }

  /** Writes a value type (or storage type `i8`/`i16` when `storage`). Returns false when n is not one. */
  valType(w: ByteWriter, n: Node | undefined, at: Span, storage = false): boolean {
    if (n !== undefined && n.type === 'atom') {
      const code = VALTYPE_CODES[n.text];
      if (code !== undefined) {
        w.u8(code);
        return true;
      }
      if (storage && (n.text === 'i8' || n.text === 'i16')) {
        w.u8(n.text === 'i8' ? 0x78 : 0x77);
        return true;
      }
    } else if (headOf(n) === 'ref') {
      const c = (n as List).children;
      let i = 1;
      const nullable = c[i] !== undefined && c[i].type === 'atom' && (c[i] as Atom).text === 'null';
      if (nullable) i++;
      w.u8(nullable ? 0x63 : 0x64);
      this.heapType(w, c[i], n!);
      return true;
    }
    this.error('expected a value type', n ?? at);
    w.u8(0x7f);
    return false;
  }

  /** Reference type (as in tables, elem segments). */
  refType(w: ByteWriter, n: Node | undefined, at: Span): void {
    this.valType(w, n, at);
  }

  /**
   * Writes the value types of `(param ...)`/`(result ...)` lists from c[i] on; returns the next
   * position and the number of types written. `kind`: which head to read.
   */
  valTypeLists(w: ByteWriter, c: Node[], i: number, kind: 'param' | 'result' | 'local'): { next: number; count: number } {
    let count = 0;
    for (; i < c.length; i++) {
      if (headOf(c[i]) !== kind) break;
      const lc = (c[i] as List).children;
      let j = 1;
      if (lc[j] !== undefined && lc[j].type === 'atom' && (lc[j] as Atom).token === T_ID) j++;
      for (; j < lc.length; j++) {
        this.valType(w, lc[j], c[i]);
        count++;
      }
    }
    return { next: i, count };
  }

  // ------------------------------------------------------------------ types

  /** Reads every explicit type definition (type fields and rec groups), in order. */
  defineTypes(fields: List[]): void {
    for (const f of fields) {
      const h = headOf(f);
      if (h === 'type') this.defineType(f, 1, false);
      else if (h === 'rec') {
        const c = f.children;
        const first = this.types.length;
        for (let i = 1; i < c.length; i++) if (headOf(c[i]) === 'type') this.defineType(c[i] as List, 0, true);
        if (this.types.length > first) {
          this.types[first].group = this.types.length - first;
          for (let k = first + 1; k < this.types.length; k++) this.types[k].group = 0;
        } else {
          // an empty rec group: a group of zero types, still written
          this.types.push({ bytes: new Uint8Array(0), paramCount: 0, resultCount: 0, span: f, group: 0, explicitRec: true, plainFunc: false });
        }
      }
    }
    this.counts.type = this.types.length;
  }

  private defineType(t: List, group: number, inRec: boolean): void {
    const c = t.children;
    let i = 1;
    if (c[i] !== undefined && c[i].type === 'atom' && (c[i] as Atom).token === T_ID) i++;
    let d: Node | undefined = c[i];
    const w = new ByteWriter(32);
    let final = true;
    let supers: Atom[] = [];
    let sub = false;
    if (headOf(d) === 'sub') {
      sub = true;
      const s = (d as List).children;
      let j = 1;
      final = false;
      if (s[j] !== undefined && s[j].type === 'atom' && (s[j] as Atom).text === 'final') {
        final = true;
        j++;
      }
      while (this.isIndex(s[j])) supers.push(s[j++] as Atom);
      d = s[j];
    }
    if (sub && (!final || supers.length > 0)) {
      w.u8(final ? 0x4f : 0x50);
      w.u32(supers.length);
      for (const s of supers) w.u32(this.index('type', s, t));
    }
    const entry: TypeEntry = { bytes: new Uint8Array(0), paramCount: 0, resultCount: 0, span: t, group: 1, explicitRec: inRec, plainFunc: false };
    const h = headOf(d);
    const dc = (d as List | undefined)?.children ?? [];
    if (h === 'func') {
      w.u8(0x60);
      const p = new ByteWriter(16);
      const pr = this.valTypeLists(p, dc, 1, 'param');
      const r = new ByteWriter(16);
      const rr = this.valTypeLists(r, dc, pr.next, 'result');
      w.u32(pr.count);
      w.append(p);
      w.u32(rr.count);
      w.append(r);
      entry.params = bytesKey(p);
      entry.results = bytesKey(r);
      entry.paramCount = pr.count;
      entry.resultCount = rr.count;
      // as wasm-tools does: any func type outside an explicit rec group (final or not) matches
      entry.plainFunc = !inRec;
    } else if (h === 'struct') {
      w.u8(0x5f);
      const fw = new ByteWriter(32);
      let count = 0;
      const fields = new Map<string, number>();
      const names: (string | undefined)[] = [];
      for (let k = 1; k < dc.length; k++) {
        if (headOf(dc[k]) !== 'field') continue;
        const fc = (dc[k] as List).children;
        let j = 1;
        if (fc[j] !== undefined && fc[j].type === 'atom' && (fc[j] as Atom).token === T_ID) {
          const key = idKey((fc[j] as Atom).text);
          if (!fields.has(key)) fields.set(key, count);
          names[count] = key;
          j++;
        }
        for (; j < fc.length; j++) {
          this.fieldType(fw, fc[j], dc[k]);
          count++;
        }
      }
      w.u32(count);
      w.append(fw);
      entry.fields = fields;
      entry.fieldNames = names;
    } else if (h === 'array') {
      w.u8(0x5e);
      this.fieldType(w, dc[1], d!);
    } else if (h === 'cont') {
      w.u8(0x5d);
      w.sNum(this.index('type', dc[1], d!));
    } else {
      this.error('expected (func ...), (struct ...), (array ...) or (sub ...)', d ?? t);
      w.u8(0x60);
      w.u8(0);
      w.u8(0);
    }
    entry.bytes = w.toBytes();
    entry.group = group || 1;
    const index = this.types.length;
    this.types.push(entry);
    if (entry.plainFunc) {
      const key = entry.params + ';' + entry.results;
      if (!this.sigIndex.has(key)) this.sigIndex.set(key, index);
    }
  }

  private fieldType(w: ByteWriter, n: Node | undefined, at: Span): void {
    if (headOf(n) === 'mut') {
      this.valType(w, (n as List).children[1], n!, true);
      w.u8(1);
    } else {
      this.valType(w, n, at, true);
      w.u8(0);
    }
  }

  /** The type index of a signature given by its encoded params and results: an existing plain func type, or a new one. */
  sigType(params: string, results: string, paramCount: number, resultCount: number, at: Span): number {
    const key = params + ';' + results;
    const found = this.sigIndex.get(key);
    if (found !== undefined) return found;
    const w = new ByteWriter(16);
    w.u8(0x60);
    w.u32(paramCount);
    for (let k = 0; k < params.length; k++) w.u8(params.charCodeAt(k));
    w.u32(resultCount);
    for (let k = 0; k < results.length; k++) w.u8(results.charCodeAt(k));
    const index = this.types.length;
    this.types.push({ bytes: w.toBytes(), params, results, paramCount, resultCount, span: at, group: 1, explicitRec: false, plainFunc: true });
    this.sigIndex.set(key, index);
    return index;
  }

  /**
   * A type use `(type x)? (param ...)* (result ...)*` at c[i]: its type index (existing or implicit),
   * the number of params, and the next position. `block`: a block type (see blockType).
   */
  typeUse(c: Node[], i: number, at: Span): { type: number; params: number; next: number } {
    let explicit = -1;
    if (headOf(c[i]) === 'type') {
      const tl = c[i] as List;
      explicit = this.index('type', tl.children[1], tl);
      i++;
    }
    const p = this.scratchWriter();
    const pr = this.valTypeLists(p, c, i, 'param');
    const params = bytesKey(p);
    p.len = 0;
    const rr = this.valTypeLists(p, c, pr.next, 'result');
    const results = bytesKey(p);
    if (explicit >= 0) {
      const t = this.types[explicit];
      return { type: explicit, params: pr.next > i || !t ? pr.count : t.paramCount, next: rr.next };
    }
    return { type: this.sigType(params, results, pr.count, rr.count, c[i] ?? at), params: pr.count, next: rr.next };
  }

  /** Writes a block type at c[i] (`(type x)? (param ...)* (result ...)*`); returns the next position. */
  blockType(w: ByteWriter, c: Node[], i: number, at: Span): number {
    if (headOf(c[i]) !== 'type' && headOf(c[i]) !== 'param') {
      // none or results only: the common cases
      if (headOf(c[i]) !== 'result') {
        w.u8(0x40);
        return i;
      }
      const lc = (c[i] as List).children;
      if (lc.length === 2 && headOf(c[i + 1]) !== 'result') {
        this.valType(w, lc[1], c[i]);
        return i + 1;
      }
      if (lc.length === 1 && headOf(c[i + 1]) !== 'result') {
        w.u8(0x40);
        return i + 1;
      }
    }
    const u = this.typeUse(c, i, at);
    w.sNum(u.type);
    return u.next;
  }

  private scratchWriter(): ByteWriter {
    this.scratch.len = 0;
    return this.scratch;
  }
}

/** A writer's bytes as a string key (one char per byte). */
export function bytesKey(w: ByteWriter): string {
  let s = '';
  for (let k = 0; k < w.len; k++) s += String.fromCharCode(w.buf[k]);
  return s;
}
