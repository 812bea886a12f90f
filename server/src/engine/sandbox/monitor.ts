/**
 * Statistics shared between the guest's worker thread (the writer) and the runner process's main thread
 * (the reader), in one SharedArrayBuffer, so live statistics flow while the guest computes.
 *
 * Writer (Monitor, in the worker): every WASI function is wrapped (wrap) with a counter and a timer: plain
 * increments of a Float64Array over the shared buffer (the same machine stores as on a private array; no
 * message, no lock). Calls that do I/O or can block are timed one by one (two performance.now() reads,
 * about 0.1 µs, next to microseconds of system calls). The cheap in-memory ones (SAMPLED: clocks, args,
 * fd_fdstat_get, sched_yield...), which a guest may call millions of times at ~40 ns each, are timed on
 * their first 64 calls and then on a random sample of about 1 call in 1024, and their time is
 * extrapolated to all calls: timing each would triple their cost (see CallSlot). The memory size (in
 * pages, Int32 + Atomics) is published by the memory.grow hook and, for modules without it, on every
 * WASI call that sees a new buffer.
 * Reader (readStats, on the main thread's timer): plain reads. There is a single writer per slot and
 * every slot is an aligned 8-byte double (no tearing on x64/arm64); a sample may see a call counted
 * whose time is not yet added. The final report is built by the worker itself, exact.
 */
import type { LiveStats, Violation, ViolationKindSummary, WasiCallStats } from './types';
import type { WasmMemory } from './wasm-api';
import { Preview1Function, PREVIEW1_FUNCTIONS } from './wasi/constants';

/** violations kept one by one (after them, only the first of a new kind); all are counted by kind */
export const MAX_VIOLATIONS = 1000;
/** a violation's detail (often a guest-chosen path) is cut at this many characters */
export const MAX_VIOLATION_DETAIL = 1024;
/**
 * performance.now without the `performance` global's getter on every call; bound on first use, since
 * loading `performance` costs ~1 ms and this module is also loaded by the runner's main thread at start.
 */
let boundNow: (() => number) | undefined;
const now = (): number => (boundNow ??= performance.now.bind(performance))();
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
// then per function: calls, time (ms) of the calls timed one by one, how many those are, and for a
// SAMPLED function the estimated time (ms) of each of its other calls (see CallSlot)
const F_CALLS = F_FIXED;
const F_TIME = F_FIXED + NFUNC;
const F_TIMED = F_FIXED + 2 * NFUNC;
const F_PER_CALL = F_FIXED + 3 * NFUNC;
const F_PER_FUNCTION = 4;

/**
 * Functions whose time is measured on a sample of their calls: bounded work in memory, no system call
 * that can block (the process CPU clocks read getrusage). Every other call is timed.
 */
export const SAMPLED: ReadonlySet<Preview1Function> = new Set<Preview1Function>([
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights', 'fd_prestat_get', 'fd_prestat_dir_name',
  'fd_tell', 'sched_yield',
]);
/** the first calls of a SAMPLED function are all timed (the first ones are slow: code is compiled) */
const TIME_FIRST = 64;
/** after them, the gap between two timed calls: uniform in [SAMPLE_MIN, SAMPLE_MIN + SAMPLE_MASK] (mean 1024) */
const SAMPLE_MIN = 512;
const SAMPLE_MASK = 1023;
/** the estimate of a SAMPLED call is the median of this many recent samples (odd) */
const SAMPLE_WINDOW = 31;
const SAMPLED_INDEX = PREVIEW1_FUNCTIONS.map((n) => SAMPLED.has(n));

export function statsBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(I32_SLOTS * 4 + (F_FIXED + F_PER_FUNCTION * NFUNC) * 8);
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
  /** the shared counters (CallSlot writes its function's slots) */
  readonly f64: Float64Array;
  readonly io: SharedIo;
  readonly violations: Violation[] = [];
  /** every violation, by kind (in order of first appearance) */
  private readonly kinds = new Map<string, ViolationKindSummary>();
  memory?: WasmMemory;
  private buf?: ArrayBuffer;
  /** called when the memory size changed (bytes) */
  onMemory?: (bytes: number) => void;
  /** xorshift32 state (never 0) */
  private rng = 0x9e3779b9 | 0;

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

  /**
   * Records a violation: counted (shared counter and per kind, with the first and latest of its kind);
   * kept and posted while fewer than MAX_VIOLATIONS are kept, and always when its kind is new, so an
   * escape attempt after many harmless refusals is never lost.
   */
  /** every violation so far */
  get violationTotal(): number {
    return this.f64[F_VIOLATIONS];
  }
  /** the latest violation's kind and detail */
  latestViolation?: { kind: string; detail: string };

  /** called at every violation, before it is recorded (the fuzzer's driver: end the batch after this execution) */
  onAnyViolation?: () => void;

  violation(kind: string, detail: string): void {
    this.onAnyViolation?.();
    this.f64[F_VIOLATIONS]++;
    this.latestViolation = { kind, detail };
    const cut = detail.length > MAX_VIOLATION_DETAIL ? `${detail.slice(0, MAX_VIOLATION_DETAIL)}... (${detail.length} characters)` : detail;
    const v = { kind, detail: cut, atMs: Math.round(this.elapsed() * 100) / 100 };
    const seen = this.kinds.get(kind);
    if (seen) {
      seen.count++;
      seen.latest = v;
      if (this.violations.length >= MAX_VIOLATIONS) return;
    } else this.kinds.set(kind, { kind, count: 1, first: v, latest: v });
    this.violations.push(v);
    this.onViolation(v);
  }

  violationKinds(): ViolationKindSummary[] {
    return [...this.kinds.values()].map((k) => ({ ...k }));
  }

  /**
   * Wraps a host function for the guest's import: counts every call, times it (every call, or a sample
   * for the cheap functions: SAMPLED), maps exceptions to an errno with `toErrno`, and, unless
   * `watchMemory` is false (the memory.grow hook reports grows), publishes a new memory size.
   */
  wrap<F extends (...a: any[]) => number>(name: string, fn: F, toErrno: (e: unknown) => number, watchMemory = true): F {
    const i = PREVIEW1_FUNCTIONS.indexOf(name as Preview1Function);
    if (i < 0) throw new Error(`not a preview1 function: ${name}`);
    const slot = new CallSlot(this, i, SAMPLED.has(name as Preview1Function), watchMemory, toErrno);
    const own = OWN_WRAPPERS[name as Preview1Function];
    return (own ? own(slot, fn) : generic(slot, fn)) as unknown as F;
  }

  /** A random number in [0, 2^32) (xorshift32): spreads the sampled calls so no periodic pattern aliases. */
  nextRandom(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x;
    return x >>> 0;
  }

  /** Publishes a new memory size if the memory's buffer was replaced (a grown memory detaches the old one). */
  checkMemory(): void {
    if (this.buf === undefined || this.buf.byteLength === 0) this.sampleMemory();
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
    return callsOf(this.f64, this.elapsed());
  }

  /** every WASI call so far, all functions together */
  totalCalls(): number {
    let n = 0;
    for (let i = 0; i < NFUNC; i++) n += this.f64[F_CALLS + i];
    return n;
  }
}

/**
 * The calls and times per function after `elapsedMs` of the run. Measured times are the sum of their
 * calls'; a SAMPLED function's adds to its first calls' the estimate per call times the others. Every figure is possible:
 * the estimates together never exceed what the measured times leave of `elapsedMs` (they are scaled
 * down to fit when noise would make them), so no time exceeds the run, nor does their sum.
 */
function callsOf(f64: Float64Array, elapsedMs: number): Record<string, WasiCallStats> {
  const times = new Float64Array(NFUNC);
  let measured = 0;
  let estimated = 0;
  for (let i = 0; i < NFUNC; i++) {
    const count = f64[F_CALLS + i];
    if (count <= 0) continue;
    let time = Math.max(0, f64[F_TIME + i]);
    if (SAMPLED_INDEX[i]) {
      time += Math.max(0, count - f64[F_TIMED + i]) * Math.max(0, f64[F_PER_CALL + i]);
      estimated += time;
    } else {
      measured += time;
    }
    times[i] = time;
  }
  const room = Math.max(0, elapsedMs - measured);
  const scale = estimated > room ? room / estimated : 1;
  const out: Record<string, WasiCallStats> = {};
  for (let i = 0; i < NFUNC; i++) {
    const count = f64[F_CALLS + i];
    if (count <= 0) continue;
    const time = SAMPLED_INDEX[i] ? times[i] * scale : times[i];
    // rounded down: a rounded-up figure could exceed the run by a microsecond
    out[PREVIEW1_FUNCTIONS[i]] = { count, timeMs: Math.floor(time * 1000) / 1000 };
  }
  return out;
}

type Impl = (...a: any[]) => number;

/**
 * The state of one wrapped function: where its counters are, and how many calls until its next timed one.
 * Every call of a function that is not SAMPLED is timed. A SAMPLED function has its first TIME_FIRST calls
 * timed, each for itself (the first calls are slow while V8 compiles: their time is added as it is); after
 * them, one call in 512-1535 (random) is timed, and every call not timed one by one counts at the median
 * of the last SAMPLE_WINDOW samples. Timing costs more than such a call (a clock read is ~0.04 µs, the
 * call ~0.01-0.3 µs), hence the sampling, and hence a sampled duration is net of the timer: three reads,
 * t0, t1 before the call and t2 after it; the call took (t2 - t1) - (t1 - t0), both intervals holding the
 * same clock-read overhead. And the median, not the mean: one sample in a few hundred is 10-1000x the
 * others (a garbage collection, the thread descheduled on a busy machine), and as the mean over all calls
 * it made the estimate many times the run itself (1M clock_time_get at 67 s in an 8 s run), while the
 * typical call is what such a call costs.
 */
class CallSlot {
  /** the shared counters, and this function's call counter in them */
  readonly f64: Float64Array;
  readonly ci: number;
  private readonly ti: number;
  private readonly xi: number;
  private readonly pi: number;
  /** calls until the next timed one (1: the next call); the wrappers decrement it */
  left = 1;
  /** SAMPLED: how many of the first calls remain to be timed each */
  private first = TIME_FIRST;
  /** SAMPLED: the last samples (ms, net of the timer), a ring, and a scratch copy to find their median */
  private samples?: Float64Array;
  private sorted?: Float64Array;
  private nSamples = 0;

  constructor(
    readonly monitor: Monitor, i: number, private readonly sampled: boolean, readonly watchMemory: boolean,
    readonly toErrno: (e: unknown) => number,
  ) {
    this.f64 = monitor.f64;
    this.ci = F_CALLS + i;
    this.ti = F_TIME + i;
    this.xi = F_TIMED + i;
    this.pi = F_PER_CALL + i;
  }

  /** Runs a call under the timer (the call is already counted, `left` is 0) and picks the next timed call. */
  timed(fn: Impl, a?: any, b?: any, c?: any, d?: any, e?: any, f?: any, g?: any, h?: any, k?: any): number {
    if (!this.sampled) {
      // calls that do I/O or block: microseconds and more, next to a clock read's 0.04 µs
      this.left = 1;
      const start = now();
      try {
        return fn(a, b, c, d, e, f, g, h, k);
      } catch (err) {
        return this.toErrno(err);
      } finally {
        this.f64[this.ti] += now() - start;
        this.f64[this.xi] += 1;
      }
    }
    const firstCalls = this.first > 0;
    if (firstCalls) this.first--;
    this.left = this.first > 0 ? 1 : SAMPLE_MIN + (this.monitor.nextRandom() & SAMPLE_MASK);
    const t0 = now();
    const t1 = now();
    try {
      return fn(a, b, c, d, e, f, g, h, k);
    } catch (err) {
      return this.toErrno(err);
    } finally {
      const t2 = now();
      const took = t2 - t1 - (t1 - t0);
      if (firstCalls) {
        this.f64[this.ti] += Math.max(0, took);
        this.f64[this.xi] += 1;
      } else {
        this.f64[this.pi] = this.sample(took);
      }
    }
  }

  /** Adds a sample to the window; returns the window's median (ms per call, >= 0). */
  private sample(took: number): number {
    const ring = (this.samples ??= new Float64Array(SAMPLE_WINDOW));
    ring[this.nSamples++ % SAMPLE_WINDOW] = took;
    const n = Math.min(this.nSamples, SAMPLE_WINDOW);
    const s = (this.sorted ??= new Float64Array(SAMPLE_WINDOW));
    // insertion sort of at most 31 numbers, once in ~1000 calls
    for (let i = 0; i < n; i++) {
      const v = ring[i];
      let j = i;
      while (j > 0 && s[j - 1] > v) {
        s[j] = s[j - 1];
        j--;
      }
      s[j] = v;
    }
    return Math.max(0, s[n >> 1]);
  }
}

// Every wrapper starts the same way, written out in each (one function fewer on the hot path for V8 to
// compile before the first calls run fast): count the call; publish a grown memory (a grow happens in
// guest code, never inside a host call, so checking before the call sees the same); then, unless this
// call is the next one to time, call the implementation and map an exception to an errno.

/** The wrapper of most functions: up to 9 parameters passed through without allocating. */
function generic(s: CallSlot, fn: Impl): Impl {
  const { f64, ci } = s;
  return function wasiCall(a?: any, b?: any, c?: any, d?: any, e?: any, f?: any, g?: any, h?: any, k?: any): number {
    f64[ci]++;
    if (s.watchMemory) s.monitor.checkMemory();
    if (--s.left !== 0) {
      try {
        return fn(a, b, c, d, e, f, g, h, k);
      } catch (err) {
        return s.toErrno(err);
      }
    }
    return s.timed(fn, a, b, c, d, e, f, g, h, k);
  };
}

/**
 * Wrappers of their own for the cheap functions a guest may call millions of times: generic()'s code, but
 * each its own function literal. V8 keeps one type feedback for all closures of a literal, so generic()'s
 * call `fn(...)` sees every WASI function of the guest and is not inlined (about 7 ns a call measured on
 * clock_time_get, whose whole call costs about 36 ns under node:wasi); here it sees one.
 */
const OWN_WRAPPERS: Partial<Record<Preview1Function, (s: CallSlot, fn: Impl) => Impl>> = {
  clock_time_get: (s, fn) => {
    const { f64, ci } = s;
    return function clock_time_get(id: number, precision: unknown, out: number): number {
      f64[ci]++;
      if (s.watchMemory) s.monitor.checkMemory();
      if (--s.left !== 0) {
        try {
          return fn(id, precision, out);
        } catch (err) {
          return s.toErrno(err);
        }
      }
      return s.timed(fn, id, precision, out);
    };
  },
  clock_res_get: (s, fn) => {
    const { f64, ci } = s;
    return function clock_res_get(id: number, out: number): number {
      f64[ci]++;
      if (s.watchMemory) s.monitor.checkMemory();
      if (--s.left !== 0) {
        try {
          return fn(id, out);
        } catch (err) {
          return s.toErrno(err);
        }
      }
      return s.timed(fn, id, out);
    };
  },
  sched_yield: (s, fn) => {
    const { f64, ci } = s;
    return function sched_yield(): number {
      f64[ci]++;
      if (s.watchMemory) s.monitor.checkMemory();
      if (--s.left !== 0) {
        try {
          return fn();
        } catch (err) {
          return s.toErrno(err);
        }
      }
      return s.timed(fn);
    };
  },
};

/** The reader side, on the runner process's main thread: a snapshot of the counters. */
export function readStats(sab: SharedArrayBuffer, elapsedMs: number): LiveStats {
  const { i32, f64 } = views(sab);
  return {
    elapsedMs: Math.round(elapsedMs * 100) / 100,
    memoryBytes: Atomics.load(i32, I_PAGES) * PAGE,
    peakMemoryBytes: Atomics.load(i32, I_PEAK_PAGES) * PAGE,
    wasiCalls: callsOf(f64, elapsedMs),
    bytesRead: f64[F_BYTES_READ],
    bytesWritten: f64[F_BYTES_WRITTEN],
    violationCount: f64[F_VIOLATIONS],
  };
}
