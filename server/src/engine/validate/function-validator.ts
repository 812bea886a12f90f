/**
 * The spec's validation algorithm (the appendix "Validation Algorithm") over the decoder's
 * instruction stream: an operand stack of value types, a control stack of frames (label types, the
 * operand height at entry, whether the rest of the frame is unreachable), subtyping against the
 * module's types, and tracking of non-defaultable locals' initialisation.
 *
 * One instance is reused for every function of a module (its arrays grow once); the control stack
 * is an array, so nesting depth costs memory, not recursion.
 */
import { BlockKind, CodeDecoder } from '../binary/code-decoder';
import { INSTRUCTION_SET, type InstructionDef } from '../isa/instruction-set';
import {
  BOTTOM,
  CONCRETE,
  F32,
  F64,
  HT_ANY,
  HT_ARRAY,
  HT_EQ,
  HT_EXN,
  HT_EXTERN,
  HT_FUNC,
  HT_I31,
  I32,
  I64,
  V128,
  heapOf,
  isDefaultable,
  isNullable,
  isRef,
  letterTypes,
  refType,
  typeListName,
  typeName,
} from '../isa/value-type';
import type { CodeFinding, ModuleContext } from './context';
import { PACKED_I16, PACKED_I8, TypeKind, TypeSpace, type CompositeType } from './types';
import { FAST, FAST_ALIGN, FAST_N, FAST_P0, FAST_P1, FAST_R, Fast } from './fast-opcodes';

const enum Frame {
  Block = 0,
  Loop = 1,
  If = 2,
  Else = 3,
  Try = 4,
  Catch = 5,
  CatchAll = 6,
  TryTable = 7,
  Function = 8,
}

const SIG_PARAMS: number[][] = INSTRUCTION_SET.map((d) => letterTypes(d.params));
const SIG_RESULTS: number[][] = INSTRUCTION_SET.map((d) => letterTypes(d.results));
/** memory instructions' operands with the address first, for 32- and 64-bit memories */
const MEM_PARAMS_32: number[][] = SIG_PARAMS.map((p) => [I32, ...p]);
const MEM_PARAMS_64: number[][] = SIG_PARAMS.map((p) => [I64, ...p]);
/** The typing rules as small integers (a switch over them is a jump table); RULES lists their names in this order. */
const enum Rule {
  Sig,
  Mem,
  Unreachable,
  Block,
  Loop,
  Try,
  If,
  Else,
  End,
  Br,
  BrIf,
  BrTable,
  Return,
  Call,
  ReturnCall,
  CallIndirect,
  ReturnCallIndirect,
  CallRef,
  ReturnCallRef,
  Drop,
  Select,
  SelectT,
  LocalGet,
  LocalSet,
  LocalTee,
  GlobalGet,
  GlobalSet,
  TableGet,
  TableSet,
  TableSize,
  TableGrow,
  TableFill,
  TableCopy,
  TableInit,
  ElemDrop,
  MemorySize,
  MemoryGrow,
  MemoryFill,
  MemoryCopy,
  MemoryInit,
  DataDrop,
  RefNull,
  RefIsNull,
  RefFunc,
  RefEq,
  RefAsNonNull,
  BrOnNull,
  BrOnNonNull,
  Throw,
  ThrowRef,
  TryTable,
  Catch,
  CatchAll,
  Rethrow,
  Delegate,
  AtomicFence,
  Gc,
  StackSwitching,
}
const RULES = ['sig', 'mem', 'unreachable', 'block', 'loop', 'try', 'if', 'else', 'end', 'br', 'br_if', 'br_table', 'return', 'call', 'return_call', 'call_indirect', 'return_call_indirect', 'call_ref', 'return_call_ref', 'drop', 'select', 'select_t', 'local.get', 'local.set', 'local.tee', 'global.get', 'global.set', 'table.get', 'table.set', 'table.size', 'table.grow', 'table.fill', 'table.copy', 'table.init', 'elem.drop', 'memory.size', 'memory.grow', 'memory.fill', 'memory.copy', 'memory.init', 'data.drop', 'ref.null', 'ref.is_null', 'ref.func', 'ref.eq', 'ref.as_non_null', 'br_on_null', 'br_on_non_null', 'throw', 'throw_ref', 'try_table', 'catch', 'catch_all', 'rethrow', 'delegate', 'atomic.fence', 'gc', 'stack-switching'];
const RULE_CODE: number[] = INSTRUCTION_SET.map((d) => RULES.indexOf(d.rule));
const EMPTY: number[] = [];
/** Locals whose initialisation is tracked in an array; past it, in a set (only non-defaultable ones are ever set). */
const LOCAL_INIT_ARRAY = 1 << 16;
const ONE_VALUE: number[][] = [];
for (const t of [I32, I64, F32, F64, V128]) ONE_VALUE[t] = [t];
const EXNREF_NONNULL = refType(HT_EXN, false);
const FUNCREF = refType(HT_FUNC, true);

/** Instructions allowed in a constant expression (besides `end`). */
const CONSTANT = new Set([
  'i32.const', 'i64.const', 'f32.const', 'f64.const', 'v128.const', 'ref.null', 'ref.func', 'global.get',
  'i32.add', 'i32.sub', 'i32.mul', 'i64.add', 'i64.sub', 'i64.mul',
  'struct.new', 'struct.new_default', 'array.new', 'array.new_default', 'array.new_fixed',
  'any.convert_extern', 'extern.convert_any', 'ref.i31',
]);

/** What `probeFunction` saw at one instruction. */
export interface StackProbe {
  /** the instruction's name */
  name: string;
  /** the operand stack before it (bottom first; every enclosing block's operands included) */
  stack: number[];
  /** the code before it is unreachable (the stack is polymorphic) */
  unreachable: boolean;
  /** what it pops and pushes (concrete types as on the stack); absent when it is invalid there */
  params?: number[];
  results?: number[];
  /** why it is invalid there */
  error?: string;
}

class Invalid {
  constructor(
    readonly message: string,
    readonly offset: number,
    readonly malformed: boolean,
    readonly instruction: string | undefined,
  ) {}
}

/** The value the last `fastU32` read. */
let fastValue = 0;

/**
 * Reads an unsigned LEB128 u32 of 1-5 bytes at `pos` (linkers pad relocated indexes to 5 bytes);
 * returns the position after it (its value in `fastValue`), or -1 when it runs past `end` or is not a
 * well-formed u32 (the general path then reports it).
 */
function fastU32(bytes: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return -1;
  let b = bytes[pos];
  if (b < 0x80) {
    fastValue = b;
    return pos + 1;
  }
  let value = b & 0x7f;
  for (let shift = 7; shift < 28; shift += 7) {
    if (++pos >= end) return -1;
    b = bytes[pos];
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      fastValue = value;
      return pos + 1;
    }
  }
  if (++pos >= end) return -1;
  b = bytes[pos];
  if (b > 0x0f) return -1; // a continuation, or bits past 32
  fastValue = (value | (b << 28)) >>> 0;
  return pos + 1;
}

/** `lowWrite` before an instruction: no slot written yet. */
const NOTHING_WRITTEN = 0x7fffffff;

/** Initial capacity of the operand stack (it grows by doubling; one validator serves a whole module). */
const STACK_START = 1024;
/** The fast path keeps this much room on the operand stack (it pushes at most one value per instruction, calls aside). */
const FAST_ROOM = 8;

export class FunctionValidator {
  /** the operand stack: value types (see isa/value-type.ts), `sp` of them in use */
  private vals = new Int32Array(STACK_START);
  private sp = 0;
  /**
   * The lowest operand slot a pop read and a push wrote since they were last reset (the probe and
   * `operandOrigins` reset them before one instruction of the general path: its operands are the slots
   * it read, the values it pushed the slots it wrote). The fast path does not keep them.
   */
  private lowRead = 0;
  private lowWrite = 0;
  private ctrlKind: number[] = [];
  private ctrlParams: number[][] = [];
  private ctrlResults: number[][] = [];
  private ctrlHeight: number[] = [];
  private ctrlUnreachable: boolean[] = [];
  private ctrlInitHeight: number[] = [];
  private depth = 0;

  /** local types: expanded when few (the first `localCount`), else by group (ends and types) */
  private localTypes = new Int32Array(64);
  private groupEnds: number[] = [];
  private groupTypes: number[] = [];
  private localCount = 0;
  /** initialisation of non-defaultable locals: 1 = set; `initUndo` lists locals set since each frame began */
  private localInit = new Uint8Array(0);
  /** the same for locals past the array (functions with more than LOCAL_INIT_ARRAY locals) */
  private farInit = new Set<number>();
  private paramCount = 0;
  /** the function has a parameter or local of a non-defaultable type (its initialisation is tracked) */
  private nonDefaultable = false;
  private initUndo: number[] = [];

  /** one decoder for every body (reset per function) */
  private dec = new CodeDecoder(new Uint8Array(0), 0, 0);
  /** a local of an unknown type seen while reading the locals (-1: none) */
  private unknownLocalType = -1;
  /** the local declarations' callback, made once */
  private readonly onLocals = (n: number, t: number): void => {
    if (isRef(t) && heapOf(t) >= CONCRETE && heapOf(t) - CONCRETE >= this.types.length) this.unknownLocalType = heapOf(t) - CONCRETE;
    this.addLocals(n, t);
  };
  private constMode = false;
  private constGlobals = 0;
  private funcResults: number[] = EMPTY;

  constructor(private readonly ctx: ModuleContext) {}

  private get types(): TypeSpace {
    return this.ctx.types;
  }

  /** Validates the body in [start, end) of a function of type index `typeIndex`. */
  validateFunction(bytes: Uint8Array, start: number, end: number, typeIndex: number): CodeFinding | undefined {
    const begun = this.begin(bytes, start, end, typeIndex);
    if (begun !== undefined) return begun;
    return this.run(EMPTY, this.funcResults);
  }

  /**
   * Validates the body in [start, end) up to the instruction at byte offset `at` and reports the operand
   * stack before it and what that instruction popped and pushed (the types the stack had: concrete types
   * for polymorphic instructions). Undefined when no instruction starts at `at` or the code before it is
   * invalid. A separate loop: `validateFunction`'s is not slowed down by the probe.
   */
  probeFunction(bytes: Uint8Array, start: number, end: number, typeIndex: number, at: number): StackProbe | undefined {
    if (this.begin(bytes, start, end, typeIndex) !== undefined) return undefined;
    const dec = this.dec;
    this.sp = 0;
    this.depth = 0;
    this.pushCtrl(Frame.Function, EMPTY, this.funcResults);
    try {
      while (dec.next()) {
        if (dec.offset === at) {
          const def = dec.def;
          const stack = Array.from(this.vals.subarray(0, this.sp));
          const unreachable = this.ctrlUnreachable[this.depth - 1];
          // the slots the instruction reads are its operands
          this.lowRead = this.sp;
          let error: string | undefined;
          try {
            this.step(def);
          } catch (e) {
            if (e instanceof Invalid) error = e.message;
            else throw e;
          }
          const low = this.lowRead;
          const rule = RULE_CODE[def.id];
          if (rule === Rule.Sig) return { name: def.name, stack, unreachable, params: Array.from(SIG_PARAMS[def.id]), results: Array.from(SIG_RESULTS[def.id]), error };
          if (error !== undefined) return { name: def.name, stack, unreachable, error };
          return { name: def.name, stack, unreachable, params: stack.slice(low), results: Array.from(this.vals.subarray(low, this.sp)), error };
        }
        this.step(dec.def);
        if (this.depth === 0) return undefined;
      }
      return undefined;
    } catch (e) {
      if (e instanceof Invalid) return undefined;
      throw e;
    }
  }

  /**
   * Where each operand on the stack before the instruction at `at` came from: the byte offset of the
   * instruction that pushed it (bottom first). For a finding's message to point at the operand at fault;
   * slower than validation (every push is watched), so only run on a function already found invalid.
   */
  operandOrigins(bytes: Uint8Array, start: number, end: number, typeIndex: number, at: number): number[] | undefined {
    if (this.begin(bytes, start, end, typeIndex) !== undefined) return undefined;
    const dec = this.dec;
    const origins: number[] = [];
    this.sp = 0;
    this.depth = 0;
    this.pushCtrl(Frame.Function, EMPTY, this.funcResults);
    try {
      while (dec.next()) {
        if (dec.offset === at) return origins.slice(0, this.sp);
        // the slots the instruction writes hold what it pushed
        this.lowWrite = NOTHING_WRITTEN;
        const offset = dec.offset;
        this.step(dec.def);
        for (let i = this.lowWrite; i < this.sp; i++) origins[i] = offset;
        if (this.depth === 0) return undefined;
      }
      return undefined;
    } catch (e) {
      if (e instanceof Invalid) return undefined;
      throw e;
    }
  }

  /** Sets up the locals of a function body; a finding when they are malformed. */
  private begin(bytes: Uint8Array, start: number, end: number, typeIndex: number): CodeFinding | undefined {
    const ft = this.types.funcType(typeIndex);
    /* c8 ignore next */
    if (!ft) return { offset: start, message: `type ${typeIndex} is not a function type`, malformed: false };
    const dec = this.dec;
    dec.reset(bytes, start, end);
    this.constMode = false;
    // (an array's length set to 0 is a call even when it is 0 already)
    if (this.groupEnds.length !== 0) {
      this.groupEnds.length = 0;
      this.groupTypes.length = 0;
    }
    this.localCount = 0;
    this.nonDefaultable = false;
    if (this.initUndo.length !== 0) this.initUndo.length = 0;
    const params = ft.params;
    for (let i = 0; i < params.length; i++) this.addLocals(1, params[i]);
    this.unknownLocalType = -1;
    if (!dec.readLocals(this.onLocals)) return { offset: dec.errorOffset, message: dec.error!, malformed: true };
    if (this.unknownLocalType >= 0) return { offset: start, message: `a local has unknown type ${this.unknownLocalType}`, malformed: false };
    this.paramCount = params.length;
    this.funcResults = ft.results;
    // initialisation is only ever looked up for locals of a non-defaultable type
    if (!this.nonDefaultable) return undefined;
    if (this.localInit.length < this.localCount && this.localInit.length < LOCAL_INIT_ARRAY) {
      this.localInit = new Uint8Array(Math.min(this.localCount, LOCAL_INIT_ARRAY));
    } else this.localInit.fill(0, 0, Math.min(this.localInit.length, this.localCount));
    if (this.farInit.size !== 0) this.farInit.clear();
    for (let i = 0; i < params.length && i < this.localInit.length; i++) this.localInit[i] = 1;
    return undefined;
  }

  /**
   * Validates a constant expression starting at `start` whose value must match `expected`; `globals`
   * is how many globals it may read. Returns the finding, or the offset after its `end`.
   */
  validateConstExpr(bytes: Uint8Array, start: number, end: number, expected: number, globals: number): CodeFinding | number {
    const dec = this.dec;
    dec.reset(bytes, start, end);
    this.constMode = true;
    this.constGlobals = globals;
    this.localCount = 0;
    if (this.groupEnds.length !== 0) {
      this.groupEnds.length = 0;
      this.groupTypes.length = 0;
    }
    this.funcResults = [expected];
    const finding = this.run(EMPTY, this.funcResults, true);
    return finding ?? dec.pos;
  }

  private addLocals(n: number, t: number): void {
    if (n === 0) return;
    if (!isDefaultable(t)) this.nonDefaultable = true;
    if (this.localCount + n <= 65536 && this.groupEnds.length === 0) {
      if (this.localCount + n > this.localTypes.length) {
        const grown = new Int32Array(Math.max(this.localTypes.length * 2, this.localCount + n));
        grown.set(this.localTypes.subarray(0, this.localCount));
        this.localTypes = grown;
      }
      const types = this.localTypes;
      for (let i = this.localCount, e = this.localCount + n; i < e; i++) types[i] = t;
    } else {
      if (this.groupEnds.length === 0) {
        // switch to groups: the expanded locals become one group each
        for (let i = 0; i < this.localCount; i++) {
          this.groupEnds.push(i + 1);
          this.groupTypes.push(this.localTypes[i]);
        }
      }
      this.groupEnds.push(this.localCount + n);
      this.groupTypes.push(t);
    }
    this.localCount += n;
  }

  private localType(idx: number): number {
    if (idx >= this.localCount) return this.fail(`unknown local ${idx}: the function has ${this.localCount} locals`);
    if (this.groupEnds.length === 0) return this.localTypes[idx];
    let lo = 0;
    let hi = this.groupEnds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.groupEnds[mid] > idx) hi = mid;
      else lo = mid + 1;
    }
    return this.groupTypes[lo];
  }

  private run(params: number[], results: number[], stopAtEnd = false): CodeFinding | undefined {
    const dec = this.dec;
    this.sp = 0;
    this.depth = 0;
    this.pushCtrl(Frame.Function, params, results);
    const fast = !this.constMode;
    try {
      while (true) {
        if (fast) {
          dec.r.pos = this.fastRun(dec.r.bytes, dec.r.pos, dec.r.end);
          // the fast path typed the function's own `end`
          if (this.depth === 0) {
            if (!dec.atEnd()) return { offset: dec.pos, message: 'operators remaining after the end of the function', malformed: true };
            return undefined;
          }
        }
        if (!dec.next()) break;
        this.step(dec.def);
        if (this.depth === 0) {
          if (stopAtEnd) return undefined;
          if (!dec.atEnd()) return { offset: dec.pos, message: 'operators remaining after the end of the function', malformed: true };
          return undefined;
        }
      }
      if (dec.error !== undefined) return { offset: dec.errorOffset, message: dec.error, malformed: true };
      return { offset: dec.pos, message: stopAtEnd ? 'unexpected end of constant expression' : 'unexpected end of the function body: missing `end`', malformed: true };
    } catch (e) {
      if (e instanceof Invalid) return { offset: e.offset, message: e.message, malformed: e.malformed, instruction: e.instruction };
      throw e;
    }
  }

  /**
   * The fast path: types the commonest instructions straight from the bytes (a switch on the opcode
   * byte; numeric operators, loads and stores from the tables of fast-opcodes.ts), from `pos` on, until
   * one needs the general path (an instruction it does not cover, an immediate it does not read, any
   * mismatch: the general path decodes that instruction again and reports it). Returns the offset of
   * that instruction, and changes nothing for it; or, when it typed the function's own `end` (depth
   * 0), the offset after it.
   */
  private fastRun(bytes: Uint8Array, pos: number, end: number): number {
    // everything the loop reads, in locals (the arrays are grown in place, never replaced, except `vals`)
    const fastKind = FAST;
    const fastN = FAST_N;
    const fastP0 = FAST_P0;
    const fastP1 = FAST_P1;
    const fastR = FAST_R;
    let vals = this.vals;
    let room = vals.length - FAST_ROOM;
    const ctrlKind = this.ctrlKind;
    const ctrlParams = this.ctrlParams;
    const ctrlResults = this.ctrlResults;
    const ctrlHeight = this.ctrlHeight;
    const ctrlUnreachable = this.ctrlUnreachable;
    const ctrlInitHeight = this.ctrlInitHeight;
    const initUndo = this.initUndo;
    const localTypes = this.localTypes;
    /** locals typed here: all of them when expanded, none when held by group */
    const localCount = this.groupEnds.length === 0 ? this.localCount : 0;
    const funcs = this.ctx.funcs;
    const globals = this.ctx.globals;
    const tables = this.ctx.tables;
    const types = this.types.types;
    const memory0 = this.ctx.memories[0];
    /** memory 0's address type; 0 (no number type) without a memory, so no load or store takes the fast path */
    const at0 = memory0 === undefined ? 0 : memory0.at;
    let sp = this.sp;
    let depth = this.depth;
    /** the operand height of the innermost frame */
    let h = ctrlHeight[depth - 1];
    // one case per opcode byte (a jump table): the commonest instructions are their own case, the
    // numeric ones with no immediates share the default (typed from the FAST_* tables)
    loop: while (pos < end) {
      if (sp >= room) {
        this.sp = sp;
        this.reserve(FAST_ROOM);
        vals = this.vals;
        room = vals.length - FAST_ROOM;
      }
      const op = bytes[pos];
      switch (op) {
        case 0x20: {
          // local.get of a number type (references: the general path tracks their initialisation)
          let idx = bytes[pos + 1];
          let q = pos + 2;
          if (idx >= 0x80 || q > end) {
            q = fastU32(bytes, pos + 1, end);
            if (q < 0) break loop;
            idx = fastValue;
          }
          if (idx >= localCount) break loop;
          const t = localTypes[idx];
          if (t > I32 || t < V128) break loop;
          vals[sp++] = t;
          pos = q;
          continue;
        }
        case 0x21:
        case 0x22: {
          // local.set, local.tee of a number type
          let idx = bytes[pos + 1];
          let q = pos + 2;
          if (idx >= 0x80 || q > end) {
            q = fastU32(bytes, pos + 1, end);
            if (q < 0) break loop;
            idx = fastValue;
          }
          if (idx >= localCount) break loop;
          const t = localTypes[idx];
          if (t > I32 || t < V128 || sp - h < 1 || vals[sp - 1] !== t) break loop;
          if (op === 0x21) sp--;
          pos = q;
          continue;
        }
        case 0x41:
        case 0x42: {
          // i32.const, i64.const: a signed LEB128 of at most 4 (s32) or 9 (s64) bytes is in range
          const t = op === 0x41 ? I32 : I64;
          if (bytes[pos + 1] < 0x80 && pos + 2 <= end) {
            vals[sp++] = t;
            pos += 2;
            continue;
          }
          const max = pos + (op === 0x41 ? 5 : 10);
          const lim = max < end ? max : end;
          let q = pos + 2;
          while (q < lim && bytes[q] >= 0x80) q++;
          if (q >= end) break loop;
          if (q >= max) {
            // the longest form (i32.const padded to 5 bytes for relocated addresses, i64.const's 10th
            // byte): the last byte's unused bits must be the sign's
            const last = bytes[q];
            if (op === 0x41 ? !(last <= 0x07 || (last >= 0x78 && last <= 0x7f)) : last !== 0x00 && last !== 0x7f) break loop;
          }
          vals[sp++] = t;
          pos = q + 1;
          continue;
        }
        case 0x43:
        case 0x44: {
          // f32.const, f64.const
          const q = pos + (op === 0x43 ? 5 : 9);
          if (q > end) break loop;
          vals[sp++] = op === 0x43 ? F32 : F64;
          pos = q;
          continue;
        }
        case 0x28: case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: case 0x2f:
        case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37:
        case 0x38: case 0x39: case 0x3a: case 0x3b: case 0x3c: case 0x3d: case 0x3e: {
          // loads and stores of memory 0: alignment flags in one byte (no memory-index bit), then the
          // offset as a u32 (a 64-bit memory's larger offsets go to the general path)
          if (pos + 2 >= end || at0 === 0) break loop;
          const align = bytes[pos + 1];
          if (align > FAST_ALIGN[op]) break loop;
          let q = pos + 3;
          if (bytes[pos + 2] >= 0x80 || q > end) {
            q = fastU32(bytes, pos + 2, end);
            if (q < 0) break loop;
          }
          const kind = fastKind[op];
          if (kind === Fast.Load) {
            if (sp - h < 1 || vals[sp - 1] !== at0) break loop;
            vals[sp - 1] = fastR[op];
          } else if (kind === Fast.Store) {
            if (sp - h < 2 || vals[sp - 1] !== fastP0[op] || vals[sp - 2] !== at0) break loop;
            sp -= 2;
          } else break loop;
          pos = q;
          continue;
        }
        case 0x23:
        case 0x24: {
          // global.get, global.set
          const q = fastU32(bytes, pos + 1, end);
          if (q < 0) break loop;
          const g = globals[fastValue];
          if (g === undefined) break loop;
          if (op === 0x23) vals[sp++] = g.type;
          else {
            if (!g.mutable || sp - h < 1 || vals[sp - 1] !== g.type) break loop;
            sp--;
          }
          pos = q;
          continue;
        }
        case 0x10: {
          // call
          const q = fastU32(bytes, pos + 1, end);
          if (q < 0) break loop;
          const ti = funcs[fastValue];
          if (ti === undefined) break loop;
          const ft = types[ti];
          const params = ft.params;
          const n = params.length;
          const results = ft.results;
          if (sp - h < n || sp - n + results.length > room) break loop;
          for (let i = 0; i < n; i++) if (vals[sp - n + i] !== params[i]) break loop;
          sp -= n;
          for (let i = 0; i < results.length; i++) vals[sp++] = results[i];
          pos = q;
          continue;
        }
        case 0x02:
        case 0x03:
        case 0x04:
        case 0x06: {
          // block, loop, if, try; block types: empty, or one number type
          if (pos + 1 >= end) break loop;
          const bt = bytes[pos + 1];
          if (bt !== 0x40 && (bt > I32 || bt < V128)) break loop;
          if (op === 0x04) {
            if (sp - h < 1 || vals[sp - 1] !== I32) break loop;
            sp--;
          }
          const d = depth++;
          ctrlKind[d] = op === 0x04 ? Frame.If : op === 0x03 ? Frame.Loop : op === 0x06 ? Frame.Try : Frame.Block;
          ctrlParams[d] = EMPTY;
          ctrlResults[d] = bt === 0x40 ? EMPTY : ONE_VALUE[bt];
          ctrlHeight[d] = sp;
          ctrlUnreachable[d] = false;
          ctrlInitHeight[d] = initUndo.length;
          h = sp;
          pos += 2;
          continue;
        }
        case 0x0b: {
          // end
          const d = depth - 1;
          const results = ctrlResults[d];
          const n = results.length;
          if (sp - h !== n) break loop;
          for (let i = 0; i < n; i++) if (vals[h + i] !== results[i]) break loop;
          if (d === 0) {
            // the function's end: its results, exactly (run() then checks nothing follows)
            depth = 0;
            pos++;
            break loop;
          }
          // an if without else must pass its parameters through as its results: the general path checks that
          if (ctrlKind[d] === Frame.If && (n !== 0 || ctrlParams[d].length !== 0)) break loop;
          // the results stay where they are, with exactly the frame's types
          if (initUndo.length > ctrlInitHeight[d]) this.resetInits(ctrlInitHeight[d]);
          depth = d;
          h = ctrlHeight[d - 1];
          pos++;
          continue;
        }
        case 0x0c:
        case 0x0d: {
          // br, br_if
          let l = bytes[pos + 1];
          let q = pos + 2;
          if (l >= 0x80 || q > end) {
            // a label past 127 (a Rust match nests that deep)
            q = fastU32(bytes, pos + 1, end);
            if (q < 0) break loop;
            l = fastValue;
          }
          if (l >= depth) break loop;
          let top = sp;
          if (op === 0x0d) {
            if (sp - h < 1 || vals[sp - 1] !== I32) break loop;
            top--;
          }
          const d = depth - 1 - l;
          const lt = ctrlKind[d] === Frame.Loop ? ctrlParams[d] : ctrlResults[d];
          const n = lt.length;
          if (top - h < n) break loop;
          for (let i = 0; i < n; i++) if (vals[top - n + i] !== lt[i]) break loop;
          if (op === 0x0d) sp = top;
          else {
            sp = h;
            ctrlUnreachable[depth - 1] = true;
          }
          pos = q;
          continue;
        }
        case 0x1a:
          // drop
          if (sp - h < 1) break loop;
          sp--;
          pos++;
          continue;
        case 0x00:
          // unreachable
          sp = h;
          ctrlUnreachable[depth - 1] = true;
          pos++;
          continue;
        case 0x1b: {
          // select: two operands of one number type and an i32
          if (sp - h < 3 || vals[sp - 1] !== I32) break loop;
          const t = vals[sp - 2];
          if (t !== vals[sp - 3] || t > I32 || t < V128) break loop;
          sp -= 2;
          pos++;
          continue;
        }
        case 0x0f: {
          // return
          const results = this.funcResults;
          const n = results.length;
          if (sp - h < n) break loop;
          for (let i = 0; i < n; i++) if (vals[sp - n + i] !== results[i]) break loop;
          sp = h;
          ctrlUnreachable[depth - 1] = true;
          pos++;
          continue;
        }
        case 0x11: {
          // call_indirect: type index, then table index: a funcref table
          const q1 = fastU32(bytes, pos + 1, end);
          if (q1 < 0) break loop;
          const ft = types[fastValue];
          const q = fastU32(bytes, q1, end);
          if (q < 0 || ft === undefined || ft.kind !== TypeKind.Func) break loop;
          const table = tables[fastValue];
          if (table === undefined || table.elem !== FUNCREF) break loop;
          const params = ft.params;
          const n = params.length;
          const results = ft.results;
          if (sp - h < n + 1 || vals[sp - 1] !== table.at || sp - 1 - n + results.length > room) break loop;
          for (let i = 0; i < n; i++) if (vals[sp - 1 - n + i] !== params[i]) break loop;
          sp -= n + 1;
          for (let i = 0; i < results.length; i++) vals[sp++] = results[i];
          pos = q;
          continue;
        }
        case 0x05: {
          // else: ends the then-branch like `end`, and opens the else-branch with the same (no) parameters and results
          const d = depth - 1;
          if (ctrlKind[d] !== Frame.If || ctrlParams[d].length !== 0) break loop;
          const results = ctrlResults[d];
          const n = results.length;
          if (sp - h !== n) break loop;
          for (let i = 0; i < n; i++) if (vals[h + i] !== results[i]) break loop;
          if (initUndo.length > ctrlInitHeight[d]) this.resetInits(ctrlInitHeight[d]);
          ctrlKind[d] = Frame.Else;
          ctrlUnreachable[d] = false;
          sp = h;
          pos++;
          continue;
        }
        case 0x0e: {
          // br_table: an i32, then every label (the default last) takes exactly the values on top of the stack
          if (sp - h < 1 || vals[sp - 1] !== I32) break loop;
          let q = fastU32(bytes, pos + 1, end);
          if (q < 0) break loop;
          const n = fastValue;
          // each label takes at least one byte: a count past the bytes left is the general path's to report
          if (n >= end - q) break loop;
          const top = sp - 1;
          let arity = -1;
          for (let k = 0; k <= n; k++) {
            q = fastU32(bytes, q, end);
            if (q < 0 || fastValue >= depth) break loop;
            const d = depth - 1 - fastValue;
            const lt = ctrlKind[d] === Frame.Loop ? ctrlParams[d] : ctrlResults[d];
            const m = lt.length;
            if (arity < 0) {
              arity = m;
              if (top - h < m) break loop;
            } else if (m !== arity) break loop;
            for (let i = 0; i < m; i++) if (vals[top - m + i] !== lt[i]) break loop;
          }
          sp = h;
          ctrlUnreachable[depth - 1] = true;
          pos = q;
          continue;
        }
        case 0x19: {
          // catch_all: ends a try (or catch) block like `end` does, and opens the catch_all block with the same results
          const d = depth - 1;
          const kind = ctrlKind[d];
          if (kind !== Frame.Try && kind !== Frame.Catch) break loop;
          const results = ctrlResults[d];
          const n = results.length;
          if (sp - h !== n) break loop;
          for (let i = 0; i < n; i++) if (vals[h + i] !== results[i]) break loop;
          if (initUndo.length > ctrlInitHeight[d]) this.resetInits(ctrlInitHeight[d]);
          sp = h;
          ctrlKind[d] = Frame.CatchAll;
          ctrlParams[d] = EMPTY;
          ctrlUnreachable[d] = false;
          pos++;
          continue;
        }
        case 0x09: {
          // rethrow
          const q = fastU32(bytes, pos + 1, end);
          if (q < 0 || fastValue >= depth) break loop;
          const kind = ctrlKind[depth - 1 - fastValue];
          if (kind !== Frame.Catch && kind !== Frame.CatchAll) break loop;
          sp = h;
          ctrlUnreachable[depth - 1] = true;
          pos = q;
          continue;
        }
        case 0x18: {
          // delegate: ends a try like `end`, its label counted from the block around the try
          const d = depth - 1;
          if (ctrlKind[d] !== Frame.Try) break loop;
          const q = fastU32(bytes, pos + 1, end);
          if (q < 0 || fastValue >= d) break loop;
          const results = ctrlResults[d];
          const n = results.length;
          if (sp - h !== n) break loop;
          for (let i = 0; i < n; i++) if (vals[h + i] !== results[i]) break loop;
          if (initUndo.length > ctrlInitHeight[d]) this.resetInits(ctrlInitHeight[d]);
          depth = d;
          h = ctrlHeight[d - 1];
          pos = q;
          continue;
        }
        case 0xfc: {
          // memory.copy and memory.fill of memory 0 (the commonest prefixed instructions: one-byte
          // sub-opcode, memory indexes 0); the others take the general path
          const sub = bytes[pos + 1];
          if (at0 === 0 || bytes[pos + 2] !== 0) break loop;
          if (sub === 10) {
            // memory.copy 0 0: [at at at]
            if (pos + 4 > end || bytes[pos + 3] !== 0) break loop;
            if (sp - h < 3 || vals[sp - 1] !== at0 || vals[sp - 2] !== at0 || vals[sp - 3] !== at0) break loop;
            sp -= 3;
            pos += 4;
          } else if (sub === 11) {
            // memory.fill 0: [at i32 at]
            if (pos + 3 > end) break loop;
            if (sp - h < 3 || vals[sp - 1] !== at0 || vals[sp - 2] !== I32 || vals[sp - 3] !== at0) break loop;
            sp -= 3;
            pos += 3;
          } else break loop;
          continue;
        }
        default: {
          // the numeric instructions without immediates (at most two operands, at most one result)
          if (fastKind[op] !== Fast.Sig) break loop;
          const n = fastN[op];
          if (n === 2) {
            if (sp - h < 2 || vals[sp - 1] !== fastP1[op] || vals[sp - 2] !== fastP0[op]) break loop;
            sp -= 2;
          } else if (n === 1) {
            if (sp - h < 1 || vals[sp - 1] !== fastP0[op]) break loop;
            sp--;
          }
          const r = fastR[op];
          if (r !== 0) vals[sp++] = r;
          pos++;
          continue;
        }
      }
    }
    this.sp = sp;
    this.depth = depth;
    return pos;
  }

  // ---- stacks

  private fail(message: string, malformed = false): never {
    throw new Invalid(message, this.dec.offset, malformed, this.dec.def?.name);
  }

  /** Makes room for `n` more operands. */
  private reserve(n: number): void {
    if (this.sp + n <= this.vals.length) return;
    const grown = new Int32Array(Math.max(this.vals.length * 2, this.sp + n));
    grown.set(this.vals.subarray(0, this.sp));
    this.vals = grown;
  }

  private push(t: number): void {
    if (this.sp >= this.vals.length) this.reserve(1);
    if (this.sp < this.lowWrite) this.lowWrite = this.sp;
    this.vals[this.sp++] = t;
  }

  private pushAll(ts: readonly number[]): void {
    if (ts.length === 0) return;
    if (this.sp + ts.length > this.vals.length) this.reserve(ts.length);
    if (this.sp < this.lowWrite) this.lowWrite = this.sp;
    for (let i = 0; i < ts.length; i++) this.vals[this.sp++] = ts[i];
  }

  /** Operands [from, to) as a list (for messages and the rare instructions that put some back). */
  private operands(from: number, to: number): number[] {
    return Array.from(this.vals.subarray(from, to));
  }

  private stackTop(n: number): number[] {
    const h = this.ctrlHeight[this.depth - 1];
    const from = Math.max(h, this.sp - n);
    return this.operands(from, this.sp);
  }

  private mismatch(expected: readonly number[], what = this.dec.def.name): never {
    const top = this.stackTop(expected.length);
    return this.fail(`${what} expects ${typeListName(expected)} but the stack has ${typeListName(top)}`);
  }

  private popAny(): number {
    const d = this.depth - 1;
    if (this.sp === this.ctrlHeight[d]) {
      if (this.ctrlUnreachable[d]) return BOTTOM;
      return this.fail(`${this.dec.def.name} expects an operand but the stack is empty`);
    }
    const i = --this.sp;
    if (i < this.lowRead) this.lowRead = i;
    return this.vals[i];
  }

  /** Pops one value that must match `t`; returns the actual type. */
  private pop(t: number, what?: string): number {
    const d = this.depth - 1;
    if (this.sp === this.ctrlHeight[d]) {
      if (this.ctrlUnreachable[d]) return BOTTOM;
      return this.mismatch([t], what);
    }
    const a = this.vals[this.sp - 1];
    if (a !== t && !this.types.matches(a, t)) return this.mismatch([t], what);
    if (--this.sp < this.lowRead) this.lowRead = this.sp;
    return a;
  }

  /** Pops values matching `ts` (last first); on a mismatch the message shows the whole list. */
  private popAll(ts: readonly number[], what?: string): void {
    if (!this.popAllIfFits(ts)) this.mismatch(ts, what);
  }

  /** Pops values matching `ts` (last first) and returns true; false (the stack as it was) when they do not match. */
  private popAllIfFits(ts: readonly number[]): boolean {
    const d = this.depth - 1;
    const h = this.ctrlHeight[d];
    const start = this.sp;
    for (let i = ts.length - 1; i >= 0; i--) {
      if (this.sp === h) {
        if (this.ctrlUnreachable[d]) break;
        this.sp = start; // the message shows the operands as they were
        return false;
      }
      const a = this.vals[this.sp - 1];
      if (a !== ts[i] && !this.types.matches(a, ts[i])) {
        this.sp = start;
        return false;
      }
      this.sp--;
    }
    if (this.sp < this.lowRead) this.lowRead = this.sp;
    return true;
  }

  /** Pops a reference of any type; returns it (BOTTOM in dead code). */
  private popRef(): number {
    const t = this.popAny();
    if (t !== BOTTOM && !isRef(t)) this.fail(`${this.dec.def.name} expects a reference but the stack has [${typeName(t)}]`);
    return t;
  }

  private pushCtrl(kind: Frame, params: number[], results: number[]): void {
    const d = this.depth++;
    this.ctrlKind[d] = kind;
    this.ctrlParams[d] = params;
    this.ctrlResults[d] = results;
    this.ctrlHeight[d] = this.sp;
    this.ctrlUnreachable[d] = false;
    this.ctrlInitHeight[d] = this.initUndo.length;
    this.pushAll(params);
  }

  /** Checks the frame's results are on the stack, exactly; pops the frame. */
  private popCtrl(): number {
    const d = this.depth - 1;
    const results = this.ctrlResults[d];
    if (!this.popAllIfFits(results)) this.mismatch(results, `the end of the ${frameName(this.ctrlKind[d])}`);
    if (this.sp !== this.ctrlHeight[d]) {
      const extra = this.operands(this.ctrlHeight[d], this.sp);
      this.fail(`the ${frameName(this.ctrlKind[d])} ends with ${typeListName(extra)} left over after its results ${typeListName(results)}`);
    }
    this.resetInits(this.ctrlInitHeight[d]);
    this.depth--;
    return d;
  }

  private resetInits(height: number): void {
    const undo = this.initUndo;
    while (undo.length > height) this.setInit(undo.pop()!, 0);
  }

  private isInit(i: number): boolean {
    return i < this.localInit.length ? this.localInit[i] === 1 : i < this.paramCount || this.farInit.has(i);
  }

  private setInit(i: number, v: 0 | 1): void {
    if (i < this.localInit.length) this.localInit[i] = v;
    else if (v) this.farInit.add(i);
    else this.farInit.delete(i);
  }

  private labelTypes(d: number): number[] {
    return this.ctrlKind[d] === Frame.Loop ? this.ctrlParams[d] : this.ctrlResults[d];
  }

  private label(l: number): number {
    if (l >= this.depth) this.fail(`unknown label ${l}: ${this.depth} enclosing blocks`);
    return this.depth - 1 - l;
  }

  private setUnreachable(): void {
    const d = this.depth - 1;
    this.sp = this.ctrlHeight[d];
    this.ctrlUnreachable[d] = true;
  }

  // ---- block types and index spaces

  /** The current block type's parameters and results, into `bp` and `br` (no tuple per block). */
  private bp: number[] = EMPTY;
  private br: number[] = EMPTY;

  private blockSig(): void {
    const dec = this.dec;
    if (dec.blockKind === BlockKind.Empty) {
      this.bp = this.br = EMPTY;
    } else if (dec.blockKind === BlockKind.Value) {
      this.checkValueType(dec.blockValue);
      this.bp = EMPTY;
      this.br = ONE_VALUE[dec.blockValue] ?? (ONE_VALUE[dec.blockValue] = [dec.blockValue]);
    } else {
      const ft = this.types.funcType(dec.blockValue);
      if (!ft) this.fail(`block type ${dec.blockValue} is not a function type (the module has ${this.types.length} types)`);
      this.bp = ft.params;
      this.br = ft.results;
    }
  }

  /** A reference type's concrete heap type must exist. */
  private checkValueType(t: number): void {
    if (isRef(t)) this.checkHeap(heapOf(t));
  }

  private checkHeap(heap: number): void {
    if (heap >= CONCRETE && heap - CONCRETE >= this.types.length) this.fail(`unknown type ${heap - CONCRETE}`);
  }

  private funcTypeOf(f: number): CompositeType {
    const ti = this.ctx.funcs[f];
    if (ti === undefined) this.fail(`unknown function ${f}: the module has ${this.ctx.funcs.length} functions`);
    return this.types.funcType(ti)!;
  }

  private typeAt(x: number, kind: TypeKind, what: string): CompositeType {
    const t = this.types.types[x];
    if (!t) this.fail(`unknown type ${x}`);
    if (t.kind !== kind) this.fail(`type ${x} is not ${what}`);
    return t;
  }

  private table(x: number) {
    const t = this.ctx.tables[x];
    if (!t) this.fail(`unknown table ${x}: the module has ${this.ctx.tables.length} tables`);
    return t;
  }

  private memory(x: number) {
    const m = this.ctx.memories[x];
    if (!m) this.fail(`unknown memory ${x}: the module has ${this.ctx.memories.length} memories`);
    return m;
  }

  private global(x: number) {
    const g = this.ctx.globals[x];
    if (!g) this.fail(`unknown global ${x}: the module has ${this.ctx.globals.length} globals`);
    return g;
  }

  private elemType(x: number): number {
    const e = this.ctx.elems[x];
    if (e === undefined) this.fail(`unknown elem segment ${x}: the module has ${this.ctx.elems.length}`);
    return e;
  }

  private needData(x: number): void {
    if (this.ctx.dataCount === undefined) this.fail(`${this.dec.def.name} needs a data count section`);
    if (x >= this.ctx.dataCount) this.fail(`unknown data segment ${x}: the module has ${this.ctx.dataCount}`);
  }

  private tagType(x: number): CompositeType {
    const ti = this.ctx.tags[x];
    if (ti === undefined) this.fail(`unknown tag ${x}: the module has ${this.ctx.tags.length} tags`);
    return this.types.funcType(ti)!;
  }

  private unpacked(t: number): number {
    return t === PACKED_I8 || t === PACKED_I16 ? I32 : t;
  }

  // ---- the instructions

  private step(def: InstructionDef): void {
    const dec = this.dec;
    if (this.constMode && def.rule !== 'end' && !CONSTANT.has(def.name)) this.fail(`${def.name} is not allowed in a constant expression: constant expression required`);
    switch (RULE_CODE[def.id]) {
      case Rule.Sig: {
        if (def.lanes !== undefined && dec.lane >= def.lanes) this.fail(`${def.name}: lane index ${dec.lane} is out of range (< ${def.lanes})`);
        this.popAll(SIG_PARAMS[def.id]);
        this.pushAll(SIG_RESULTS[def.id]);
        return;
      }
      case Rule.Mem: {
        const m = this.memory(dec.memory);
        const natural = def.align!;
        if (def.proposal === 'threads') {
          if (dec.align !== natural) this.fail(`${def.name}: alignment 2^${dec.align} must be exactly the natural 2^${natural}`);
        } else if (dec.align > natural) this.fail(`${def.name}: alignment 2^${dec.align} must not be larger than natural (2^${natural})`);
        if (m.at === I32 && dec.memOffset > 0xffffffff) this.fail(`${def.name}: offset ${dec.memOffset} is out of range for a 32-bit memory`);
        if (def.lanes !== undefined && dec.lane >= def.lanes) this.fail(`${def.name}: lane index ${dec.lane} is out of range (< ${def.lanes})`);
        this.popAll(m.at === I32 ? MEM_PARAMS_32[def.id] : MEM_PARAMS_64[def.id]);
        this.pushAll(SIG_RESULTS[def.id]);
        return;
      }
      case Rule.Unreachable:
        this.setUnreachable();
        return;
      case Rule.Block:
      case Rule.Loop:
      case Rule.Try: {
        this.blockSig();
        this.popAll(this.bp);
        this.pushCtrl(def.rule === 'block' ? Frame.Block : def.rule === 'loop' ? Frame.Loop : Frame.Try, this.bp, this.br);
        return;
      }
      case Rule.If: {
        this.blockSig();
        this.pop(I32);
        this.popAll(this.bp);
        this.pushCtrl(Frame.If, this.bp, this.br);
        return;
      }
      case Rule.Else: {
        if (this.ctrlKind[this.depth - 1] !== Frame.If) this.fail('else without a matching if');
        const d = this.popCtrl();
        this.pushCtrl(Frame.Else, this.ctrlParams[d], this.ctrlResults[d]);
        return;
      }
      case Rule.End: {
        const kind = this.ctrlKind[this.depth - 1];
        const d = this.popCtrl();
        if (kind === Frame.If) {
          // the missing else passes the parameters through
          const p = this.ctrlParams[d];
          const r = this.ctrlResults[d];
          if (p.length !== r.length || p.some((t, i) => !this.types.matches(t, r[i]))) this.fail(`if without else must leave ${typeListName(r)} but passes ${typeListName(p)} through`);
        }
        this.pushAll(this.ctrlResults[d]);
        return;
      }
      case Rule.Br: {
        const d = this.label(dec.idx);
        this.popAll(this.labelTypes(d));
        this.setUnreachable();
        return;
      }
      case Rule.BrIf: {
        const d = this.label(dec.idx);
        this.pop(I32);
        const lt = this.labelTypes(d);
        this.popAll(lt);
        this.pushAll(lt);
        return;
      }
      case Rule.BrTable: {
        this.pop(I32);
        const n = dec.targetCount;
        const dd = this.label(dec.targets[n]);
        const arity = this.labelTypes(dd).length;
        for (let i = 0; i < n; i++) {
          const d = this.label(dec.targets[i]);
          const lt = this.labelTypes(d);
          if (lt.length !== arity) this.fail(`br_table targets have different arities: label ${dec.targets[i]} takes ${lt.length} values, the default ${arity}`);
          if (arity === 0) continue; // nothing to check (compilers' switch tables: hundreds of targets)
          // pop and put back what was there (so dead code's unknown types stay unknown): popping
          // writes nothing, so the stack as it was is its old height
          const save = this.sp;
          this.popAll(lt);
          this.sp = save;
        }
        this.popAll(this.labelTypes(dd));
        this.setUnreachable();
        return;
      }
      case Rule.Return:
        this.popAll(this.funcResults);
        this.setUnreachable();
        return;
      case Rule.Call: {
        const ft = this.funcTypeOf(dec.idx);
        this.popAll(ft.params);
        this.pushAll(ft.results);
        return;
      }
      case Rule.ReturnCall: {
        const ft = this.funcTypeOf(dec.idx);
        this.checkTailResults(ft);
        this.popAll(ft.params);
        this.setUnreachable();
        return;
      }
      case Rule.CallIndirect:
      case Rule.ReturnCallIndirect: {
        const tab = this.table(dec.idx2);
        if (!this.types.matches(tab.elem, refType(HT_FUNC, true))) this.fail(`${def.name}: table ${dec.idx2} holds ${typeName(tab.elem)}, not functions`);
        const ft = this.typeAt(dec.idx, TypeKind.Func, 'a function type');
        this.pop(tab.at);
        if (def.rule === 'return_call_indirect') this.checkTailResults(ft);
        this.popAll(ft.params);
        if (def.rule === 'return_call_indirect') this.setUnreachable();
        else this.pushAll(ft.results);
        return;
      }
      case Rule.CallRef:
      case Rule.ReturnCallRef: {
        const ft = this.typeAt(dec.idx, TypeKind.Func, 'a function type');
        this.pop(refType(CONCRETE + dec.idx, true));
        if (def.rule === 'return_call_ref') this.checkTailResults(ft);
        this.popAll(ft.params);
        if (def.rule === 'return_call_ref') this.setUnreachable();
        else this.pushAll(ft.results);
        return;
      }
      case Rule.Drop:
        this.popAny();
        return;
      case Rule.Select: {
        this.pop(I32);
        const t1 = this.popAny();
        const t2 = this.popAny();
        if (isRef(t1) || isRef(t2)) this.fail(`select without a type expects two number or vector operands but the stack has [${typeName(t2)} ${typeName(t1)}] (references need \`select (result t)\`): invalid result arity or type mismatch`);
        if (t1 !== t2 && t1 !== BOTTOM && t2 !== BOTTOM) this.fail(`select expects two operands of one type but the stack has [${typeName(t2)} ${typeName(t1)}]`);
        this.push(t1 === BOTTOM ? t2 : t1);
        return;
      }
      case Rule.SelectT: {
        if (dec.valtypes.length !== 1) this.fail(`select takes exactly one result type, not ${dec.valtypes.length}: invalid result arity`);
        const t = dec.valtypes[0];
        this.checkValueType(t);
        this.popAll([t, t, I32]);
        this.push(t);
        return;
      }
      case Rule.LocalGet: {
        const t = this.localType(dec.idx);
        if (!isDefaultable(t) && !this.isInit(dec.idx)) this.fail(`local ${dec.idx} is read before it is set (its type ${typeName(t)} has no default): uninitialized local`);
        this.push(t);
        return;
      }
      case Rule.LocalSet:
      case Rule.LocalTee: {
        const t = this.localType(dec.idx);
        this.pop(t);
        if (!isDefaultable(t) && !this.isInit(dec.idx)) {
          this.setInit(dec.idx, 1);
          this.initUndo.push(dec.idx);
        }
        if (def.rule === 'local.tee') this.push(t);
        return;
      }
      case Rule.GlobalGet: {
        const g = this.global(dec.idx);
        if (this.constMode) {
          if (dec.idx >= this.constGlobals) this.fail(`unknown global ${dec.idx}: a constant expression here sees ${this.constGlobals} globals`);
          if (g.mutable) this.fail(`global.get of mutable global ${dec.idx} in a constant expression: constant expression required`);
        }
        this.push(g.type);
        return;
      }
      case Rule.GlobalSet: {
        const g = this.global(dec.idx);
        if (!g.mutable) this.fail(`global.set of immutable global ${dec.idx}: global is immutable`);
        this.pop(g.type);
        return;
      }
      case Rule.TableGet: {
        const t = this.table(dec.idx);
        this.pop(t.at);
        this.push(t.elem);
        return;
      }
      case Rule.TableSet: {
        const t = this.table(dec.idx);
        this.popAll([t.at, t.elem]);
        return;
      }
      case Rule.TableSize:
        this.push(this.table(dec.idx).at);
        return;
      case Rule.TableGrow: {
        const t = this.table(dec.idx);
        this.popAll([t.elem, t.at]);
        this.push(t.at);
        return;
      }
      case Rule.TableFill: {
        const t = this.table(dec.idx);
        this.popAll([t.at, t.elem, t.at]);
        return;
      }
      case Rule.TableCopy: {
        const dst = this.table(dec.idx);
        const src = this.table(dec.idx2);
        if (!this.types.matches(src.elem, dst.elem)) this.fail(`table.copy: table ${dec.idx2} holds ${typeName(src.elem)}, which does not fit table ${dec.idx} of ${typeName(dst.elem)}: type mismatch`);
        this.popAll([dst.at, src.at, dst.at === I64 && src.at === I64 ? I64 : I32]);
        return;
      }
      case Rule.TableInit: {
        const e = this.elemType(dec.idx);
        const t = this.table(dec.idx2);
        if (!this.types.matches(e, t.elem)) this.fail(`table.init: elem segment ${dec.idx} holds ${typeName(e)}, which does not fit table ${dec.idx2} of ${typeName(t.elem)}: type mismatch`);
        this.popAll([t.at, I32, I32]);
        return;
      }
      case Rule.ElemDrop:
        this.elemType(dec.idx);
        return;
      case Rule.MemorySize:
        this.push(this.memory(dec.idx).at);
        return;
      case Rule.MemoryGrow: {
        const m = this.memory(dec.idx);
        this.pop(m.at);
        this.push(m.at);
        return;
      }
      case Rule.MemoryFill: {
        const m = this.memory(dec.idx);
        this.popAll([m.at, I32, m.at]);
        return;
      }
      case Rule.MemoryCopy: {
        const dst = this.memory(dec.idx);
        const src = this.memory(dec.idx2);
        this.popAll([dst.at, src.at, dst.at === I64 && src.at === I64 ? I64 : I32]);
        return;
      }
      case Rule.MemoryInit: {
        const m = this.memory(dec.idx2);
        this.needData(dec.idx);
        this.popAll([m.at, I32, I32]);
        return;
      }
      case Rule.DataDrop:
        this.needData(dec.idx);
        return;
      case Rule.RefNull:
        this.checkHeap(dec.heap0);
        this.push(refType(dec.heap0, true));
        return;
      case Rule.RefIsNull:
        this.popRef();
        this.push(I32);
        return;
      case Rule.RefFunc: {
        this.funcTypeOf(dec.idx);
        // functions named outside function bodies (constant expressions included) are declared
        if (this.constMode) this.ctx.refs.add(dec.idx);
        else if (!this.ctx.refs.has(dec.idx)) this.fail(`ref.func ${dec.idx}: undeclared function reference (declare it in an elem segment or export it)`);
        this.push(refType(CONCRETE + this.ctx.funcs[dec.idx], false));
        return;
      }
      case Rule.RefEq:
        this.pop(refType(HT_EQ, true));
        this.pop(refType(HT_EQ, true));
        this.push(I32);
        return;
      case Rule.RefAsNonNull: {
        const t = this.popRef();
        this.push(t === BOTTOM ? BOTTOM : t & ~1);
        return;
      }
      case Rule.BrOnNull: {
        const d = this.label(dec.idx);
        const t = this.popRef();
        const lt = this.labelTypes(d);
        this.popAll(lt);
        this.pushAll(lt);
        this.push(t === BOTTOM ? BOTTOM : t & ~1);
        return;
      }
      case Rule.BrOnNonNull: {
        const d = this.label(dec.idx);
        const lt = this.labelTypes(d);
        if (lt.length === 0 || !isRef(lt[lt.length - 1])) this.fail(`br_on_non_null: label ${dec.idx} must take a reference last, it takes ${typeListName(lt)}: type mismatch`);
        const t = this.popRef();
        const target = lt[lt.length - 1];
        if (t !== BOTTOM && !this.types.matches(t & ~1, target)) this.mismatch(lt);
        const rest = lt.slice(0, -1);
        this.popAll(rest);
        this.pushAll(rest);
        return;
      }
      case Rule.Throw: {
        const ft = this.tagType(dec.idx);
        this.popAll(ft.params);
        this.setUnreachable();
        return;
      }
      case Rule.ThrowRef:
        this.pop(refType(HT_EXN, true));
        this.setUnreachable();
        return;
      case Rule.TryTable: {
        this.blockSig();
        const p = this.bp;
        const r = this.br;
        this.popAll(p);
        for (let i = 0; i < dec.catchCount; i++) this.checkCatchClause(dec.catchKinds[i], dec.catchTags[i], dec.catchLabels[i]);
        this.pushCtrl(Frame.TryTable, p, r);
        return;
      }
      case Rule.Catch: {
        const kind = this.ctrlKind[this.depth - 1];
        if (kind !== Frame.Try && kind !== Frame.Catch) this.fail('catch without a matching try');
        const ft = this.tagType(dec.idx);
        const d = this.popCtrl();
        this.pushCtrl(Frame.Catch, ft.params, this.ctrlResults[d]);
        return;
      }
      case Rule.CatchAll: {
        const kind = this.ctrlKind[this.depth - 1];
        if (kind !== Frame.Try && kind !== Frame.Catch) this.fail('catch_all without a matching try');
        const d = this.popCtrl();
        this.pushCtrl(Frame.CatchAll, EMPTY, this.ctrlResults[d]);
        return;
      }
      case Rule.Rethrow: {
        const d = this.label(dec.idx);
        const k = this.ctrlKind[d];
        if (k !== Frame.Catch && k !== Frame.CatchAll) this.fail(`rethrow ${dec.idx}: the label is not a catch block: invalid rethrow label`);
        this.setUnreachable();
        return;
      }
      case Rule.Delegate: {
        if (this.ctrlKind[this.depth - 1] !== Frame.Try) this.fail('delegate without a matching try');
        const d = this.popCtrl();
        this.label(dec.idx);
        this.pushAll(this.ctrlResults[d]);
        return;
      }
      case Rule.AtomicFence:
        return;
      case Rule.Gc:
        this.gc(def);
        return;
      case Rule.StackSwitching:
        this.fail(`${def.name} (stack switching) is not supported by this validator yet`);
    }
  }

  private checkTailResults(callee: CompositeType): void {
    const mine = this.funcResults;
    const theirs = callee.results;
    if (theirs.length !== mine.length || theirs.some((t, i) => !this.types.matches(t, mine[i]))) {
      this.fail(`${this.dec.def.name}: the callee returns ${typeListName(theirs)} but this function returns ${typeListName(mine)}: type mismatch`);
    }
  }

  private checkCatchClause(kind: number, tag: number, l: number): void {
    const d = this.label(l);
    const lt = this.labelTypes(d);
    let carried: number[];
    if (kind < 2) {
      const ft = this.tagType(tag);
      carried = kind === 1 ? [...ft.params, EXNREF_NONNULL] : ft.params;
    } else carried = kind === 3 ? [EXNREF_NONNULL] : EMPTY;
    if (carried.length !== lt.length || carried.some((t, i) => !this.types.matches(t, lt[i]))) {
      this.fail(`try_table: catch clause carries ${typeListName(carried)} but label ${l} takes ${typeListName(lt)}: type mismatch`);
    }
  }

  private gc(def: InstructionDef): void {
    const dec = this.dec;
    const types = this.types;
    switch (def.name) {
      case 'struct.new':
      case 'struct.new_default': {
        const st = this.typeAt(dec.idx, TypeKind.Struct, 'a struct type');
        if (def.name === 'struct.new') this.popAll(st.fields.map((f) => this.unpacked(f)));
        else if (st.fields.some((f) => !isDefaultable(f))) this.fail(`struct.new_default: type ${dec.idx} has a field without a default`);
        this.push(refType(CONCRETE + dec.idx, false));
        return;
      }
      case 'struct.get':
      case 'struct.get_s':
      case 'struct.get_u':
      case 'struct.set': {
        const st = this.typeAt(dec.idx, TypeKind.Struct, 'a struct type');
        const f = st.fields[dec.idx2];
        if (f === undefined) this.fail(`unknown field ${dec.idx2} of struct type ${dec.idx}`);
        const packed = f === PACKED_I8 || f === PACKED_I16;
        if (def.name === 'struct.get' && packed) this.fail(`struct.get of packed field ${dec.idx2}: use struct.get_s or struct.get_u`);
        if ((def.name === 'struct.get_s' || def.name === 'struct.get_u') && !packed) this.fail(`${def.name} of unpacked field ${dec.idx2}`);
        if (def.name === 'struct.set') {
          if (!st.mutables[dec.idx2]) this.fail(`struct.set of immutable field ${dec.idx2}: field is immutable`);
          this.pop(this.unpacked(f));
          this.pop(refType(CONCRETE + dec.idx, true));
        } else {
          this.pop(refType(CONCRETE + dec.idx, true));
          this.push(this.unpacked(f));
        }
        return;
      }
      case 'array.new':
      case 'array.new_default':
      case 'array.new_fixed':
      case 'array.new_data':
      case 'array.new_elem': {
        const at = this.typeAt(dec.idx, TypeKind.Array, 'an array type');
        const f = at.fields[0];
        if (def.name === 'array.new_data' || def.name === 'array.new_elem') {
          if (def.name === 'array.new_data') {
            if (isRef(f)) this.fail(`array.new_data: array type ${dec.idx} holds references: array type is not numeric or vector`);
            this.needData(dec.idx2);
          } else if (!types.matches(this.elemType(dec.idx2), f)) this.fail(`array.new_elem: elem segment ${dec.idx2} does not fit array type ${dec.idx}: type mismatch`);
          this.pop(I32);
          this.pop(I32);
        } else if (def.name === 'array.new') {
          this.pop(I32);
          this.pop(this.unpacked(f));
        } else if (def.name === 'array.new_default') {
          if (!isDefaultable(f)) this.fail(`array.new_default: array type ${dec.idx} has no default element`);
          this.pop(I32);
        } else {
          const n = dec.idx2;
          if (n > 10000) this.fail(`array.new_fixed of ${n} elements: too many (at most 10000)`);
          const u = this.unpacked(f);
          for (let i = 0; i < n; i++) this.pop(u);
        }
        this.push(refType(CONCRETE + dec.idx, false));
        return;
      }
      case 'array.get':
      case 'array.get_s':
      case 'array.get_u': {
        const at = this.typeAt(dec.idx, TypeKind.Array, 'an array type');
        const f = at.fields[0];
        const packed = f === PACKED_I8 || f === PACKED_I16;
        if (def.name === 'array.get' && packed) this.fail('array.get of a packed array: use array.get_s or array.get_u');
        if (def.name !== 'array.get' && !packed) this.fail(`${def.name} of an unpacked array`);
        this.pop(I32);
        this.pop(refType(CONCRETE + dec.idx, true));
        this.push(this.unpacked(f));
        return;
      }
      case 'array.set':
      case 'array.fill': {
        const at = this.typeAt(dec.idx, TypeKind.Array, 'an array type');
        if (!at.mutables[0]) this.fail(`${def.name} of immutable array type ${dec.idx}: array is immutable`);
        const u = this.unpacked(at.fields[0]);
        if (def.name === 'array.fill') this.pop(I32);
        this.pop(u);
        this.pop(I32);
        this.pop(refType(CONCRETE + dec.idx, true));
        return;
      }
      case 'array.len':
        this.pop(refType(HT_ARRAY, true));
        this.push(I32);
        return;
      case 'array.copy': {
        const dst = this.typeAt(dec.idx, TypeKind.Array, 'an array type');
        const src = this.typeAt(dec.idx2, TypeKind.Array, 'an array type');
        if (!dst.mutables[0]) this.fail(`array.copy into immutable array type ${dec.idx}: array is immutable`);
        const sf = src.fields[0];
        const df = dst.fields[0];
        const ok = sf === df || (isRef(sf) && isRef(df) && types.matches(sf, df));
        if (!ok) this.fail(`array.copy: array type ${dec.idx2} does not fit array type ${dec.idx}: type mismatch`);
        this.popAll([refType(CONCRETE + dec.idx, true), I32, refType(CONCRETE + dec.idx2, true), I32, I32]);
        return;
      }
      case 'array.init_data':
      case 'array.init_elem': {
        const at = this.typeAt(dec.idx, TypeKind.Array, 'an array type');
        if (!at.mutables[0]) this.fail(`${def.name} of immutable array type ${dec.idx}: array is immutable`);
        const f = at.fields[0];
        if (def.name === 'array.init_data') {
          if (isRef(f)) this.fail(`array.init_data: array type ${dec.idx} holds references: array type is not numeric or vector`);
          this.needData(dec.idx2);
        } else if (!types.matches(this.elemType(dec.idx2), f)) this.fail(`array.init_elem: elem segment ${dec.idx2} does not fit array type ${dec.idx}: type mismatch`);
        this.popAll([refType(CONCRETE + dec.idx, true), I32, I32, I32]);
        return;
      }
      case 'ref.test':
      case 'ref.cast': {
        this.checkHeap(dec.heap0);
        const target = refType(dec.heap0, def.nullable === true);
        const t = this.popRef();
        if (t !== BOTTOM && types.topOf(heapOf(t)) !== types.topOf(dec.heap0)) this.fail(`${def.name}: ${typeName(t)} and ${typeName(target)} are in different hierarchies: type mismatch`);
        this.push(def.name === 'ref.test' ? I32 : target);
        return;
      }
      case 'br_on_cast':
      case 'br_on_cast_fail': {
        const d = this.label(dec.idx);
        this.checkHeap(dec.heap0);
        this.checkHeap(dec.heap1);
        const t1 = refType(dec.heap0, (dec.castFlags & 1) === 1);
        const t2 = refType(dec.heap1, (dec.castFlags & 2) === 2);
        if (!types.matches(t2, t1)) this.fail(`${def.name}: ${typeName(t2)} is not a subtype of ${typeName(t1)}: type mismatch`);
        const lt = this.labelTypes(d);
        if (lt.length === 0) this.fail(`${def.name}: label ${dec.idx} takes no values: type mismatch`);
        // t1 minus t2: nullable only when t1 is and t2 is not
        const diff = isNullable(t1) && !isNullable(t2) ? t1 : t1 & ~1;
        const branch = def.name === 'br_on_cast' ? t2 : diff;
        const fall = def.name === 'br_on_cast' ? diff : t2;
        if (!types.matches(branch, lt[lt.length - 1])) this.fail(`${def.name}: label ${dec.idx} takes ${typeListName(lt)}, not ${typeName(branch)}: type mismatch`);
        this.pop(t1);
        const rest = lt.slice(0, -1);
        this.popAll(rest);
        this.pushAll(rest);
        this.push(fall);
        return;
      }
      case 'any.convert_extern': {
        const t = this.pop(refType(HT_EXTERN, true));
        this.push(refType(HT_ANY, t === BOTTOM || isNullable(t)));
        return;
      }
      case 'extern.convert_any': {
        const t = this.pop(refType(HT_ANY, true));
        this.push(refType(HT_EXTERN, t === BOTTOM || isNullable(t)));
        return;
      }
      case 'ref.i31':
        this.pop(I32);
        this.push(refType(HT_I31, false));
        return;
      case 'i31.get_s':
      case 'i31.get_u':
        this.pop(refType(HT_I31, true));
        this.push(I32);
        return;
    }
    /* c8 ignore next */
    this.fail(`${def.name} is not supported by this validator yet`);
  }
}

function frameName(kind: number): string {
  return ['block', 'loop', 'if', 'else', 'try', 'catch', 'catch_all', 'try_table', 'function'][kind] ?? 'block';
}

