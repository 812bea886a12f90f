import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileWat, wabtDisassemble, shutdownToolchain, validateWasm, validateWat } from '../../../server/src/engine/toolchain/index';

after(() => shutdownToolchain());

const slice = (text: string, s: { start: number; end: number }) => text.slice(s.start, s.end);

test('a valid WAT module validates with wabt, all features enabled', async () => {
  const r = await validateWat('(module (memory 1 1 shared) (func (export "f") (param v128) (result i32) (i32x4.extract_lane 0 (local.get 0))))');
  assert.equal(r.valid, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.validator, ['wabt']);
  assert.ok(r.featuresEnabled.includes('simd') && r.featuresEnabled.includes('threads'));
  assert.ok(r.timeMs > 0);
});

test('a type error is reported on the exact token, through CRLF lines and tabs', async () => {
  const text = '(module\r\n  (func (result i32)\r\n\t\t(i64.const 1)))\r\n';
  const r = await validateWat(text);
  assert.equal(r.valid, false);
  assert.equal(r.diagnostics.length, 1);
  const d = r.diagnostics[0];
  assert.equal(d.source, 'wabt');
  assert.equal(d.code, 'validation');
  assert.equal(d.severity, 'error');
  assert.match(d.message, /type mismatch/);
  assert.equal(slice(text, d.span), 'i64.const');
});

test('an unknown function is reported on its name', async () => {
  const text = '(module\n  (func $main\n    (call $missing)))';
  const r = await validateWat(text);
  assert.equal(r.valid, false);
  assert.ok(r.diagnostics.length >= 1);
  assert.match(r.diagnostics[0].message, /undefined function/);
  assert.equal(slice(text, r.diagnostics[0].span), '$missing');
});

test('a function index out of range is a validation error', async () => {
  const text = '(module (func (call 7)))';
  const r = await validateWat(text);
  assert.equal(r.valid, false);
  assert.equal(slice(text, r.diagnostics[0].span), '7');
});

test('GC syntax wabt cannot read gets binaryen as a second opinion', async () => {
  const ok = await validateWat('(module (type $s (struct (field i32))) (func (param (ref null $s)) (result i32) (struct.get $s 0 (local.get 0))))');
  assert.deepEqual(ok.validator, ['wabt', 'binaryen']);
  assert.equal(ok.valid, true, JSON.stringify(ok.diagnostics));
  assert.ok(ok.diagnostics.every((d) => d.severity !== 'error'));
  const bad = await validateWat('(module (type $s (struct (field i32))) (func (param (ref null $s)) (result i64) (struct.get $s 0 (local.get 0))))');
  assert.equal(bad.valid, false);
  assert.ok(bad.diagnostics.some((d) => d.source === 'binaryen' && /function body type must match/.test(d.message)), JSON.stringify(bad.diagnostics));
});

test('wasm: valid, invalid (byte offset), truncated and garbage input', async () => {
  const good = await compileWat('(module (func (export "f") (result i32) (i32.const 42)))');
  assert.ok(good.bytes);
  const v = await validateWasm(good.bytes);
  assert.equal(v.valid, true);

  // invalid body: replace i32.const 42 with i64.const 42 (0x41 -> 0x42): a type error in the code section
  const bad = new Uint8Array(good.bytes);
  const at = bad.indexOf(0x41, bad.length - 6);
  assert.ok(at > 0);
  bad[at] = 0x42;
  const r = await validateWasm(bad);
  assert.equal(r.valid, false);
  assert.match(r.diagnostics[0].message, /type mismatch/);
  assert.ok(r.diagnostics[0].span.start > 8 && r.diagnostics[0].span.start < bad.length, JSON.stringify(r.diagnostics[0]));

  const trunc = await validateWasm(good.bytes.subarray(0, good.bytes.length - 3));
  assert.equal(trunc.valid, false);
  assert.equal(trunc.diagnostics[0].code, 'wasm-malformed');
  assert.ok(trunc.diagnostics[0].message.length > 5);

  const garbage = await validateWasm(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  assert.equal(garbage.valid, false);
  assert.match(garbage.diagnostics[0].message, /magic/);

  const empty = await validateWasm(new Uint8Array(0));
  assert.equal(empty.valid, false);
  assert.ok(empty.diagnostics.length > 0);
});

test('a small file read as a pooled Buffer is validated correctly (copied before wabt)', async () => {
  const good = await compileWat('(module (func (export "g")))');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wwtc-'));
  try {
    const file = path.join(dir, 'm.wasm');
    fs.writeFileSync(file, good.bytes!);
    const buf = fs.readFileSync(file);
    const r = await validateWasm(buf);
    assert.equal(r.valid, true, JSON.stringify(r.diagnostics));
    // a view into a larger buffer must be taken as its own bytes only
    const big = new Uint8Array(100 + buf.length);
    big.set(buf, 50);
    const view = big.subarray(50, 50 + buf.length);
    assert.equal((await validateWasm(view)).valid, true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('nesting wabt cannot parse (178 plain blocks hung it for 20 s): binaryen alone validates it, and says so', async () => {
  for (const depth of [178, 400]) {
    const text = `(module (func\n${'block\n'.repeat(depth)}${'end\n'.repeat(depth)}))`;
    const t0 = performance.now();
    const r = await validateWat(text);
    const elapsed = performance.now() - t0;
    assert.equal(r.valid, true, JSON.stringify(r.diagnostics));
    assert.deepEqual(r.validator, ['binaryen']);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0].code, 'input-limit');
    assert.equal(r.diagnostics[0].severity, 'info');
    assert.equal(r.diagnostics[0].message, `validated by binaryen only: instructions nest ${depth + 2} levels deep here, beyond what wabt can parse (100)`);
    // the innermost `block`
    assert.equal(r.diagnostics[0].span.start, text.lastIndexOf('block'));
    // well below the 20 s wabt took to give up (a generous bound: binaryen may have to load first)
    assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
  }
  // binaryen's verdict on an invalid deep module
  const bad = `(module (func\n${'block\n'.repeat(300)}i32.const 1\n${'end\n'.repeat(300)}))`;
  const r = await validateWat(bad);
  assert.equal(r.valid, false);
  assert.ok(r.diagnostics.some((d) => d.code === 'validation' && d.source === 'binaryen'), JSON.stringify(r.diagnostics));
});

test('nesting beyond both validators (100,000 folded blocks): not validated, at once, with the place', async () => {
  const depth = 100_000;
  const text = `(module (func ${'(block '.repeat(depth)}${')'.repeat(depth)}))`;
  const r = await validateWat(text);
  assert.equal(r.valid, false);
  assert.deepEqual(r.validator, []);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity, d.message]),
    [['input-limit', 'error', `not validated: instructions nest ${depth + 2} levels deep here, beyond what wabt (100) and binaryen (500) can parse`]],
  );
  assert.equal(r.diagnostics[0].span.start, text.lastIndexOf('(block'));
});

test('a binary nesting blocks 100,000 deep: wabt runs out of stack, binaryen validates it, and the note says why', async () => {
  const n = 100_000;
  const body = [0, ...new Array(n).fill([0x02, 0x40]).flat(), ...new Array(n + 1).fill(0x0b)];
  const leb = (x: number) => {
    const o: number[] = [];
    do {
      let b = x & 0x7f;
      x = Math.floor(x / 128);
      if (x) b |= 0x80;
      o.push(b);
    } while (x);
    return o;
  };
  const code = [1, ...leb(body.length), ...body];
  const bytes = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, ...leb(code.length), ...code]);
  const r = await validateWasm(bytes);
  assert.equal(r.valid, true, JSON.stringify(r.diagnostics));
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0].code, 'input-limit');
  assert.match(r.diagnostics[0].message, /^validated by binaryen only: wabt ran out of stack on this module/);
});

test('compiling nesting wabt cannot parse (400 folded blocks crashed it) is refused at once, and the next compile works', async () => {
  const depth = 400;
  const text = `(module (func ${'(block '.repeat(depth)}${')'.repeat(depth)}))`;
  const c = await compileWat(text);
  assert.equal(c.bytes, undefined);
  assert.deepEqual(
    c.diagnostics.map((d) => [d.code, d.message]),
    [['input-limit', `not compiled: instructions nest ${depth + 2} levels deep here, beyond what wabt can parse (100)`]],
  );
  const next = await compileWat('(module (func (nop)))');
  assert.ok(next.bytes, JSON.stringify(next.diagnostics));
});

test('wabt (the disassembly oracle) refuses inputs over its size limit, pointing to the header view', async () => {
  const good = await compileWat('(module (func (export "f")))');
  const r = await wabtDisassemble(good.bytes!, { maxBytes: 10 });
  assert.equal(r.text, undefined);
  assert.equal(r.diagnostics[0].code, 'too-large-to-disassemble');
  assert.match(r.diagnostics[0].message, /header view/);
  const bad = await wabtDisassemble(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 9]));
  assert.equal(bad.text, undefined);
  assert.ok(bad.diagnostics[0].message.length > 0);
  assert.equal(bad.diagnostics[0].severity, 'error');
});
