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
  /** the generator's data (`gen`, when every target takes i32 arguments only): see GEN_* */
  gen: { base: number; corpusStride: number };
}

/** at gen.base + these: the generator's state (4 i32), the edge values, the memory values, the module's constants */
export const GEN_RNG = 0, GEN_EDGES = 16, GEN_MEM = 256, GEN_NUMS = 320;
/** constants the generator keeps at most (the dictionary has 512) */
export const GEN_MAX_NUMS = 1024;
export const GEN_PARAMS = GEN_NUMS + 4 * GEN_MAX_NUMS;
/** corpus entries the generator's memory holds (the fuzzer keeps at most as many) */
export const GEN_MAX_CORPUS = 1024;

/** fuel units after which `run` returns to let the loop look at its clock (about 10-20 ms of guest work) */
export const WORK_LIMIT = 1 << 24;

const VALTYPE: Record<NumType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };
const LOAD: Record<NumType, [op: number, align: number]> = { i32: [0x28, 2], i64: [0x29, 3], f32: [0x2a, 2], f64: [0x2b, 3] };

export function driverLayout(params: number[], coverageGlobals: number, slots: number): DriverLayout {
  const maxParams = params.reduce((m, p) => Math.max(m, p), 0);
  const stride = 8 + 8 * maxParams;
  const slotBase = Math.ceil((4 * coverageGlobals) / 8) * 8;
  const genBase = slotBase + stride * slots;
  const corpusStride = 4 + 4 * maxParams;
  const end = genBase + GEN_PARAMS + 4 * params.length + corpusStride * GEN_MAX_CORPUS;
  const pages = Math.max(1, Math.ceil(end / 65536));
  return { stride, slotBase, slots, pages, gen: { base: genBase, corpusStride } };
}

const nameBytes = (s: string) => [...leb(s.length), ...Buffer.from(s)];
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];

/**
 * The driver's bytes. Imports (module `w`): `f<k>` target k (each the driver calls), `fuel` (mut i64), `grow`
 * (mut i32, when `growGlobal`), `cov<k>` (mut i32) and the memory `batch`. Exports: `run`, `at`, `stop`.
 * `run` is named `name` in the name section, so its frame can be told from the guest's in a trap's stack.
 */
export function buildDriver(all: (DriverTarget | undefined)[], opts: { coverageGlobals: number; growGlobal: boolean; fuelPerExec: number; layout: DriverLayout; name: string; gen?: boolean }): Uint8Array {
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

  const funcs = [leb(runType)];
  const globalDefs = [[0x7f, 0x01, 0x41, 0x00, 0x0b], [0x7f, 0x01, 0x41, 0x00, 0x0b]];
  const exportList = [
    [...nameBytes('run'), 0x00, ...leb(n)],
    [...nameBytes('at'), 0x03, ...leb(AT)],
    [...nameBytes('stop'), 0x03, ...leb(STOP)],
  ];
  const bodies = [[...leb(body.length), ...body]];
  if (opts.gen) {
    const g = generator(all.length, layout, { types: types.length, funcs: n + 1 });
    types.push(...g.types);
    funcs.push(...g.funcs);
    for (let k = 0; k < g.globals; k++) globalDefs.push([0x7f, 0x01, 0x41, 0x00, 0x0b]);
    exportList.push([...nameBytes('gen'), 0x00, ...leb(g.genIndex)]);
    bodies.push(...g.bodies.map((b) => [...leb(b.length), ...b]));
  }
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(6, vec(globalDefs)),
    ...section(7, vec(exportList)),
    ...section(10, vec(bodies)),
    ...section(0, [...nameBytes('name'), 0x01, ...(() => {
      const sub = vec([[...leb(n), ...nameBytes(opts.name)]]);
      return [...leb(sub.length), ...sub];
    })()]),
  ];
  return new Uint8Array(bytes);
}

/**
 * The generator (`gen(count, corpusSize, constants)`): ExportBatch.next's choices (batch.ts), made in wasm
 * for a session whose targets all take i32 arguments only, into slots 0..count-1. The same draws of the
 * same sfc32 sequence (its state at gen.base + GEN_RNG, kept across driver instances), the same values
 * (the edge values, the memory's values and the module's constants as the executor wrote them at
 * GEN_EDGES, GEN_MEM, GEN_NUMS; each target's parameter count at GEN_PARAMS), and the corpus (at
 * GEN_PARAMS + 4 * targets: each entry its target, then its arguments): test/unit/sandbox/fuzz-driver.test.ts
 * compares it with ExportBatch.next.
 */
function generator(targetCount: number, layout: DriverLayout, at: { types: number; funcs: number }) {
  const G = layout.gen.base;
  const types = [[0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00]];
  const funcs = [leb(at.types)];
  const c = (v: number) => [0x41, ...sleb(v | 0)];
  const lg = (i: number) => [0x20, ...leb(i)];
  const ls = (i: number) => [0x21, ...leb(i)];
  const load = (off: number) => [0x28, 0x02, ...leb(off)];
  const store = (off: number) => [0x36, 0x02, ...leb(off)];
  const ADD = 0x6a, SUB = 0x6b, MUL = 0x6c, DIVU = 0x6e, REMU = 0x70, AND = 0x71, OR = 0x72, XOR = 0x73, SHL = 0x74, SHRU = 0x76, LTU = 0x49, GEU = 0x4f, EQZ = 0x45, GTU = 0x4b;
  const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], IF = [0x04, 0x40], ELSE = 0x05, END = 0x0b;
  const br = (d: number) => [0x0c, ...leb(d)];
  const brIf = (d: number) => [0x0d, ...leb(d)];

  // params 0 count, 1 nc, 2 nn; locals: 3 s, 4 o, 5 r, 6 t, 7 n, 8 j, 9 src, 10 times, 11 m, 12 k,
  // 13-16 the sfc32 state (in locals: registers), 17 its t, 18-21 genI32's r, hi, x, second draw, 22-23 mutate's new value and v
  const COUNT = 0, NC = 1, NN = 2, S = 3, O = 4, RR = 5, T = 6, N = 7, J = 8, SRC = 9, TIMES = 10, M = 11, K = 12;
  const A = 13, B = 14, C = 15, D = 16, RT = 17, GR = 18, HI = 19, X = 20, R2 = 21, MG = 22, MV = 23;
  // one step of sfc32, its number left on the stack
  const rnd = () => [
    ...lg(A), ...lg(B), ADD, ...lg(D), ADD, ...ls(RT),
    ...lg(D), ...c(1), ADD, ...ls(D),
    ...lg(B), ...lg(B), ...c(9), SHRU, XOR, ...ls(A),
    ...lg(C), ...lg(C), ...c(3), SHL, ADD, ...ls(B),
    ...lg(C), ...c(21), 0x77, ...lg(RT), ADD, ...ls(C), // i32.rotl
    ...lg(RT),
  ];
  // genI32 (inputs.ts), its value left on the stack: every kind's value, one kept by `select`s (no branch)
  const SEL = 0x1b, EQ = 0x46;
  const kindIs = (op: number, v: number) => [...lg(GR), ...c(7), AND, ...c(v), op];
  const pickAt = (len: number, base: number) => [...lg(HI), ...c(len), MUL, ...c(16), SHRU, ...c(2), SHL, ...load(G + base)];
  const genI32 = () => [
    ...rnd(), ...ls(GR), ...rnd(), ...ls(R2), ...lg(GR), ...c(16), SHRU, ...ls(HI),
    ...lg(HI), ...lg(NN), MUL, ...c(3), MUL, ...c(16), SHRU, ...ls(X),
    ...pickAt(29, GEN_EDGES),
    ...pickAt(10, GEN_MEM),
    // a constant or a neighbour (nums[x / 3] + x % 3 - 1), or a byte when the module has none
    ...lg(X), ...c(3), DIVU, ...c(2), SHL, ...load(G + GEN_NUMS), ...lg(X), ...c(3), REMU, ADD, ...c(1), SUB,
    ...lg(GR), ...c(8), SHRU, ...c(255), AND, ...lg(NN), SEL,
    ...lg(GR), ...c(8), SHRU, ...c(255), AND,
    ...lg(R2),
    ...kindIs(EQ, 6), SEL,
    ...kindIs(LTU, 6), SEL,
    ...kindIs(EQ, 3), SEL,
    ...kindIs(LTU, 3), SEL,
  ];
  // mutateI32(r = RR, v = the value at K + 8), its value left on the stack (the same way)
  const opIs = (v: number) => [...lg(RR), ...c(4), SHRU, ...c(3), AND, ...c(v), EQ];
  const mutate = () => [
    ...genI32(), ...ls(MG), ...lg(K), ...load(8), ...ls(MV),
    ...lg(MV), ...lg(RR), ...c(8), SHRU, ...c(0xffff), AND, ...c(33), REMU, ADD, ...c(16), SUB,
    ...lg(MV), ...c(1), ...lg(RR), ...c(8), SHRU, SHL, XOR,
    ...c(0), ...lg(MV), SUB,
    ...lg(MV), ...c(1), SHL,
    ...opIs(2), SEL,
    ...opIs(1), SEL,
    ...opIs(0), SEL,
  ];
  const mutateKept = () => [...mutate(), ...ls(MV), ...lg(MG), ...lg(MV), ...lg(RR), ...c(15), AND, ...c(6), LTU, SEL];
  const corpusBase = G + GEN_PARAMS + 4 * targetCount;
  const slotArg = (jl: number) => [...lg(O), ...lg(jl), ...c(8), MUL, ADD]; // o + 8j (the store's offset adds 8)
  const gen = [0x01, ...leb(21), 0x7f,
    ...c(G), ...load(GEN_RNG), ...ls(A), ...c(G), ...load(GEN_RNG + 4), ...ls(B), ...c(G), ...load(GEN_RNG + 8), ...ls(C), ...c(G), ...load(GEN_RNG + 12), ...ls(D),
    ...c(layout.slotBase), ...ls(O),
    ...BLOCK, ...LOOP,
    ...lg(S), ...lg(COUNT), GEU, ...brIf(1),
    ...rnd(), ...ls(RR),
    // fresh: no corpus, or r & 3 == 0, or ((r >>> 2) & 63) < 6
    ...lg(NC), EQZ, ...lg(RR), ...c(3), AND, EQZ, OR, ...lg(RR), ...c(2), SHRU, ...c(63), AND, ...c(6), LTU, OR,
    ...IF,
    ...lg(RR), ...c(16), SHRU, ...c(targetCount), MUL, ...c(16), SHRU, ...ls(T),
    ...lg(O), ...lg(T), ...store(0),
    ...lg(T), ...c(2), SHL, ...load(G + GEN_PARAMS), ...ls(N),
    ...c(0), ...ls(J),
    ...BLOCK, ...LOOP,
    ...lg(J), ...lg(N), GEU, ...brIf(1),
    ...slotArg(J), ...genI32(), ...store(8),
    ...lg(J), ...c(1), ADD, ...ls(J), ...br(0),
    END, END,
    ELSE,
    // a corpus entry: ((r >>> 16) * nc) >>> 16
    ...lg(RR), ...c(16), SHRU, ...lg(NC), MUL, ...c(16), SHRU, ...c(layout.gen.corpusStride), MUL, ...c(corpusBase), ADD, ...ls(SRC),
    ...lg(SRC), ...load(0), ...ls(T),
    ...lg(O), ...lg(T), ...store(0),
    ...lg(T), ...c(2), SHL, ...load(G + GEN_PARAMS), ...ls(N),
    ...lg(N), ...IF,
    ...c(1), ...ls(TIMES),
    ...lg(N), ...c(1), GTU, ...IF,
    ...lg(RR), ...c(8), SHRU, ...c(15), AND, ...c(5), LTU, ...IF,
    ...lg(RR), ...c(12), SHRU, ...c(15), AND, ...lg(N), MUL, ...c(4), SHRU, ...c(1), ADD, ...ls(TIMES),
    END, END,
    // copy the entry's arguments
    ...c(0), ...ls(J),
    ...BLOCK, ...LOOP,
    ...lg(J), ...lg(N), GEU, ...brIf(1),
    ...slotArg(J), ...lg(SRC), ...lg(J), ...c(2), SHL, ADD, ...load(4), ...store(8),
    ...lg(J), ...c(1), ADD, ...ls(J), ...br(0),
    END, END,
    // times mutations: r2 = rnd(); k = o + 8 * (((r2 >>> 24) * n) >>> 8)
    ...c(0), ...ls(M),
    ...BLOCK, ...LOOP,
    ...lg(M), ...lg(TIMES), GEU, ...brIf(1),
    ...rnd(), ...ls(RR),
    ...lg(O), ...lg(RR), ...c(24), SHRU, ...lg(N), MUL, ...c(8), SHRU, ...c(8), MUL, ADD, ...ls(K),
    ...lg(K), ...mutateKept(), ...store(8),
    ...lg(M), ...c(1), ADD, ...ls(M), ...br(0),
    END, END,
    END, // if n
    END, // if fresh else
    ...lg(O), ...c(layout.stride), ADD, ...ls(O),
    ...lg(S), ...c(1), ADD, ...ls(S), ...br(0),
    END, END,
    ...c(G), ...lg(A), ...store(GEN_RNG), ...c(G), ...lg(B), ...store(GEN_RNG + 4), ...c(G), ...lg(C), ...store(GEN_RNG + 8), ...c(G), ...lg(D), ...store(GEN_RNG + 12),
    END];
  return { types, funcs, globals: 0, genIndex: at.funcs, bodies: [gen] };
}
