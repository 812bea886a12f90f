import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWat } from '../../../server/src/engine/wat';
import { isList, type List } from '../../../server/src/engine/wat/syntax';

const codes = (text: string, script = false) => parseWat(text, { script }).diagnostics.map((d) => d.code);

const VALID = `(module
  (type $t (func (param i32) (result i32)))
  (rec (type $s (sub (struct (field $a (mut i32)) (field i8)))) (type $arr (array (mut (ref null $s)))))
  (import "env" "f" (func $imp (type $t)))
  (import "env" "m" (memory 1 2 shared))
  (func $g (import "env" "g") (param i32))
  (memory $m2 (export "mem") i64 1 (pagesize 1))
  (memory (data "hello" "\\00"))
  (table $tab (export "tab") 2 funcref)
  (table funcref (elem $f $f))
  (global $gl (mut i64) (i64.const -9223372036854775808))
  (tag $e (param i32))
  (func $f (export "f") (param $x i32) (result i32) (local $y v128) (local f32 f64)
    (block $b (result i32)
      (loop $l
        (br_if $l (i32.eqz (local.get $x))))
      (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))
    try_table (catch $e 0) (catch_all 0) end
    block (result i32) i32.const 0 br 0 end
    drop
    (v128.const i32x4 1 2 3 0xffffffff) (local.set $y)
    (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (local.get $y) (local.get $y)) drop
    (i32.load offset=4 align=2 (i32.const 0)) drop
    (i32.atomic.rmw.add $m2 (i64.const 0) (i32.const 1)) drop
    (call_indirect $tab (type $t) (i32.const 0) (i32.const 0)) drop
    (struct.new $s (i32.const 1) (i32.const 2)) drop
    (ref.func $f) drop
    (return_call $f (local.get $x)))
  (export "g" (global $gl))
  (elem (table $tab) (offset (i32.const 0)) func $f)
  (elem declare funcref (ref.func $f))
  (data (memory $m2) (i64.const 8) "abc")
  (start $g2)
  (func $g2))`;

test('a module using every field and many proposals parses cleanly', () => {
  const doc = parseWat(VALID);
  assert.deepEqual(doc.diagnostics.map((d) => `${d.code}: ${d.message}`), []);
  assert.equal(doc.modules.length, 1);
});

test('bare fields without (module ...) are one module', () => {
  const doc = parseWat('(func $a) (memory 1)');
  assert.deepEqual(doc.diagnostics, []);
  assert.equal(doc.modules[0].funcs.length, 1);
  assert.equal(doc.modules[0].memories.length, 1);
});

test('one typo gives exactly one diagnostic (recovery)', () => {
  const cases: [string, string][] = [
    ['i32.cosnt 1', 'wat-unknown-instruction'],
    ['(i32.addd (i32.const 1) (i32.const 2))', 'wat-unknown-instruction'],
    ['i32.const 0x', 'wat-bad-number'],
    ['i32.const 4294967296', 'wat-bad-number'],
    ['i32.load align=3 (i32.const 0)', 'wat-bad-number'],
    ['local.get $nope', 'wat-unknown-id'],
    ['block $a end $b', 'wat-label-mismatch'],
  ];
  for (const [body, code] of cases) {
    const text = `(module (memory 1) (func $f (param $p i32)\n  ${body}\n  nop\n  (drop (i32.const 1))))`;
    assert.deepEqual(codes(text), [code], body);
  }
  assert.deepEqual(codes('(module (func) (fnuc) (func))'), ['wat-unknown-field']);
  assert.deepEqual(codes('(module (func $a) (func $a))'), ['wat-duplicate-id']);
  assert.deepEqual(codes('(module (data "abc\\q"))'), ['wat-bad-string']);
});

test('a missing or extra paren gives one diagnostic and later fields still parse', () => {
  const missing = '(module\n (func $a (drop (i32.const 1))\n (func $b (result i32) (i32.const 2))\n (memory 1))';
  const doc = parseWat(missing);
  assert.deepEqual(doc.diagnostics.map((d) => d.code), ['wat-unbalanced-paren']);
  assert.equal(doc.modules[0].funcs.length, 2, 'recovery reopens $b as a field');
  assert.equal(doc.modules[0].memories.length, 1);
  assert.deepEqual(codes('(module (func)))'), ['wat-unbalanced-paren']);
  // an extra `)` in a body: the rest of the body lands at module level, still one diagnostic
  const extra = '(module\n (func $a (local.get 0)) i32.const 1 drop)\n (func $b))';
  assert.deepEqual(codes(extra.replace('(local.get 0))', '(param i32) (local.get 0))')).filter((c) => c !== 'wat-unbalanced-paren').length, 1);
  assert.deepEqual(codes('(module (func)'), ['wat-unbalanced-paren']);
});

test('every node has a span inside the text', () => {
  const doc = parseWat(VALID);
  const stack = [...doc.tree.children];
  let n = 0;
  while (stack.length) {
    const x = stack.pop()!;
    n++;
    assert.ok(x.start >= 0 && x.end <= VALID.length && x.start < x.end, JSON.stringify(x).slice(0, 80));
    if (isList(x)) stack.push(...x.children);
  }
  assert.ok(n > 200);
});

test('100k nested parens parse without recursion', () => {
  const depth = 100_000;
  const text = '(module (func ' + '(block '.repeat(depth) + 'nop' + ')'.repeat(depth) + '))';
  const doc = parseWat(text);
  assert.deepEqual(doc.diagnostics, []);
  let d = 0;
  let n = doc.tree.children[0] as List;
  while (isList(n.children[n.children.length - 1])) {
    n = n.children[n.children.length - 1] as List;
    d++;
  }
  assert.equal(d, depth + 1);
  // and flat block nesting, 100k deep
  const flat = '(func ' + 'block '.repeat(depth) + 'end '.repeat(depth) + ')';
  assert.deepEqual(parseWat(flat).diagnostics, []);
  const unclosed = '(func ' + 'block '.repeat(depth) + 'end '.repeat(depth - 1) + ')';
  assert.deepEqual(parseWat(unclosed).diagnostics.map((x) => x.code), ['wat-syntax']);
});

test('huge input (about 3 MB) parses and every function is modelled', () => {
  const fn = '(func $f{i} (param i32) (result i32) (i32.add (local.get 0) (i32.const {i})))\n';
  const n = 40_000;
  const parts: string[] = ['(module'];
  for (let i = 0; i < n; i++) parts.push(fn.replaceAll('{i}', String(i)));
  parts.push(')');
  const text = parts.join('');
  assert.ok(text.length > 3_000_000);
  const doc = parseWat(text);
  assert.equal(doc.diagnostics.length, 0);
  assert.equal(doc.modules[0].funcs.length, n);
});

test('garbage input gives diagnostics, never throws', () => {
  const inputs = ['', ')))', '((((', '"', '$', '(module (func (i32.const)))', '\u0000\u0001', '(module binary "\\00asm")', 'x y z', '(@', '(;', '(func (param $x))'];
  for (const s of inputs) {
    assert.doesNotThrow(() => parseWat(s), s);
    assert.doesNotThrow(() => parseWat(s, { script: true }), s);
  }
  assert.ok(codes('(module (func (i32.const)))').length === 1);
});

test('.wast scripts: every module command, quote errors at the quote, binary skipped', () => {
  const script = `(module $A (func (export "f") (result i32) (i32.const 1)))
(register "a" $A)
(assert_return (invoke $A "f") (i32.const 1))
(module quote "(func" " (result i32) (i32.const 2))")
(module binary "\\00asm\\01\\00\\00\\00")
(assert_malformed (module quote "(func i32.cnst 0)") "unknown operator")
(assert_invalid (module (func (result i32))) "type mismatch")
(module definition $D (memory 1))
(module quote "(func (i32.kaboom))")`;
  const doc = parseWat(script, { script: true });
  assert.equal(doc.modules.length, 4, 'two text, two quoted; binary not modelled');
  assert.equal(doc.modules[0].id, '$A');
  assert.equal(doc.modules[1].funcs[0].sig?.results[0], 'i32');
  assert.equal(doc.diagnostics.length, 1);
  const q = script.lastIndexOf('"(func (i32.kaboom))"');
  assert.equal(doc.diagnostics[0].span.start, q);
  assert.equal(doc.diagnostics[0].code, 'wat-unknown-instruction');
});

test('seeded mutations of a valid module never throw and always leave a tree', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pieces = ['(', ')', '"', '$', ';;', '(;', ';)', '0x', '(@a', 'block', 'end', 'i32.const', '(module', '\\', 'nan:0x', '(then', '(type 99)', 'br 7', '$"'];
  let withDiagnostics = 0;
  for (let iter = 0; iter < 300; iter++) {
    let t = VALID;
    for (let k = 0; k < 3; k++) {
      const p = Math.floor(rnd() * t.length);
      const r = rnd();
      if (r < 0.33) t = t.slice(0, p) + t.slice(p + 1 + Math.floor(rnd() * 5));
      else if (r < 0.66) t = t.slice(0, p) + pieces[Math.floor(rnd() * pieces.length)] + t.slice(p);
      else t = t.slice(0, p) + String.fromCharCode(Math.floor(rnd() * 300)) + t.slice(p + 1);
    }
    const doc = parseWat(t);
    assert.ok(doc.tree.end === t.length);
    assert.ok(doc.diagnostics.every((d) => d.source === 'wat-parser' && d.span.start >= 0 && d.span.end <= t.length));
    if (doc.diagnostics.length > 0) withDiagnostics++;
  }
  assert.ok(withDiagnostics > 150, `most mutations are reported (${withDiagnostics}/300)`);
});

test('signed label depths and indexes are reported, never thrown on', () => {
  for (const src of ['(func block br -1 end)', '(func block br_if -0x1 end)', '(func (local i32) local.get -1 drop)', '(func block br_table 0 -1 end)']) {
    assert.deepEqual(codes(src), ['wat-bad-number'], src);
  }
  const doc = parseWat('(func $f block $a block br 1 br 0x1 br 1_0 br 2 end end)');
  const targets = doc.tree.modules[0].refs.filter((r) => r.space === 'label').map((r) => r.target?.keyword ?? r.target?.id ?? null);
  // depth 1 is the outer block, 1_0 (10) resolves to nothing, 2 (the function's own depth) to the function
  assert.deepEqual(targets, ['block', 'block', null, 'func']);
});

test('plain instructions: memargs in either order, constants, locals and globals by index or id', () => {
  assert.deepEqual(codes('(memory 1) (func i32.const 0 i32.load offset=4 align=4 drop i32.const 0 i32.load align=2 drop)'), []);
  assert.deepEqual(codes('(memory 1) (func i32.const 0 i32.load align=3 drop)'), ['wat-bad-number']);
  assert.deepEqual(codes('(memory 1) (func i32.const 0 i32.load offset=-1 drop)'), ['wat-bad-number']);
  // offset after align is not a memarg: it is left as an unknown instruction
  assert.deepEqual(codes('(memory 1) (func i32.const 0 i32.load align=4 offset=4 drop)'), ['wat-unknown-instruction']);
  assert.deepEqual(codes('(func i32.const 4294967296 drop i64.const 0x1_0000_0000 drop i32.const 1.5 drop)'), ['wat-bad-number', 'wat-bad-number']);
  assert.deepEqual(codes('(global $g i32 (i32.const 0)) (func (param $p i32) (local $l i32) local.get $p local.set $l local.get 1 global.get $g global.set 0 global.get $nope drop)'), ['wat-unknown-id']);
  assert.deepEqual(codes('(func (local i32) local.get 0 local.get $x drop drop)'), ['wat-unknown-id']);
  // end/else closing flat blocks; labels after end must match
  assert.deepEqual(codes('(func block $a end $a i32.const 0 if $b else $b end $b)'), []);
  assert.deepEqual(codes('(func block $a end $b)'), ['wat-label-mismatch']);
  assert.deepEqual(codes('(func end)'), ['wat-syntax']);
  assert.deepEqual(codes('(func (end))'), ['wat-syntax']);
  assert.deepEqual(codes('(func block else end)'), ['wat-syntax']);
  // extended-const: add/sub/mul in a constant expression
  assert.deepEqual(parseWat('(global i32 (i32.add (i32.const 1) (i32.const 2)))').modules[0].features, ['extended-const']);
  assert.deepEqual(parseWat('(func i32.const 1 i32.const 2 i32.add drop)').modules[0].features, []);
});

test('huge whitespace runs, string literals and tokens are scanned without overflowing the regexp engine', () => {
  const escapes = '\\00\\ff\\n'.repeat(700_000);
  const doc = parseWat(`(module${' \n\t'.repeat(1_000_000)}(memory 1) (data (i32.const 0) "${escapes}") (data (i32.const 0) "${'é'.repeat(2_000_000)}"))`);
  assert.deepEqual(doc.diagnostics, []);
  assert.deepEqual(doc.modules[0].data.map((d) => d.size), [2_100_000, 4_000_000]);
  const bad = parseWat(`(module (memory 1) (data (i32.const 0) "${escapes}\\q"))`);
  assert.deepEqual(bad.diagnostics.map((d) => d.code), ['wat-bad-string']);
  assert.equal(bad.diagnostics[0].span.start, bad.text.indexOf('\\q'));
});
