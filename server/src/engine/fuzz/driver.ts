/**
 * The fuzzer's driver: a small WebAssembly module built for one fuzzing session that runs a batch of export
 * executions without returning to JavaScript between them (see docs/sandbox.md, Fuzzing). A call from
 * JavaScript into the guest costs as much as a small export's whole execution; a call from the driver into
 * the guest's export is a direct wasm-to-wasm call.
 *
 * It is a module of its own, linked to the instrumented guest instance through the guest's exports (its
 * targets, the fuel global, the grow-failure counter and the coverage globals), so the guest's module is not
 * changed further and its memory is not touched: the batch lives in the driver's own memory, made by the
 * executor and imported by the driver, so it survives when the guest instance (and with it the driver's
 * instance) is replaced after a finding.
 *
 * The batch memory: the fuzzer's `seen` coverage bits (one i32 per coverage global) at 0, then `slots`
 * fixed-size slots from `slotBase`, each: the target's index (i32) at 0, argument j at 8 + 8j (i32, i64,
 * f32 or f64, as the target's parameter; written through typed arrays, so a value reaches the export as a
 * JavaScript call would pass it).
 *
 * `run(from, to)` executes slots from..to-1 in order on the guest instance, each exactly as one JavaScript
 * call would be made (the fuel refilled to the same budget first), and returns at the first slot that needs
 * the fuzzing loop: it reached a coverage bit not in `seen`, the grow-failure counter is not 0, the host set
 * `stop` (a violation, from the monitor), the slot's target is not one the driver calls (its index is past
 * them: the executor calls it from JavaScript), or the work done since `run` was called passed WORK_LIMIT
 * units of fuel (so the loop looks at its clock often enough). It returns `to` when every slot ran without
 * any of these. Before each execution the slot's index is stored in the exported `at`, so when an
 * execution traps (the exception leaves `run`), the loop knows which input it was.
 */
import { leb } from '../sandbox/memory-limit';
import { sleb } from '../sandbox/instrument';
import type { NumType } from './types';

/** a target the driver can call: numeric parameters and results (undefined: one it leaves to JavaScript) */
export interface DriverTarget {
  params: NumType[];
  results: NumType[];
}

export interface DriverLayout {
  /** bytes from one slot to the next */
  stride: number;
  /** where slot 0 starts */
  slotBase: number;
  /** slots in the memory */
  slots: number;
  /** the memory's size in pages */
  pages: number;
}

/** fuel units after which `run` returns to let the loop look at its clock (about 10-20 ms of guest work) */
export const WORK_LIMIT = 1 << 24;

const VALTYPE: Record<NumType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };
const LOAD: Record<NumType, [op: number, align: number]> = { i32: [0x28, 2], i64: [0x29, 3], f32: [0x2a, 2], f64: [0x2b, 3] };

export function driverLayout(params: number[], coverageGlobals: number, slots: number): DriverLayout {
  const maxParams = params.reduce((m, p) => Math.max(m, p), 0);
  const stride = 8 + 8 * maxParams;
  const slotBase = Math.ceil((4 * coverageGlobals) / 8) * 8;
  const pages = Math.max(1, Math.ceil((slotBase + stride * slots) / 65536));
  return { stride, slotBase, slots, pages };
}

const nameBytes = (s: string) => [...leb(s.length), ...Buffer.from(s)];
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];

/**
 * The driver's bytes. Imports (module `w`): `f<k>` target k (each the driver calls), `fuel` (mut i64), `grow`
 * (mut i32, when `growGlobal`), `cov<k>` (mut i32) and the memory `batch`. Exports: `run`, `at`, `stop`.
 * `run` is named `name` in the name section, so its frame can be told from the guest's in a trap's stack.
 */
export function buildDriver(all: (DriverTarget | undefined)[], opts: { coverageGlobals: number; growGlobal: boolean; fuelPerExec: number; layout: DriverLayout; name: string }): Uint8Array {
  const { coverageGlobals, growGlobal, fuelPerExec, layout } = opts;
  const called = all.flatMap((t, k) => (t ? [{ ...t, k }] : []));
  const targets = called;
  const n = called.length;
  // types: one per called target, then run's
  const types = targets.map((t) => [0x60, ...leb(t.params.length), ...t.params.map((p) => VALTYPE[p]), ...leb(t.results.length), ...t.results.map((r) => VALTYPE[r])]);
  const runType = n;
  types.push([0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f]);

  const imports: number[][] = [];
  targets.forEach((t, k) => imports.push([...nameBytes('w'), ...nameBytes(`f${t.k}`), 0x00, ...leb(k)]));
  const mutGlobal = (name: string, type: number) => [...nameBytes('w'), ...nameBytes(name), 0x03, type, 0x01];
  imports.push(mutGlobal('fuel', 0x7e));
  const FUEL = 0;
  let globals = 1;
  const GROW = growGlobal ? globals++ : -1;
  if (growGlobal) imports.push(mutGlobal('grow', 0x7f));
  const COV = globals;
  for (let k = 0; k < coverageGlobals; k++) imports.push(mutGlobal(`cov${k}`, 0x7f));
  globals += coverageGlobals;
  imports.push([...nameBytes('w'), ...nameBytes('batch'), 0x02, 0x00, ...leb(layout.pages)]);
  // own globals: at, stop
  const AT = globals;
  const STOP = globals + 1;

  // run(i, to): locals p (i32), used (i64)
  const I = 0, TO = 1, P = 2, USED = 3;
  const b: number[] = [];
  const budget = sleb(fuelPerExec);
  b.push(0x03, 0x40); // loop $next
  // if i >= to: return to
  b.push(0x20, I, 0x20, TO, 0x4f, 0x04, 0x40, 0x20, TO, 0x0f, 0x0b);
  // at = i; p = base + i * stride; fuel = budget
  b.push(0x20, I, 0x24, ...leb(AT));
  b.push(0x20, I, 0x41, ...sleb(layout.stride), 0x6c, 0x41, ...sleb(layout.slotBase), 0x6a, 0x21, P);
  b.push(0x42, ...budget, 0x24, ...leb(FUEL));
  // block $done; block $host; block $t(n-1) ... block $t0; br_table
  b.push(0x02, 0x40, 0x02, 0x40);
  for (let k = 0; k < n; k++) b.push(0x02, 0x40);
  b.push(0x20, P, 0x28, 0x02, 0x00); // i32.load target
  // by the slot's target (an index into `all`): the block of its call, or $host for one not called here
  const blockOf = new Map(called.map((t, k) => [t.k, k]));
  b.push(0x0e, ...leb(all.length), ...all.map((_, k) => leb(blockOf.get(k) ?? n)).flat(), ...leb(n));
  for (let k = 0; k < n; k++) {
    b.push(0x0b); // end of $t_k: the code for target k
    targets[k].params.forEach((t, j) => {
      const [op, align] = LOAD[t];
      b.push(0x20, P, op, align, ...leb(8 + 8 * j));
    });
    b.push(0x10, ...leb(k));
    for (let r = 0; r < targets[k].results.length; r++) b.push(0x1a);
    b.push(0x0c, ...leb(n - k)); // br $done (past $t(k+1).. and $host)
  }
  b.push(0x0b); // end of $host: a slot the driver does not call
  b.push(0x20, I, 0x0f);
  b.push(0x0b); // end of $done
  // used += budget - fuel
  b.push(0x20, USED, 0x42, ...budget, 0x23, ...leb(FUEL), 0x7d, 0x7c, 0x22, USED);
  // used > WORK_LIMIT | stop | grow | any coverage bit not seen
  b.push(0x42, ...sleb(WORK_LIMIT), 0x55);
  b.push(0x23, ...leb(STOP), 0x72);
  if (GROW >= 0) b.push(0x23, ...leb(GROW), 0x72);
  for (let k = 0; k < coverageGlobals; k++) {
    // cov_k & ~seen_k
    b.push(0x23, ...leb(COV + k), 0x41, 0x00, 0x28, 0x02, ...leb(4 * k), 0x41, 0x7f, 0x73, 0x71, 0x72);
  }
  b.push(0x04, 0x40, 0x20, I, 0x0f, 0x0b);
  // i++; continue
  b.push(0x20, I, 0x41, 0x01, 0x6a, 0x21, I, 0x0c, 0x00);
  b.push(0x0b); // end loop
  b.push(0x00); // unreachable: the loop only leaves by return
  b.push(0x0b);
  const body = [0x02, 0x01, 0x7f, 0x01, 0x7e, ...b];

  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec([leb(runType)])),
    ...section(6, vec([[0x7f, 0x01, 0x41, 0x00, 0x0b], [0x7f, 0x01, 0x41, 0x00, 0x0b]])),
    ...section(7, vec([
      [...nameBytes('run'), 0x00, ...leb(n)],
      [...nameBytes('at'), 0x03, ...leb(AT)],
      [...nameBytes('stop'), 0x03, ...leb(STOP)],
    ])),
    ...section(10, vec([[...leb(body.length), ...body]])),
    ...section(0, [...nameBytes('name'), 0x01, ...(() => {
      const sub = vec([[...leb(n), ...nameBytes(opts.name)]]);
      return [...leb(sub.length), ...sub];
    })()]),
  ];
  return new Uint8Array(bytes);
}
