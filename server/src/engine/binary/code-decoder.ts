/**
 * Decodes one function body (or a constant expression) into a typed instruction stream, driven by
 * the instruction-set table (`isa/instruction-set.ts`).
 *
 * Streaming: `next()` decodes one instruction into the decoder's own fields (the current definition,
 * its offset and immediates; arrays such as br_table targets are reused), so decoding allocates
 * nothing per instruction and never holds more than one instruction. Bounds-checked and never
 * throwing: a malformed byte sequence ends the stream with `error` and `errorOffset` set. Nesting is
 * not tracked here (the validator's control stack does that), so no recursion per nesting level.
 */
import { ByteReader, WasmFormatError, hex } from './byte-reader';
import { instructionAt, type InstructionDef } from '../isa/instruction-set';
import { ABSTRACT_HEAP_NAMES, CONCRETE, refType } from '../isa/value-type';

/** Block types: empty, one value type, or a type index. */
export const enum BlockKind {
  Empty = 0,
  Value = 1,
  Index = 2,
}

/**
 * Reads a heap type (an abstract type's byte, or a type index as s33) as a heap code (see value-type.ts).
 * Throws WasmFormatError (callers inside the decoder catch it).
 */
export function readHeapCode(r: ByteReader): number {
  const at = r.pos;
  const b = r.peek();
  if (ABSTRACT_HEAP_NAMES[b] !== undefined) {
    r.u8();
    return b;
  }
  const idx = r.sleb(33, 'heap type');
  if (idx < 0) r.fail(`malformed heap type ${idx} at ${hex(at)}`, at);
  if (idx > 10_000_000) r.fail(`type index ${idx} at ${hex(at)} is out of range`, at);
  return CONCRETE + idx;
}

/** Reads a value type as its number code (see value-type.ts). */
export function readValueType(r: ByteReader): number {
  const at = r.pos;
  const b = r.u8('value type');
  if (b >= 0x7b && b <= 0x7f) return b;
  if (ABSTRACT_HEAP_NAMES[b] !== undefined) return refType(b, true);
  if (b === 0x63 || b === 0x64) return refType(readHeapCode(r), b === 0x63);
  return r.fail(`malformed value type ${hex(b)} at ${hex(at)}`, at);
}

export class CodeDecoder {
  r: ByteReader;
  /** the instruction just decoded */
  def!: InstructionDef;
  /** its byte offset (of the opcode) */
  offset = 0;

  // ---- immediates of the current instruction (which are set depends on def.imm)
  /** the first index immediate (label, func, type, local, global, table, elem, data, memory, tag, lane) */
  idx = 0;
  /** the second index immediate (call_indirect's table, table.copy's source, struct field, count...) */
  idx2 = 0;
  blockKind: BlockKind = BlockKind.Empty;
  /** the value type (BlockKind.Value) or type index (BlockKind.Index) */
  blockValue = 0;
  /** memarg: log2 of the alignment, memory index, offset (a number: exact up to 2^53) */
  align = 0;
  memory = 0;
  memOffset = 0;
  lane = 0;
  /** br_table: `targetCount` labels then the default (in `targets[targetCount]`) */
  targets: number[] = [];
  targetCount = 0;
  /** select t* */
  valtypes: number[] = [];
  /** heap types (ref.null, ref.test/cast: heap0; br_on_cast: both) and br_on_cast's flags */
  heap0 = 0;
  heap1 = 0;
  castFlags = 0;
  /** try_table catch clauses: kind (0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref), tag, label */
  catchKinds: number[] = [];
  catchTags: number[] = [];
  catchLabels: number[] = [];
  catchCount = 0;
  /** i32.const's value (the constant-expression checks read it) */
  i32Value = 0;

  /** set when the stream ended on malformed bytes */
  error: string | undefined = undefined;
  errorOffset = 0;

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.r = new ByteReader(bytes, start, end);
  }

  /** Decodes [start, end) of `bytes` from now on (one decoder serves every body of a module). */
  reset(bytes: Uint8Array, start: number, end: number): void {
    this.r = new ByteReader(bytes, start, end);
    this.error = undefined;
    this.errorOffset = 0;
  }

  get pos(): number {
    return this.r.pos;
  }

  atEnd(): boolean {
    return this.r.atEnd();
  }

  /**
   * Reads the local declarations: calls `onGroup(count, type)` per group. Returns false (and sets
   * `error`) when they are malformed or declare 2^32 locals or more.
   */
  readLocals(onGroup: (count: number, type: number) => void): boolean {
    try {
      const r = this.r;
      const groups = r.count('local group', 2);
      let total = 0;
      for (let i = 0; i < groups; i++) {
        const at = r.pos;
        const n = r.u32('local count');
        total += n;
        if (total > 0xffffffff) r.fail('too many locals', at);
        const t = readValueType(r);
        onGroup(n, t);
      }
      return true;
    } catch (e) {
      return this.caught(e);
    }
  }

  /** Decodes the next instruction; false at the end of the bytes or on malformed bytes (see `error`). */
  next(): boolean {
    const r = this.r;
    if (r.pos >= r.end) return false;
    this.offset = r.pos;
    try {
      let op = r.u8();
      let prefix = 0;
      if (op >= 0xfb && op <= 0xfe) {
        prefix = op;
        op = r.u32('opcode');
      }
      const def = instructionAt(prefix, op);
      if (def === undefined) {
        return this.fail(prefix ? `illegal opcode ${hex(prefix)} ${op}` : `illegal opcode ${hex(op)}`, this.offset);
      }
      this.def = def;
      if (def.imm !== 'none') this.immediates(def);
      return true;
    } catch (e) {
      return this.caught(e);
    }
  }

  private immediates(def: InstructionDef): void {
    const r = this.r;
    switch (def.imm) {
      case 'none':
        return;
      case 'blocktype':
        this.blockType();
        return;
      case 'try_table': {
        this.blockType();
        const n = r.count('catch clause', 2);
        this.catchCount = n;
        for (let i = 0; i < n; i++) {
          const at = r.pos;
          const kind = r.u8('catch kind');
          if (kind > 3) r.fail(`malformed catch clause kind ${kind}`, at);
          this.catchKinds[i] = kind;
          this.catchTags[i] = kind < 2 ? r.u32('tag index') : 0;
          this.catchLabels[i] = r.u32('label');
        }
        return;
      }
      case 'label':
      case 'func':
      case 'type':
      case 'local':
      case 'global':
      case 'table':
      case 'elem':
      case 'data':
      case 'memory':
      case 'tag':
        this.idx = r.u32('index');
        return;
      case 'br_table': {
        const n = r.count('br_table target');
        this.targetCount = n;
        for (let i = 0; i <= n; i++) this.targets[i] = r.u32('label');
        return;
      }
      case 'br_on_cast': {
        const at = r.pos;
        this.castFlags = r.u8('cast flags');
        if (this.castFlags > 3) r.fail(`malformed br_on_cast flags ${this.castFlags}`, at);
        this.idx = r.u32('label');
        this.heap0 = readHeapCode(r);
        this.heap1 = readHeapCode(r);
        return;
      }
      case 'call_indirect':
      case 'table_table':
      case 'elem_table':
      case 'memory_memory':
      case 'data_memory':
      case 'type_field':
      case 'type_u32':
      case 'type_data':
      case 'type_elem':
      case 'type_type':
      case 'type_tag':
        this.idx = r.u32('index');
        this.idx2 = r.u32('index');
        return;
      case 'memarg':
        this.memarg();
        return;
      case 'memarg_lane':
        this.memarg();
        this.lane = r.u8('lane index');
        return;
      case 'lane':
        this.lane = r.u8('lane index');
        return;
      case 'shuffle': {
        let max = 0;
        for (let i = 0; i < 16; i++) {
          const l = r.u8('lane index');
          if (l > max) max = l;
        }
        this.lane = max;
        return;
      }
      case 'i32':
        this.i32Value = r.sleb(32, 'i32 constant');
        return;
      case 'i64':
        r.sleb(64, 'i64 constant');
        return;
      case 'f32':
        r.skip(4, 'f32 constant');
        return;
      case 'f64':
        r.skip(8, 'f64 constant');
        return;
      case 'v128':
        r.skip(16, 'v128 constant');
        return;
      case 'valtypes': {
        const n = r.count('select type');
        this.valtypes.length = n;
        for (let i = 0; i < n; i++) this.valtypes[i] = readValueType(r);
        return;
      }
      case 'heaptype':
        this.heap0 = readHeapCode(r);
        return;
      case 'zero_byte': {
        const at = r.pos;
        if (r.u8('reserved byte') !== 0) r.fail('malformed atomic.fence: reserved byte must be zero', at);
        return;
      }
      case 'resume':
      case 'resume_throw': {
        this.idx = r.u32('type index');
        if (def.imm === 'resume_throw') this.idx2 = r.u32('tag index');
        const n = r.count('handler', 2);
        for (let i = 0; i < n; i++) {
          const kind = r.u8('handler kind');
          r.u32('tag index');
          if (kind === 0) r.u32('label');
        }
        return;
      }
    }
  }

  private blockType(): void {
    const r = this.r;
    const b = r.peek();
    if (b === 0x40) {
      r.u8();
      this.blockKind = BlockKind.Empty;
    } else if ((b >= 0x7b && b <= 0x7f) || b === 0x63 || b === 0x64 || ABSTRACT_HEAP_NAMES[b] !== undefined) {
      this.blockKind = BlockKind.Value;
      this.blockValue = readValueType(r);
    } else {
      const at = r.pos;
      const idx = r.sleb(33, 'block type');
      if (idx < 0) r.fail(`malformed block type ${idx}`, at);
      this.blockKind = BlockKind.Index;
      this.blockValue = idx;
    }
  }

  private memarg(): void {
    const r = this.r;
    const at = r.pos;
    const flags = r.u32('alignment');
    if (flags >= 0x80) r.fail(`malformed memop flags ${flags}`, at);
    this.align = flags & 0x3f;
    this.memory = flags & 0x40 ? r.u32('memory index') : 0;
    this.memOffset = r.u64('offset');
  }

  private fail(message: string, offset: number): false {
    this.error = message;
    this.errorOffset = offset;
    return false;
  }

  private caught(e: unknown): false {
    if (e instanceof WasmFormatError) return this.fail(e.message, e.offset);
    /* c8 ignore next */
    return this.fail(`decoder error: ${(e as Error)?.message ?? String(e)}`, this.r.pos);
  }
}
