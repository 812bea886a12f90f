/**
 * `wasm-warden bench`: a guest of known cost (an export whose work grows with its argument and makes two WASI
 * calls per call; a command that writes once) measured in the sandbox; JSON result, baseline comparison,
 * --fail-on-regression, and a failing iteration.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, cli, rm, wat2wasm } from './helpers';

const KNOWN_COST = `(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "work") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 8)))
    (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 8)))
    (block $done (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (local.get $acc))
  (global $calls (mut i32) (i32.const 0))
  (func (export "third_traps") (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (i32.eq (global.get $calls) (i32.const 3)) (then unreachable))))`;

const COMMAND = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1) (data (i32.const 16) "hi\\n")
  (global $runs (mut i32) (i32.const 0))
  (func (export "_start")
    ;; a second _start in the same instance would trap: each iteration must get a fresh one
    (global.set $runs (i32.add (global.get $runs) (i32.const 1)))
    (if (i32.gt_u (global.get $runs) (i32.const 1)) (then unreachable))
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 0))))`;

describe('bench', () => {
  let dir: string;
  before(async () => {
    build();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-bench-'));
    fs.writeFileSync(path.join(dir, 'cost.wasm'), await wat2wasm(KNOWN_COST));
    fs.writeFileSync(path.join(dir, 'cmd.wasm'), await wat2wasm(COMMAND));
  });
  after(() => rm(dir));
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));

  test('an export: every iteration measured, ordered statistics, exact WASI calls per iteration, JSON written', async () => {
    const r = await cli(['bench', 'cost.wasm', '--invoke', 'work', '20000', '--iterations', '60', '--warmup', '5', '--json', 'small.json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cost\.wasm: work\(20000\), 60 iterations \(5 warm-up\)/);
    assert.match(r.stdout, /median .* p90 .* p99 .* min .* max /);
    const j = read('small.json');
    assert.equal(j.kind, 'wasm-warden-bench');
    assert.deepEqual(j.entry, { export: 'work', args: [20000] });
    assert.equal(j.outcome, 'exit');
    assert.equal(j.samplesMs.length, 60);
    const s = j.stats;
    assert.equal(s.iterations, 60);
    assert.equal(s.wasiCallsPerIteration, 2, 'two clock calls per call, warm-up not counted');
    assert.ok(s.minMs > 0 && s.minMs <= s.medianMs && s.medianMs <= s.p90Ms && s.p90Ms <= s.p99Ms && s.p99Ms <= s.maxMs, JSON.stringify(s));
    assert.ok(s.opsPerSec > 0);
    assert.equal(s.peakMemoryBytes, 65536);
    // the cost grows with the argument: 100 times the work is clearly slower (a factor, not a timing budget)
    const big = await cli(['bench', 'cost.wasm', '--invoke', 'work', '2000000', '--iterations', '20', '--format', 'json'], dir);
    assert.equal(big.code, 0, big.stderr);
    assert.ok(JSON.parse(big.stdout).stats.medianMs > s.medianMs * 5, `${JSON.parse(big.stdout).stats.medianMs} vs ${s.medianMs}`);
  });

  test('--baseline compares; --fail-on-regression exits 1 past the threshold and 0 within it', async () => {
    const base = read('small.json');
    fs.writeFileSync(path.join(dir, 'fast.json'), JSON.stringify({ ...base, stats: { ...base.stats, medianMs: base.stats.medianMs / 1000 } }));
    fs.writeFileSync(path.join(dir, 'slow.json'), JSON.stringify({ ...base, stats: { ...base.stats, medianMs: 1e6 } }));
    const worse = await cli(['bench', 'cost.wasm', '--invoke', 'work', '20000', '--iterations', '30', '--baseline', 'fast.json', '--fail-on-regression', '10%', '--format', 'json'], dir);
    assert.equal(worse.code, 1, worse.stderr);
    assert.match(worse.stderr, /regression: the median is [\d.]+% slower than fast\.json \(more than 10%\)/);
    const c = JSON.parse(worse.stdout).comparison;
    assert.equal(c.regressed, true);
    assert.ok(c.changePct.medianMs > 10);
    const better = await cli(['bench', 'cost.wasm', '--invoke', 'work', '20000', '--iterations', '30', '--baseline', 'slow.json', '--fail-on-regression', '10'], dir);
    assert.equal(better.code, 0, better.stderr);
    assert.match(better.stdout, /vs slow\.json: median .* \(-\d+(\.\d)?%\).*: within 10%/);
  });

  test('a command runs in a fresh instance per iteration; proc_exit(0) ends an iteration', async () => {
    const r = await cli(['bench', 'cmd.wasm', '--iterations', '8', '--warmup', '1', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.entry, { command: ['cmd.wasm'] });
    assert.equal(j.stats.iterations, 8);
    assert.equal(j.stats.wasiCallsPerIteration, 2, 'fd_write and proc_exit');
  });

  test('an iteration that traps ends the benchmark with exit 1 and the iterations measured before it', async () => {
    const r = await cli(['bench', 'cost.wasm', '--invoke', 'third_traps', '--iterations', '10', '--warmup', '0', '--format', 'json'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /stopped after 2 of 10 iterations: trap \(unreachable\)/);
    assert.equal(JSON.parse(r.stdout).samplesMs.length, 2);
  });

  test('bad inputs are usage errors', async () => {
    for (const [args, re] of [
      [['--iterations', '0'], /--iterations must be at least 1/],
      [['--fail-on-regression', '10%'], /needs --baseline/],
      [['--baseline', 'cost.wasm'], /baseline cost\.wasm: /],
      [['--baseline', 'small.json', '--fail-on-regression', 'lots'], /takes a percentage/],
    ] as const) {
      const r = await cli(['bench', 'cost.wasm', '--invoke', 'work', '1', ...args], dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });
});
