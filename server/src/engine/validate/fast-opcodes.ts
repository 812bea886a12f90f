/**
 * The validator's fast path, as data: for each one-byte opcode, how the function validator's inner
 * loop may type it without decoding it into the general instruction stream (see
 * `FunctionValidator.fastRun`). Derived from the instruction-set table, so the fast path covers
 * exactly what the table says; anything the fast path cannot settle on the spot (a multi-byte
 * immediate it does not read, a reference type, a mismatch that needs a message) goes to the general
 * path, which decodes the instruction again and has the last word.
 */
import { INSTRUCTION_SET } from '../isa/instruction-set';
import { letterTypes } from '../isa/value-type';

export const enum Fast {
  /** not on the fast path */
  None = 0,
  /** no immediates, numbers in and out (`FAST_N` params in `FAST_P0`/`FAST_P1`, result in `FAST_R` or 0) */
  Sig,
  /** f32.const / f64.const: fixed-size immediate (`FAST_SKIP` bytes), result `FAST_R` */
  ConstFixed,
  /** i32.const / i64.const: a signed LEB128 (`FAST_SKIP`: the most bytes read here), result `FAST_R` */
  ConstLeb,
  /** a load or store of memory 0: natural alignment `FAST_ALIGN`, value operand `FAST_P0` (stores) or result `FAST_R` (loads) */
  Load,
  Store,
  LocalGet,
  LocalSet,
  LocalTee,
  GlobalGet,
  GlobalSet,
  Block,
  Loop,
  If,
  End,
  Else,
  Br,
  BrTable,
  BrIf,
  Call,
  Drop,
  Unreachable,
  Select,
  Return,
  CallIndirect,
  /** legacy exceptions (emscripten's C++ exceptions): try opens like a block */
  CatchAll,
  Rethrow,
  Delegate,
}

export const FAST = new Uint8Array(256);
export const FAST_N = new Uint8Array(256);
export const FAST_P0 = new Int32Array(256);
export const FAST_P1 = new Int32Array(256);
export const FAST_R = new Int32Array(256);
export const FAST_SKIP = new Uint8Array(256);
export const FAST_ALIGN = new Uint8Array(256);

const BY_RULE: Record<string, Fast> = {
  'local.get': Fast.LocalGet,
  'local.set': Fast.LocalSet,
  'local.tee': Fast.LocalTee,
  'global.get': Fast.GlobalGet,
  'global.set': Fast.GlobalSet,
  block: Fast.Block,
  try: Fast.Block,
  loop: Fast.Loop,
  if: Fast.If,
  end: Fast.End,
  else: Fast.Else,
  br: Fast.Br,
  br_table: Fast.BrTable,
  br_if: Fast.BrIf,
  call: Fast.Call,
  drop: Fast.Drop,
  unreachable: Fast.Unreachable,
  select: Fast.Select,
  return: Fast.Return,
  call_indirect: Fast.CallIndirect,
  catch_all: Fast.CatchAll,
  rethrow: Fast.Rethrow,
  delegate: Fast.Delegate,
};

for (const d of INSTRUCTION_SET) {
  if (d.prefix !== 0) continue;
  const op = d.code;
  const params = letterTypes(d.params);
  const results = letterTypes(d.results);
  if (d.rule === 'sig' && params.length <= 2 && results.length <= 1) {
    FAST_N[op] = params.length;
    FAST_P0[op] = params[0] ?? 0;
    FAST_P1[op] = params[1] ?? 0;
    FAST_R[op] = results[0] ?? 0;
    if (d.imm === 'none') FAST[op] = Fast.Sig;
    else if (d.imm === 'f32' || d.imm === 'f64') {
      FAST[op] = Fast.ConstFixed;
      FAST_SKIP[op] = d.imm === 'f32' ? 4 : 8;
    } else if (d.imm === 'i32' || d.imm === 'i64') {
      FAST[op] = Fast.ConstLeb;
      // every LEB128 of up to 4 (s32) or 9 (s64) bytes is in range; longer ones need the general checks
      FAST_SKIP[op] = d.imm === 'i32' ? 4 : 9;
    }
  } else if (d.rule === 'mem' && d.imm === 'memarg' && d.align !== undefined) {
    FAST[op] = params.length === 0 ? Fast.Load : Fast.Store;
    FAST_ALIGN[op] = d.align;
    FAST_P0[op] = params[0] ?? 0;
    FAST_R[op] = results[0] ?? 0;
  } else if (BY_RULE[d.rule] !== undefined) {
    FAST[op] = BY_RULE[d.rule];
  }
}
