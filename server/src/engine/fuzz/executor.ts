/**
 * Fuzzing executions inside the sandbox's guest thread (called by guest.ts with what it has linked): exports
 * called on a kept instance, a batch at a time (by the driver, driver.ts, for the targets it can call; from
 * JavaScript for the others), or a command's `_start` in a fresh instance with the input's argv,
 * environment, stdin and files in the scratch mount. Each execution gets the same instruction budget (the
 * fuel global is refilled; used up = `timeout`) and its own output cap (`output`); a trap, a refused
 * memory.grow at the cap (`memory`) and a sandbox violation are the other causes. After a trap, timeout,
 * memory or output finding the instance is replaced, so state it left behind cannot leak into the next input.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ImportTrap } from '../sandbox/import-policy';
import { coverageExport, type InstrumentNames } from '../sandbox/instrument';
import type { Monitor } from '../sandbox/monitor';
import { classifyTrap, wasmStack } from '../sandbox/trap';
import type { RunReport, SandboxOptions } from '../sandbox/types';
import { ProcExit } from '../sandbox/wasi/preview1';
import { WA, type WasmInstance, type WasmMemory, type WasmModule } from '../sandbox/wasm-api';
import { ExportBatch } from './batch';
import { buildDriver, driverLayout, GEN_MAX_NUMS, type DriverTarget } from './driver';
import type { ExecCause, Executor } from './fuzzer';
import { argToWasm } from './inputs';
import type { CommandInput, ExportInput, FuzzInput, FuzzPlan, NumType } from './types';

/** the slots of a batch (the loop generates this many inputs at a time) */
export const BATCH_SLOTS = 1024;
/** executions from JavaScript (targets the driver does not call) after which `run` returns to the loop's clock */
const JS_RUNS = 64;
const NUM = new Set(['i32', 'i64', 'f32', 'f64']);

interface Global {
  value: unknown;
}

export interface ExecutorContext {
  plan: FuzzPlan;
  options: SandboxOptions;
  names: InstrumentNames;
  coverage: { globals: number };
  monitor: Monitor;
  stdout: { reset(): void; execution?: () => number };
  stderr: { reset(): void; execution?: () => number };
  deferredStart: boolean;
  first: WasmInstance;
  instantiate(io?: { args?: string[]; env?: Record<string, string>; stdinFile?: string }): { instance: WasmInstance } | { outcome: RunReport['outcome']; message?: string };
  fuelGlobal(): Global;
  growFailed(): Global | undefined;
  resetMemoryViolation(): void;
}

/** a file name from an input (a replayed file is user input): one plain path segment */
export function scratchName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return safe === '' || safe === '.' || safe === '..' ? 'file' : safe;
}

/**
 * Where a trap happened, for its key: the innermost function with a name (name section), else the export
 * called (an unnamed frame's index would change with the instrumentation).
 */
function place(stack: string[], where: string): string {
  return stack.find((n) => !/^wasm-function\[\d+\]$/.test(n)) ?? where;
}

export function fuzzExecutor(c: ExecutorContext): Executor | { outcome: 'error'; message: string } {
  const { plan, names, monitor } = c;
  const fuel = BigInt(plan.fuelPerExec);
  const coverage = new Int32Array(c.coverage.globals);
  let covGlobals: Global[] = [];
  let instance = c.first;
  let memory: WasmMemory | undefined;
  const argsCache = new WeakMap<ExportInput, (number | bigint)[]>();
  const targets = plan.targets ?? [];
  /** the targets' functions on the current instance (undefined: not a function there) */
  let fns: (((...a: unknown[]) => unknown) | undefined)[] = [];
  let fuelG: Global = c.fuelGlobal();

  // export mode: the batch, in the driver's memory when there is a driver (else in a plain buffer)
  const layout = driverLayout(targets.map((t) => t.params.length), c.coverage.globals, BATCH_SLOTS + 1);
  let driverModule: WasmModule | undefined;
  /** which targets the driver calls: numeric results (a v128 or reference is met by a call from JavaScript, as before) and a function export */
  let called: boolean[] = targets.map(() => false);
  const driverName = `${names.fuel}_driver`;
  let batchMemory: WasmMemory | undefined;
  let drv: { run: (from: number, to: number) => number; gen?: (count: number, corpus: number, constants: number) => void; at: Global; stop: Global } | undefined;
  /** the driver generates the inputs too (every target called by it, with i32 arguments only) */
  let generates = false;
  const linkDriver = () => {
    drv = undefined;
    if (!driverModule) return;
    const imports: Record<string, unknown> = { batch: batchMemory, fuel: fuelG };
    const grow = c.growFailed();
    if (grow) imports.grow = grow;
    covGlobals.forEach((g, k) => (imports[`cov${k}`] = g));
    targets.forEach((_, k) => {
      if (called[k]) imports[`f${k}`] = fns[k];
    });
    const e = new WA.Instance(driverModule, { w: imports }).exports;
    drv = { run: e.run as (from: number, to: number) => number, gen: e.gen as ((count: number, corpus: number, constants: number) => void) | undefined, at: e.at as Global, stop: e.stop as Global };
  };

  const adopt = (inst: WasmInstance) => {
    instance = inst;
    covGlobals = Array.from({ length: c.coverage.globals }, (_, k) => inst.exports[coverageExport(names, k)] as Global);
    fns = targets.map((t) => {
      const f = inst.exports[t.export];
      return typeof f === 'function' ? (f as (...a: unknown[]) => unknown) : undefined;
    });
    memory = Object.values(inst.exports).find((v) => v instanceof (WA.Memory as unknown as Function)) as WasmMemory | undefined;
    fuelG = c.fuelGlobal();
    linkDriver();
  };
  /** a fresh instance for the export mode: its start function and _initialize run first, outside the budget */
  const renew = (): string | undefined => {
    c.resetMemoryViolation();
    const next = c.instantiate();
    if ('outcome' in next) return next.message ?? next.outcome;
    adopt(next.instance);
    return prime();
  };
  const prime = (): string | undefined => {
    try {
      fuelG.value = fuel;
      const start = c.deferredStart ? instance.exports[names.start] : undefined;
      if (typeof start === 'function') start();
      const init = instance.exports._initialize;
      if (typeof init === 'function') init();
      return undefined;
    } catch (e) {
      return `the module's start or _initialize failed: ${(e as Error).message}`;
    }
  };
  adopt(c.first);
  if (plan.targets) {
    called = targets.map((t, k) => !!fns[k] && !!t.results && t.results.every((r) => NUM.has(r)));
    if (called.some(Boolean)) {
      try {
        const all = targets.map((t, k): DriverTarget | undefined => (called[k] ? { params: t.params, results: t.results as NumType[] } : undefined));
        generates = called.every(Boolean) && targets.every((t) => t.params.every((p) => p === 'i32')) && plan.dictionary.numbers.length <= GEN_MAX_NUMS;
        driverModule = new WA.Module(buildDriver(all, { coverageGlobals: c.coverage.globals, growGlobal: !!c.growFailed(), fuelPerExec: plan.fuelPerExec, layout, name: driverName, gen: generates }));
        batchMemory = new WA.Memory({ initial: layout.pages, maximum: layout.pages });
        linkDriver();
      } catch {
        // the engine refused the driver or its links (it should not): every target is called from JavaScript
        driverModule = undefined;
        drv = undefined;
        generates = false;
      }
    }
    if (!drv) called = targets.map(() => false);
    const failed = prime();
    if (failed) return { outcome: 'error', message: `cannot fuzz: ${failed}` };
  }

  // The bits are not cleared between executions: they accumulate in the instance (a new instance starts at
  // 0), and the loop looks for bits it has not seen yet, so one read per global and execution is enough.
  const readCoverage = () => {
    for (let k = 0; k < covGlobals.length; k++) coverage[k] = covGlobals[k].value as number;
  };

  /** what an exception thrown by the guest means */
  const causeOf = (e: unknown, where: string): ExecCause | undefined => {
    if (e instanceof ProcExit) return undefined; // an exit, whatever its code: the guest's own answer
    // guest.ts's OutputLimit (the output sinks throw it at the cap)
    if (typeof e === 'object' && e !== null && 'stream' in e && 'cap' in e) return { kind: 'output', key: `output@${where}`, detail: `more than ${plan.maxOutputPerExec} bytes of output in one execution` };
    if (e instanceof ImportTrap) {
      const stack = wasmStack(e.stack).filter((n) => n !== driverName);
      return { kind: 'trap', key: `trap:${e.kind}@${place(stack, where)}`, detail: e.message, stack };
    }
    const t = classifyTrap(e);
    // the driver's frame (outside the guest) is not part of where it happened
    if (drv) t.stack = t.stack.filter((n) => n !== driverName);
    if (BigInt(c.fuelGlobal().value as bigint) < 0n) {
      return { kind: 'timeout', key: `timeout@${place(t.stack, where)}`, detail: `used up the budget of ${plan.fuelPerExec} instructions (an endless or very long loop)`, stack: t.stack };
    }
    return { kind: 'trap', key: `trap:${t.kind}@${place(t.stack, where)}`, detail: t.message, stack: t.stack };
  };

  /** the fast path of the export mode: a numeric call, no try/catch around the common case's bookkeeping */
  const call = (f: (...a: unknown[]) => unknown, v: (number | bigint)[]): unknown => {
    switch (v.length) {
      case 0:
        return f();
      case 1:
        return f(v[0]);
      case 2:
        return f(v[0], v[1]);
      case 3:
        return f(v[0], v[1], v[2]);
      case 4:
        return f(v[0], v[1], v[2], v[3]);
      default:
        return f(...v);
    }
  };
  let thrownValue: unknown;
  /** false when the call threw (the exception in thrownValue) */
  const tryCall = (f: (...a: unknown[]) => unknown, v: (number | bigint)[]): boolean => {
    try {
      call(f, v);
      return true;
    } catch (e) {
      thrownValue = e;
      return false;
    }
  };
  const execValues = (target: number, vals: (number | bigint)[]): ExecCause | undefined => {
    const f = fns[target];
    if (!f) return undefined;
    fuelG.value = fuel;
    c.stdout.reset();
    c.stderr.reset();
    const v0 = monitor.violationTotal;
    const ok = tryCall(f, vals);
    readCoverage();
    const grow = c.growFailed();
    if (ok && monitor.violationTotal === v0 && !(grow && Number(grow.value) > 0)) return undefined;
    const where = targets[target].export;
    const thrown = ok ? undefined : causeOf(thrownValue, where);
    thrownValue = undefined;
    const cause = afterCall(thrown, v0, where);
    if (cause && cause.kind !== 'violation') {
      const failed = renew();
      if (failed) throw new Error(`cannot fuzz: ${failed}`);
    }
    return cause;
  };

  const afterCall = (thrown: ExecCause | undefined, v0: number, where: string): ExecCause | undefined => {
    readCoverage();
    let cause = thrown;
    const grow = c.growFailed();
    if (!cause && grow && Number(grow.value) > 0) cause = { kind: 'memory', key: `memory@${where}`, detail: `memory.grow refused at the cap of ${c.options.maxMemoryBytes ?? 'the default'} bytes` };
    if (!cause && monitor.violationTotal > v0) {
      const v = monitor.latestViolation!;
      cause = v.kind === 'memory-limit'
        ? { kind: 'memory', key: `memory@${where}`, detail: v.detail }
        : { kind: 'violation', key: `violation:${v.kind}`, detail: `${v.kind}: ${v.detail}` };
    }
    return cause;
  };

  const execExport = (input: ExportInput): ExecCause | undefined => {
    const t = targets.findIndex((x) => x.export === input.export);
    if (batch && t >= 0 && called[t]) {
      // the same path as the batch's executions: the input in the single executions' slot
      const s = batch.capacity;
      batch.write(s, { target: t, vals: input.args.map(argToWasm), texts: input.args.map((a) => (a.type === 'i32' ? undefined : a)) });
      // a stop read the coverage before any renewal; else it is read here
      if (run(s, s + 1) === s + 1) readCoverage();
      return api.cause;
    }
    const f = instance.exports[input.export];
    if (typeof f !== 'function') return undefined;
    let args = argsCache.get(input);
    if (!args) argsCache.set(input, (args = input.args.map(argToWasm)));
    fuelG.value = fuel;
    c.stdout.reset();
    c.stderr.reset();
    const v0 = monitor.violationTotal;
    let thrown: ExecCause | undefined;
    try {
      f(...args);
    } catch (e) {
      thrown = causeOf(e, input.export);
    }
    const cause = afterCall(thrown, v0, input.export);
    if (cause && cause.kind !== 'violation') {
      const failed = renew();
      if (failed) throw new Error(`cannot fuzz: ${failed}`);
    }
    return cause;
  };

  const execCommand = (input: CommandInput): ExecCause | undefined => {
    if (plan.scratchHost) {
      for (const e of fs.readdirSync(plan.scratchHost)) fs.rmSync(path.join(plan.scratchHost, e), { recursive: true, force: true });
      for (const f of input.files) fs.writeFileSync(path.join(plan.scratchHost, scratchName(f.name)), Buffer.from(f.data, 'base64'));
    }
    let stdinFile: string | undefined;
    if (plan.stdinHost && input.stdin) {
      stdinFile = path.join(plan.stdinHost, 'stdin');
      // removed, then created: truncating a written file makes ext4 flush it (auto_da_alloc), ~4 ms an execution
      fs.rmSync(stdinFile, { force: true });
      fs.writeFileSync(stdinFile, Buffer.from(input.stdin, 'base64'));
    }
    c.resetMemoryViolation();
    const next = c.instantiate({ args: [c.options.args[0] ?? 'module', ...input.argv], env: input.env, stdinFile });
    if ('outcome' in next) throw new Error(`cannot fuzz: ${next.message ?? next.outcome}`);
    adopt(next.instance);
    fuelG.value = fuel;
    c.stdout.reset();
    c.stderr.reset();
    const v0 = monitor.violationTotal;
    let thrown: ExecCause | undefined;
    try {
      const start = c.deferredStart ? instance.exports[names.start] : undefined;
      if (typeof start === 'function') start();
      const main = instance.exports._start;
      if (typeof main === 'function') main();
    } catch (e) {
      thrown = causeOf(e, '_start');
    }
    return afterCall(thrown, v0, '_start');
  };

  const batch = plan.targets ? new ExportBatch(batchMemory ? batchMemory.buffer : new ArrayBuffer(layout.pages * 65536), layout, c.coverage.globals, targets) : undefined;
  if (drv) {
    // each execution of a batch has its own output cap: the sinks see a new `at` as a new execution
    c.stdout.execution = c.stderr.execution = () => drv!.at.value as number;
    monitor.onAnyViolation = () => {
      if (drv) drv.stop.value = 1;
    };
  }
  /** a bit of the execution's coverage not seen yet */
  const newBits = (): boolean => {
    const seen = batch!.seen;
    for (let k = 0; k < coverage.length; k++) if (coverage[k] & ~seen[k]) return true;
    return false;
  };
  const whereOf = (s: number) => targets[batch!.target(s)].export;
  const renewOrThrow = () => {
    const failed = renew();
    if (failed) throw new Error(`cannot fuzz: ${failed}`);
  };

  /**
   * Runs slots from..to-1 (in order, on the kept instance) until one needs the loop: a cause, a coverage bit
   * not in `batch.seen`, or time for the loop to look at its clock. Returns its index (its cause in
   * api.cause, its coverage in `coverage`), or `to` when none did.
   */
  const run = (from: number, to: number): number => {
    const b = batch!;
    api.cause = undefined;
    let jsRuns = 0;
    let i = from;
    while (i < to) {
      const t = b.target(i);
      if (!called[t]) {
        // a target the driver does not call: from JavaScript, as before
        api.cause = execValues(t, b.values(i));
        if (api.cause || newBits() || ++jsRuns >= JS_RUNS) return i;
        i++;
        continue;
      }
      const d = drv!;
      const v0 = monitor.violationTotal;
      d.stop.value = 0;
      d.at.value = i;
      c.stdout.reset();
      c.stderr.reset();
      let r: number;
      try {
        r = d.run(i, to);
      } catch (e) {
        // the execution at `at` trapped (or exited, or reached the output cap): the rest of the batch waits
        const at = d.at.value as number;
        const where = whereOf(at);
        api.cause = afterCall(causeOf(e, where), v0, where);
        if (api.cause && api.cause.kind !== 'violation') renewOrThrow();
        return at;
      }
      if (r === to) return to;
      // a slot for JavaScript: the loop above runs it
      if (!called[b.target(r)]) {
        i = r;
        continue;
      }
      api.cause = afterCall(undefined, v0, whereOf(r));
      if (api.cause && api.cause.kind !== 'violation') renewOrThrow();
      return r;
    }
    return to;
  };

  const api: Executor = {
    coverage,
    cause: undefined,
    batch,
    driver: !!drv,
    run,
    ...(generates && { generate: (count: number, corpus: number) => drv!.gen!(count, corpus, plan.dictionary.numbers.length) }),
    memoryBytes: () => (memory ? memory.buffer.byteLength : 65536),
    exec: (input: FuzzInput) => (input.kind === 'export' ? execExport(input) : execCommand(input)),
  };
  return api;
}
