/**
 * Loads, links and runs one guest module synchronously on the calling thread. Only ever called from
 * the guest's worker thread inside runner-process.ts (the sandbox's own child process): the parent's
 * timer is what bounds it. Output, violations and the start are posted as they happen (`post`); the
 * statistics go to the shared buffer `sab` (monitor.ts), read by the process's main thread.
 */
import { classifyTrap, wasmStack } from './trap';
import { ImportLinker, ImportTrap } from './import-policy';
import { capMemory, MemoryLimitResult, ModuleFormatError, PAGE } from './memory-limit';
import { capTables, TableLimitError } from './table-limit';
import { instrument, InstrumentNames, newInstrumentNames, NOTIFY_GROW } from './instrument';
import { limitOf } from './limits';
import { Monitor } from './monitor';
import type { ChildMessage, SandboxOptions } from './types';
import { PREVIEW1_FUNCTIONS, WASI_MODULE } from './wasi/constants';
import { clockAdapter, clockImportIsExact } from './wasi/clock-adapter';
import { OutputSink, ProcExit, toErrno, WasiPreview1 } from './wasi/preview1';
import { mistypedWasiImports } from './wasi/signatures';
import { WA, WasmInstance, WasmMemory, WasmModule } from './wasm-api';
import { fuzzLoop } from '../fuzz/fuzzer';
import { fuzzExecutor } from '../fuzz/executor';

export type DoneReport = Extract<ChildMessage, { type: 'done' }>['report'];
/** what the guest's thread posts to the process's main thread */
export type GuestMessage = Extract<ChildMessage, { type: 'started' | 'violation' | 'done' | 'fuzz-progress' | 'fuzz-finding' }>;

/** Thrown by the output sinks to stop the guest when a stream exceeds its cap. */
class OutputLimit {
  constructor(readonly stream: string, readonly cap: number) {}
}

/** Hands each write on at once (raw bytes: the main thread decodes and coalesces); stops at the cap. */
class CappedOutput implements OutputSink {
  private total = 0;
  /**
   * fuzzing with the driver (fuzz/driver.ts): the execution running now (the driver's `at`), read at each
   * write, so each execution of a batch has its own cap without a call per execution
   */
  execution?: () => number;
  private exec = 0;
  constructor(
    private readonly name: 'stdout' | 'stderr',
    private readonly cap: number,
    private readonly emit: (bytes: Uint8Array) => void,
    private readonly onLimit: (name: string, cap: number) => void,
  ) {}
  /** a new execution (fuzzing): the cap counts from here */
  reset(): void {
    this.total = 0;
    if (this.execution) this.exec = this.execution();
  }
  write(bytes: Uint8Array): void {
    if (this.execution) {
      const e = this.execution();
      if (e !== this.exec) {
        this.exec = e;
        this.total = 0;
      }
    }
    const room = this.cap - this.total;
    const take = bytes.length <= room ? bytes : bytes.subarray(0, Math.max(0, room));
    this.total += take.length;
    if (take.length) this.emit(take);
    if (take.length < bytes.length) {
      this.onLimit(this.name, this.cap);
      throw new OutputLimit(this.name, this.cap);
    }
  }
}

/**
 * An export's return value as the report can carry it across threads and processes: numbers, bigints and
 * null as they are (several results: an array of them); a function reference, which cannot be copied
 * (it made the worker fail with "[object Object]"), as the text `funcref`.
 */
export function reportable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reportable);
  if (typeof v === 'function') return 'funcref';
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'bigint') return v;
  return String(v);
}

/** A module capped, instrumented and compiled (a WebAssembly.Module can be posted to another thread). */
export type PreparedModule =
  | {
      ok: true; mod: WasmModule; limit: Omit<MemoryLimitResult, 'bytes'>; notify: boolean;
      /** the start function is exported as `names.start` (instrument.ts): call it after instantiation */
      deferredStart: boolean;
      /** link clock_time_get through clockAdapter (its imports have preview1's exact type) */
      clockAdapter: boolean;
      /** the instrumentation's names for this run (random: see instrument.ts) */
      names: InstrumentNames;
      /** every table's maximum after capTables, in index order (imported tables first) */
      tableMaxima: number[];
      /** with `fuzz`: the coverage globals and sites (instrument.ts) */
      coverage?: { globals: number; sites: { func: number; loop: boolean }[] };
    }
  | { ok: false; outcome: 'error' | 'limit'; message: string; violations?: { kind: string; detail: string }[] };

/**
 * Link-time check of the guest's WASI imports: each preview1 function must be imported with preview1's
 * type (wasi/signatures.ts). A JavaScript host function would link with any type and then receive
 * values of the wrong kind, so a mistyped import is refused here, before anything runs.
 */
export function refuseMistypedWasiImports(bytes: Uint8Array): PreparedModule | undefined {
  const wrong = mistypedWasiImports(bytes);
  if (!wrong.length) return undefined;
  const each = wrong.map((w) => `${WASI_MODULE}.${w.name}: expected ${w.expected}, imported as ${w.actual}`);
  return {
    ok: false,
    outcome: 'error',
    message: `refused to link: wrong type for ${each.join('; ')}`,
    violations: each.map((detail) => ({ kind: 'import-refused', detail })),
  };
}

export function prepareModule(original: Uint8Array, options: SandboxOptions): PreparedModule {
  let limit: MemoryLimitResult;
  try {
    // the guest's own module must be valid before anything is appended to it: instrumentation adds
    // globals, a function and an import at the end of their index spaces, which an invalid module's
    // out-of-range indices would otherwise reach (refill its fuel, call the grow hook)
    if (!WA.validate(original)) {
      new WA.Module(original); // throws the engine's reason
      throw new Error('not a valid module');
    }
    const mistyped = refuseMistypedWasiImports(original);
    if (mistyped) return mistyped;
    const tables = capTables(original, limitOf(options, 'maxTableElements')!);
    limit = capMemory(tables.bytes, limitOf(options, 'maxMemoryBytes')!);
    let code = limit.bytes;
    let notify = false;
    let deferredStart = false;
    let coverage: { globals: number; sites: { func: number; loop: boolean }[] } | undefined;
    const names = newInstrumentNames();
    try {
      const out = instrument(limit.bytes, { fuel: options.fuel, growHook: limit.capped, growNotify: true, names, coverage: !!options.fuzz });
      code = out.bytes;
      notify = out.growNotify;
      deferredStart = out.deferredStart;
      coverage = out.coverage;
    } catch (e) {
      // without fuel, instrumentation is only a better memory-limit report: run the module as is
      if (options.fuel !== undefined) return { ok: false, outcome: 'error', message: `cannot meter this module (fuel): ${(e as Error).message}` };
    }
    let mod: WasmModule;
    try {
      mod = new WA.Module(code);
    } catch (e) {
      // the rewrite produced a module the engine refuses: without fuel, run the original (a grow is then
      // seen at the next WASI call instead of at once)
      if (code === limit.bytes || options.fuel !== undefined) throw e;
      notify = false;
      deferredStart = false;
      coverage = undefined;
      mod = new WA.Module(limit.bytes);
    }
    const { bytes: _bytes, ...info } = limit;
    return { ok: true, mod, limit: info, notify, deferredStart, clockAdapter: clockImportIsExact(limit.bytes), names, tableMaxima: tables.maxima, coverage };
  } catch (e) {
    const message = (e as Error).message;
    if (e instanceof TableLimitError) return { ok: false, outcome: 'limit', message: `cannot load module: ${message}`, violations: [{ kind: 'table-limit', detail: message }] };
    if (e instanceof ModuleFormatError && /the cap is/.test(message)) return { ok: false, outcome: 'limit', message: `cannot load module: ${message}`, violations: [{ kind: 'memory-limit', detail: message }] };
    return { ok: false, outcome: 'error', message: `cannot load module: ${message}` };
  }
}

/**
 * `post`: start, violations; `output`: stdout (1) and stderr (2) bytes, as written; `sab`: statistics
 * (monitor.ts); `prepared`: the module already compiled by the caller.
 */
export function runGuest(
  original: Uint8Array, options: SandboxOptions, post: (m: GuestMessage) => void, output: (stream: 1 | 2, bytes: Uint8Array) => void,
  sab: SharedArrayBuffer, prepared?: PreparedModule,
): DoneReport {
  const monitor = new Monitor(sab, (violation) => post({ type: 'violation', violation }));
  const limitHit = (n: string, cap: number) => monitor.violation('output-limit', `${n} exceeded ${cap} bytes; truncated and stopped`);
  // fuzzing: each execution's output is counted against its own cap, and not sent (it would flood the parent)
  const maxOutput = options.fuzz ? options.fuzz.maxOutputPerExec : limitOf(options, 'maxOutputBytes')!;
  const emit = options.fuzz ? () => {} : output;
  const stdout = new CappedOutput('stdout', maxOutput, (b) => emit(1, b), limitHit);
  const stderr = new CappedOutput('stderr', maxOutput, (b) => emit(2, b), limitHit);
  let capBytes = 0;
  let capped = false;
  let memoryViolation = false;
  let growFailed: { value: unknown } | undefined;
  const growRefused = () => {
    if (memoryViolation) return;
    memoryViolation = true;
    monitor.violation('memory-limit', `memory.grow refused at the cap of ${capBytes} bytes (memory is ${monitor.memory?.buffer.byteLength ?? 0} bytes)`);
  };
  // for modules the rewriter could not handle: the memory seen at the cap
  monitor.onMemory = (bytes) => {
    if (capped && !growFailed && !memoryViolation && bytes >= capBytes) {
      memoryViolation = true;
      monitor.violation('memory-limit', `linear memory reached the cap of ${capBytes} bytes; memory.grow beyond it returns -1`);
    }
  };
  let wasi: WasiPreview1 | undefined;
  /** with `bench`: the iterations measured so far (kept when one of them ends the run) */
  let benchSamples: DoneReport['bench'];
  const finish = (r: Partial<DoneReport> & Pick<DoneReport, 'outcome'>): DoneReport => {
    monitor.sampleMemory();
    if (growFailed && Number(growFailed.value) > 0) growRefused();
    wasi?.dispose();
    return {
      peakMemoryBytes: monitor.peakMemoryBytes,
      memoryTimeline: [],
      wasiCalls: monitor.wasiCalls(),
      bytesRead: monitor.io.bytesRead,
      bytesWritten: monitor.io.bytesWritten,
      violations: monitor.violations,
      violationKinds: monitor.violationKinds(),
      ...(benchSamples && { bench: benchSamples }),
      ...r,
    };
  };

  let fuelGlobal: { value: unknown } | undefined;
  const fuelReport = (): Partial<DoneReport> => {
    if (!fuelGlobal) return {};
    const left = BigInt(fuelGlobal.value as bigint);
    return { fuelConsumed: Number(BigInt(options.fuel!) - (left < 0n ? 0n : left)) };
  };

  // 1. memory cap, compile (usually done already by the process's main thread while this thread started)
  const prep = prepared ?? prepareModule(original, options);
  if (!prep.ok) {
    for (const v of prep.violations ?? []) monitor.violation(v.kind, v.detail);
    return finish({ outcome: prep.outcome, message: prep.message });
  }
  const { mod, limit, notify, deferredStart, clockAdapter: adaptClock, names, tableMaxima, coverage } = prep;
  capBytes = limit.maxPages * PAGE;
  capped = limit.capped;

  // 2. link: WASI preview1 functions and one memory; anything else is refused. A fresh instance each time
  // (a command benchmarked runs in a new instance per iteration, with new WASI state)
  const instantiate = (io: { args?: string[]; env?: Record<string, string>; stdinFile?: string } = {}): DoneReport | { instance: WasmInstance } => {
    wasi?.dispose();
    let memory: WasmMemory | undefined;
    const wasiImports: Record<string, unknown> = {};
    const imports: Record<string, Record<string, unknown>> = {};
    const refused: string[] = [];
    let w: WasiPreview1;
    try {
      wasi = w = new WasiPreview1({
        args: io.args ?? options.args,
        env: io.env ?? options.env,
        mounts: options.dirs,
        stdinFile: io.stdinFile ?? options.stdinFile,
        stdout,
        stderr,
        onViolation: (k, d) => monitor.violation(k, d),
        io: monitor.io,
        maxWriteBytes: limitOf(options, 'maxWriteBytes'),
      });
    } catch (e) {
      return finish({ outcome: 'error', message: `cannot set up the sandbox: ${(e as Error).message}` });
    }
    const known = new Set<string>(PREVIEW1_FUNCTIONS);
    // the policy's denied imports trap when called; stubs stand for imports the sandbox does not provide
    const policyImports = new ImportLinker(options, (k, d) => monitor.violation(k, d));
    const importList = WA.Module.imports(mod);
    let tableImports = 0;
    importList.forEach((imp, i) => {
      // a stub table must fit the import's maximum as capTables lowered it
      const tableMax = imp.kind === 'table' ? tableMaxima[tableImports++] : undefined;
      const hook = notify && i === importList.length - 1 && imp.module === names.notifyModule && imp.name === NOTIFY_GROW;
      const denied = !hook && imp.kind === 'function' ? policyImports.deniedFunction(imp.module, imp.name) : undefined;
      const stub = hook || denied ? undefined : policyImports.stub(imp.module, imp.name, tableMax);
      if (denied || stub !== undefined) {
        (imp.module === WASI_MODULE ? wasiImports : (imports[imp.module] ??= {}))[imp.name] = denied ?? stub;
      } else if (hook) {
        // ours (instrument.ts appends it last, under this run's random module name): the grow hook reports each grow's result
        (imports[names.notifyModule] ??= {})[NOTIFY_GROW] = (result: number) => {
          if (result === -1) growRefused();
          else monitor.sampleMemory();
        };
      } else if (imp.kind === 'memory' && limit.importedMemory) {
        const im = limit.importedMemory;
        memory ??= new WA.Memory({ initial: im.min, maximum: limit.maxPages, shared: im.shared || undefined });
        (imports[imp.module] ??= {})[imp.name] = memory;
      } else if (imp.module === WASI_MODULE && imp.kind === 'function' && known.has(imp.name)) {
        const fn = w.functions[imp.name as keyof typeof w.functions];
        // with the grow hook, grows are reported by it: the calls need not look at the memory
        const wrapped = monitor.wrap(imp.name, fn, toErrno, !notify);
        wasiImports[imp.name] = adaptClock && imp.name === 'clock_time_get' ? clockAdapter(wrapped) : wrapped;
      } else {
        refused.push(`${imp.module}.${imp.name} (${imp.kind})`);
      }
    });
    if (refused.length) {
      for (const r of refused) monitor.violation('import-refused', r);
      return finish({ outcome: 'error', message: `refused to link: the module imports ${refused.join(', ')}, which ${refused.length === 1 ? 'is' : 'are'} not WASI preview1 (${WASI_MODULE})` });
    }
    imports[WASI_MODULE] = wasiImports;

    let instance;
    try {
      instance = new WA.Instance(mod, imports);
    } catch (e) {
      // a start function may end the run: proc_exit (an exit like any other), or a call of a denied import or
      // a trapping stub (a trap)
      if (e instanceof ProcExit) return finish({ outcome: 'exit', exitCode: e.code >>> 0 });
      if (e instanceof ImportTrap) return finish({ outcome: 'trap', trap: { kind: e.kind, message: e.message, stack: wasmStack(e.stack) } });
      const trap = e instanceof WA.LinkError || e instanceof WA.CompileError ? undefined : classifyTrap(e);
      return finish(trap ? { outcome: 'trap', trap } : { outcome: 'error', message: `cannot instantiate: ${(e as Error).message}` });
    }
    const exported = Object.values(instance.exports).find((v) => v instanceof (WA.Memory as unknown as Function)) as WasmMemory | undefined;
    // `memory` by convention; a guest's export of that name that is not a memory does not count
    const named = instance.exports.memory instanceof (WA.Memory as unknown as Function) ? (instance.exports.memory as WasmMemory) : undefined;
    memory = named ?? exported ?? memory;
    if (memory) {
      w.setMemory(memory);
      monitor.memory = memory;
    }
    monitor.sampleMemory();
    // this run's random names (instrument.ts): a guest's own export cannot be one of them
    if (options.fuel !== undefined) fuelGlobal = instance.exports[names.fuel] as typeof fuelGlobal;
    if (limit.capped) growFailed = instance.exports[names.growFailed] as typeof growFailed;
    return { instance };
  };
  const first = instantiate();
  if ('outcome' in first) return first;
  let instance = first.instance;

  // 3. run
  const entry = options.invoke ? options.invoke.export : '_start';
  const fn = instance.exports[entry];
  const start = deferredStart ? instance.exports[names.start] : undefined;
  const noEntry = () => finish({ outcome: 'error', message: `the module exports no function ${entry}` });
  if (!options.fuzz && typeof fn !== 'function' && typeof start !== 'function') return noEntry();
  const init = instance.exports._initialize;
  post({ type: 'started', atMs: monitor.elapsed() });
  if (options.fuzz) {
    const plan = options.fuzz;
    if (!coverage || !fuelGlobal) return finish({ outcome: 'error', message: 'cannot fuzz this module: the sandbox could not instrument it for coverage' });
    const ex = fuzzExecutor({
      plan, options, names, coverage, monitor, stdout, stderr, deferredStart,
      first: instance,
      instantiate,
      fuelGlobal: () => fuelGlobal!,
      growFailed: () => growFailed,
      resetMemoryViolation: () => (memoryViolation = false),
    });
    if ('outcome' in ex) return finish(ex);
    const summary = fuzzLoop(plan, options.args[0] ?? 'module', ex, coverage.sites,
      (progress) => post({ type: 'fuzz-progress', progress }),
      (finding) => post({ type: 'fuzz-finding', finding }));
    return finish({ outcome: 'exit', exitCode: 0, fuzz: summary });
  }
  try {
    // the module's start function, deferred by instrument.ts: run as the engine would have, first
    if (typeof start === 'function') start();
    if (typeof fn !== 'function') return noEntry();
    if (options.invoke && typeof init === 'function') init();
    if (options.bench) {
      // warm-up and measured iterations: an export called again and again on one instance; a command's
      // `_start` in a fresh instance each time (its own WASI state), only the call itself timed
      const { iterations, warmup } = options.bench;
      benchSamples = { timesMs: [], wasiCalls: [] };
      for (let i = 0; i < warmup + iterations; i++) {
        let call: unknown = fn;
        let deferred: unknown;
        if (!options.invoke && i > 0) {
          const next = instantiate();
          if ('outcome' in next) return next;
          instance = next.instance;
          call = instance.exports._start;
          deferred = deferredStart ? instance.exports[names.start] : undefined;
        }
        const c0 = monitor.totalCalls();
        const t0 = performance.now();
        try {
          if (typeof deferred === 'function') deferred();
          if (typeof call === 'function') options.invoke ? call(...options.invoke.args) : call();
        } catch (e) {
          // a command ends with proc_exit(0): an iteration like any other
          if (!(e instanceof ProcExit) || e.code !== 0) throw e;
        }
        const took = performance.now() - t0;
        if (i >= warmup) {
          benchSamples.timesMs.push(took);
          benchSamples.wasiCalls.push(monitor.totalCalls() - c0);
        }
      }
      return finish({ outcome: 'exit', exitCode: 0, ...fuelReport() });
    }
    const result = options.invoke ? fn(...options.invoke.args) : fn();
    return finish(options.invoke ? { outcome: 'exit', exitCode: 0, result: reportable(result), ...fuelReport() } : { outcome: 'exit', exitCode: 0, ...fuelReport() });
  } catch (e) {
    // preview1's exit code is a u32: a code given as a negative i32 is the same code
    if (e instanceof ProcExit) return finish({ outcome: 'exit', exitCode: e.code >>> 0, ...fuelReport() });
    if (e instanceof OutputLimit) return finish({ outcome: 'limit', message: `${e.stream} exceeded ${e.cap} bytes`, ...fuelReport() });
    if (e instanceof ImportTrap) return finish({ outcome: 'trap', trap: { kind: e.kind, message: e.message, stack: wasmStack(e.stack) }, ...fuelReport() });
    if (fuelGlobal && BigInt(fuelGlobal.value as bigint) < 0n) {
      monitor.violation('fuel-exhausted', `instruction budget of ${options.fuel} used up`);
      return finish({ outcome: 'limit', message: `fuel exhausted (${options.fuel})`, ...fuelReport() });
    }
    return finish({ outcome: 'trap', trap: classifyTrap(e), ...fuelReport() });
  }
}
