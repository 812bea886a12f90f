/**
 * One module's syntax tree -> the sections of its binary: imports, functions, tables, memories, tags,
 * globals, exports, start, element and data segments (with the inline abbreviations: inline imports
 * and exports, a table's inline `(elem ...)`, a memory's inline `(data ...)`), the code, the data
 * count when code needs it, the name section and `(@custom ...)` sections.
 *
 * Fields are read in text order, so the implicit types their type uses add come in text order too.
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { Span } from '../span';
import { TokenKind, decodeStringBytes } from '../wat/lexer';
import { idKey } from '../wat/forms';
import { intValue } from '../wat/numbers';
import { type Atom, type List, type Node, type ModuleSyntax, headOf } from '../wat/syntax';
import { ByteWriter, u32Size } from './byte-writer';
import { InstructionEncoder } from './instruction-encoder';
import { ModuleLayout, VALTYPE_CODES, bytesKey, type ModuleSpace } from './module-layout';
import { SourceMap } from './source-map';
import { writeNameSection } from './name-section';
import { customSections, type CustomSection } from './custom-sections';
import { TokenBodyEncoder } from './token-body-encoder';
import type { TokenStream } from '../wat/lexer';
import type { BodyRange } from '../wat/tree-builder';

/** The index of the token starting at char offset `at`, or -1 when no token starts there. */
function tokenAt(tokens: TokenStream, at: number): number {
  const starts = tokens.starts;
  let lo = 0;
  let hi = tokens.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = starts[mid];
    if (s === at) return mid;
    if (s < at) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Function bodies encoded from the lexer's tokens (token-body-encoder.ts) rather than from the tree.
 * With `ranges` (the fast path of assembleWat): func lists of the tree hold their header only, and
 * `ranges` the tokens of their instructions; a body the token encoder leaves makes run() throw
 * FullPathNeeded. Without `ranges` (validation of a parsed text): the tree holds the bodies too, and
 * `tokens` are that same text's; each body is encoded from its tokens when the token encoder takes
 * it, else from its tree.
 */
export interface TokenBodies {
  tokens: TokenStream;
  ranges?: Map<List, BodyRange>;
}

/** Thrown by ModuleAssembler.run when a body in `TokenBodies` needs the full path (see token-body-encoder.ts). */
export class FullPathNeeded extends Error {}

const T_ID = TokenKind.Id;
const T_INT = TokenKind.Int;
const T_STRING = TokenKind.String;

const KIND_CODES: Record<string, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };

/** Section ids in the order they are written. */
const ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

interface Section {
  w: ByteWriter;
  map: SourceMap;
  count: number;
}

function section(): Section {
  return { w: new ByteWriter(256), map: new SourceMap(16), count: 0 };
}

export interface ModuleAssembly {
  bytes: Uint8Array;
  map: SourceMap;
}

function isAtomOf(n: Node | undefined, token: TokenKind): n is Atom {
  return n !== undefined && n.type === 'atom' && n.token === token;
}

export class ModuleAssembler {
  private readonly L: ModuleLayout;
  private readonly enc: InstructionEncoder;
  private readonly s = new Map<number, Section>();
  private readonly body = new ByteWriter(1024);
  private readonly exports: { name: Atom; kind: number; index: number; span: Span }[] = [];
  /** per defined function: local names (index -> name) */
  readonly localNames = new Map<number, Map<number, string>>();
  /** per defined function: label names (block index -> name) */
  readonly labelNames = new Map<number, Map<number, string>>();
  private funcIndex = 0;
  private tableIndex = 0;
  private memoryIndex = 0;
  private globalIndex = 0;
  private tagIndex = 0;
  private dataCount = 0;
  private readonly table64 = new Set<number>();

  constructor(
    private readonly text: string,
    private readonly mod: ModuleSyntax,
    private readonly customs: { span: Span; nameStart: number; nameEnd: number }[],
    diagnostics: EngineDiagnostic[],
    /** write the name section */
    private readonly names = true,
    /** bodies to encode from tokens (assembleWat's fast path): run() throws FullPathNeeded when one cannot be */
    private bodies?: TokenBodies,
    /**
     * enter every instruction in the source map; without, a function body maps to its function as a
     * whole (for validation: `functionBody` gives one function's instruction map where a finding is)
     */
    instructionMap = true,
  ) {
    this.L = new ModuleLayout(text, mod, diagnostics);
    for (const id of ORDER) this.s.set(id, section());
    // about one instruction per 40 characters of text (wasm2wat output): no regrowing on large modules
    const code = this.s.get(10)!;
    code.map = new SourceMap(instructionMap ? Math.max(64, text.length >> 5) : 64);
    code.w = new ByteWriter(Math.max(256, text.length >> 4));
    this.enc = new InstructionEncoder(this.L, instructionMap ? code.map : undefined);
    if (bodies !== undefined) this.tokenEncoder = new TokenBodyEncoder(bodies.tokens, text, this.L, this.enc);
  }

  private tokenEncoder: TokenBodyEncoder | undefined;
  /** with tokens beside a tree (validation): how many bodies the token encoder took (the others came from the tree) */
  bodiesFromTokens = 0;

  run(): ModuleAssembly {
    const L = this.L;
    const fields = this.mod.fields;
    L.defineTypes(fields);
    for (const f of fields) this.declareSizes(f);
    for (const f of fields) this.field(f);
    // exports are written after the fields (inline exports in field order)
    const ex = this.s.get(7)!;
    for (const e of this.exports) {
      ex.map.add(ex.w.len, e.span.start, e.span.end);
      ex.w.vecBytes(decodeStringBytes(this.text, e.name.start, e.name.end));
      ex.w.u8(e.kind);
      ex.w.u32(e.index);
      ex.count++;
    }
    // the type section last: type uses added implicit types
    const ts = this.s.get(1)!;
    for (let k = 0; k < L.types.length; k++) {
      const t = L.types[k];
      if (t.group === 0 && !t.explicitRec) continue;
      ts.map.add(ts.w.len, t.span.start, t.span.end);
      ts.count++;
      if (t.explicitRec) {
        ts.w.u8(0x4e);
        ts.w.u32(t.group);
        if (t.group === 0 && t.bytes.length === 0) continue;
        for (let j = k; j < k + t.group; j++) ts.w.bytes(L.types[j].bytes);
        k += t.group - 1;
      } else ts.w.bytes(t.bytes);
    }
    if (this.enc.usesDataCount) {
      const dc = this.s.get(12)!;
      dc.w.u32(this.dataCount);
      dc.count = -1;
    }
    // tokens of a tree that holds its bodies are not needed again (functionBody() reads the tree):
    // an assembler kept for later checks does not keep them alive
    if (this.bodies !== undefined && this.bodies.ranges === undefined) this.bodies = this.tokenEncoder = undefined;
    return this.write();
  }

  private sizeTables = 0;

  /** Which tables are 64-bit (an inline elem segment's offset is an i64 then), in index order. */
  private declareSizes(f: List): void {
    const h = headOf(f);
    const c = f.children;
    let desc: List | undefined;
    let from = 1;
    if (h === 'import') {
      desc = c[3] as List;
      if (headOf(desc) !== 'table') return;
      from = isAtomOf(desc.children[1], T_ID) ? 2 : 1;
    } else if (h === 'table') {
      desc = f;
      while (from < c.length && (isAtomOf(c[from], T_ID) || headOf(c[from]) === 'export' || headOf(c[from]) === 'import')) from++;
    } else return;
    const dc = desc.children;
    if (dc[from] !== undefined && dc[from].type === 'atom' && (dc[from] as Atom).text === 'i64') this.table64.add(this.sizeTables);
    this.sizeTables++;
  }

  /** `$id? (export ..)* (import ..)?`: inline exports recorded, the inline import returned. */
  private header(f: List, kind: string, index: number): { i: number; imp: List | undefined } {
    const c = f.children;
    let i = 1;
    if (isAtomOf(c[i], T_ID)) i++;
    let imp: List | undefined;
    for (; i < c.length; i++) {
      const h = headOf(c[i]);
      if (h === 'export') {
        const n = (c[i] as List).children[1];
        if (isAtomOf(n, T_STRING)) this.exports.push({ name: n, kind: KIND_CODES[kind], index, span: c[i] });
      } else if (h === 'import') imp = c[i] as List;
      else break;
    }
    return { i, imp };
  }

  private field(f: List): void {
    const h = headOf(f)!;
    const c = f.children;
    switch (h) {
      case 'import': {
        const d = c[3] as List | undefined;
        const dh = headOf(d);
        if (!d || !dh || KIND_CODES[dh] === undefined) return;
        const di = isAtomOf(d.children[1], T_ID) ? 2 : 1;
        this.importEntry(f, c[1] as Atom, c[2] as Atom, dh, d.children, di, d);
        return;
      }
      case 'func':
        return this.func(f);
      case 'table':
        return this.table(f);
      case 'memory':
        return this.memory(f);
      case 'global':
        return this.global(f);
      case 'tag': {
        const { i, imp } = this.header(f, 'tag', this.tagIndex);
        if (imp) {
          this.importEntry(f, imp.children[1] as Atom, imp.children[2] as Atom, 'tag', c, i, f);
          return;
        }
        const sec = this.s.get(13)!;
        sec.map.add(sec.w.len, f.start, f.end);
        sec.w.u8(0);
        sec.w.u32(this.L.typeUse(c, i, f).type);
        sec.count++;
        this.tagIndex++;
        return;
      }
      case 'export': {
        const d = c[2] as List | undefined;
        const dh = headOf(d);
        if (!d || !dh || KIND_CODES[dh] === undefined || !isAtomOf(c[1], T_STRING)) return;
        this.exports.push({ name: c[1] as Atom, kind: KIND_CODES[dh], index: this.L.index(dh as ModuleSpace, d.children[1], d), span: f });
        return;
      }
      case 'start': {
        const sec = this.s.get(8)!;
        sec.map.add(sec.w.len, f.start, f.end);
        sec.w.len = 0;
        sec.w.u32(this.L.index('func', c[1], f));
        sec.count = -1;
        return;
      }
      case 'elem':
        return this.elem(f);
      case 'data':
        return this.data(f);
    }
  }

  private importEntry(f: List, mod: Atom, name: Atom, kind: string, c: Node[], i: number, at: List): void {
    const sec = this.s.get(2)!;
    const w = sec.w;
    sec.map.add(w.len, f.start, f.end);
    sec.count++;
    w.vecBytes(decodeStringBytes(this.text, mod.start, mod.end));
    w.vecBytes(decodeStringBytes(this.text, name.start, name.end));
    w.u8(KIND_CODES[kind]);
    switch (kind) {
      case 'func': {
        const u = this.L.typeUse(c, i, at);
        w.u32(u.type);
        this.funcIndex++;
        return;
      }
      case 'tag':
        w.u8(0);
        w.u32(this.L.typeUse(c, i, at).type);
        this.tagIndex++;
        return;
      case 'table': {
        const lim = this.limits(c, i, false);
        this.L.refType(w, c[lim.next], at);
        w.bytes(lim.bytes);
        this.tableIndex++;
        return;
      }
      case 'memory':
        w.bytes(this.limits(c, i, true).bytes);
        this.memoryIndex++;
        return;
      case 'global':
        this.globalType(w, c[i], at);
        this.globalIndex++;
        return;
    }
  }

  private globalType(w: ByteWriter, t: Node | undefined, at: Span): void {
    if (headOf(t) === 'mut') {
      this.L.valType(w, (t as List).children[1], t!);
      w.u8(1);
    } else {
      this.L.valType(w, t, at);
      w.u8(0);
    }
  }

  /** `i32|i64? min max? shared? (pagesize n)?` -> the limits' encoding. */
  private limits(c: Node[], i: number, memory: boolean): { bytes: Uint8Array; next: number } {
    let flags = 0;
    if (isAtomOf(c[i], TokenKind.Keyword) && ((c[i] as Atom).text === 'i64' || (c[i] as Atom).text === 'i32')) {
      if ((c[i] as Atom).text === 'i64') flags |= 4;
      i++;
    }
    const w = new ByteWriter(24);
    let min: bigint = 0n;
    let max: bigint | undefined;
    if (isAtomOf(c[i], T_INT)) {
      min = intValue(this.text, c[i].start, c[i].end);
      i++;
      if (isAtomOf(c[i], T_INT)) {
        max = intValue(this.text, c[i].start, c[i].end);
        flags |= 1;
        i++;
      }
    } else this.L.error('expected the minimum size', c[i] ?? { start: 0, end: 0 });
    let page: number | undefined;
    if (memory) {
      if (isAtomOf(c[i], TokenKind.Keyword) && ((c[i] as Atom).text === 'shared' || (c[i] as Atom).text === 'unshared')) {
        if ((c[i] as Atom).text === 'shared') flags |= 2;
        i++;
      }
      if (headOf(c[i]) === 'pagesize') {
        const p = (c[i] as List).children[1];
        const size = isAtomOf(p, T_INT) ? Number(intValue(this.text, p.start, p.end)) : 0;
        const log = Math.log2(size);
        page = Number.isInteger(log) ? log : 0xffffffff;
        if (!Number.isInteger(log)) this.L.error('page size must be a power of two', c[i]);
        flags |= 8;
        i++;
      }
    }
    w.u8(flags);
    w.u64(min);
    if (max !== undefined) w.u64(max);
    if (page !== undefined) w.u32(page);
    return { bytes: w.toBytes(), next: i };
  }

  private func(f: List): void {
    const L = this.L;
    const c = f.children;
    const index = this.funcIndex;
    const { i, imp } = this.header(f, 'func', index);
    if (imp) {
      this.importEntry(f, imp.children[1] as Atom, imp.children[2] as Atom, 'func', c, i, f);
      return;
    }
    this.funcIndex++;
    // an implicit type is entered in the source map at the first node after the header's `(type ..)`:
    // with the body left as tokens (no params, results or locals), that is the body's first token
    const range = this.bodies?.ranges?.get(f);
    const tokens = this.bodies?.tokens;
    const u = L.typeUse(c, i, range !== undefined && range.from < range.to ? { start: tokens!.starts[range.from], end: tokens!.ends[range.from] } : f);
    const fs = this.s.get(3)!;
    fs.map.add(fs.w.len, f.start, f.end);
    fs.w.u32(u.type);
    fs.count++;
    const b = this.body;
    const code = this.s.get(10)!;
    const map = code.map;
    const k0 = map.count;
    map.add(code.w.len, f.start, f.end);
    this.localsAndCode(f, u, index, b, code.w.len);
    map.add(code.w.len + b.len, f.end - 1, f.end);
    b.u8(0x0b);
    const sizeLen = u32Size(b.len);
    for (let k = k0 + 1; k < map.count; k++) map.offsets[k] += sizeLen;
    code.w.u32(b.len);
    code.w.append(b);
    code.count++;
  }

  /**
   * One defined function's body alone (its locals, instructions and `end`, without the size prefix),
   * for the live type checker: after `run()`, with the module's index spaces and types as they were,
   * `f` read from `text` (a newer version of the buffer whose module-level fields are unchanged).
   * Errors go to `diagnostics`. `typesAdded` says the body's block types needed types the module did
   * not have (the module must be assembled again to check it). Undefined for an imported function.
   */
  functionBody(text: string, f: List, diagnostics: EngineDiagnostic[]): { bytes: Uint8Array; map: SourceMap; type: number; typesAdded: boolean } | undefined {
    const L = this.L;
    const c = f.children;
    let i = 1;
    if (isAtomOf(c[i], T_ID)) i++;
    while (headOf(c[i]) === 'export') i++;
    if (headOf(c[i]) === 'import') return undefined;
    const savedText = L.text;
    const savedDiagnostics = L.diagnostics;
    const savedMap = this.enc.map;
    const types = L.types.length;
    L.text = text;
    L.diagnostics = diagnostics;
    const map = new SourceMap(64);
    this.enc.map = map;
    try {
      const u = L.typeUse(c, i, f);
      const b = new ByteWriter(Math.max(64, (f.end - f.start) >> 2));
      map.add(0, f.start, f.end);
      this.localsAndCode(f, u, -1, b, 0);
      map.add(b.len, f.end - 1, f.end);
      b.u8(0x0b);
      return { bytes: b.buf.subarray(0, b.len), map, type: u.type, typesAdded: L.types.length !== types };
    } finally {
      L.text = savedText;
      L.diagnostics = savedDiagnostics;
      this.enc.map = savedMap;
    }
  }

  /** The locals and the instructions of function `f` (type use `u`) into `b`; source map offsets from `mapBase`. */
  private localsAndCode(f: List, u: { params: number; next: number }, index: number, b: ByteWriter, mapBase: number): void {
    const L = this.L;
    const c = f.children;
    let i = 1;
    if (isAtomOf(c[i], T_ID)) i++;
    while (headOf(c[i]) === 'export') i++;
    // locals: params (named in the type use), then (local ...) declarations
    const locals = this.enc.locals;
    locals.clear();
    let names: Map<number, string> | undefined;
    let n = 0;
    const name = (a: Atom): void => {
      const key = idKey(a.text);
      if (!locals.has(key)) locals.set(key, n);
      (names ??= new Map()).set(n, key.slice(1));
    };
    let j = i;
    if (headOf(c[j]) === 'type') j++;
    for (; headOf(c[j]) === 'param'; j++) {
      const pc = (c[j] as List).children;
      if (isAtomOf(pc[1], T_ID)) {
        name(pc[1]);
        n++;
      } else n += pc.length - 1;
    }
    n = Math.max(n, u.params);
    j = u.next;
    b.len = 0;
    // local declarations, runs of one type compressed
    const runs: { type: string; count: number }[] = [];
    const tw = L.scratch;
    for (; headOf(c[j]) === 'local'; j++) {
      const lc = (c[j] as List).children;
      let k = 1;
      if (isAtomOf(lc[1], T_ID)) {
        name(lc[1]);
        k = 2;
      }
      for (; k < lc.length; k++) {
        tw.len = 0;
        L.valType(tw, lc[k], c[j]);
        const key = bytesKey(tw);
        const last = runs[runs.length - 1];
        if (last !== undefined && last.type === key) last.count++;
        else runs.push({ type: key, count: 1 });
        n++;
      }
    }
    if (names && index >= 0) this.localNames.set(index, names);
    b.u32(runs.length);
    for (const r of runs) {
      b.u32(r.count);
      for (let k = 0; k < r.type.length; k++) b.u8(r.type.charCodeAt(k));
    }
    this.enc.mapBase = mapBase;
    this.enc.blockCount = 0;
    this.enc.labelNames = undefined;
    const bodies = index >= 0 ? this.bodies : undefined;
    const range = bodies?.ranges?.get(f);
    if (range !== undefined) {
      if (j < c.length || !this.tokenEncoder!.encode(b, range.from, range.to)) throw new FullPathNeeded();
    } else if (bodies !== undefined && bodies.ranges === undefined && this.tokenEncoder !== undefined) {
      this.bodyFromTokensOrTree(b, f, j);
    } else this.enc.encode(b, c, j);
    if (this.enc.labelNames && index >= 0) this.labelNames.set(index, this.enc.labelNames);
  }

  /**
   * The instructions c[j..] of `f` (a tree that holds its body) from the tokens of the same text when
   * the token encoder takes them (the same bytes, source map and label names as the tree encoder's),
   * else from the tree: what was written is taken back first.
   */
  private bodyFromTokensOrTree(b: ByteWriter, f: List, j: number): void {
    const c = f.children;
    const tokens = this.bodies!.tokens;
    const from = j < c.length ? tokenAt(tokens, c[j].start) : -1;
    const to = f.closed ? tokenAt(tokens, f.end - 1) : -1;
    const start = b.len;
    const map = this.enc.map;
    const entries = map !== undefined ? map.count : 0;
    if (j < c.length ? from >= 0 && to > from : to >= 0) {
      if (this.tokenEncoder!.encode(b, j < c.length ? from : to, to)) {
        this.bodiesFromTokens++;
        return;
      }
    }
    b.len = start;
    if (map !== undefined) map.count = entries;
    this.enc.blockCount = 0;
    this.enc.labelNames = undefined;
    this.enc.encode(b, c, j);
  }

  /** A constant expression c[i..end) with its `end`. */
  private constExpr(w: ByteWriter, c: Node[], i: number, end: number, map: SourceMap | undefined): void {
    const enc = this.enc;
    enc.locals.clear();
    const savedMap = enc.map;
    enc.map = map;
    enc.mapBase = 0;
    enc.encode(w, c, i, end);
    enc.map = savedMap;
    w.u8(0x0b);
  }

  private table(f: List): void {
    const L = this.L;
    const c = f.children;
    const index = this.tableIndex;
    const { i, imp } = this.header(f, 'table', index);
    if (imp) {
      this.importEntry(f, imp.children[1] as Atom, imp.children[2] as Atom, 'table', c, i, f);
      return;
    }
    this.tableIndex++;
    const sec = this.s.get(4)!;
    const w = sec.w;
    sec.map.add(w.len, f.start, f.end);
    sec.count++;
    let j = i;
    const is64 = isAtomOf(c[j], TokenKind.Keyword) && (c[j] as Atom).text === 'i64';
    if (isAtomOf(c[j], TokenKind.Keyword) && ((c[j] as Atom).text === 'i64' || (c[j] as Atom).text === 'i32')) j++;
    if (headOf(c[j + 1]) === 'elem' && (headOf(c[j]) === 'ref' || (c[j] !== undefined && c[j].type === 'atom' && VALTYPE_CODES[(c[j] as Atom).text] !== undefined))) {
      // (table type (elem ...)): min = max = the number of elements, and an active segment at 0
      const el = c[j + 1] as List;
      const items = el.children.length - 1 - (isAtomOf(el.children[1], TokenKind.Keyword) && (el.children[1] as Atom).text === 'func' ? 1 : 0);
      L.refType(w, c[j], f);
      w.u8(is64 ? 5 : 1);
      w.u32(items);
      w.u32(items);
      this.elemSegment(el, el.children, 1, index, is64, undefined, c[j], el, true);
      return;
    }
    const lim = this.limits(c, i, false);
    const rt = c[lim.next];
    if (lim.next + 1 < c.length) {
      w.u8(0x40);
      w.u8(0);
      L.refType(w, rt, f);
      w.bytes(lim.bytes);
      this.constExpr(w, c, lim.next + 1, c.length, sec.map);
    } else {
      L.refType(w, rt, f);
      w.bytes(lim.bytes);
    }
  }

  private memory(f: List): void {
    const c = f.children;
    const index = this.memoryIndex;
    const { i, imp } = this.header(f, 'memory', index);
    if (imp) {
      this.importEntry(f, imp.children[1] as Atom, imp.children[2] as Atom, 'memory', c, i, f);
      return;
    }
    this.memoryIndex++;
    const sec = this.s.get(5)!;
    const w = sec.w;
    sec.map.add(w.len, f.start, f.end);
    sec.count++;
    let j = i;
    const is64 = isAtomOf(c[j], TokenKind.Keyword) && (c[j] as Atom).text === 'i64';
    if (isAtomOf(c[j], TokenKind.Keyword) && ((c[j] as Atom).text === 'i64' || (c[j] as Atom).text === 'i32')) j++;
    if (headOf(c[j]) === 'data') {
      const d = c[j] as List;
      const bytes = this.strings(d.children, 1);
      const pages = Math.ceil(bytes.length / 65536);
      w.u8(is64 ? 5 : 1);
      w.u32(pages);
      w.u32(pages);
      const ds = this.s.get(11)!;
      ds.map.add(ds.w.len, d.start, d.end);
      ds.count++;
      this.dataCount++;
      if (index === 0) ds.w.u8(0);
      else {
        ds.w.u8(2);
        ds.w.u32(index);
      }
      ds.w.u8(is64 ? 0x42 : 0x41);
      ds.w.u8(0);
      ds.w.u8(0x0b);
      ds.w.vecBytes(bytes);
      return;
    }
    w.bytes(this.limits(c, i, true).bytes);
  }

  private global(f: List): void {
    const c = f.children;
    const { i, imp } = this.header(f, 'global', this.globalIndex);
    if (imp) {
      this.importEntry(f, imp.children[1] as Atom, imp.children[2] as Atom, 'global', c, i, f);
      return;
    }
    this.globalIndex++;
    const sec = this.s.get(6)!;
    sec.map.add(sec.w.len, f.start, f.end);
    sec.count++;
    this.globalType(sec.w, c[i], f);
    this.constExpr(sec.w, c, i + 1, c.length, sec.map);
  }

  private strings(c: Node[], i: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let n = 0;
    for (; i < c.length; i++) {
      const a = c[i];
      if (!isAtomOf(a, T_STRING)) continue;
      const b = decodeStringBytes(this.text, a.start, a.end);
      parts.push(b);
      n += b.length;
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(n);
    let p = 0;
    for (const b of parts) {
      out.set(b, p);
      p += b.length;
    }
    return out;
  }

  /** An offset: `(offset instr*)` or one folded instruction, at c[i]; returns the next position or -1. */
  private offsetAt(c: Node[], i: number): { list: List; from: number } | undefined {
    const o = c[i];
    if (headOf(o) === 'offset') return { list: o as List, from: 1 };
    if (o !== undefined && o.type === 'list' && headOf(o) !== 'item' && headOf(o) !== 'ref') return { list: o, from: -1 };
    return undefined;
  }

  private writeOffset(w: ByteWriter, off: { list: List; from: number }, map: SourceMap): void {
    if (off.from >= 0) this.constExpr(w, off.list.children, off.from, off.list.children.length, map);
    else this.constExpr(w, [off.list], 0, 1, map);
  }

  private elem(f: List): void {
    const c = f.children;
    let i = 1;
    if (isAtomOf(c[i], T_ID)) i++;
    if (isAtomOf(c[i], TokenKind.Keyword) && (c[i] as Atom).text === 'declare') {
      this.elemSegment(f, c, i + 1, -2, false, undefined, undefined, f);
      return;
    }
    let table = -1;
    let explicitTable = false;
    if (headOf(c[i]) === 'table') {
      table = this.L.index('table', (c[i] as List).children[1], c[i]);
      explicitTable = true;
      i++;
    } else if (this.L.isIndex(c[i])) {
      table = this.L.index('table', c[i], c[i]);
      explicitTable = true;
      i++;
    }
    const off = this.offsetAt(c, i);
    if (off) {
      i++;
      if (table < 0) table = 0;
      this.elemSegment(f, c, i, table, this.table64.has(table), off, undefined, f, explicitTable);
    } else this.elemSegment(f, c, i, -1, false, undefined, undefined, f);
  }

  /**
   * An element segment. `table`: -1 passive, -2 declarative, else the table of an active segment
   * (offset `off`, or 0 for a table's inline elem). Elements from c[i]: `func? idx*` or `reftype expr*`.
   */
  private elemSegment(f: List, c: Node[], i: number, table: number, is64: boolean, off: { list: List; from: number } | undefined, inlineType: Node | undefined, span: Span, explicitTable = false): void {
    const L = this.L;
    const sec = this.s.get(9)!;
    const w = sec.w;
    sec.map.add(w.len, span.start, span.end);
    sec.count++;
    let type: Node | undefined = inlineType;
    if (isAtomOf(c[i], TokenKind.Keyword) && (c[i] as Atom).text === 'func') i++;
    else if (headOf(c[i]) === 'ref' || (c[i] !== undefined && c[i].type === 'atom' && VALTYPE_CODES[(c[i] as Atom).text] !== undefined)) type = c[i++];
    // the expression form when an item is an expression or the type is written (as wasm-tools does)
    let exprs = type !== undefined && type !== inlineType;
    for (let k = i; k < c.length; k++) if (c[k].type === 'list') exprs = true;
    const funcref = type === undefined || (type.type === 'atom' && (type as Atom).text === 'funcref');
    if (type !== undefined && !funcref) exprs = true;
    const active = table >= 0;
    let flags: number;
    if (!active) flags = table === -1 ? 1 : 3;
    else flags = table === 0 && funcref && !explicitTable ? 0 : 2;
    if (exprs) flags |= 4;
    w.u8(flags);
    if (flags === 2 || flags === 6) w.u32(table);
    if (active) {
      if (off) this.writeOffset(w, off, sec.map);
      else {
        w.u8(is64 ? 0x42 : 0x41);
        w.u8(0);
        w.u8(0x0b);
      }
    }
    if (flags & 4) {
      if (flags !== 4) {
        if (type === undefined) w.u8(0x70);
        else L.refType(w, type, f);
      }
    } else if (flags !== 0) w.u8(0);
    const count = c.length - i;
    w.u32(count);
    for (; i < c.length; i++) {
      const x = c[i];
      if (exprs) {
        if (headOf(x) === 'item') this.constExpr(w, (x as List).children, 1, (x as List).children.length, sec.map);
        else if (x.type === 'list') this.constExpr(w, [x], 0, 1, sec.map);
        else {
          w.u8(0xd2);
          w.u32(L.index('func', x, f));
          w.u8(0x0b);
        }
      } else w.u32(L.index('func', x, f));
    }
  }

  private data(f: List): void {
    const c = f.children;
    let i = 1;
    if (isAtomOf(c[i], T_ID)) i++;
    let mem = 0;
    if (headOf(c[i]) === 'memory') {
      mem = this.L.index('memory', (c[i] as List).children[1], c[i]);
      i++;
    } else if (this.L.isIndex(c[i])) {
      mem = this.L.index('memory', c[i], c[i]);
      i++;
    }
    const sec = this.s.get(11)!;
    const w = sec.w;
    sec.map.add(w.len, f.start, f.end);
    sec.count++;
    this.dataCount++;
    const off = this.offsetAt(c, i);
    if (off) {
      i++;
      if (mem === 0) w.u8(0);
      else {
        w.u8(2);
        w.u32(mem);
      }
      this.writeOffset(w, off, sec.map);
    } else w.u8(1);
    w.vecBytes(this.strings(c, i));
  }

  /** The module's bytes: header, sections in order, custom sections where their annotations place them. */
  private write(): ModuleAssembly {
    const map = new SourceMap(256 + [...this.s.values()].reduce((n, sec) => n + sec.map.count, 0));
    const total = [...this.s.values()].reduce((n, sec) => n + sec.w.len + 16, 64);
    const out = new ByteWriter(total);
    out.u32le(0x6d736100);
    out.u32le(1);
    const customs = customSections(this.text, this.mod, this.customs, this.L);
    const writeCustom = (cs: CustomSection): void => {
      map.add(out.len, cs.span.start, cs.span.end);
      out.customSection(cs.name, cs.bytes);
    };
    for (const cs of customs) if (cs.place === 'before first') writeCustom(cs);
    const KEYS: Record<number, string> = { 1: 'type', 2: 'import', 3: 'func', 4: 'table', 5: 'memory', 13: 'tag', 6: 'global', 7: 'export', 8: 'start', 9: 'elem', 12: 'datacount', 10: 'code', 11: 'data' };
    for (const id of ORDER) {
      const key = KEYS[id];
      for (const cs of customs) if (cs.place === `before ${key}`) writeCustom(cs);
      const sec = this.s.get(id)!;
      if (sec.count !== 0) {
        const countW = new ByteWriter(8);
        if (sec.count > 0) countW.u32(sec.count);
        out.u8(id);
        out.u32(countW.len + sec.w.len);
        out.append(countW);
        map.addAll(sec.map, out.len);
        out.append(sec.w);
      }
      for (const cs of customs) if (cs.place === `after ${key}`) writeCustom(cs);
    }
    if (this.names) writeNameSection(out, this.mod, this.L, this.localNames, this.labelNames);
    for (const cs of customs) if (cs.place === 'after last') writeCustom(cs);
    map.compact();
    return { bytes: out.toBytes(), map };
  }
}
