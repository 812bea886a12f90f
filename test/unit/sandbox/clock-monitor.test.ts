/**
 * The WASI layer and the monitor in this thread (no sandbox process): clock_time_get's values and stores
 * (aligned, unaligned, after a grow, out of bounds), and the counters of the monitor's wrappers (exact
 * counts, errno translation, memory size published by a call).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Monitor, readStats, SAMPLED, statsBuffer } from '../../../server/src/engine/sandbox/monitor';
import { PREVIEW1_FUNCTIONS } from '../../../server/src/engine/sandbox/wasi/constants';
import { clockAdapter, clockImportIsExact } from '../../../server/src/engine/sandbox/wasi/clock-adapter';
import { ProcExit, toErrno, WasiPreview1 } from '../../../server/src/engine/sandbox/wasi/preview1';
import { runGuest } from '../../../server/src/engine/sandbox/guest';
import { wat2wasm } from './helpers';

const WA = (globalThis as any).WebAssembly;
const REALTIME = 0;
const MONOTONIC = 1;
const PROCESS_CPUTIME = 2;
const FAULT = 21;
const INVAL = 28;
const BADF = 8;

/** A guest exporting `now(clock, ptr) -> errno`, `grow(pages)`, `write(fd) -> errno`, `exit(code)`. */
const GUEST = `(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "now") (param $id i32) (param $ptr i32) (result i32) (call $clock (local.get $id) (i64.const 1) (local.get $ptr)))
  (func (export "nowLoop") (param $n i32) (loop $l (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 0)))
    (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (local.get $n))))
  (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages)))
  (func (export "write") (param $fd i32) (result i32) (call $write (local.get $fd) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "exit") (param $code i32) (call $exit (local.get $code))))`;

async function setupGuest(watchMemory = true, adapted = false) {
  const sab = statsBuffer();
  const monitor = new Monitor(sab, () => {});
  const wasi = new WasiPreview1({ args: [], env: {}, mounts: [], stdout: { write() {} }, stderr: { write() {} }, onViolation() {} });
  const imports: Record<string, unknown> = {};
  for (const name of ['clock_time_get', 'fd_write', 'proc_exit'] as const) imports[name] = monitor.wrap(name, wasi.functions[name], toErrno, watchMemory);
  if (adapted) imports.clock_time_get = clockAdapter(imports.clock_time_get as (id: number, precision: number, out: number) => number);
  const instance = new WA.Instance(new WA.Module(await wat2wasm(GUEST)), { wasi_snapshot_preview1: imports });
  const memory = instance.exports.memory;
  wasi.setMemory(memory);
  monitor.memory = memory;
  monitor.sampleMemory();
  const e = instance.exports as {
    now(id: number, ptr: number): number; nowLoop(n: number): void; grow(pages: number): number; write(fd: number): number; exit(code: number): void;
  };
  const u64 = (ptr: number) => new DataView(memory.buffer).getBigUint64(ptr, true);
  return { sab, monitor, e, memory, u64 };
}

const realtimeNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;

for (const adapted of [false, true]) describe(`clock_time_get${adapted ? ' through the wasm adapter (no bigint precision)' : ''}`, () => {
  const setup = (watchMemory = true) => setupGuest(watchMemory, adapted);
  it('writes the monotonic clock (process.hrtime, in ns) at aligned and unaligned addresses', async () => {
    const g = await setup();
    for (const ptr of [8, 16, 21, 65528]) {
      const before = process.hrtime.bigint();
      assert.equal(g.e.now(MONOTONIC, ptr), 0);
      const after = process.hrtime.bigint();
      const v = g.u64(ptr);
      assert.ok(before <= v && v <= after, `${before} <= ${v} <= ${after} at ${ptr}`);
    }
  });

  it('writes the wall clock in ns with microsecond resolution, and the process CPU clock', async () => {
    const g = await setup();
    for (const ptr of [8, 13, 65528]) {
      const before = realtimeNs();
      assert.equal(g.e.now(REALTIME, ptr), 0);
      const after = realtimeNs();
      const v = g.u64(ptr);
      assert.ok(before <= v && v <= after, `${before} <= ${v} <= ${after} at ${ptr}`);
      assert.equal(v % 1000n, 0n);
    }
    assert.equal(g.e.now(PROCESS_CPUTIME, 24), 0);
    assert.ok(g.u64(24) > 0n);
    assert.equal(g.u64(24) % 1000n, 0n);
  });

  it('refuses an unknown clock and an address outside memory (EFAULT), writing nothing', async () => {
    const g = await setup();
    assert.equal(g.e.now(9, 8), INVAL);
    const bytes = new Uint8Array(g.memory.buffer);
    bytes.fill(0xab, 65528);
    for (const ptr of [65532, 65536, 65529, -8, -1]) {
      assert.equal(g.e.now(MONOTONIC, ptr), FAULT, `address ${ptr}`);
      assert.equal(g.e.now(REALTIME, ptr), FAULT, `address ${ptr}`);
    }
    assert.deepEqual([...new Uint8Array(g.memory.buffer, 65528)], new Array(8).fill(0xab));
  });

  it('writes into the grown memory after memory.grow (the old views are detached)', async () => {
    const g = await setup();
    assert.equal(g.e.now(MONOTONIC, 8), 0); // views created over the first buffer
    assert.equal(g.e.now(MONOTONIC, 65536 + 8), FAULT);
    assert.equal(g.e.grow(1), 1);
    for (const ptr of [8, 65536 + 8, 65536 + 13, 2 * 65536 - 8]) {
      const before = process.hrtime.bigint();
      assert.equal(g.e.now(MONOTONIC, ptr), 0, `address ${ptr}`);
      assert.ok(g.u64(ptr) >= before, `address ${ptr}`);
    }
    assert.equal(g.e.now(REALTIME, 65536 + 16), 0);
    assert.ok(g.u64(65536 + 16) > 0n);
  });
});

describe('monitor wrappers', () => {
  const setup = (watchMemory = true) => setupGuest(watchMemory);
  it('counts every call of a sampled function exactly and reports a time for them', async () => {
    assert.ok(SAMPLED.has('clock_time_get'));
    const g = await setup();
    g.e.nowLoop(10_000);
    assert.equal(g.e.now(MONOTONIC, 8), 0);
    // (the time so far bounds the figures: a sample at 0 ms reports no time)
    const calls = readStats(g.sab, g.monitor.elapsed()).wasiCalls;
    assert.deepEqual(Object.keys(calls), ['clock_time_get']);
    assert.equal(calls.clock_time_get.count, 10_001);
    assert.ok(Number.isFinite(calls.clock_time_get.timeMs) && calls.clock_time_get.timeMs > 0, String(calls.clock_time_get.timeMs));
    assert.deepEqual(g.monitor.wasiCalls(), calls);
  });

  it('translates errors to errno in every wrapper and lets proc_exit through, counted', async () => {
    const g = await setup();
    assert.equal(g.e.write(99), BADF);
    assert.equal(g.e.now(7, 0), INVAL);
    assert.throws(() => g.e.exit(3), (e: unknown) => e instanceof ProcExit && e.code === 3);
    const calls = readStats(g.sab, 0).wasiCalls;
    assert.equal(calls.fd_write.count, 1);
    assert.equal(calls.clock_time_get.count, 1);
    assert.equal(calls.proc_exit.count, 1);
  });

  it('publishes a grown memory at the next call, unless the grow hook does (watchMemory false)', async () => {
    const watched = await setup(true);
    assert.equal(watched.e.grow(2), 1);
    assert.equal(readStats(watched.sab, 0).memoryBytes, 65536);
    watched.e.now(MONOTONIC, 8);
    assert.equal(readStats(watched.sab, 0).memoryBytes, 3 * 65536);
    assert.equal(readStats(watched.sab, 0).peakMemoryBytes, 3 * 65536);

    const hooked = await setup(false);
    assert.equal(hooked.e.grow(2), 1);
    hooked.e.now(MONOTONIC, 8);
    assert.equal(readStats(hooked.sab, 0).memoryBytes, 65536, 'left to the memory.grow hook');
    hooked.monitor.sampleMemory();
    assert.equal(readStats(hooked.sab, 0).memoryBytes, 3 * 65536);
  });

  it('only samples functions without I/O or blocking', () => {
    for (const name of SAMPLED) assert.ok(PREVIEW1_FUNCTIONS.includes(name));
    for (const name of ['fd_read', 'fd_write', 'poll_oneoff', 'path_open', 'random_get', 'proc_exit', 'sock_recv'] as const) assert.ok(!SAMPLED.has(name), name);
  });
});

describe('the clock adapter', () => {
  const module = (clockType: string, extra = '') => wat2wasm(`(module
    (import "wasi_snapshot_preview1" "clock_time_get" (func $clock ${clockType}))
    ${extra}
    (memory (export "memory") 1)
    (func (export "_start")))`);
  const EXACT = '(param i32 i64 i32) (result i32)';

  it('is used only when every clock_time_get import has the preview1 type', async () => {
    assert.equal(clockImportIsExact(await module(EXACT)), true);
    assert.equal(clockImportIsExact(await module(EXACT, `(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (import "env" "t" (table 1 funcref)) (import "env" "g" (global i32))`)), true);
    assert.equal(clockImportIsExact(await module('(param i32 i32 i32) (result i32)')), false);
    assert.equal(clockImportIsExact(await module('(param i32 i64 i32)')), false);
    assert.equal(clockImportIsExact(await module(EXACT, '(import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i32 i32) (result i32)))')), false);
    assert.equal(clockImportIsExact(await wat2wasm('(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32))))')), false);
    assert.equal(clockImportIsExact(new Uint8Array([1, 2, 3])), false);
  });

  it('refuses a guest whose clock_time_get has another type, at link time (it is not preview1\'s function)', async () => {
    const bytes = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (drop (call $clock (i32.const 1) (i32.const 0) (i32.const 8)))))`);
    const r = runGuest(bytes, { dirs: [], env: {}, args: [], timeoutMs: 10_000 }, () => {}, () => {}, statsBuffer());
    assert.equal(r.outcome, 'error');
    assert.match(r.message!, /wrong type for wasi_snapshot_preview1\.clock_time_get: expected \(i32, i64, i32\) -> i32, imported as \(i32, i32, i32\) -> i32/);
    assert.equal(r.wasiCalls.clock_time_get, undefined, 'never called');
  });

  it('counts the calls of a guest linked through it, with the clock written', async () => {
    const bytes = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (local $i i32)
        (loop $l (if (call $clock (i32.const 1) (i64.const 1000) (i32.const 8)) (then unreachable))
          (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 5000))))
        ;; exit code 1 when the clock was not written
        (call $exit (i64.eqz (i64.load (i32.const 8))))))`);
    assert.ok(clockImportIsExact(bytes));
    const r = runGuest(bytes, { dirs: [], env: {}, args: [], timeoutMs: 10_000 }, () => {}, () => {}, statsBuffer());
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.exitCode, 0);
    assert.equal(r.wasiCalls.clock_time_get.count, 5000);
  });
});
