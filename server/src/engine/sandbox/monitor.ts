/**
 * Statistics shared between the guest's worker thread (the writer) and the runner process's main thread
 * (the reader), in one SharedArrayBuffer, so live statistics flow while the guest computes.
 *
 * Writer (Monitor, in the worker): every WASI function is wrapped with a counter and a timer (two
 * performance.now() reads and two increments of a Float64Array over the shared buffer: the same
 * machine stores as on a private array; no message, no lock). The memory size (in pages, Int32 +
 * Atomics) is published on every WASI call that sees a new buffer and by the memory.grow hook.
 * Reader (readStats, on the main thread's timer): plain reads. There is a single writer per slot and
 * every slot is an aligned 8-byte double (no tearing on x64/arm64); a sample may see a call counted
 * whose time is not yet added. The final report is built by the worker itself, exact.
 */
import type { LiveStats, Violation, WasiCallStats } from './types';
import type { WasmMemory } from './wasm-api';
import { PREVIEW1_FUNCTIONS } from './wasi/constants';

const MAX_VIOLATIONS = 1000;
const PAGE = 65536;

// Int32 slots (Atomics)
const I_PAGES = 0;
const I_PEAK_PAGES = 1;
const I32_SLOTS = 4;
// Float64 slots, after the Int32 ones
const F_BYTES_READ = 0;
const F_BYTES_WRITTEN = 1;
const F_VIOLATIONS = 2;
const F_FIXED = 4;
const NFUNC = PREVIEW1_FUNCTIONS.length;

export function statsBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(I32_SLOTS * 4 + (F_FIXED + 2 * NFUNC) * 8);
}

function views(sab: SharedArrayBuffer): { i32: Int32Array; f64: Float64Array } {
  return { i32: new Int32Array(sab, 0, I32_SLOTS), f64: new Float64Array(sab, I32_SLOTS * 4) };
}

/** I/O byte counters of the WASI layer, stored in the shared buffer. */
export class SharedIo {
  constructor(private readonly f: Float64Array) {}
  get bytesRead(): number {
    return this.f[F_BYTES_READ];
  }
  set bytesRead(v: number) {
    this.f[F_BYTES_READ] = v;
  }
  get bytesWritten(): number {
    return this.f[F_BYTES_WRITTEN];
  }
  set bytesWritten(v: number) {
    this.f[F_BYTES_WRITTEN] = v;
  }
}

/** The writer side, in the guest's worker thread. */
export class Monitor {
  readonly t0 = performance.now();
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  readonly io: SharedIo;
  readonly violations: Violation[] = [];
  memory?: WasmMemory;
  private buf?: ArrayBuffer;
  /** called when the memory size changed (bytes) */
  onMemory?: (bytes: number) => void;

  constructor(sab: SharedArrayBuffer, private readonly onViolation: (v: Violation) => void) {
    const v = views(sab);
    this.i32 = v.i32;
    this.f64 = v.f64;
    this.io = new SharedIo(this.f64);
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }

  get peakMemoryBytes(): number {
    return Atomics.load(this.i32, I_PEAK_PAGES) * PAGE;
  }

  violation(kind: string, detail: string): void {
    this.f64[F_VIOLATIONS]++;
    if (this.violations.length >= MAX_VIOLATIONS) return;
    const v = { kind, detail, atMs: Math.round(this.elapsed() * 100) / 100 };
    this.violations.push(v);
    this.onViolation(v);
  }

  /** Wraps a host function; up to 9 parameters are passed through without allocating. */
  wrap<F extends (...a: any[]) => number>(name: string, fn: F, toErrno: (e: unknown) => number): F {
    const i = PREVIEW1_FUNCTIONS.indexOf(name as (typeof PREVIEW1_FUNCTIONS)[number]);
    if (i < 0) throw new Error(`not a preview1 function: ${name}`);
    const counts = this.f64;
    const ci = F_FIXED + i;
    const ti = F_FIXED + NFUNC + i;
    const self = this;
    return function wasiCall(a?: any, b?: any, c?: any, d?: any, e?: any, f?: any, g?: any, h?: any, k?: any): number {
      const start = performance.now();
      let r: number;
      try {
        r = fn(a, b, c, d, e, f, g, h, k);
      } catch (err) {
        r = toErrno(err);
      } finally {
        counts[ci]++;
        counts[ti] += performance.now() - start;
        // a grown (non-shared) memory detaches its old buffer: byteLength 0 means "publish the new size"
        if (self.buf === undefined || self.buf.byteLength === 0) self.sampleMemory();
      }
      return r;
    } as unknown as F;
  }

  /** Publishes the memory's current size (also called by the memory.grow hook). */
  sampleMemory(): number {
    const b = this.memory?.buffer;
    this.buf = b;
    const bytes = b ? b.byteLength : 0;
    const pages = Math.floor(bytes / PAGE);
    if (pages !== Atomics.load(this.i32, I_PAGES)) {
      Atomics.store(this.i32, I_PAGES, pages);
      if (pages > Atomics.load(this.i32, I_PEAK_PAGES)) Atomics.store(this.i32, I_PEAK_PAGES, pages);
      this.onMemory?.(bytes);
    }
    return bytes;
  }

  wasiCalls(): Record<string, WasiCallStats> {
    return callsOf(this.f64);
  }
}

function callsOf(f64: Float64Array): Record<string, WasiCallStats> {
  const out: Record<string, WasiCallStats> = {};
  for (let i = 0; i < NFUNC; i++) {
    const count = f64[F_FIXED + i];
    if (count > 0) out[PREVIEW1_FUNCTIONS[i]] = { count, timeMs: Math.round(f64[F_FIXED + NFUNC + i] * 1000) / 1000 };
  }
  return out;
}

/** The reader side, on the runner process's main thread: a snapshot of the counters. */
export function readStats(sab: SharedArrayBuffer, elapsedMs: number): LiveStats {
  const { i32, f64 } = views(sab);
  return {
    elapsedMs: Math.round(elapsedMs * 100) / 100,
    memoryBytes: Atomics.load(i32, I_PAGES) * PAGE,
    peakMemoryBytes: Atomics.load(i32, I_PEAK_PAGES) * PAGE,
    wasiCalls: callsOf(f64),
    bytesRead: f64[F_BYTES_READ],
    bytesWritten: f64[F_BYTES_WRITTEN],
    violationCount: f64[F_VIOLATIONS],
  };
}
