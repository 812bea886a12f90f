/** Hostile guests against the runner's limits: time, stack, memory, output, linking, call floods, traps, Stop. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSandboxed, SandboxOptions, LiveStats } from '../../../server/src/engine/sandbox/runner';
import * as fs from 'node:fs';
import { rmrf, tempDir, wat2wasm } from './helpers';

const T = { timeout: 60_000 };
const base = (extra: Partial<SandboxOptions> = {}): SandboxOptions => ({ dirs: [], env: {}, args: ['guest'], timeoutMs: 15_000, ...extra });
const EXIT = `(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))`;
const WRITE = `(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))`;

describe('sandbox limits', () => {
  it('kills an infinite loop at the timeout', T, async () => {
    const timeoutMs = 3000;
    const r = await runSandboxed(await wat2wasm(`(module (func $spin (export "_start") (loop $l (br $l))))`), base({ timeoutMs }));
    assert.equal(r.outcome, 'timeout');
    assert.ok(r.durationMs >= timeoutMs && r.durationMs < timeoutMs + 2000, `duration ${r.durationMs}`);
  });

  it('reports deep recursion as a stack-overflow trap with the function names', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module
      (func $recurse (param i32) (result i32) (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
      (func $_start (export "_start") (drop (call $recurse (i32.const 0)))))`), base());
    assert.equal(r.outcome, 'trap');
    assert.equal(r.trap?.kind, 'stack-overflow');
    assert.equal(r.trap?.stack[0], 'recurse');
  });

  for (const [name, body, kind, fn] of [
    ['unreachable', '(unreachable)', 'unreachable', 'boom'],
    ['divide by zero', '(drop (i32.div_s (i32.const 1) (i32.const 0)))', 'divide-by-zero', 'boom'],
    ['out-of-bounds load', '(drop (i32.load (i32.const 70000)))', 'out-of-bounds', 'boom'],
  ] as const) {
    it(`reports the trap ${name} with its stack`, T, async () => {
      const r = await runSandboxed(await wat2wasm(`(module (memory 1)
        (func $${fn} ${body}) (func $middle (call $${fn})) (func $_start (export "_start") (call $middle)))`), base());
      assert.equal(r.outcome, 'trap');
      assert.equal(r.trap?.kind, kind);
      assert.deepEqual(r.trap?.stack, [fn, 'middle', '_start']);
    });
  }

  it('caps memory: memory.grow past the cap returns -1, the peak stays under the cap, a violation is reported', T, async () => {
    const cap = 8 * 1024 * 1024;
    // grows 1 page at a time until refused, then exits with the page count it reached
    const r = await runSandboxed(await wat2wasm(`(module ${EXIT} (memory (export "memory") 1)
      (func $_start (export "_start")
        (loop $l (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then (br $l))))
        (call $exit (memory.size))))`), base({ maxMemoryBytes: cap, thresholds: { memoryBytes: cap / 2 } }));
    assert.equal(r.outcome, 'exit');
    assert.equal(r.exitCode, cap / 65536);
    assert.equal(r.peakMemoryBytes, cap);
    assert.ok(r.violations.some((v) => v.kind === 'memory-limit'), JSON.stringify(r.violations));
    assert.deepEqual(r.alerts.map((a) => a.kind), ['memory']);
  });

  it('caps an imported memory by supplying one with a maximum', T, async () => {
    const cap = 4 * 1024 * 1024;
    const r = await runSandboxed(await wat2wasm(`(module ${EXIT} (import "env" "memory" (memory 0))
      (func $_start (export "_start")
        (loop $l (if (i32.ne (memory.grow (i32.const 16)) (i32.const -1)) (then (br $l))))
        (call $exit (memory.size))))`), base({ maxMemoryBytes: cap }));
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.exitCode, cap / 65536);
  });

  it('refuses a module whose initial memory exceeds the cap', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module (memory 200) (func (export "_start")))`), base({ maxMemoryBytes: 65536 * 100 }));
    assert.equal(r.outcome, 'limit');
    assert.match(r.message ?? '', /200 pages/);
  });

  it('stops an output flood at the cap, truncated, with a violation', T, async () => {
    const cap = 64 * 1024;
    let streamed = '';
    const r = await runSandboxed(await wat2wasm(`(module ${WRITE} (memory (export "memory") 1) (data (i32.const 16) "flood flood flood\\n")
      (func $_start (export "_start") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 18))
        (loop $l (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))))`),
      base({ maxOutputBytes: cap }), { onStdout: (s) => (streamed += s) });
    assert.equal(r.outcome, 'limit');
    assert.equal(r.stdout.length, cap);
    assert.equal(streamed, r.stdout);
    assert.ok(r.stdout.startsWith('flood flood flood\n'));
    assert.deepEqual(r.violations.map((v) => v.kind), ['output-limit']);
  });

  it('refuses to link a non-WASI import, before running anything', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module ${EXIT}
      (import "env" "system" (func $system (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "sock_open" (func $sock_open (param i32 i32 i32) (result i32)))
      (func (export "_start") (call $exit (call $system (i32.const 0)))))`), base());
    assert.equal(r.outcome, 'error');
    assert.match(r.message ?? '', /refused to link.*env\.system \(function\).*wasi_snapshot_preview1\.sock_open/);
    assert.deepEqual(r.violations.map((v) => v.kind), ['import-refused', 'import-refused']);
    assert.equal(r.wasiCalls.proc_exit, undefined);
  });

  it('counts a huge number of WASI calls exactly and streams live stats meanwhile', T, async () => {
    const n = 300_000;
    const stats: LiveStats[] = [];
    const r = await runSandboxed(await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "clock_time_get" (func $now (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
      (memory (export "memory") 1)
      (func $_start (export "_start") (local $i i32)
        (loop $l (drop (call $now (i32.const 1) (i64.const 0) (i32.const 0)))
          (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
        (drop (call $yield))))`), base({ statsIntervalMs: 20 }), { onStats: (s) => stats.push(s) });
    assert.equal(r.outcome, 'exit');
    assert.equal(r.wasiCalls.clock_time_get.count, n);
    assert.equal(r.wasiCalls.sched_yield.count, 1);
    assert.ok(stats.length >= 1);
    const counts = stats.map((s) => s.wasiCalls.clock_time_get?.count ?? 0);
    assert.deepEqual([...counts].sort((a, b) => a - b), counts, 'counts only grow');
    assert.equal(counts[counts.length - 1], n);
  });

  it('Stop (abort) kills a running guest', T, async () => {
    const ac = new AbortController();
    const r = await runSandboxed(await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
      (func $_start (export "_start") (loop $l (drop (call $yield)) (br $l))))`),
      base({ statsIntervalMs: 10 }), { onStats: () => ac.abort(), signal: ac.signal });
    assert.equal(r.outcome, 'killed');
    assert.ok(r.wasiCalls.sched_yield.count > 0);
  });

  it('calls an export with arguments (i32, i64) and returns its result', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module
      (func $mix (export "mix") (param i32 i64) (result i64) (i64.add (i64.extend_i32_u (local.get 0)) (local.get 1))))`),
      base({ invoke: { export: 'mix', args: [40, 2n ** 40n] } }));
    assert.equal(r.outcome, 'exit');
    assert.equal(r.result, 40n + 2n ** 40n);
  });

  it('passes exactly the given args and environment, and stdin from a file', T, async () => {
    const dir = tempDir('stdin');
    try {
      fs.writeFileSync(`${dir}/in.txt`, 'from stdin');
      const r = await runSandboxed(await wat2wasm(`(module ${WRITE}
        (import "wasi_snapshot_preview1" "environ_sizes_get" (func $es (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_get" (func $eg (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func $_start (export "_start")
          (drop (call $es (i32.const 0) (i32.const 4)))
          (drop (call $eg (i32.const 100) (i32.const 1000)))
          ;; print the environment block, then stdin
          (i32.store (i32.const 16) (i32.const 1000)) (i32.store (i32.const 20) (i32.load (i32.const 4)))
          (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
          (i32.store (i32.const 16) (i32.const 2000)) (i32.store (i32.const 20) (i32.const 100))
          (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
          (i32.store (i32.const 20) (i32.load (i32.const 24)))
          (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))`),
        base({ env: { A: '1', B: 'two' }, stdinFile: `${dir}/in.txt` }));
      assert.equal(r.outcome, 'exit');
      assert.equal(r.stdout, 'A=1\0B=two\0from stdin');
    } finally {
      rmrf(dir);
    }
  });

  it('reports a sandbox process killed from outside as killed, not as a hang', T, async () => {
    let pid = 0;
    const r = await runSandboxed(await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
      (func $_start (export "_start") (loop $l (drop (call $yield)) (br $l))))`),
      base({ statsIntervalMs: 10 }), { onSpawn: (p) => (pid = p), onStats: () => process.kill(pid, 'SIGKILL') });
    assert.equal(r.outcome, 'killed');
    assert.match(r.message ?? '', /SIGKILL/);
  });

  it('rejects a malformed module and the older wasi_unstable name with an error', T, async () => {
    const bad = await runSandboxed(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99]), base());
    assert.equal(bad.outcome, 'error');
    const old = await runSandboxed(await wat2wasm(`(module (import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (func (export "_start")))`), base());
    assert.equal(old.outcome, 'error');
    assert.match(old.message ?? '', /wasi_unstable\.fd_write/);
  });

  it('raises an execution-time alert while the guest still runs', T, async () => {
    const alerts: string[] = [];
    // the alert arrives while the guest spins; the test stops the guest on it (no race with a timeout)
    const stop = new AbortController();
    const r = await runSandboxed(await wat2wasm(`(module (func $spin (export "_start") (loop $l (br $l))))`),
      base({ timeoutMs: 30_000, thresholds: { executionMs: 500 } }), {
        onAlert: (a) => {
          alerts.push(a.kind);
          stop.abort();
        },
        signal: stop.signal,
      });
    assert.equal(r.outcome, 'killed');
    assert.deepEqual(alerts, ['execution-time']);
    assert.ok(r.alerts[0].atMs >= 500);
  });
});
