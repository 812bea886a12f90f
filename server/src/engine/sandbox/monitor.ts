/**
 * In-guest-process monitor: wraps every WASI function with a counter and a timer (two
 * performance.now() reads and two array increments per call; no logging), keeps violations, samples
 * memory, and asks for a flush of live statistics at most every `intervalMs`. The guest runs
 * synchronously, so flushes happen from inside WASI calls and at the end; a guest in a pure compute
 * loop is still bounded by the parent's timer.
 */
import type { LiveStats, Violation, WasiCallStats } from './types';
import type { WasmMemory } from './wasm-api';
import type { IoCounters } from './wasi/preview1';

const MAX_VIOLATIONS = 1000;
const MAX_SAMPLES = 2000;

export class Monitor {
  readonly t0 = performance.now();
  private names: string[] = [];
  private counts = new Float64Array(64);
  private times = new Float64Array(64);
  private nextFlush: number;
  readonly violations: Violation[] = [];
  violationCount = 0;
  peakMemoryBytes = 0;
  readonly timeline: { atMs: number; bytes: number }[] = [];
  memory?: WasmMemory;
  io: IoCounters = { bytesRead: 0, bytesWritten: 0 };

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (stats: LiveStats, sample: { atMs: number; bytes: number }) => void,
    private readonly onViolation: (v: Violation) => void,
  ) {
    this.nextFlush = this.t0 + intervalMs;
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }

  violation(kind: string, detail: string): void {
    this.violationCount++;
    if (this.violations.length >= MAX_VIOLATIONS) return;
    const v = { kind, detail, atMs: Math.round(this.elapsed() * 100) / 100 };
    this.violations.push(v);
    this.onViolation(v);
  }

  /** Wraps a host function; up to 9 parameters are passed through without allocating. */
  wrap<F extends (...a: any[]) => number>(name: string, fn: F, toErrno: (e: unknown) => number): F {
    const i = this.names.length;
    this.names.push(name);
    if (i >= this.counts.length) {
      const c = new Float64Array(this.counts.length * 2);
      c.set(this.counts);
      this.counts = c;
      const t = new Float64Array(this.times.length * 2);
      t.set(this.times);
      this.times = t;
    }
    const counts = () => this.counts;
    const times = () => this.times;
    const self = this;
    return function wasiCall(a?: any, b?: any, c?: any, d?: any, e?: any, f?: any, g?: any, h?: any, k?: any): number {
      const start = performance.now();
      let r: number;
      try {
        r = fn(a, b, c, d, e, f, g, h, k);
      } catch (err) {
        r = toErrno(err);
      } finally {
        const end = performance.now();
        counts()[i]++;
        times()[i] += end - start;
        if (end >= self.nextFlush) self.tick(end);
      }
      return r;
    } as unknown as F;
  }

  sampleMemory(): number {
    const bytes = this.memory ? this.memory.buffer.byteLength : 0;
    if (bytes > this.peakMemoryBytes) this.peakMemoryBytes = bytes;
    return bytes;
  }

  tick(now = performance.now()): void {
    this.nextFlush = now + this.intervalMs;
    const bytes = this.sampleMemory();
    const sample = { atMs: Math.round((now - this.t0) * 100) / 100, bytes };
    const last = this.timeline[this.timeline.length - 1];
    if (this.timeline.length < MAX_SAMPLES && (!last || last.bytes !== bytes)) this.timeline.push(sample);
    this.flush(this.stats(now), sample);
  }

  wasiCalls(): Record<string, WasiCallStats> {
    const out: Record<string, WasiCallStats> = {};
    this.names.forEach((n, i) => {
      if (this.counts[i] > 0) out[n] = { count: this.counts[i], timeMs: Math.round(this.times[i] * 1000) / 1000 };
    });
    return out;
  }

  stats(now = performance.now()): LiveStats {
    return {
      elapsedMs: Math.round((now - this.t0) * 100) / 100,
      memoryBytes: this.memory ? this.memory.buffer.byteLength : 0,
      peakMemoryBytes: this.peakMemoryBytes,
      wasiCalls: this.wasiCalls(),
      bytesRead: this.io.bytesRead,
      bytesWritten: this.io.bytesWritten,
      violationCount: this.violationCount,
    };
  }
}
