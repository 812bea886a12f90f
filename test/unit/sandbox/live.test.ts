/**
 * Live events while the guest computes without WASI calls: the guest runs on a worker thread of the
 * sandbox process, whose main thread relays output and samples statistics meanwhile. Every wait is on
 * an event (output, stats, violation); a run that ends first (e.g. at its timeout) fails the test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSandboxed, LiveStats, RunReport, SandboxOptions, SandboxEvents } from '../../../server/src/engine/sandbox/runner';
import { instrument } from '../../../server/src/engine/sandbox/instrument';
import { wat2wasm, watString } from './helpers';

const T = { timeout: 60_000 };
/** long enough that the old design (nothing until the end) fails here instead of passing late */
const RUN_TIMEOUT = 20_000;
const base = (extra: Partial<SandboxOptions> = {}): SandboxOptions => ({ dirs: [], env: {}, args: ['guest'], timeoutMs: RUN_TIMEOUT, statsIntervalMs: 25, ...extra });
const WRITE = `(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))`;

/** Starts a run and resolves `until` once `ready()` says so; rejects if the run ends first. */
function watch(wasm: Uint8Array, options: SandboxOptions, events: (check: () => void) => SandboxEvents, ready: () => boolean) {
  const ac = new AbortController();
  let fire!: () => void;
  const reached = new Promise<void>((r) => (fire = r));
  const check = () => {
    if (ready()) fire();
  };
  const run = runSandboxed(wasm, options, { ...events(check), signal: ac.signal });
  const until = Promise.race([reached, run.then((r: RunReport) => Promise.reject(new Error(`the run ended (${r.outcome}${r.message ? `: ${r.message}` : ''}) before the live events arrived`)))]);
  return { until, stop: () => ac.abort(), run };
}

describe('sandbox live events while the guest computes', () => {
  it('relays output written before a busy loop, streams stats with growing elapsed time, and Stop kills it', T, async () => {
    const wasm = await wat2wasm(`(module ${WRITE} (memory (export "memory") 1)
      (data (i32.const 64) "${watString('spinning\n')}")
      (func $spin (export "_start")
        (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 9))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (loop $l (br $l))))`);
    let out = '';
    let outAt = 0;
    const after: LiveStats[] = [];
    const t0 = performance.now();
    const w = watch(wasm, base(), (check) => ({
      onStdout: (s) => {
        out += s;
        outAt = performance.now();
        check();
      },
      onStats: (s) => {
        if (out) after.push(s);
        check();
      },
    }), () => out === 'spinning\n' && after.length >= 2);
    await w.until;
    const stoppedAt = performance.now();
    w.stop();
    const r = await w.run;
    assert.equal(r.outcome, 'killed');
    assert.equal(r.stdout, 'spinning\n');
    assert.ok(after[1].elapsedMs > after[0].elapsedMs, `elapsed grows: ${after.map((s) => s.elapsedMs)}`);
    assert.equal(after[0].wasiCalls.fd_write?.count, 1);
    assert.equal(after[0].memoryBytes, 65536);
    assert.ok(stoppedAt - t0 < RUN_TIMEOUT / 2, `live events took ${(stoppedAt - t0).toFixed(0)} ms`);
    assert.ok(r.durationMs < RUN_TIMEOUT / 2, `Stop took effect (run lasted ${r.durationMs} ms)`);
    assert.ok(outAt - t0 < RUN_TIMEOUT / 2);
  });

  it('shows memory grown with memory.grow (no WASI call after it) in a live stats event', T, async () => {
    const wasm = await wat2wasm(`(module (memory (export "memory") 1)
      (func $grow_then_spin (export "_start") (drop (memory.grow (i32.const 10))) (loop $l (br $l))))`);
    let grown: LiveStats | undefined;
    const w = watch(wasm, base(), (check) => ({
      onStats: (s) => {
        if (s.memoryBytes === 11 * 65536) grown ??= s;
        check();
      },
    }), () => grown !== undefined);
    await w.until;
    w.stop();
    const r = await w.run;
    assert.equal(r.outcome, 'killed');
    assert.equal(grown!.peakMemoryBytes, 11 * 65536);
  });

  it('reports a refused memory.grow as it happens, while the guest spins', T, async () => {
    const wasm = await wat2wasm(`(module (memory (export "memory") 1)
      (func $greedy (export "_start") (drop (memory.grow (i32.const 50))) (loop $l (br $l))))`);
    const kinds: string[] = [];
    const w = watch(wasm, base({ maxMemoryBytes: 4 * 65536 }), (check) => ({
      onViolation: (v) => {
        kinds.push(v.kind);
        check();
      },
    }), () => kinds.length > 0);
    await w.until;
    w.stop();
    const r = await w.run;
    assert.equal(r.outcome, 'killed');
    assert.deepEqual(kinds, ['memory-limit']);
  });

  it('keeps calls, tables, ref.func, the start function and names working when the grow hook renumbers functions', T, async () => {
    // imports (index 0), a start function, a table filled by an active and a passive segment, ref.func in a
    // global, exports of functions; `boom` traps so the stack shows the (renumbered) names
    const wasm = await wat2wasm(`(module ${WRITE}
      (memory (export "memory") 1)
      (table 4 funcref)
      (global $g (mut i32) (i32.const 0))
      (global $f funcref (ref.func $seven))
      (elem (i32.const 0) $seven $grow)
      (elem $later func $boom)
      (elem declare func $seven)
      (type $v_i (func (result i32)))
      (start $init)
      (func $init (global.set $g (i32.const 35)))
      (func $seven (result i32) (i32.const 7))
      (func $grow (result i32) (memory.grow (i32.const 1)))
      (func $boom (result i32) unreachable)
      (func $_start (export "_start")
        (table.init $later (i32.const 2) (i32.const 0) (i32.const 1))
        (table.set (i32.const 3) (ref.func $seven))
        (global.set $g (i32.add (global.get $g) (call_indirect (type $v_i) (i32.const 0))))
        (global.set $g (i32.add (global.get $g) (call_indirect (type $v_i) (i32.const 1))))
        (global.set $g (i32.add (global.get $g) (call_indirect (type $v_i) (i32.const 3))))
        ;; 35 + 7 + 1 (old size) + 7 = 50 pages would be wrong: print the value as a byte, then trap
        (i32.store8 (i32.const 100) (global.get $g))
        (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 1))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (drop (call_indirect (type $v_i) (i32.const 2)))))`);
    const r = await runSandboxed(wasm, base());
    assert.equal(r.outcome, 'trap', r.message);
    assert.equal(r.stdout.charCodeAt(0), 50);
    assert.equal(r.trap?.kind, 'unreachable');
    assert.deepEqual(r.trap?.stack, ['boom', '_start']);
    assert.equal(r.peakMemoryBytes, 2 * 65536);
  });
});

describe('sandbox output path (shared ring buffer)', () => {
  it('passes 4 MiB through the 1 MiB ring (the writer waits for the reader), and UTF-8 split across writes', T, async () => {
    const wasm = await wat2wasm(`(module ${WRITE} (memory (export "memory") 2)
      (data (i32.const 16) "\\c3") (data (i32.const 17) "\\a9")
      (func $_start (export "_start") (local $i i32)
        (memory.fill (i32.const 65536) (i32.const 120) (i32.const 65536))
        ;; "é" as two writes of one byte each
        (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 1))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (i32.store (i32.const 0) (i32.const 17))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (i32.store (i32.const 0) (i32.const 65536)) (i32.store (i32.const 4) (i32.const 65536))
        (loop $l (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 64))))))`);
    let streamed = 0;
    const r = await runSandboxed(wasm, base({ maxOutputBytes: 8 << 20 }), { onStdout: (s) => (streamed += s.length) });
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.stdout.length, 1 + 4 * 1024 * 1024);
    assert.ok(r.stdout.startsWith('éxxx'));
    assert.equal(streamed, r.stdout.length);
    assert.equal(r.bytesWritten, 2 + 4 * 1024 * 1024);
  });
});

describe('sandbox instrumentation of large modules', () => {
  it('instruments a module with a 1.2 MB data segment and a 200k-instruction function (no stack overflow), grows seen live', T, async () => {
    const body = '(nop)'.repeat(200_000);
    const wasm = await wat2wasm(`(module (memory (export "memory") 20)
      (data (i32.const 0) "${'\\00\\01\\02\\03'.repeat(300_000)}")
      (func $big ${body})
      (func $_start (export "_start") (call $big) (drop (memory.grow (i32.const 3))) (loop $l (br $l))))`);
    assert.ok(wasm.length > 1_400_000);
    // on this (main) thread's default stack, as well as in the sandbox's worker
    const out = instrument(wasm, { growHook: true, growNotify: true });
    assert.ok(out.growNotify);
    new (globalThis as any).WebAssembly.Module(out.bytes);
    let grown = false;
    const w = watch(wasm, base(), (check) => ({
      onStats: (s) => {
        grown ||= s.memoryBytes === 23 * 65536;
        check();
      },
    }), () => grown);
    await w.until;
    w.stop();
    assert.equal((await w.run).outcome, 'killed');
  });
});
