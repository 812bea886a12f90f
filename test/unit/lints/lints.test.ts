/**
 * The lints one by one (what each reports and what it must not), and their per-function cache: after
 * incremental edits the findings equal those of a fresh parse of the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWat } from '../../../server/src/engine/wat';
import { applyWatEdit, reparseWat } from '../../../server/src/engine/wat/incremental';
import { LINTS, lintDocument, lintSeverities } from '../../../server/src/engine/lints';

const ALL = lintSeverities(Object.fromEntries(LINTS.map((l) => [l.name, 'warning'])));

function found(src: string): string[] {
  const doc = parseWat(src);
  return lintDocument(doc, ALL).map((f) => `${f.code} ${src.slice(f.span.start, f.span.end).replace(/\s+/g, ' ')}`);
}

test('unused items: reported when unused, quiet when exported, started, called, in a segment, or by index', () => {
  assert.deepEqual(
    found(`(module
      (func $a) (func $b (export "b")) (func $c) (func $d) (func $e) (func $f)
      (start $c)
      (table 1 funcref) (elem (i32.const 0) $d)
      (func (export "x") (call 4) (drop (ref.func $f)))
      (global $g i32 (i32.const 0)) (global $h (export "h") i32 (i32.const 0))
      (func (export "l") (param $p i32) (local $used i32) (local $unused i64) (local.set $used (i32.const 1))))`),
    ['unused-function $a', 'unused-global $g', 'unused-local $unused'],
  );
});

test('unused types: a function type used by a matching inline signature or a block type is not reported', () => {
  assert.deepEqual(found('(module (type $t (func (param i32))) (func (export "f") (param i32)))'), []);
  assert.deepEqual(found('(module (type $t (func (param i32) (result i32))) (func (export "f") (result i32) (i32.const 1) (block (param i32) (result i32))))'), []);
  assert.deepEqual(found('(module (type $s (struct)) (type $t (func (param f64))) (func (export "f")))'), ['unused-type $s', 'unused-type $t']);
  assert.deepEqual(found('(module (rec (type $a (struct)) (type $b (struct))) (func (export "f")))'), [], 'members of a recursive group are never reported');
});

test('unreachable code: after br, return, unreachable and throw; flat and folded; nothing in live code', () => {
  assert.deepEqual(found(`(module (func (export "f") (result i32)
    block $l
      br $l
      i32.const 1
      drop
    end
    (if (i32.const 0) (then (return (i32.const 2)) (nop)))
    unreachable
    i32.const 3))`), ['unreachable-code i32.const 1 drop', 'unreachable-code (nop)', 'unreachable-code i32.const 3']);
  assert.deepEqual(found('(module (func (export "f") (param i32) (block (br_if 0 (local.get 0)) (nop)) (loop (br_if 0 (local.get 0))) (if (local.get 0) (then (br 0)) (else (nop)))))'), []);
});

test('a local read but never set; labels unused or shadowing', () => {
  assert.deepEqual(found('(module (func (export "f") (result i32) (local $x i32) (local $y i32) (local.set $y (i32.const 1)) (i32.add (local.get $x) (local.get $y))))'), [
    'local-never-set $x',
  ]);
  assert.deepEqual(found('(module (func (export "f") (block $a (block $a (br $a))) (block $b (br $b)) (block $c)))'), [
    'unused-label $a',
    'shadowed-label $a',
    'unused-label $c',
  ]);
});

test('after incremental edits, the findings equal those of a fresh parse (the per-function cache is shifted or refreshed)', () => {
  let text = `(module
  (func $one (export "one") (local $x i32) (drop (local.get $x)) return nop)
  (func $two (export "two") block $l br $l nop end)
  (func $three (export "three") (local $unused i32))
)`;
  let doc = parseWat(text);
  const edits: [string, string][] = [
    ['(local.get $x)', '(local.get $x) (local.set $x (i32.const 1))'], // $x now set: no finding in $one
    ['block $l br $l nop end', 'block $l br $l nop nop end'], // the dead stretch grows
    ['(func $three', '(func $zero (export "zero") unreachable nop)\n  (func $three'], // a new function shifts the rest
    ['(local $unused i32)', ''],
  ];
  for (const [from, to] of edits) {
    const at = text.indexOf(from);
    assert.ok(at >= 0, from);
    lintDocument(doc, ALL); // fill the cache before the edit
    const edit = { start: at, end: at + from.length, text: to };
    doc = reparseWat(doc, edit);
    text = applyWatEdit(text, edit);
    assert.equal(doc.text, text);
    const strip = (ds: ReturnType<typeof lintDocument>) => ds.map((d) => `${d.code}@${d.span.start}-${d.span.end}`);
    assert.deepEqual(strip(lintDocument(doc, ALL)), strip(lintDocument(parseWat(text), ALL)), `after ${JSON.stringify(to)}`);
  }
});
