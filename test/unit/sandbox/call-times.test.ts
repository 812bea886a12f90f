/**
 * The time the monitor reports per WASI function must be possible: no function's time above the run's
 * duration, nor their sum, in the final report and in every live sample. The cheap functions' times are
 * estimates from a sample of calls (monitor.ts, CallSlot): a guest making millions of such calls is where
 * an estimate went wrong (clock_time_get at 67 s in an 8 s run). Invariants, not timings: the assertions
 * hold on a machine of any speed or load.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSandboxed, type LiveStats } from '../../../server/src/engine/sandbox/runner';
import { Monitor, readStats, SAMPLED, statsBuffer } from '../../../server/src/engine/sandbox/monitor';
import type { WasiCallStats } from '../../../server/src/engine/sandbox/types';
import { toErrno } from '../../../server/src/engine/sandbox/wasi/preview1';
import { wat2wasm } from './helpers';

const WA = (globalThis as any).WebAssembly;
const total = (calls: Record<string, WasiCallStats>) => Object.values(calls).reduce((s, c) => s + c.timeMs, 0);

/** Every time non-negative and finite, none above `limitMs`, nor their sum. */
function assertPossible(calls: Record<string, WasiCallStats>, limitMs: number, what: string): void {
  for (const [name, c] of Object.entries(calls)) {
    assert.ok(Number.isFinite(c.timeMs) && c.timeMs >= 0, `${what}: ${name} ${c.timeMs} ms`);
    assert.ok(c.timeMs <= limitMs, `${what}: ${name} took ${c.timeMs} ms of a ${limitMs} ms run`);
  }
  assert.ok(total(calls) <= limitMs, `${what}: WASI calls took ${total(calls)} ms together in a ${limitMs} ms run (${JSON.stringify(calls)})`);
}

describe('WASI call times', () => {
  it('a guest making millions of cheap calls: every figure possible, in the report and live', { timeout: 120_000 }, async () => {
    const N = 2_000_000;
    const bytes = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
      (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 128) "tick\\n")
      (func (export "_start") (local $i i32)
        (i32.store (i32.const 0) (i32.const 128)) (i32.store (i32.const 4) (i32.const 5))
        (loop $l
          (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 8)))
          (drop (call $yield))
          (drop (call $fdstat (i32.const 1) (i32.const 64)))
          ;; an exactly timed call now and then, beside the sampled ones
          (if (i32.eqz (i32.and (local.get $i) (i32.const 0xffff)))
            (then (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))))`);
    const live: LiveStats[] = [];
    const r = await runSandboxed(bytes, { dirs: [], env: {}, args: [], timeoutMs: 100_000, statsIntervalMs: 20 }, { onStats: (s) => live.push(s) });
    assert.equal(r.outcome, 'exit', r.message);
    for (const name of ['clock_time_get', 'sched_yield', 'fd_fdstat_get'] as const) {
      assert.ok(SAMPLED.has(name));
      assert.equal(r.wasiCalls[name].count, N, name);
    }
    assert.equal(r.wasiCalls.fd_write.count, Math.ceil(N / 0x10000));
    assertPossible(r.wasiCalls, r.durationMs, 'report');
    // the guest does little else than call WASI: the calls' time is a real share of the run, not zero
    assert.ok(total(r.wasiCalls) > 0, JSON.stringify(r.wasiCalls));
    assert.ok(live.length > 0);
    for (const s of live) assertPossible(s.wasiCalls, s.elapsedMs, `live at ${s.elapsedMs} ms`);
  });

  it('estimates never exceed the time the run has had; exactly timed calls are not scaled', () => {
    const sab = statsBuffer();
    const monitor = new Monitor(sab, () => {});
    const spin = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
      return 0;
    };
    // a "cheap" function that is not: 0.02 ms a call, sampled; and an exactly timed one
    const slow = monitor.wrap('sched_yield', () => spin(0.02), toErrno, false);
    const exact = monitor.wrap('fd_write', () => spin(0.5), toErrno, false);
    for (let i = 0; i < 5000; i++) slow();
    exact();
    const calls = readStats(sab, 1e9).wasiCalls;
    assert.equal(calls.sched_yield.count, 5000);
    // each call lasted at least 0.02 ms: the estimate (net of the timer) is at least about that
    assert.ok(calls.sched_yield.timeMs >= 5000 * 0.019, `${calls.sched_yield.timeMs} ms for 5000 calls of >= 0.02 ms`);
    assert.ok(calls.fd_write.timeMs >= 0.5, String(calls.fd_write.timeMs));
    assertPossible(monitor.wasiCalls(), monitor.elapsed(), 'worker report');

    // told that only 60 ms passed (as a live sample early in a run may be): the estimate shrinks to fit
    // beside the measured time, which stays as measured
    const early = readStats(sab, 60).wasiCalls;
    assert.equal(early.fd_write.timeMs, calls.fd_write.timeMs);
    assertPossible(early, 60, 'early sample');
    assert.ok(early.sched_yield.timeMs > 0 && early.sched_yield.timeMs <= 60 - early.fd_write.timeMs + 0.001);
    const none = readStats(sab, 0.1).wasiCalls;
    assert.equal(none.sched_yield.timeMs, 0, 'no room left beside the measured 0.5 ms');
    assert.equal(none.sched_yield.count, 5000);
  });

  it('a guest calling a sampled function through the WebAssembly engine in this thread', async () => {
    const bytes = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
      (func (export "run") (param $n i32) (loop $l (drop (call $yield)) (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (local.get $n)))))`);
    const sab = statsBuffer();
    const monitor = new Monitor(sab, () => {});
    const instance = new WA.Instance(new WA.Module(bytes), { wasi_snapshot_preview1: { sched_yield: monitor.wrap('sched_yield', () => 0, toErrno, false) } });
    const t0 = performance.now();
    instance.exports.run(1_000_000);
    const loopMs = performance.now() - t0;
    const calls = readStats(sab, monitor.elapsed()).wasiCalls;
    assert.equal(calls.sched_yield.count, 1_000_000);
    // the calls happened inside the loop: their time cannot exceed the loop's (plus the first calls'
    // timer reads, which run inside it too)
    assert.ok(calls.sched_yield.timeMs <= loopMs, `${calls.sched_yield.timeMs} ms of calls in a ${loopMs} ms loop`);
  });
});
