/**
 * The assembler's fast path for function bodies: instructions read straight from the lexer's token
 * arrays and written as bytes, without a syntax tree (see `assembleWat`). It covers what real code in
 * the flat form is made of (wasm2wat's output: plain instructions, flat `block`/`loop`/`if`/`else`/
 * `end`, the legacy exceptions' flat `try`/`catch`/`catch_all`/`delegate`/`rethrow` (emscripten's C++
 * exceptions), memargs, constants, `br_table`, `call_indirect (type N)`, ...), with the opcodes and immediate
 * shapes of the one instruction table (`OPS` of instruction-encoder.ts, built from `isa/` and `wat/`).
 *
 * Tokens kept beside a whole parse (`KeptTokens`, for validation) carry the word the tree builder
 * interned for each keyword and `$id`: an instruction is then found by its word's number (each
 * distinct word looked up once), not by hashing and comparing its name again; the interner compared it.
 *
 * It answers `false` ("take the full path") for anything else, and for anything the parser or the tree
 * encoder would report: folded instructions, SIMD lanes, an unknown instruction or `$id`,
 * a constant out of range, a missing `end`... The caller then parses and assembles the module the
 * ordinary way, so diagnostics, bytes and the source map are the full path's in every case.
 */
import { TokenKind, hashText, type TokenStream } from '../wat/lexer';
import type { KeptTokens } from '../wat/tree-builder';
import { idKey } from '../wat/forms';
import { floatInRange, intInRange, intNumber, intValue } from '../wat/numbers';
import type { ByteWriter } from './byte-writer';
import { writeF32, writeF64 } from './float-literal';
import { Fast, OPS, type InstructionEncoder, type OpInfo } from './instruction-encoder';
import { HEAP_CODES, VALTYPE_CODES, type ModuleLayout, type ModuleSpace } from './module-layout';

const T_LPAREN = TokenKind.LParen;
const T_RPAREN = TokenKind.RParen;
const T_KEYWORD = TokenKind.Keyword;
const T_ID = TokenKind.Id;
const T_INT = TokenKind.Int;
const T_FLOAT = TokenKind.Float;

/** OPS by the lexer's keyword hash (open addressing; names compared on a hit). */
const SLOTS = 4096;
const OP_INFOS: (OpInfo | undefined)[] = new Array(SLOTS).fill(undefined);
const OP_HASHES = new Int32Array(SLOTS);
/** each slot's name as char codes: OP_CHARS[OP_FROM[slot] ..+ OP_LENGTHS[slot]) (compared with a loop over a typed array) */
const OP_FROM = new Int32Array(SLOTS);
const OP_LENGTHS = new Int32Array(SLOTS);
const OP_CHARS = new Uint16Array([...OPS.keys()].reduce((n, name) => n + name.length, 0));
{
  let at = 0;
  for (const [name, info] of OPS) {
    const h = hashText(name, 0, name.length);
    let slot = (h ^ (h >>> 11)) & (SLOTS - 1);
    while (OP_LENGTHS[slot] !== 0) slot = (slot + 1) & (SLOTS - 1);
    OP_INFOS[slot] = info;
    OP_HASHES[slot] = h;
    OP_FROM[slot] = at;
    OP_LENGTHS[slot] = name.length;
    for (let k = 0; k < name.length; k++) OP_CHARS[at++] = name.charCodeAt(k);
  }
}

function opAt(text: string, s: number, e: number, h: number): OpInfo | undefined {
  let slot = (h ^ (h >>> 11)) & (SLOTS - 1);
  const n = e - s;
  for (;;) {
    const len = OP_LENGTHS[slot];
    if (len === 0) return undefined;
    if (OP_HASHES[slot] === h && len === n) {
      // the hash and length match: the name is compared char by char (no collision taken for a match)
      let k = 0;
      const from = OP_FROM[slot];
      while (k < n && text.charCodeAt(s + k) === OP_CHARS[from + k]) k++;
      if (k === n) return OP_INFOS[slot];
    }
    slot = (slot + 1) & (SLOTS - 1);
  }
}

const OFFSET_EQ = Uint16Array.from('offset=', (c) => c.charCodeAt(0));
const ALIGN_EQ = Uint16Array.from('align=', (c) => c.charCodeAt(0));

/** Does text[s, e) start with the chars `codes`? */
function startsWithCodes(text: string, s: number, e: number, codes: Uint16Array): boolean {
  if (e - s < codes.length) return false;
  for (let k = 0; k < codes.length; k++) if (text.charCodeAt(s + k) !== codes[k]) return false;
  return true;
}

/** A plain decimal integer text[s, e) of at most `digits` digits (no sign, no `_`): its value, else -1. */
function decimal(text: string, s: number, e: number, digits: number): number {
  if (e - s > digits || e === s) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** A plain decimal integer text[s, e) of at most 9 digits (no sign, no `_`): its value, else -1. */
function smallDecimal(text: string, s: number, e: number): number {
  return decimal(text, s, e, 9);
}

/** A plain decimal integer text[s, e) below 2^32 (no sign, no `_`): its value, else -1. */
function u32Decimal(text: string, s: number, e: number): number {
  const v = decimal(text, s, e, 10);
  return v <= 0xffffffff ? v : -1;
}

const KIND_BLOCK = 1;
const KIND_IF = 2;
const KIND_TRY = 3;

/** The blocks open in the body: their kind (KIND_BLOCK for block/loop, KIND_IF, KIND_TRY: a legacy try) and label key (null: unnamed). */
interface OpenBlock {
  kind: number;
  label: string | null;
}

/**
 * Encodes the body tokens [from, to) of a function into `w` (without the final `end`), the way
 * `InstructionEncoder.encode` does for the same instructions in the tree: the same bytes, the same
 * source map entries, label names and data count use. Returns false when the full path must do it.
 */
export class TokenBodyEncoder {
  private readonly text: string;
  private readonly kinds: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly hashes: Int32Array;
  /** a whole parse's interned words (KeptTokens): an instruction's name is known by its word's number */
  private readonly wordOf: Uint16Array | undefined;
  private readonly words: readonly (string | undefined)[] | undefined;
  /** by word number: the instruction it names, null when it names none, undefined until looked up */
  private readonly wordOps: (OpInfo | null | undefined)[] | undefined;
  private readonly blocks: OpenBlock[] = [];
  private depth = 0;

  constructor(
    ts: TokenStream,
    text: string,
    private readonly L: ModuleLayout,
    private readonly enc: InstructionEncoder,
  ) {
    this.text = text;
    this.kinds = ts.kinds;
    this.starts = ts.starts;
    this.ends = ts.ends;
    this.hashes = ts.hashes;
    const kept = ts as Partial<KeptTokens>;
    this.wordOf = kept.wordOf;
    this.words = kept.words;
    this.wordOps = kept.words !== undefined ? new Array<OpInfo | null | undefined>(kept.words.length + 1).fill(undefined) : undefined;
  }

  /** Token t's word number (1 + its slot in `words`), or 0 when the parse kept none for it. */
  private wordAt(t: number): number {
    return this.wordOf !== undefined ? this.wordOf[t] : 0;
  }

  /** The key of the `$id` token t: its interned word where the parse kept one (a string whose hash V8 has already computed), else sliced from the text. */
  private idAt(t: number): string {
    const word = this.wordAt(t);
    return idKey(word !== 0 ? this.words![word - 1]! : this.text.slice(this.starts[t], this.ends[t]));
  }

  /** The instruction token t names, by its interned word where the parse kept one, else by its text. */
  private op(t: number): OpInfo | undefined {
    const word = this.wordAt(t);
    if (word === 0) return opAt(this.text, this.starts[t], this.ends[t], this.hashes[t]);
    const known = this.wordOps![word];
    if (known !== undefined) return known ?? undefined;
    const info = OPS.get(this.words![word - 1]!);
    this.wordOps![word] = info ?? null;
    return info;
  }

  encode(w: ByteWriter, from: number, to: number): boolean {
    const { kinds, starts, ends } = this;
    const map = this.enc.map;
    const mapBase = this.enc.mapBase;
    this.depth = 0;
    let t = from;
    while (t < to) {
      if (kinds[t] !== T_KEYWORD) return false;
      const info = this.op(t);
      if (info === undefined) return false;
      const s = starts[t];
      const e = ends[t];
      const k = map !== undefined ? map.count : 0;
      if (map !== undefined) map.add(mapBase + w.len, s, e);
      const next = this.instr(w, info, t + 1, to);
      if (next < 0) return false;
      if (map !== undefined && next - 1 > t) map.ends[k] = ends[next - 1];
      t = next;
    }
    return this.depth === 0;
  }

  /** One instruction's opcode and immediates (tokens from t); the next token, or -1. */
  private instr(w: ByteWriter, info: OpInfo, t: number, to: number): number {
    const kinds = this.kinds;
    switch (info.fast) {
      case Fast.None:
        w.bytes(info.op);
        return t;
      case Fast.Local: {
        const v = this.local(t, to);
        if (v < 0) return -1;
        w.u8(info.op[0]);
        w.u32(v);
        return t + 1;
      }
      case Fast.Global:
      case Fast.Func: {
        const v = this.index(info.fast === Fast.Global ? 'global' : 'func', t, to);
        if (v < 0) return -1;
        w.bytes(info.op);
        w.u32(v);
        return t + 1;
      }
      case Fast.I32:
        return this.i32(w, t, to);
      case Fast.Label: {
        const v = this.label(t, to);
        if (v < 0) return -1;
        w.bytes(info.op);
        w.u32(v);
        return t + 1;
      }
      case Fast.Memarg:
        w.bytes(info.op);
        return this.memarg(w, info, t, to);
    }
    const text = this.text;
    switch (info.imm) {
      case 'none':
        w.bytes(info.op);
        if (info.def.imm === 'zero_byte') w.u8(0);
        return t;
      case 'i64': {
        if (t >= to || kinds[t] !== T_INT) return -1;
        const s = this.starts[t];
        const e = this.ends[t];
        if (!intInRange(text, s, e, 64)) return -1;
        w.u8(0x42);
        if (e - s <= 15) {
          const v = intNumber(text, s, e);
          if (Number.isSafeInteger(v)) {
            w.sNum(v);
            return t + 1;
          }
        }
        w.s64(intValue(text, s, e));
        return t + 1;
      }
      case 'f32':
      case 'f64': {
        if (t >= to || (kinds[t] !== T_INT && kinds[t] !== T_FLOAT)) return -1;
        const s = this.starts[t];
        const e = this.ends[t];
        const f32 = info.imm === 'f32';
        if (!floatInRange(text, s, e, f32 ? 32 : 64)) return -1;
        w.u8(info.op[0]);
        if (f32) writeF32(w, text, s, e);
        else writeF64(w, text, s, e);
        return t + 1;
      }
      case 'block':
        return this.block(w, info, t, to);
      case 'end': {
        // end, else (in an if), catch_all (in a legacy try)
        const blocks = this.blocks;
        if (this.depth === 0) return -1;
        const top = blocks[this.depth - 1];
        const code = info.def.code;
        const isEnd = code === 0x0b;
        if (!isEnd && top.kind !== (code === 0x19 ? KIND_TRY : KIND_IF)) return -1;
        w.bytes(info.op);
        if (isEnd) this.depth--;
        if (t < to && kinds[t] === T_ID) {
          if (this.idAt(t) !== top.label) return -1;
          return t + 1;
        }
        return t;
      }
      case 'tag': {
        // throw tag
        const v = this.index('tag', t, to);
        if (v < 0) return -1;
        w.bytes(info.op);
        w.u32(v);
        return t + 1;
      }
      case 'catch': {
        // a legacy try's `catch tag`
        if (this.depth === 0 || this.blocks[this.depth - 1].kind !== KIND_TRY) return -1;
        const v = this.index('tag', t, to);
        if (v < 0) return -1;
        w.u8(0x07);
        w.u32(v);
        return t + 1;
      }
      case 'label': {
        // `delegate l` (the other label instructions are Fast.Label): it closes its legacy try, and
        // its label is resolved outside it
        if (info.def.code !== 0x18 || this.depth === 0 || this.blocks[this.depth - 1].kind !== KIND_TRY) return -1;
        this.depth--;
        const v = this.label(t, to);
        if (v < 0) return -1;
        w.bytes(info.op);
        w.u32(v);
        return t + 1;
      }
      case 'br_table': {
        const first = t;
        while (t < to && (kinds[t] === T_INT || kinds[t] === T_ID)) t++;
        if (t === first) return -1;
        w.u8(0x0e);
        w.u32(t - first - 1);
        for (let k = first; k < t; k++) {
          const v = this.label(k, to);
          if (v < 0) return -1;
          w.u32(v);
        }
        return t;
      }
      case 'call_indirect': {
        let table = 0;
        if (t < to && (kinds[t] === T_INT || kinds[t] === T_ID)) {
          table = this.index('table', t, to);
          if (table < 0) return -1;
          t++;
        }
        // `(type N)` alone (inline params and results: the full path's)
        if (t + 3 >= to || kinds[t] !== T_LPAREN || !this.isKeyword(t + 1, 'type') || kinds[t + 3] !== T_RPAREN) return -1;
        const type = this.index('type', t + 2, to);
        if (type < 0 || (t + 4 < to && kinds[t + 4] === T_LPAREN)) return -1;
        w.bytes(info.op);
        w.u32(type);
        w.u32(table);
        return t + 4;
      }
      case 'select':
        if (t < to && kinds[t] === T_LPAREN) return -1;
        w.u8(0x1b);
        return t;
      case 'table?':
      case 'memory?': {
        w.bytes(info.op);
        if (t < to && (kinds[t] === T_INT || kinds[t] === T_ID)) {
          const v = this.index(info.imm === 'table?' ? 'table' : 'memory', t, to);
          if (v < 0) return -1;
          w.u32(v);
          return t + 1;
        }
        w.u8(0);
        return t;
      }
      case 'table2':
      case 'memory2': {
        w.bytes(info.op);
        const space = info.imm === 'table2' ? 'table' : 'memory';
        if (t < to && (kinds[t] === T_INT || kinds[t] === T_ID)) {
          const a = this.index(space, t, to);
          const b = this.index(space, t + 1, to);
          if (a < 0 || b < 0) return -1;
          w.u32(a);
          w.u32(b);
          return t + 2;
        }
        w.u8(0);
        w.u8(0);
        return t;
      }
      case 'table.init':
      case 'memory.init': {
        const space = info.imm === 'table.init' ? 'table' : 'memory';
        const seg = info.imm === 'table.init' ? 'elem' : 'data';
        let target = 0;
        if (t + 1 < to && (kinds[t] === T_INT || kinds[t] === T_ID) && (kinds[t + 1] === T_INT || kinds[t + 1] === T_ID)) {
          target = this.index(space, t, to);
          if (target < 0) return -1;
          t++;
        }
        const v = this.index(seg, t, to);
        if (v < 0) return -1;
        if (seg === 'data') this.enc.usesDataCount = true;
        w.bytes(info.op);
        w.u32(v);
        w.u32(target);
        return t + 1;
      }
      case 'elem':
      case 'data': {
        const v = this.index(info.imm, t, to);
        if (v < 0) return -1;
        if (info.imm === 'data') this.enc.usesDataCount = true;
        w.bytes(info.op);
        w.u32(v);
        return t + 1;
      }
      case 'heaptype': {
        if (t >= to || kinds[t] !== T_KEYWORD) return -1;
        const code = HEAP_CODES[text.slice(this.starts[t], this.ends[t])];
        if (code === undefined) return -1;
        w.bytes(info.op);
        w.u8(code);
        return t + 1;
      }
    }
    return -1;
  }

  private isKeyword(t: number, word: string): boolean {
    return this.kinds[t] === T_KEYWORD && this.ends[t] - this.starts[t] === word.length && this.text.startsWith(word, this.starts[t]);
  }

  /** `i32.const N` (the opcode included); the next token, or -1. */
  private i32(w: ByteWriter, t: number, to: number): number {
    if (t >= to || this.kinds[t] !== T_INT) return -1;
    const text = this.text;
    const s = this.starts[t];
    const e = this.ends[t];
    const neg = text.charCodeAt(s) === 45;
    const d = smallDecimal(text, neg ? s + 1 : s, e);
    w.u8(0x41);
    if (d >= 0) {
      w.s32(neg ? -d : d);
      return t + 1;
    }
    if (!intInRange(text, s, e, 32)) return -1;
    w.s32(e - s <= 15 ? intNumber(text, s, e) : Number(BigInt.asIntN(32, intValue(text, s, e))));
    return t + 1;
  }

  /** An unsigned 32-bit integer token; -1 when it is not one. */
  private uint(t: number): number {
    const text = this.text;
    const s = this.starts[t];
    const e = this.ends[t];
    const d = smallDecimal(text, s, e);
    if (d >= 0) return d;
    if (!intInRange(text, s, e, 32, true)) return -1;
    return intNumber(text, s, e);
  }

  /** A local index or `$id` at token t; -1 when the full path must report it. */
  private local(t: number, to: number): number {
    if (t >= to) return -1;
    const k = this.kinds[t];
    if (k === T_INT) return this.uint(t);
    if (k !== T_ID) return -1;
    return this.enc.locals.get(this.idAt(t)) ?? -1;
  }

  /** An index or `$id` in a module space at token t; -1 when the full path must report it. */
  private index(space: ModuleSpace, t: number, to: number): number {
    if (t >= to) return -1;
    const k = this.kinds[t];
    if (k === T_INT) return this.uint(t);
    if (k !== T_ID) return -1;
    return this.L.ids.get(space)!.get(this.idAt(t)) ?? -1;
  }

  /** A label (depth or `$id`) at token t: its depth; -1 when the full path must report it. */
  private label(t: number, to: number): number {
    if (t >= to) return -1;
    const k = this.kinds[t];
    if (k === T_INT) return this.uint(t);
    if (k !== T_ID) return -1;
    const key = this.idAt(t);
    const blocks = this.blocks;
    for (let d = this.depth - 1; d >= 0; d--) if (blocks[d].label === key) return this.depth - 1 - d;
    return -1;
  }

  /** `memidx? offset=N? align=N?` (the opcode written); the next token, or -1. */
  private memarg(w: ByteWriter, info: OpInfo, t: number, to: number): number {
    const { text, kinds, starts, ends } = this;
    let mem = 0;
    if (t < to && (kinds[t] === T_ID || kinds[t] === T_INT)) {
      mem = this.index('memory', t, to);
      if (mem < 0) return -1;
      t++;
    }
    let offset = 0;
    let align = info.def.align ?? 0;
    if (t < to && kinds[t] === T_KEYWORD && startsWithCodes(text, starts[t], ends[t], OFFSET_EQ)) {
      // up to 2^32 - 1 (emscripten writes `offset=4294967292` for a load at -4 from address 0)
      offset = u32Decimal(text, starts[t] + 7, ends[t]);
      if (offset < 0) return -1;
      t++;
    }
    if (t < to && kinds[t] === T_KEYWORD && startsWithCodes(text, starts[t], ends[t], ALIGN_EQ)) {
      const v = smallDecimal(text, starts[t] + 6, ends[t]);
      if (v <= 0 || (v & (v - 1)) !== 0) return -1;
      align = 31 - Math.clz32(v);
      t++;
    }
    if (mem !== 0) {
      w.u32(align | 0x40);
      w.u32(mem);
    } else w.u32(align);
    w.u32(offset);
    return t;
  }

  /** `block`/`loop`/`if` `$id`? blocktype (the opcode included); the next token, or -1. */
  private block(w: ByteWriter, info: OpInfo, t: number, to: number): number {
    const { text, kinds } = this;
    const enc = this.enc;
    let label: string | null = null;
    if (t < to && kinds[t] === T_ID) {
      label = this.idAt(t);
      t++;
    }
    w.u8(info.op[0]);
    // the block type: none, `(result t)` with one value type written as a keyword, or `(type N)` alone
    if (t < to && kinds[t] === T_LPAREN) {
      if (t + 3 >= to || kinds[t + 3] !== T_RPAREN || (t + 4 < to && kinds[t + 4] === T_LPAREN)) return -1;
      if (this.isKeyword(t + 1, 'result')) {
        if (kinds[t + 2] !== T_KEYWORD) return -1;
        const code = VALTYPE_CODES[text.slice(this.starts[t + 2], this.ends[t + 2])];
        if (code === undefined) return -1;
        w.u8(code);
      } else if (this.isKeyword(t + 1, 'type')) {
        const v = this.index('type', t + 2, to);
        if (v < 0) return -1;
        w.sNum(v);
      } else return -1;
      t += 4;
    } else w.u8(0x40);
    if (label !== null) (enc.labelNames ??= new Map()).set(enc.blockCount, label.slice(1));
    enc.blockCount++;
    const d = this.depth++;
    const blocks = this.blocks;
    if (d === blocks.length) blocks.push({ kind: 0, label: null });
    blocks[d].kind = info.def.code === 0x04 ? KIND_IF : info.def.code === 0x06 ? KIND_TRY : KIND_BLOCK;
    blocks[d].label = label;
    return t;
  }
}
