/**
 * `wasm-warden run` honours the policy's import rules (engine/sandbox/import-policy.ts): it says before the
 * run what the policy denies, a call to a denied import stops the run with a violation unless
 * --allow-denied-imports, and a module importing what the sandbox does not provide (emscripten-like) is
 * refused with one message unless --stub-imports trap|zero.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, cli, fixtureDir, rm } from './helpers';

describe('run: the policy\'s imports', { concurrency: true }, () => {
  let dir: string;
  before(async () => {
    build();
    dir = await fixtureDir(['denied-call.wasm', 'emscripten.wasm', 'hi.wasm']);
  });
  after(() => rm(dir));

  test('a denied import is listed before the run, and a call to it traps with a violation', async () => {
    const r = await cli(['run', 'denied-call.wasm', '--report', 'denied.json'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, 'before\n', 'the guest stopped at the call');
    const lines = r.stderr.split('\n');
    assert.match(lines[0], /^wasm-warden run: the policy denies 1 import of denied-call\.wasm; a call to it stops the run/);
    assert.match(lines[1], /^ {2}wasi_snapshot_preview1\.sock_accept: Import wasi_snapshot_preview1\.sock_accept needs the WASI capability "sockets"/);
    assert.match(r.stderr, /sandbox violation \(import-denied\): the guest called wasi_snapshot_preview1\.sock_accept, which the policy denies/);
    assert.match(r.stderr, /trap \(denied-import\): called wasi_snapshot_preview1\.sock_accept, which the policy denies/);
    assert.match(r.stderr, /--allow-denied-imports/);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'denied.json'), 'utf8'));
    assert.equal(report.outcome, 'trap');
    assert.equal(report.trap.kind, 'denied-import');
    assert.deepEqual(report.violations.map((v: { kind: string }) => v.kind), ['import-denied']);
    assert.deepEqual(report.imports.denied.map((d: { module: string; name: string }) => `${d.module}.${d.name}`), ['wasi_snapshot_preview1.sock_accept']);
    assert.equal(report.imports.deniedAllowed, false);
    assert.equal(report.wasiCalls.sock_accept, undefined, 'the WASI function was never reached');
  });

  test('--allow-denied-imports: the call goes through to the sandbox for this run', async () => {
    const r = await cli(['run', 'denied-call.wasm', '--allow-denied-imports'], dir);
    assert.equal(r.stdout, 'before\nafter\n');
    assert.match(r.stderr, /the policy denies 1 import of denied-call\.wasm; --allow-denied-imports lets it through for this run/);
    // the sandbox itself still has no sockets
    assert.match(r.stderr, /sandbox violation \(socket\)/);
    assert.doesNotMatch(r.stderr, /import-denied/);
  });

  test('a module the policy has nothing against: nothing said before the run', async () => {
    const r = await cli(['run', 'hi.wasm'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    assert.equal(r.stderr, '');
  });

  test('imports the sandbox does not provide: refused before the run with one message', async () => {
    const r = await cli(['run', 'emscripten.wasm'], dir);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '', 'nothing ran');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^wasm-warden: run: cannot run emscripten\.wasm: the module has 5 imports the sandbox does not provide/);
    assert.match(r.stderr, /env\.get_answer \(function\), env\.emscripten_notify_memory_growth \(function\), env\.__syscall_openat \(function\) and 2 more/);
    assert.match(r.stderr, /built for emscripten/);
    assert.match(r.stderr, /--stub-imports trap or --stub-imports zero/);
    assert.ok(r.stderr.length < 500, `${r.stderr.length} characters`);
  });

  test('--stub-imports zero: the stubs return zero (i32, i64, globals) and the run completes', async () => {
    const r = await cli(['run', 'emscripten.wasm', '--stub-imports', 'zero', '--report', 'zero.json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'start\n0\n');
    assert.match(r.stderr, /^wasm-warden run: 5 imports are generated stubs \(--stub-imports zero: calls return zero\); the module looks built for emscripten/);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'zero.json'), 'utf8'));
    assert.equal(report.outcome, 'exit');
    assert.deepEqual(report.imports.stubs.map((s: { name: string; kind: string }) => `${s.name}:${s.kind}`).sort(),
      ['__stack_pointer:global', '__syscall_openat:function', 'big:function', 'emscripten_notify_memory_growth:function', 'get_answer:function']);
  });

  test('--stub-imports trap: the first call of a stub stops the run', async () => {
    const r = await cli(['run', 'emscripten.wasm', '--stub-imports', 'trap'], dir);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'start\n');
    assert.match(r.stderr, /trap \(stub-called\): called env\.get_answer, a generated stub/);
  });

  test('--stub-imports takes trap or zero only', async () => {
    const r = await cli(['run', 'emscripten.wasm', '--stub-imports', 'nop'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--stub-imports must be trap or zero, not "nop"/);
  });
});
