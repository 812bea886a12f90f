import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseWat } from '../../../server/src/engine/wat';
import { convertToId, prepareRename, renameAt } from '../../../server/src/engine/editing/rename';
import { applyEdits } from '../../../server/src/features/code-actions';
import { signatureHelpAt } from '../../../server/src/engine/editing/signature-help';

const at = (text: string, needle: string, nth = 0) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, needle);
  return i + needle.length;
};

test('renames every kind of $id across its module, from the definition or any reference', () => {
  const text =
    '(module (type $sig (func (param i32))) (table $tab 1 funcref) (memory $mem 1) (global $g (mut i32) (i32.const 0)) (tag $t (param i32)) (data $d "") (elem $e func $f)\n' +
    '  (func $f (type $sig) (param $p i32) (local $l i32) block $b (br $b) end (local.set $l (local.get $p)) (global.set $g (i32.const 0)) (table.get $tab (i32.const 0)) drop (i32.load $mem (i32.const 0)) drop (data.drop $d) (elem.drop $e) (throw $t (i32.const 0)) (call $f (i32.const 0)))\n' +
    '  (export "f" (func $f)) (start $f))';
  const doc = parseWat(text);
  for (const [name, count] of [['$sig', 2], ['$tab', 2], ['$mem', 2], ['$g', 2], ['$t', 2], ['$d', 2], ['$e', 2], ['$f', 5], ['$p', 2], ['$l', 2], ['$b', 2]] as const) {
    const r = renameAt(doc, at(text, name), '$renamed');
    assert.ok('changes' in r, `${name}: ${JSON.stringify(r)}`);
    assert.equal(r.changes.length, count, name);
    const out = applyEdits(text, r.changes);
    assert.equal(parseWat(out).diagnostics.filter((d) => d.severity === 'error').length, 0, `${name}: ${out}`);
  }
});

test('refuses a name taken in the same scope; another function\'s local of that name is fine', () => {
  const text = '(module (func $a (param $x i32) (local $y i32)) (func $b (local $z i32)))';
  const doc = parseWat(text);
  assert.match((renameAt(doc, at(text, '$x'), '$y') as { error: string }).error, /already names a local/);
  assert.ok('changes' in renameAt(doc, at(text, '$z'), '$y'));
  assert.match((renameAt(doc, at(text, '$a'), '$b') as { error: string }).error, /another func/);
  assert.match((prepareRename(doc, at(text, '(module')) as { error: string }).error, /Nothing to rename/);
});

test('convert to $id: a numeric label reference, a field without an id', () => {
  const text = '(module (func block (br 0) (br_if 0 (i32.const 1)) end) (func (call 0)))';
  const doc = parseWat(text);
  const label = convertToId(doc, at(text, '(br 0'))!;
  assert.equal(applyEdits(text, label.changes), '(module (func block $label0 (br $label0) (br_if $label0 (i32.const 1)) end) (func (call 0)))');
  const fn = convertToId(doc, at(text, '(call 0'))!;
  assert.equal(applyEdits(text, fn.changes), '(module (func $func0 block (br 0) (br_if 0 (i32.const 1)) end) (func (call $func0)))');
  assert.equal(convertToId(doc, at(text, '(i32.const 1')), undefined);
});

test('signature help of an imported function and of a folded call with its operand count', () => {
  const text = '(module (import "m" "f" (func $imp (param i32 f64) (result i32))) (func (drop (call $imp (i32.const 1) (f64.const 2) ))))';
  const s = signatureHelpAt(parseWat(text), at(text, '(f64.const 2) '))!;
  assert.equal(s.label, '(func (param i32) (param f64) (result i32))');
  assert.equal(s.active, 1);
});

test('a module\'s $id in a script: renamed with its uses up to the next module of that name', () => {
  const text = '(module $m (func (export "f")))\n(register "x" $m)\n(assert_return (invoke $m "f"))\n(module instance $i $m)\n(module $m (func))\n(invoke $m "f")\n(module $other)';
  const doc = parseWat(text, { script: true });
  const r = renameAt(doc, at(text, '(invoke $'), '$first') as { changes: { span: { start: number } }[] };
  assert.equal(applyEdits(text, r.changes as never), text.replace('(module $m (func (export', '(module $first (func (export').replace('"x" $m', '"x" $first').replace('(invoke $m "f"))', '(invoke $first "f"))').replace('$i $m', '$i $first'));
  assert.match((renameAt(doc, at(text, '(module $'), '$other') as { error: string }).error, /already names a module/);
  assert.equal((prepareRename(doc, at(text, '(register "x" $')) as { placeholder: string }).placeholder, '$m');
});

test('a struct field\'s $id: its declaration and every struct.get/struct.set of that type, not another type\'s field of that name', () => {
  const text = '(module (type $p (struct (field $x (mut i32)) (field $y i32))) (type $q (struct (field $x i32)))\n (func (param (ref $p)) (param (ref $q)) (result i32)\n  (struct.set $p $x (local.get 0) (i32.const 1))\n  local.get 1\n  struct.get $q $x\n  drop\n  (struct.get $p $x (local.get 0))))';
  const doc = parseWat(text);
  const r = renameAt(doc, at(text, 'struct.set $p $'), '$first') as { changes: { span: { start: number; end: number }; newText: string }[] };
  assert.equal(applyEdits(text, r.changes), text.replace('(field $x (mut', '(field $first (mut').replace('struct.set $p $x', 'struct.set $p $first').replace('(struct.get $p $x', '(struct.get $p $first'));
  assert.match((renameAt(doc, at(text, '(field $'), '$y') as { error: string }).error, /already names a field/);
  assert.equal((prepareRename(doc, at(text, 'struct.get $q $')) as { placeholder: string }).placeholder, '$x');
});
