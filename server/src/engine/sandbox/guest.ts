/**
 * Loads, links and runs one guest module synchronously, in the current process. Only ever called
 * from runner-process.ts (the sandbox's own child process): the parent's timer is what bounds it.
 */
import { classifyTrap } from './trap';
import { capMemory, ModuleFormatError, PAGE } from './memory-limit';
import { FUEL_EXPORT, GROW_FAILED_EXPORT, instrument } from './instrument';
import { Monitor } from './monitor';
import type { ChildMessage, LiveStats, RunReport, SandboxOptions } from './types';
import { PREVIEW1_FUNCTIONS, WASI_MODULE } from './wasi/constants';
import { OutputSink, ProcExit, toErrno, WasiPreview1 } from './wasi/preview1';
import { WA, WasmMemory } from './wasm-api';

export const DEFAULT_MAX_MEMORY = 256 * 1024 * 1024;
export const DEFAULT_MAX_OUTPUT = 1024 * 1024;

type DoneReport = Extract<ChildMessage, { type: 'done' }>['report'];

/** Thrown by the output sinks to stop the guest when a stream exceeds its cap. */
class OutputLimit {
  constructor(readonly stream: string, readonly cap: number) {}
}

class CappedOutput implements OutputSink {
  private total = 0;
  private pending = '';
  private readonly dec = new TextDecoder();
  constructor(
    private readonly name: 'stdout' | 'stderr',
    private readonly cap: number,
    private readonly onLimit: (name: string, cap: number) => void,
  ) {}
  write(bytes: Uint8Array): void {
    const room = this.cap - this.total;
    const take = bytes.length <= room ? bytes : bytes.subarray(0, Math.max(0, room));
    this.total += take.length;
    if (take.length) this.pending += this.dec.decode(take, { stream: true });
    if (take.length < bytes.length) {
      this.onLimit(this.name, this.cap);
      throw new OutputLimit(this.name, this.cap);
    }
  }
  take(): string {
    const s = this.pending;
    this.pending = '';
    return s;
  }
  end(): string {
    return this.take() + this.dec.decode();
  }
}

export function runGuest(original: Uint8Array, options: SandboxOptions, send: (m: ChildMessage) => void): DoneReport {
  const monitor = new Monitor(
    options.statsIntervalMs ?? 100,
    (stats, sample) => {
      flushOutput();
      checkMemory(stats);
      send({ type: 'stats', stats, sample });
    },
    (violation) => send({ type: 'violation', violation }),
  );
  const stdout = new CappedOutput('stdout', options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT, (n, cap) => monitor.violation('output-limit', `${n} exceeded ${cap} bytes; truncated and stopped`));
  const stderr = new CappedOutput('stderr', options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT, (n, cap) => monitor.violation('output-limit', `${n} exceeded ${cap} bytes; truncated and stopped`));
  const flushOutput = (final = false) => {
    const o = final ? stdout.end() : stdout.take();
    if (o) send({ type: 'stdout', data: o });
    const e = final ? stderr.end() : stderr.take();
    if (e) send({ type: 'stderr', data: e });
  };
  let capBytes = 0;
  let capped = false;
  let memoryViolation = false;
  let growFailed: { value: unknown } | undefined;
  let growFailedSeen = 0;
  const checkMemory = (s: Pick<LiveStats, 'memoryBytes'>) => {
    if (growFailed) {
      const n = Number(growFailed.value);
      if (n > growFailedSeen) {
        if (growFailedSeen === 0) monitor.violation('memory-limit', `memory.grow refused at the cap of ${capBytes} bytes (memory is ${s.memoryBytes} bytes)`);
        growFailedSeen = n;
      }
      return;
    }
    if (capped && !memoryViolation && s.memoryBytes >= capBytes) {
      memoryViolation = true;
      monitor.violation('memory-limit', `linear memory reached the cap of ${capBytes} bytes; memory.grow beyond it returns -1`);
    }
  };
  let wasi: WasiPreview1 | undefined;
  const finish = (r: Partial<DoneReport> & Pick<DoneReport, 'outcome'>): DoneReport => {
    if (wasi) monitor.io = wasi.io;
    monitor.tick();
    flushOutput(true);
    wasi?.dispose();
    return {
      peakMemoryBytes: monitor.peakMemoryBytes,
      memoryTimeline: monitor.timeline,
      wasiCalls: monitor.wasiCalls(),
      bytesRead: wasi?.io.bytesRead ?? 0,
      bytesWritten: wasi?.io.bytesWritten ?? 0,
      violations: monitor.violations,
      ...r,
    };
  };

  let fuelGlobal: { value: unknown } | undefined;
  const fuelReport = (): Partial<DoneReport> => {
    if (!fuelGlobal) return {};
    const left = BigInt(fuelGlobal.value as bigint);
    return { fuelConsumed: Number(BigInt(options.fuel!) - (left < 0n ? 0n : left)) };
  };

  // 1. memory cap, compile
  let mod;
  let limit;
  try {
    limit = capMemory(original, options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY);
    capBytes = limit.maxPages * PAGE;
    capped = limit.capped;
    let code = limit.bytes;
    try {
      code = instrument(limit.bytes, { fuel: options.fuel, growHook: capped }).bytes;
    } catch (e) {
      // without fuel, instrumentation is only a better memory-limit report: run the module as is
      if (options.fuel !== undefined) return finish({ outcome: 'error', message: `cannot meter this module (fuel): ${(e as Error).message}` });
    }
    mod = new WA.Module(code);
  } catch (e) {
    const outcome = e instanceof ModuleFormatError && /the cap is/.test(e.message) ? 'limit' : 'error';
    if (outcome === 'limit') monitor.violation('memory-limit', (e as Error).message);
    return finish({ outcome, message: `cannot load module: ${(e as Error).message}` });
  }

  // 2. link: WASI preview1 functions and one memory; anything else is refused
  let memory: WasmMemory | undefined;
  const wasiImports: Record<string, unknown> = {};
  const imports: Record<string, Record<string, unknown>> = {};
  const refused: string[] = [];
  try {
    wasi = new WasiPreview1({
      args: options.args,
      env: options.env,
      mounts: options.dirs,
      stdinFile: options.stdinFile,
      stdout,
      stderr,
      onViolation: (k, d) => monitor.violation(k, d),
    });
  } catch (e) {
    return finish({ outcome: 'error', message: `cannot set up the sandbox: ${(e as Error).message}` });
  }
  monitor.io = wasi.io;
  const known = new Set<string>(PREVIEW1_FUNCTIONS);
  for (const imp of WA.Module.imports(mod)) {
    if (imp.kind === 'memory' && limit.importedMemory) {
      const im = limit.importedMemory;
      memory ??= new WA.Memory({ initial: im.min, maximum: limit.maxPages, shared: im.shared || undefined });
      (imports[imp.module] ??= {})[imp.name] = memory;
    } else if (imp.module === WASI_MODULE && imp.kind === 'function' && known.has(imp.name)) {
      const fn = wasi.functions[imp.name as keyof typeof wasi.functions];
      wasiImports[imp.name] = monitor.wrap(imp.name, fn, toErrno);
    } else {
      refused.push(`${imp.module}.${imp.name} (${imp.kind})`);
    }
  }
  if (refused.length) {
    for (const r of refused) monitor.violation('import-refused', r);
    return finish({ outcome: 'error', message: `refused to link: the module imports ${refused.join(', ')}, which is not WASI preview1 (${WASI_MODULE})` });
  }
  imports[WASI_MODULE] = wasiImports;

  let instance;
  try {
    instance = new WA.Instance(mod, imports);
  } catch (e) {
    const trap = e instanceof WA.LinkError || e instanceof WA.CompileError ? undefined : classifyTrap(e);
    return finish(trap ? { outcome: 'trap', trap } : { outcome: 'error', message: `cannot instantiate: ${(e as Error).message}` });
  }
  const exported = Object.values(instance.exports).find((v) => v instanceof (WA.Memory as unknown as Function)) as WasmMemory | undefined;
  memory = (instance.exports.memory as WasmMemory | undefined) ?? exported ?? memory;
  if (memory) {
    wasi.setMemory(memory);
    monitor.memory = memory;
  }
  monitor.sampleMemory();
  fuelGlobal = instance.exports[FUEL_EXPORT] as typeof fuelGlobal;
  growFailed = instance.exports[GROW_FAILED_EXPORT] as typeof growFailed;

  // 3. run
  const entry = options.invoke ? options.invoke.export : '_start';
  const fn = instance.exports[entry];
  if (typeof fn !== 'function') return finish({ outcome: 'error', message: `the module exports no function ${entry}` });
  const init = instance.exports._initialize;
  send({ type: 'started', atMs: monitor.elapsed() });
  try {
    if (options.invoke && typeof init === 'function') init();
    const result = options.invoke ? fn(...options.invoke.args) : fn();
    return finish(options.invoke ? { outcome: 'exit', exitCode: 0, result, ...fuelReport() } : { outcome: 'exit', exitCode: 0, ...fuelReport() });
  } catch (e) {
    if (e instanceof ProcExit) return finish({ outcome: 'exit', exitCode: e.code, ...fuelReport() });
    if (e instanceof OutputLimit) return finish({ outcome: 'limit', message: `${e.stream} exceeded ${e.cap} bytes`, ...fuelReport() });
    if (fuelGlobal && BigInt(fuelGlobal.value as bigint) < 0n) {
      monitor.violation('fuel-exhausted', `instruction budget of ${options.fuel} used up`);
      return finish({ outcome: 'limit', message: `fuel exhausted (${options.fuel})`, ...fuelReport() });
    }
    return finish({ outcome: 'trap', trap: classifyTrap(e), ...fuelReport() });
  }
}
