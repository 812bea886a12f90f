/**
 * The WAT assembler beyond the spec suite: nesting 100,000 levels deep (folded and flat), the source
 * map (a validator finding lands on the instruction at fault), names and custom sections (printed
 * back by wasm-tools), its own diagnostics with ranges, and garbage input (never a throw).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleWat } from '../../../server/src/engine/assemble';
import { validateWatText } from '../../../server/src/engine/validate/wat';
import { compileWatText } from '../../../server/src/engine/operations/compile';
import { prng } from '../binary/wasm-fixtures';
import { withoutNames } from './without-names';

type Jco = { print(bytes: Uint8Array): Promise<string> | string; parse(text: string): Promise<Uint8Array> | Uint8Array };
/** V8's verdict (the DOM lib's WebAssembly types are not loaded in the tests' compilation) */
const v8Validate = (b: Uint8Array): boolean => (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(b);

const jco = async (): Promise<Jco> => (await import('@bytecodealliance/jco')) as unknown as Jco;

test('100,000 nested folded blocks and 100,000 nested flat blocks assemble and validate', () => {
  const N = 100_000;
  const folded = `(module (func ${'(block '.repeat(N)}${')'.repeat(N)}))`;
  const a = assembleWat(folded);
  assert.deepEqual(a.diagnostics, []);
  assert.ok(v8Validate(a.bytes));
  const flat = `(module (func ${'block '.repeat(N)}${'end '.repeat(N)}))`;
  const b = assembleWat(flat);
  assert.deepEqual(b.diagnostics, []);
  assert.ok(v8Validate(b.bytes));
  assert.deepEqual(validateWatText(flat), []);
  // the same code: folded and flat forms are one encoding
  assert.deepEqual(Buffer.from(a.bytes), Buffer.from(b.bytes));
});

test('a type error is reported on the instruction at fault, with the validator\'s message', () => {
  const text = '(module\n  (func (result i32)\n    (i32.add (i32.const 1) (f32.const 2))))';
  const [d, ...rest] = validateWatText(text);
  assert.deepEqual(rest, []);
  assert.equal(d.source, 'validator');
  assert.match(d.message, /type mismatch|expected|i32/);
  assert.equal(text.slice(d.span.start, d.span.end), '(i32.add');
  const flat = '(module (func (result i32) i32.const 1 f32.const 2 i32.add))';
  const [e] = validateWatText(flat);
  assert.equal(flat.slice(e.span.start, e.span.end), 'i32.add');
  const local = '(module (func local.get 5 drop))';
  const [l] = validateWatText(local);
  assert.equal(local.slice(l.span.start, l.span.end), 'local.get 5');
});

test('module-level findings map to the field: a duplicate export name, a start function with params', () => {
  const text = '(module (func $f (param i32)) (export "a" (func $f)) (export "a" (func $f)))';
  const [d] = validateWatText(text);
  assert.match(d.message, /duplicate export/);
  assert.equal(text.slice(d.span.start, d.span.end), '(export "a" (func $f))');
  assert.equal(d.span.start, text.lastIndexOf('(export'));
  const start = '(module (func $f (param i32)) (start $f))';
  const [s] = validateWatText(start);
  assert.equal(start.slice(s.span.start, s.span.end), '(start $f)');
});

test('a .wast script: each top-level module is validated; assert_invalid modules are not', () => {
  const script = [
    '(module (func (result i32) (i32.const 0)))',
    '(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")',
    '(module quote "(func (result i32) (f32.const 0))")',
    '(module binary "\\00asm" "\\01\\00\\00\\00")',
  ].join('\n');
  const ds = validateWatText(script, { script: true });
  assert.equal(ds.length, 1, JSON.stringify(ds));
  assert.match(ds[0].message, /in quoted module/);
});

test('the assembler\'s own errors have ranges: unknown struct field, malformed alignment', () => {
  const text = '(module (type $s (struct (field $a i32))) (func (param (ref $s)) (result i32) (struct.get $s $b (local.get 0))))';
  const a = assembleWat(text);
  const d = a.diagnostics.find((x) => /unknown field/.test(x.message));
  assert.ok(d, JSON.stringify(a.diagnostics));
  assert.equal(text.slice(d.span.start, d.span.end), '$b');
});

test('names and custom sections: $ids into the name section, (@custom ...) where it is placed', async () => {
  const text = `(module $m
    (type $sig (func (param i32)))
    (global $g i32 (i32.const 1))
    (func $f (type $sig) (param $x i32) (local $y i64) (block $out (loop $again (br $out))))
    (@custom "meta" (after func) "ab\\01")
    (@custom "first" (before first) ""))`;
  const a = assembleWat(text);
  assert.deepEqual(a.diagnostics, []);
  const printed = await (await jco()).print(a.bytes);
  assert.match(printed, /\(module \$m/);
  assert.match(printed, /\(type \$sig/);
  assert.match(printed, /\(global \$g/);
  assert.match(printed, /\(func \$f .*\(param \$x i32\)/);
  assert.match(printed, /\(local \$y i64\)/);
  assert.match(printed, /block \$out/);
  assert.match(printed, /loop \$again/);
  assert.match(printed, /\(@custom "meta" \(after func\) "ab\\01"\)/);
  assert.match(printed, /\(@custom "first" \(before first\) ""\)/);
  // without names (Compile's default, as wat2wasm): no name section at all
  const bare = assembleWat(text, { names: false });
  assert.ok(!Buffer.from(bare.bytes).includes(Buffer.from('\u0004name')));
});

test('every proposal the parser knows, checked against wasm-tools', async () => {
  const J = await jco();
  const texts = [
    '(module (memory i64 1) (func (param i64) (result i32) (i32.load offset=8 (local.get 0))))',
    '(module (memory $a 1) (memory $b 1) (func (i32.store $b (i32.const 0) (i32.load $a (i32.const 4))) (memory.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0))))',
    '(module (memory 1 (pagesize 1)))',
    '(module (memory 1 2 shared) (func (result i32) (i32.atomic.rmw.add (i32.const 0) (i32.const 1)) atomic.fence))',
    '(module (func (result v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (v128.const i32x4 1 2 3 4) (v128.const f32x4 1.5 -0 nan inf)) (f32x4.relaxed_madd (v128.const i64x2 -1 0) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 255))))',
    '(module (tag $e (param i32)) (func (result i32) (block $h (result i32) (try_table (catch $e $h) (throw $e (i32.const 1))) (unreachable))))',
    '(module (type $f (func (result i32))) (func $g (type $f) (i32.const 1)) (elem declare func $g) (func (result i32) (return_call_ref $f (ref.func $g))))',
    '(module (rec (type $a (sub (struct (field $x (mut i32))))) (type $b (sub final $a (struct (field $x (mut i32)) (field (ref null $a)))))) (func (param (ref $b)) (result i32) (struct.get $b $x (local.get 0))) (func (param anyref) (result i32) (block $l (result (ref $a)) (br_on_cast $l anyref (ref $a) (local.get 0)) drop (i32.const 0) return) drop (i32.const 1)))',
    '(module (type $arr (array (mut i8))) (data $d "abc") (func (result (ref $arr)) (array.new_data $arr $d (i32.const 0) (i32.const 3))))',
    '(module (global i32 (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3)))))',
    '(module (table $t 2 externref) (func (param externref) (table.set $t (i32.const 0) (local.get 0)) (table.fill $t (i32.const 0) (ref.null extern) (i32.const 1))))',
    '(module (func (param i32) (result i32 i64) (local.get 0) (i64.const 2) (if (param i32 i64) (result i32 i64) (i32.const 1) (then) (else))))',
  ];
  for (const t of texts) {
    const a = assembleWat(t, { names: false });
    assert.deepEqual(a.diagnostics, [], t);
    assert.deepEqual(validateWatText(t), [], t);
    const ours = await J.print(a.bytes);
    const theirs = await J.print(withoutNames(await J.parse(t)));
    assert.equal(ours, theirs, t);
  }
  // the legacy exceptions (try/catch/delegate), which this wasm-tools no longer parses: against wabt.js
  const wabt = await (require('wabt') as typeof import('wabt'))();
  const legacy = [
    '(module (tag $e (param i32)) (func (try (do (throw $e (i32.const 1))) (catch $e drop) (catch_all))) (func (try $l (do (try (do nop) (delegate $l))) (catch_all (rethrow $l)))))',
    '(module (tag $e) (func try $a throw $e catch $e catch_all rethrow $a end))',
  ];
  const features = { exceptions: true };
  for (const t of legacy) {
    const a = assembleWat(t, { names: false });
    assert.deepEqual(a.diagnostics, [], t);
    assert.deepEqual(validateWatText(t), [], t);
    const read = (b: Uint8Array): string => wabt.readWasm(b, features).toText({});
    assert.equal(read(a.bytes), read(new Uint8Array(wabt.parseWat('x.wat', t, features).toBinary({}).buffer)), t);
  }
});

test('garbage and mutated texts never throw', () => {
  const base = `(module (type $t (func (param i32) (result i32))) (memory 1) (table 1 funcref)
    (global $g (mut i32) (i32.const 0)) (func $f (type $t) (local $x i64)
    (block $b (result i32) (br_if $b (i32.const 1) (local.get 0)) (if (result i32) (then (i32.const 2)) (else (i32.const 3))))
    (i32.store offset=4 (i32.const 0) (i32.const 1)) loop $l br $l end (v128.const i32x4 1 2 3 4) drop)
    (elem (i32.const 0) $f) (data (i32.const 0) "x") (export "f" (func $f)) (start $f))`;
  const next = prng(7);
  const pieces = ['(', ')', '$t', '0', '-1', 'i32.const', 'end', 'block', '"', '(then', 'offset=', 'nan:0x1', '0x1p+999', '(ref', 'func', '(item'];
  for (let k = 0; k < 1000; k++) {
    let s = base;
    const edits = 1 + Math.floor(next() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * s.length);
      const r = next();
      if (r < 0.4) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(next() * 8));
      else s = s.slice(0, at) + pieces[Math.floor(next() * pieces.length)] + ' ' + s.slice(at);
    }
    assert.doesNotThrow(() => assembleWat(s), s);
    assert.doesNotThrow(() => validateWatText(s), s);
    assert.doesNotThrow(() => compileWatText(s), s);
  }
});

test('compile: a validator finding is located on its instruction (Compile assembles without an instruction map until it needs one)', () => {
  // flat code takes the assembler's fast path, folded code the full path: both locate the instruction
  for (const text of [
    '(module (func $a (result i32) i32.const 7) (func $b (result i32) i32.const 1 f32.const 2 i32.add))',
    '(module (func $a (result i32) (i32.const 7)) (func $b (result i32) (i32.add (i32.const 1) (f32.const 2))))',
  ]) {
    const r = compileWatText(text);
    assert.equal(r.bytes, undefined, text);
    const d = r.diagnostics[0];
    assert.equal(d.source, 'validator', text);
    assert.equal(text.slice(d.span.start, d.span.end).replace(/^\(/, '').split(' ')[0], 'i32.add', text);
    assert.equal((d.data as { func?: number }).func, 1, text);
  }
});

test('compile: errors with ranges and no bytes; bytes when valid', () => {
  const bad = '(module (func (result i32) (i64.const 1)))';
  const r = compileWatText(bad);
  assert.equal(r.bytes, undefined);
  // the end of the function is where the result is checked: its closing paren
  assert.equal(r.diagnostics[0].source, 'validator');
  assert.equal(r.diagnostics[0].span.start, bad.length - 2);
  assert.equal(r.diagnostics[0].span.end, bad.length - 1);
  const syntax = compileWatText('(module (func (i32.const)))');
  assert.equal(syntax.bytes, undefined);
  assert.equal(syntax.diagnostics[0].source, 'wat-parser');
  const good = compileWatText('(module (func (export "f") (result i32) (i32.const 42)))');
  assert.deepEqual(good.diagnostics, []);
  assert.ok(good.bytes && v8Validate(good.bytes));
});
