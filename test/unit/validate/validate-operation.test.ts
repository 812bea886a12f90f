/**
 * The `Validate` operation on binaries (engine/operations/validate.ts over engine/validate): hostile
 * input is an invalid verdict with a clear, located finding, never a crash or a hang (truncated bodies,
 * counts of 2^32-1, 100,000 levels of nesting, 300,000 functions), the event loop keeps turning while a
 * large module is validated, and a cancellation stops it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateFile } from '../../../server/src/engine/operations/validate';
import { validateWasmAsync } from '../../../server/src/engine/validate/module-validator';
import { functionNameOf, locatedMessage } from '../../../server/src/engine/validate/finding-location';
import { PolicyStore } from '../../../server/src/engine/policy/store';
import { compileC, module, section, str, u32, V8Wasm } from '../binary/wasm-fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-validate-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function validateBytes(bytes: Uint8Array) {
  const file = path.join(dir, `m${n++}.wasm`);
  fs.writeFileSync(file, bytes);
  const r = await validateFile(file, new PolicyStore({ roots: [dir] }));
  fs.rmSync(file);
  return r;
}

const TYPE_VOID = section(1, [1, 0x60, 0, 0]);
const withBody = (b: number[]) => module([TYPE_VOID, section(3, [1, 0]), section(10, [1, ...u32(b.length), ...b])]);
const validatorErrors = (r: Awaited<ReturnType<typeof validateBytes>>) => r.findings.filter((f) => f.source === 'validator' && f.severity === 'error');

test('a function count of 2^32-1 is malformed (the bytes cannot hold them), found at once', async () => {
  const bytes = module([TYPE_VOID, section(3, [...u32(0xffffffff), 0, 0, 0])]);
  const r = await validateBytes(bytes);
  assert.equal(r.valid, false);
  assert.deepEqual(r.validators, ['wasm-warden']);
  const [f] = validatorErrors(r);
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.rule, 'wasm-malformed');
  assert.match(f.message, /function/);
  assert.equal(V8Wasm.validate(bytes), false);
});

test('a code section of 2^32-1 bodies, and a body size past the end, are malformed', async () => {
  const many = module([TYPE_VOID, section(3, [1, 0]), section(10, [...u32(0xffffffff), 2, 0, 0x0b])]);
  const past = module([TYPE_VOID, section(3, [1, 0]), section(10, [1, ...u32(1000), 0, 0x0b])]);
  for (const bytes of [many, past]) {
    const r = await validateBytes(bytes);
    assert.equal(r.valid, false);
    assert.equal(validatorErrors(r)[0]?.rule, 'wasm-malformed', JSON.stringify(r.findings));
    assert.equal(V8Wasm.validate(bytes), false);
  }
});

test('2^32-1 locals in one group are accepted without allocating them; two such groups are too many', async () => {
  const one = withBody([1, ...u32(0xffffffff), 0x7f, 0x0b]);
  const r1 = await validateBytes(one);
  assert.equal(validatorErrors(r1).length, 0, JSON.stringify(r1.findings));
  const two = withBody([2, ...u32(0xffffffff), 0x7f, ...u32(0xffffffff), 0x7e, 0x0b]);
  const r2 = await validateBytes(two);
  assert.equal(r2.valid, false);
  assert.match(validatorErrors(r2)[0].message, /^func 0 at 0x[0-9a-f]+: too many locals/);
});

test('truncated bodies: every cut of a real module is a located error, never a crash', async () => {
  const bytes = compileC('int f(int x) { return x * 3 + 1; }\nint main(void) { return f(2); }\n');
  assert.ok(bytes, 'clang --target=wasm32-wasi must be installed');
  let cuts = 0;
  for (let cut = 9; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 60))) {
    const part = bytes.subarray(0, cut);
    const r = await validateBytes(part);
    assert.equal(r.valid, V8Wasm.validate(part), `cut at ${cut}`);
    if (!r.valid) {
      const errors = r.findings.filter((f) => f.severity === 'error');
      assert.ok(errors.length >= 1 && errors.every((f) => typeof f.offset === 'number' && f.offset <= cut), `cut at ${cut}: ${JSON.stringify(errors)}`);
    }
    cuts++;
  }
  assert.ok(cuts > 30);
  // a body whose declared size ends inside an instruction's immediate
  const r = await validateBytes(withBody([0, 0x41]));
  assert.equal(r.valid, false);
  assert.match(validatorErrors(r)[0].message, /^func 0, i32\.const at 0x[0-9a-f]+: |^func 0 at 0x[0-9a-f]+: .*unexpected end/);
});

test('100,000 levels of nesting validate; the same left open is an unexpected end at the end of the body', async () => {
  const depth = 100_000;
  const open = new Array(depth).fill([0x02, 0x40]).flat();
  const ok = await validateBytes(withBody([0, ...open, ...new Array(depth + 1).fill(0x0b)]));
  assert.equal(ok.valid, true, JSON.stringify(ok.findings));
  const unclosed = await validateBytes(withBody([0, ...open, 0x0b]));
  assert.equal(unclosed.valid, false);
  assert.match(validatorErrors(unclosed)[0].message, /missing `end`/);
});

/** A module of `count` functions `nop` (typed arrays: a spread of millions of numbers would cost seconds), optionally named `f0`, `f1`... */
function manyFunctions(count: number, named: boolean): { bytes: Uint8Array; lastNop: number } {
  const sec = (id: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([id, ...u32(payload.length)]), payload]);
  const funcs = Buffer.concat([Buffer.from(u32(count)), Buffer.alloc(count)]);
  const bodies = Buffer.concat([Buffer.from(u32(count)), Buffer.alloc(4 * count, Uint8Array.of(3, 0, 0x01, 0x0b))]);
  const parts = [Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.from(TYPE_VOID), sec(3, funcs), sec(10, bodies)];
  const lastNop = parts.reduce((a, p) => a + p.length, 0) - 2;
  if (named) {
    const entries = Buffer.concat([Buffer.from(u32(count)), ...Array.from({ length: count }, (_, i) => Buffer.from([...u32(i), ...str(`f${i}`)]))]);
    parts.push(sec(0, Buffer.concat([Buffer.from(str('name')), Buffer.from([1, ...u32(entries.length)]), entries])));
  }
  return { bytes: new Uint8Array(Buffer.concat(parts)), lastNop };
}

test('300,000 functions: valid, and a mistake in the last one is located there, by name', async () => {
  const count = 300_000;
  const { bytes, lastNop } = manyFunctions(count, true);
  assert.equal((await validateBytes(bytes)).valid, true);
  assert.equal(bytes[lastNop], 0x01, 'the last nop');
  bytes[lastNop] = 0x1a; // a drop with nothing on the stack
  const r = await validateBytes(bytes);
  assert.equal(r.valid, false);
  assert.equal(validatorErrors(r)[0].message, `func ${count - 1} ($f${count - 1}), drop at 0x${lastNop.toString(16)}: drop expects an operand but the stack is empty`);
});

test('the event loop turns while a large module is validated, and a cancellation stops it between functions', async () => {
  const { bytes } = manyFunctions(200_000, false);
  let turns = 0;
  let running = true;
  const spin = (): void => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const r = await validateWasmAsync(bytes, { sliceMs: 1 });
  running = false;
  assert.equal(r.valid, true);
  assert.ok(turns > 1, `the event loop turned ${turns} times`);
  const controller = new AbortController();
  const pending = validateWasmAsync(bytes, { sliceMs: 1, signal: controller.signal });
  setImmediate(() => controller.abort());
  await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
});

test('function names: found in the name section, cut when absurdly long, absent when the section is malformed', () => {
  const named = (payload: number[]) => module([TYPE_VOID, section(3, [1, 0]), section(10, [1, 2, 0, 0x0b]), section(0, [...str('name'), ...payload])]);
  const sub = (names: number[]) => [1, ...u32(names.length), ...names];
  assert.equal(functionNameOf(named(sub([1, 0, ...str('main')])), 0), 'main');
  assert.equal(functionNameOf(named(sub([1, 0, ...str('main')])), 1), undefined);
  assert.equal(functionNameOf(named([1, ...u32(50), 1, 0]), 0), undefined, 'a subsection past the end of its section');
  const long = 'x'.repeat(10_000);
  const message = locatedMessage({ func: 0, funcName: long, instruction: 'nop', offset: 0x20, message: 'm', malformed: false });
  assert.ok(message.length < 300, message);
  assert.match(message, /^func 0 \(\$x+…\), nop at 0x20: m$/);
});
