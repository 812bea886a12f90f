/**
 * What a run does with a module's imports (engine/sandbox/import-policy.ts): the plan made before the run
 * from the policy (the same findings as the diagnostics, at severity error), and the linking inside the
 * sandbox: denied imports trap with a violation when called (also from a start function), stubs trap or
 * return zero of their result types.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { effectivePolicy, parsePolicy } from '../../../server/src/engine/policy/load';
import { planImports, toolchainOf } from '../../../server/src/engine/sandbox/import-policy';
import { runSandboxed, type SandboxOptions } from '../../../server/src/engine/sandbox/runner';
import { wat2wasm } from './helpers';

const policy = (json: object) => {
  const parsed = parsePolicy(JSON.stringify(json));
  assert.ok(parsed.ok && parsed.policy, JSON.stringify(parsed.diagnostics));
  return effectivePolicy(parsed.policy, 'm.wasm');
};
const model = async (wat: string) => readWasm(await wat2wasm(wat)).model;
const base: SandboxOptions = { dirs: [], env: {}, args: ['guest'], timeoutMs: 20_000 };
const T = { timeout: 60_000 };

const IMPORTS = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))`;

describe('the import plan, before the run', () => {
  it('denies what the diagnostics report at severity error, one entry per import with every reason', async () => {
    const m = await model(`(module ${IMPORTS} (memory 1 1))`);
    const p = planImports(m, policy({ imports: { deny: ['wasi_snapshot_preview1.sock_*'], wasi: { sockets: false } } }));
    assert.deepEqual(p.denied.map((d) => d.name), ['sock_accept']);
    assert.equal(p.denied[0].kind, 'function');
    assert.equal(p.denied[0].reasons.length, 2, 'the deny pattern and the capability');
    assert.match(p.denied[0].reasons.join('\n'), /denied by the pattern "wasi_snapshot_preview1\.sock_\*"/);
    assert.match(p.denied[0].reasons.join('\n'), /WASI capability "sockets"/);
    assert.deepEqual([p.unlinkable, p.stubs, p.refusal], [[], [], undefined]);
  });

  it('leaves out rules the policy turns off or down to a warning', async () => {
    const m = await model(`(module ${IMPORTS} (memory 1 1))`);
    assert.deepEqual(planImports(m, policy({ imports: { wasi: { sockets: false } }, rules: { 'wasi-capability-denied': 'warning' } })).denied, []);
    assert.deepEqual(planImports(m, policy({ imports: { deny: ['*.path_open'] }, rules: { 'import-not-allowed': 'off' } })).denied.map((d) => d.name), ['sock_accept'], 'only by the default sockets: false');
    assert.deepEqual(planImports(m, policy({ imports: { deny: ['*.path_open'] } })).denied.map((d) => d.name), ['path_open', 'sock_accept'], 'sock_accept by the default sockets: false');
  });

  it('refuses a module with imports the sandbox does not provide, unless stubs are asked for', async () => {
    const m = await model(`(module
      (import "env" "emscripten_memcpy_big" (func (param i32 i32 i32)))
      (import "env" "f" (func (param i64) (result i64 f64)))
      (import "env" "g" (global (mut i32)))
      (import "env" "t" (table 2 funcref))
      (import "env" "memory" (memory 1 2)))`);
    const refused = planImports(m, policy({}));
    assert.deepEqual(refused.unlinkable, ['env.emscripten_memcpy_big (function)', 'env.f (function)', 'env.g (global)', 'env.t (table)']);
    assert.match(refused.refusal ?? '', /has 4 imports the sandbox does not provide .*: env\.emscripten_memcpy_big \(function\), env\.f \(function\), env\.g \(global\) and 1 more\. It looks built for emscripten/);
    const stubbed = planImports(m, policy({}), { stubImports: 'zero' });
    assert.equal(stubbed.refusal, undefined);
    assert.deepEqual(stubbed.stubs.map((s) => [s.name, s.kind, s.mode]), [['emscripten_memcpy_big', 'function', 'zero'], ['f', 'function', 'zero'], ['g', 'global', 'zero'], ['t', 'table', 'zero']]);
    assert.deepEqual(stubbed.stubs[1].results, ['i64', 'f64']);
    assert.deepEqual(stubbed.stubs[2].global, { valType: 'i32', mutable: true });
    assert.deepEqual(stubbed.stubs[3].table, { refType: 'funcref', min: 2 });
  });

  it('refuses a denied import that is not a function (a use cannot trap) unless allowed', async () => {
    const m = await model(`(module (import "env" "memory" (memory 1 2)))`);
    const p = planImports(m, policy({ imports: { deny: ['env.memory'] } }));
    assert.match(p.refusal ?? '', /the policy denies env\.memory \(memory\), which is not a function/);
    assert.equal(planImports(m, policy({ imports: { deny: ['env.memory'] } }), { allowDenied: true }).refusal, undefined);
  });

  it('keeps imports apart whose names differ only in where a NUL byte falls (a denied global is not taken for a function)', async () => {
    const m = await model(`(module (import "env\\00x" "y" (global i32)) (import "env" "x\\00y" (func)))`);
    const p = planImports(m, policy({ imports: { deny: ['env*'] } }), { stubImports: 'zero' });
    assert.deepEqual(p.denied.map((d) => [d.module, d.name, d.kind, d.reasons.length]), [['env\0x', 'y', 'global', 1], ['env', 'x\0y', 'function', 1]]);
    assert.match(p.refusal ?? '', /the policy denies env\0x\.y \(global\), which is not a function/);
  });

  it('refuses to stub an import with a v128 value (no host function or global can make one; it was an internal error or a host-error trap)', async () => {
    for (const imp of ['(import "env" "g" (global v128))', '(import "env" "f" (func (result v128)))', '(import "env" "f" (func (param i32 v128)))']) {
      const m = readWasm(await wat2wasm(`(module ${imp})`, { simd: true })).model;
      const p = planImports(m, policy({}), { stubImports: 'zero' });
      assert.deepEqual(p.stubs, [], imp);
      assert.match(p.refusal ?? '', /cannot stub \(only functions, globals and tables can be, and none with a v128 value\)/, imp);
    }
  });

  it('refuses a denied function with a v128 value unless allowed (its call never reaches the host: a host-error trap with no violation)', async () => {
    const m = readWasm(await wat2wasm('(module (import "env" "f" (func (param v128))) (import "env" "g" (func)))', { simd: true })).model;
    const p = planImports(m, policy({ imports: { deny: ['env.*'] } }), { stubImports: 'trap' });
    assert.match(p.refusal ?? '', /the policy denies env\.f \(function with a v128 value\), which is not a function the run could stop at/);
    const g = readWasm(await wat2wasm('(module (import "env" "g" (func)))')).model;
    assert.equal(planImports(g, policy({ imports: { deny: ['env.*'] } }), { stubImports: 'trap' }).refusal, undefined, 'a denied function without v128 is stoppable');
  });

  it('names the toolchain the imports look like', () => {
    assert.match(toolchainOf([{ module: 'wbg', name: '__wbindgen_throw' }]) ?? '', /wasm-bindgen/);
    assert.match(toolchainOf([{ module: 'env', name: '__syscall_openat' }]) ?? '', /emscripten/);
    assert.match(toolchainOf([{ module: 'gojs', name: 'runtime.wasmExit' }]) ?? '', /Go/);
    assert.equal(toolchainOf([{ module: 'env', name: 'abort' }]), 'AssemblyScript');
    assert.match(toolchainOf([{ module: 'wasi_unstable', name: 'fd_write' }]) ?? '', /preview0/);
    assert.equal(toolchainOf([{ module: 'host', name: 'log' }]), undefined);
  });
});

describe('linking the plan in the sandbox', () => {
  it('a call to a denied import traps with an import-denied violation; other imports work', T, async () => {
    const bytes = await wat2wasm(`(module ${IMPORTS}
      (memory (export "memory") 1 1)
      (data (i32.const 16) "hi\\n")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (drop (call $accept (i32.const 3) (i32.const 0) (i32.const 64)))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
    const r = await runSandboxed(bytes, { ...base, deniedImports: [{ module: 'wasi_snapshot_preview1', name: 'sock_accept' }] });
    assert.equal(r.outcome, 'trap', r.message);
    assert.equal(r.trap?.kind, 'denied-import');
    assert.equal(r.trap?.message, 'called wasi_snapshot_preview1.sock_accept, which the policy denies');
    assert.equal(r.stdout, 'hi\n');
    assert.deepEqual(r.violations.map((v) => [v.kind, v.detail]), [['import-denied', 'the guest called wasi_snapshot_preview1.sock_accept, which the policy denies']]);
    assert.equal(r.wasiCalls.fd_write.count, 1);
  });

  it('a start function calling a denied import traps the same way', T, async () => {
    const bytes = await wat2wasm(`(module ${IMPORTS} (memory (export "memory") 1 1)
      (func $init (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))))
      (start $init) (func (export "_start")))`);
    const r = await runSandboxed(bytes, { ...base, deniedImports: [{ module: 'wasi_snapshot_preview1', name: 'path_open' }] });
    assert.equal(r.outcome, 'trap', r.message);
    assert.equal(r.trap?.kind, 'denied-import');
    assert.deepEqual(r.violations.map((v) => v.kind), ['import-denied']);
  });

  it('zero stubs return zero of every result type; trap stubs trap at the first call', T, async () => {
    const wat = `(module
      (import "env" "i" (func $i (result i32)))
      (import "env" "l" (func $l (param i32) (result i64)))
      (import "env" "two" (func $two (result f64 i32)))
      (import "env" "none" (func $none (param i32)))
      (import "env" "g" (global $g i64))
      (import "env" "t" (table 1 funcref))
      (func (export "run") (result i32)
        (call $none (i32.const 7))
        (call $two) (drop) (drop)
        (i32.add (call $i) (i32.add (i32.wrap_i64 (call $l (i32.const 1))) (i32.add (i32.wrap_i64 (global.get $g)) (i32.const 5))))))`;
    const bytes = await wat2wasm(wat);
    const m = readWasm(bytes).model;
    const zero = planImports(m, policy({}), { stubImports: 'zero' });
    const r = await runSandboxed(bytes, { ...base, importStubs: zero.stubs, invoke: { export: 'run', args: [] } });
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.result, 5);
    const trap = planImports(m, policy({}), { stubImports: 'trap' });
    const t = await runSandboxed(bytes, { ...base, importStubs: trap.stubs, invoke: { export: 'run', args: [] } });
    assert.equal(t.outcome, 'trap', t.message);
    assert.equal(t.trap?.kind, 'stub-called');
    assert.match(t.trap?.message ?? '', /called env\.none, a generated stub/);
    assert.deepEqual(t.violations, []);
  });
});
