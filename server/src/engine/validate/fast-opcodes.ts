/**
 * The validator's fast path, as data: for each one-byte opcode of a numeric operator, load or store,
 * how the function validator's inner loop (`FunctionValidator.fastRun`, a switch on the opcode byte)
 * types it without decoding it into the general instruction stream. Derived from the instruction-set
 * table, so the fast path types these exactly as the table says; anything the fast path cannot settle
 * on the spot (an immediate it does not read, a reference type, a mismatch that needs a message) goes
 * to the general path, which decodes the instruction again and has the last word. (The control and
 * variable instructions the fast path covers are cases of that switch of their own.)
 */
import { INSTRUCTION_SET } from '../isa/instruction-set';
import { letterTypes } from '../isa/value-type';

export const enum Fast {
  /** not typed from these tables */
  None = 0,
  /** no immediates, numbers in and out (`FAST_N` params in `FAST_P0`/`FAST_P1`, result in `FAST_R` or 0) */
  Sig,
  /** a load or store of memory 0: natural alignment `FAST_ALIGN`, value operand `FAST_P0` (stores) or result `FAST_R` (loads) */
  Load,
  Store,
}

export const FAST = new Uint8Array(256);
export const FAST_N = new Uint8Array(256);
export const FAST_P0 = new Int32Array(256);
export const FAST_P1 = new Int32Array(256);
export const FAST_R = new Int32Array(256);
export const FAST_ALIGN = new Uint8Array(256);

for (const d of INSTRUCTION_SET) {
  if (d.prefix !== 0) continue;
  const op = d.code;
  const params = letterTypes(d.params);
  const results = letterTypes(d.results);
  if (d.rule === 'sig' && d.imm === 'none' && params.length <= 2 && results.length <= 1) {
    FAST[op] = Fast.Sig;
    FAST_N[op] = params.length;
    FAST_P0[op] = params[0] ?? 0;
    FAST_P1[op] = params[1] ?? 0;
    FAST_R[op] = results[0] ?? 0;
  } else if (d.rule === 'mem' && d.imm === 'memarg' && d.align !== undefined) {
    FAST[op] = params.length === 0 ? Fast.Load : Fast.Store;
    FAST_ALIGN[op] = d.align;
    FAST_P0[op] = params[0] ?? 0;
    FAST_R[op] = results[0] ?? 0;
  }
}
