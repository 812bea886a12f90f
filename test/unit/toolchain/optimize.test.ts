/**
 * binaryen optimization of a real module: a C program compiled with Debian's clang for wasm32
 * (freestanding, -O0 -g: unoptimized code with DWARF, names and producers), or, without clang, a
 * large generated WAT module compiled with wabt (not in CI or `npm test`, where clang is required: test/clang.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  compileWat,
  getToolchainClient,
  optimize,
  shutdownToolchain,
  sizeReport,
  validateWasm,
  type SizeReport,
} from '../../../server/src/engine/toolchain/index';
import { CLANG_INSTALL_HINT, clangRequired } from '../../clang';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wwtc-opt-'));
after(async () => {
  await shutdownToolchain();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cProgram(n: number): string {
  const lines = ['static int tab[256];'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `__attribute__((noinline)) int f${i}(int a, int b) { int s = 0; for (int k = 0; k < a; k++) { s += (k * ${i + 3}) ^ b; if (s > ${1000 + i}) s -= tab[(k + ${i}) & 255]; } tab[${i} & 255] = s; return s + ${i}; }`,
    );
  }
  lines.push('int run(int n) { int t = 0;');
  for (let i = 0; i < n; i++) lines.push(`  t += f${i}(n, t);`);
  lines.push('  return t; }');
  return lines.join('\n');
}

function watProgram(n: number): string {
  const funcs: string[] = [];
  for (let i = 0; i < n; i++) {
    funcs.push(`(func $f${i} (export "f${i}") (param $a i32) (result i32) (local $s i32) (local $unused i32)
      (local.set $unused (i32.mul (i32.const ${i}) (i32.const 0)))
      (local.set $s (i32.add (i32.const 1) (i32.const 2)))
      (block $b (loop $l
        (br_if $b (i32.ge_s (local.get $s) (local.get $a)))
        (local.set $s (i32.add (local.get $s) (i32.add (i32.const ${i}) (i32.const 0))))
        (br $l)))
      (i32.add (local.get $s) (i32.mul (i32.const 1) (i32.const ${i}))))`);
  }
  return `(module (memory 1) ${funcs.join('\n')})`;
}

/** A real module: clang when it can target wasm32, else a generated WAT compiled with wabt. */
async function buildModule(n: number): Promise<{ bytes: Uint8Array; how: string }> {
  const c = path.join(dir, `p${n}.c`);
  const out = path.join(dir, `p${n}.wasm`);
  fs.writeFileSync(c, cProgram(n));
  const r = spawnSync('clang', ['--target=wasm32', '-O0', '-g', '-nostdlib', '-Wl,--no-entry', '-Wl,--export=run', '-o', out, c], {
    encoding: 'utf8',
  });
  if (r.status === 0 && fs.existsSync(out)) return { bytes: new Uint8Array(fs.readFileSync(out)), how: 'clang' };
  if (clangRequired()) assert.fail(`clang --target=wasm32 failed (${(r.error?.message ?? r.stderr).split('\n')[0]}): ${CLANG_INSTALL_HINT}`);
  const w = await compileWat(watProgram(n * 3), { debugNames: true });
  assert.ok(w.bytes, JSON.stringify(w.diagnostics));
  return { bytes: w.bytes, how: 'wat' };
}

function custom(name: string, payload: number[]): number[] {
  const n = [...Buffer.from(name)];
  const body = [n.length, ...n, ...payload];
  return [0, body.length, ...body];
}

const names = (r: SizeReport | undefined) => (r?.sections ?? []).map((s) => s.name);
const sum = (r: SizeReport) => r.sections.reduce((n, s) => n + s.size, 0);
const sectionSize = (r: SizeReport | undefined, name: string) => r?.sections.find((s) => s.name === name)?.size ?? 0;

let small: { bytes: Uint8Array; how: string };
let signedAndCustom: Uint8Array;

before(async () => {
  small = await buildModule(60);
  // a leading `signature` section (as wasmsign2 writes it) and an extra custom section at the end
  signedAndCustom = new Uint8Array([...small.bytes.subarray(0, 8), ...custom('signature', [1, 2, 3, 4]), ...small.bytes.subarray(8), ...custom('mydata', [7, 7, 7])]);
});

test('O2 output is valid and smaller; section reports sum to the file sizes; custom sections kept', async () => {
  const input = signedAndCustom;
  const r = await optimize(input, { level: 'O2' });
  assert.ok(r.bytes, JSON.stringify(r.diagnostics));
  console.log(`optimize O2 (${small.how}): ${r.before.total} -> ${r.after?.total} bytes, funcs ${r.funcsBefore} -> ${r.funcsAfter}, ${Math.round(r.timeMs)} ms`);
  assert.equal((await validateWasm(r.bytes)).valid, true);
  assert.ok(r.bytes.length < input.length, `${r.bytes.length} >= ${input.length}`);
  assert.ok(sectionSize(r.after, 'code') < sectionSize(r.before, 'code'));
  assert.equal(r.before.total, input.length);
  assert.equal(sum(r.before), input.length);
  assert.equal(r.after!.total, r.bytes.length);
  assert.equal(sum(r.after!), r.bytes.length);
  assert.deepEqual(r.after, sizeReport(r.bytes));
  assert.ok(r.funcsBefore >= 60);
  assert.ok(r.funcsAfter !== undefined && r.funcsAfter <= r.funcsBefore);
  assert.ok(r.timeMs > 0);
  // signed input: flagged, signature dropped (it cannot match the new bytes), the caller is warned
  assert.equal(r.signedInput, true);
  assert.ok(!names(r.after).includes('custom:signature'));
  assert.ok(r.diagnostics.some((d) => d.code === 'signature-removed' && d.severity === 'warning'));
  // other custom sections and debug names stay by default
  assert.ok(names(r.after).includes('custom:mydata'), names(r.after).join());
  assert.ok(names(r.after).includes('custom:name'), names(r.after).join());
});

test('strip debug info and producers, drop other custom sections', async () => {
  const r = await optimize(signedAndCustom, { level: 'Oz', stripDebug: true, stripProducers: true, keepCustomSections: false });
  assert.ok(r.bytes, JSON.stringify(r.diagnostics));
  assert.equal((await validateWasm(r.bytes)).valid, true);
  const after = names(r.after);
  assert.ok(names(r.before).includes('custom:name'));
  assert.deepEqual(after.filter((n) => n.startsWith('custom:')), [], after.join());
  assert.equal(sum(r.after!), r.bytes.length);
  assert.equal(r.signedInput, true);
});

test('unsigned input is not flagged as signed', async () => {
  const r = await optimize(small.bytes, { level: 'O1' });
  assert.ok(r.bytes);
  assert.equal(r.signedInput, false);
  assert.ok(!r.diagnostics.some((d) => d.code === 'signature-removed'));
});

test('garbage, truncated and invalid input give a clear error and no bytes', async () => {
  const garbage = await optimize(new Uint8Array([1, 2, 3, 4, 5]), { level: 'O2' });
  assert.equal(garbage.bytes, undefined);
  assert.match(garbage.diagnostics[0].message, /not a WebAssembly binary/);

  const truncated = await optimize(small.bytes.subarray(0, small.bytes.length - 100), { level: 'O2' });
  assert.equal(truncated.bytes, undefined);
  assert.match(truncated.diagnostics[0].message, /declares \d+ bytes but only \d+ remain \(past the end of the file\)/);

  const bad = await compileWat('(module (func (export "f") (result i32) (i32.const 42)))');
  const invalid = new Uint8Array(bad.bytes!);
  invalid[invalid.lastIndexOf(0x41)] = 0x42; // i32.const -> i64.const: a type error
  const r = await optimize(invalid, { level: 'O2' });
  assert.equal(r.bytes, undefined);
  assert.equal(r.diagnostics[0].source, 'binaryen');
  assert.match(r.diagnostics[0].message, /input is not valid/);

  const level = await optimize(small.bytes, { level: 'O9' as never });
  assert.equal(level.bytes, undefined);
  assert.match(level.diagnostics[0].message, /unknown optimization level/);
});

test('an AbortSignal kills a long optimize; a timeout says binaryen gave up; the next request works', async () => {
  const big = await buildModule(300);
  const client = getToolchainClient();
  await optimize(small.bytes, { level: 'O1' }); // a warm worker, binaryen loaded
  const killedBefore = client.stats.killed;
  const pidsBefore = client.workerPids;
  const t0 = performance.now();
  await assert.rejects(optimize(big.bytes, { level: 'O4', signal: AbortSignal.timeout(400) }), (e: Error) => e.name === 'AbortError');
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 3000, `abort took ${elapsed} ms`);
  assert.equal(client.stats.killed, killedBefore + 1);
  assert.ok(pidsBefore.some((p) => !client.workerPids.includes(p)), 'the busy worker is gone');

  const t1 = performance.now();
  const r = await optimize(big.bytes, { level: 'O4', timeoutMs: 600 });
  assert.ok(performance.now() - t1 < 5000);
  assert.equal(r.bytes, undefined);
  assert.equal(r.diagnostics[0].code, 'toolchain-timeout');
  assert.match(r.diagnostics[0].message, /binaryen gave up after 0\.6 s/);

  const again = await optimize(small.bytes, { level: 'O1' });
  assert.ok(again.bytes);
});
