/** Fuel (instruction budget) and the memory.grow hook, both from rewriting the code section. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSandboxed, SandboxOptions } from '../../../server/src/engine/sandbox/runner';
import { instrument } from '../../../server/src/engine/sandbox/instrument';
import { wat2wasm } from './helpers';

const T = { timeout: 60_000 };
const base = (extra: Partial<SandboxOptions> = {}): SandboxOptions => ({ dirs: [], env: {}, args: ['guest'], timeoutMs: 20_000, ...extra });

const COUNTER = `(module (memory (export "memory") 1)
  (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $sq (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0))))`;

describe('sandbox fuel', () => {
  it('stops an infinite loop when the fuel runs out, long before the timeout', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module (func $spin (export "_start") (loop $l (br $l))))`), base({ fuel: 5_000_000 }));
    assert.equal(r.outcome, 'limit');
    assert.deepEqual(r.violations.map((v) => v.kind), ['fuel-exhausted']);
    assert.equal(r.fuelConsumed, 5_000_000);
  });

  it('leaves results unchanged and charges more for more work', T, async () => {
    const wasm = await wat2wasm(COUNTER);
    const small = await runSandboxed(wasm, base({ fuel: 1e12, invoke: { export: 'sum', args: [100] } }));
    const big = await runSandboxed(wasm, base({ fuel: 1e12, invoke: { export: 'sum', args: [1000] } }));
    const plain = await runSandboxed(wasm, base({ invoke: { export: 'sum', args: [1000] } }));
    assert.equal(big.result, plain.result);
    assert.equal(small.result, [...Array(100).keys()].reduce((a, i) => a + i * i, 0));
    assert.ok(small.fuelConsumed! > 100 && big.fuelConsumed! > 9 * small.fuelConsumed!, `${small.fuelConsumed} vs ${big.fuelConsumed}`);
    const starved = await runSandboxed(wasm, base({ fuel: small.fuelConsumed!, invoke: { export: 'sum', args: [1000] } }));
    assert.equal(starved.outcome, 'limit');
  });

  it('counts recursion (function entries) too', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module (func $f (export "_start") (call $f)))`), base({ fuel: 1000 }));
    assert.equal(r.outcome, 'limit');
  });

  it('counts what a callee charged inside a metered loop (the caller\'s copy of the fuel is reloaded after each call)', T, async () => {
    // $g: 64 instructions outside any loop, charged at its entry; $f: 100 iterations, each calling $g (direct,
    // indirect) and with a loop of its own inside
    const body = Array.from({ length: 32 }, () => '(drop (i32.const 1))').join(' ');
    const wasm = await wat2wasm(`(module (table 1 funcref) (elem (i32.const 0) $g) (type $t (func))
      (func $g ${body})
      (func (export "f") (param $n i32) (local $i i32)
        (loop $l
          (call $g) (call_indirect (type $t) (i32.const 0))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))`);
    const r = await runSandboxed(wasm, base({ fuel: 1e9, invoke: { export: 'f', args: [100] } }));
    assert.equal(r.outcome, 'exit', r.message);
    assert.ok(r.fuelConsumed! >= 100 * 2 * 64, `${r.fuelConsumed}`);
    // and a budget below that ends it
    const starved = await runSandboxed(wasm, base({ fuel: 100 * 64, invoke: { export: 'f', args: [100] } }));
    assert.equal(starved.outcome, 'limit');
  });

  it('counts what a callee burnt before it threw, in a caller that catches it', T, async () => {
    // $g: 64 instructions charged at its entry, then a throw; $f catches it 100 times: what $g burnt is
    // counted even though the call never returned normally
    const body = Array.from({ length: 32 }, () => '(drop (i32.const 1))').join(' ');
    const wasm = await wat2wasm(`(module (tag $e)
      (func $g ${body} (throw $e))
      (func (export "f") (param $n i32) (local $i i32)
        (loop $l
          (try (do (call $g)) (catch_all))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))`, { exceptions: true });
    const r = await runSandboxed(wasm, base({ fuel: 1e9, invoke: { export: 'f', args: [100] } }));
    assert.equal(r.outcome, 'exit', r.message);
    assert.ok(r.fuelConsumed! >= 100 * 64, `${r.fuelConsumed}`);
    const starved = await runSandboxed(wasm, base({ fuel: 50 * 64, invoke: { export: 'f', args: [100] } }));
    assert.equal(starved.outcome, 'limit');
  });

  it('produces a valid module that keeps its exports, and reports a refused memory.grow', T, async () => {
    const wasm = await wat2wasm(`(module (memory (export "memory") 1 100)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);
    const out = instrument(wasm, { fuel: 10, growHook: true });
    assert.ok(out.fuel && out.growHook);
    const WA = (globalThis as any).WebAssembly;
    const exports = WA.Module.exports(new WA.Module(out.bytes)).map((e: { name: string }) => e.name);
    assert.deepEqual(exports, ['memory', 'grow', out.names.fuel, out.names.growFailed]);
    assert.match(out.names.fuel, /^__warden_fuel_[0-9a-f]{32}$/);
    const r = await runSandboxed(wasm, base({ maxMemoryBytes: 65536 * 3, invoke: { export: 'grow', args: [5] } }));
    assert.equal(r.result, -1);
    assert.equal(r.violations[0]?.kind, 'memory-limit');
    assert.match(r.violations[0].detail, /memory.grow refused/);
  });
});
