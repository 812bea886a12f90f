import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWat } from '../../../server/src/engine/wat';
import { definitionAt, documentSymbols, foldingRanges, hoverAt, referencesAt } from '../../../server/src/engine/wat/navigation';

const text = `(module $m
  (type $sig (func (param i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (memory $mem 1)
  (table $tab 1 funcref)
  (global $g (mut i64) (i64.const 0))
  (tag $err (param i32))
  (data $d "abc")
  (elem $e func $f)
  (func $f (export "f") (type $sig) (param $x i32) (result i32) (local $y f32)
    block $out
      loop $top
        local.get $x
        br_if 1
        br $top
      end
    end
    (call $log (local.get 0))
    (call_indirect $tab (type $sig) (local.get $x) (i32.const 0))
    (global.set $g (i64.const 1))
    (memory.init $mem $d (i32.const 0) (i32.const 0) (i32.const 0))
    (elem.drop $e)
    (drop (ref.func $f))
    (throw $err (i32.const 1)))
  (export "g" (global $g))
  (start 1))`;
const doc = parseWat(text);

/** offset of the k-th occurrence (0-based) of needle, plus delta */
function at(needle: string, k = 0, delta = 1): number {
  let i = -1;
  for (let j = 0; j <= k; j++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, needle);
  return i + delta;
}
const spanText = (s: { start: number; end: number }) => text.slice(s.start, s.end);

test('the fixture parses cleanly', () => {
  assert.deepEqual(doc.diagnostics, []);
});

test('definition of $ids in every kind of use', () => {
  const expect: [string, number, string][] = [
    ['$log (local', 0, '$log'],
    ['$x)', 0, '$x'],
    ['$tab (type', 0, '$tab'],
    ['$sig) (local.get', 0, '$sig'],
    ['$g (i64.const 1', 0, '$g'],
    ['$mem $d', 0, '$mem'],
    ['$d (i32', 0, '$d'],
    ['$e)', 0, '$e'],
    ['$f))', 0, '$f'],
    ['$err (i32', 0, '$err'],
    ['$top', 1, '$top'],
    ['$g))', 0, '$g'],
    ['$f)\n', 0, '$f'],
  ];
  for (const [needle, k, want] of expect) {
    const defs = definitionAt(doc, at(needle, k));
    assert.equal(defs.length, 1, needle);
    assert.equal(spanText(defs[0]), want, needle);
    // the definition is the declaration, not the use
    assert.notEqual(defs[0].start, at(needle, k) - 1, needle);
  }
});

test('definition of numeric indexes: locals, labels by depth, functions', () => {
  assert.equal(spanText(definitionAt(doc, at('local.get 0', 0, 10))[0]), '$x');
  // br_if 1 inside loop inside block -> the block $out
  const d = definitionAt(doc, at('br_if 1', 0, 6));
  assert.equal(spanText(d[0]), '$out');
  // (start 1) -> function 1 ($f; 0 is the import $log)
  assert.equal(spanText(definitionAt(doc, at('(start 1', 0, 7))[0]), '$f');
});

test('references with and without the declaration', () => {
  const withDecl = referencesAt(doc, at('$x', 0), true).map(spanText);
  assert.deepEqual(withDecl, ['$x', '$x', '0', '$x']);
  const without = referencesAt(doc, at('(param $x', 0, 8), false);
  assert.equal(without.length, 3);
  assert.deepEqual(referencesAt(doc, at('$g (i64.const 1'), false).map(spanText), ['$g', '$g']);
  assert.deepEqual(referencesAt(doc, at('$f (export'), false).map(spanText), ['$f', '$f', '1']);
});

test('hover says what a thing is', () => {
  const h1 = hoverAt(doc, at('call $log', 0, 6));
  assert.ok(h1?.markdown.includes('(func $log (import "env" "log") (param i32))'), h1?.markdown);
  assert.equal(spanText(h1!.span), '$log');
  assert.ok(hoverAt(doc, at('$f (export'))?.markdown.includes('(func $f (param i32) (result i32))'));
  assert.ok(hoverAt(doc, at('$g (i64.const 1'))?.markdown.includes('(global $g (mut i64))'));
  assert.ok(hoverAt(doc, at('$y'))?.markdown.includes('(local $y f32)'));
  assert.ok(hoverAt(doc, at('$mem $d'))?.markdown.includes('(memory $mem 1)'));
  assert.ok(hoverAt(doc, at('br_if 1', 0, 6))?.markdown.includes('block $out'));
  assert.equal(hoverAt(doc, at('(module', 0, 3)), undefined);
});

test('document symbols: module with fields, functions with params and locals', () => {
  const syms = documentSymbols(doc);
  assert.equal(syms.length, 1);
  assert.equal(syms[0].kind, 'module');
  assert.equal(syms[0].name, '$m');
  const kinds = syms[0].children.map((c) => `${c.kind}:${c.name}`);
  assert.deepEqual(kinds, ['type:$sig', 'import:"env" "log"', 'memory:$mem', 'table:$tab', 'global:$g', 'tag:$err', 'data:$d', 'elem:$e', 'func:$f', 'export:"g"', 'start:start']);
  const f = syms[0].children.find((c) => c.kind === 'func')!;
  assert.deepEqual(f.children.map((c) => `${c.kind}:${c.name}:${c.detail}`), ['param:$x:i32', 'local:$y:f32']);
  assert.equal(spanText(f.selectionSpan), '$f');
  assert.ok(spanText(f.span).startsWith('(func $f'));
});

test('folding ranges: multi-line lists and block comments only', () => {
  const src = '(module\n  (func $a (nop))\n  (; a\n  comment ;)\n  (func $b\n    nop))';
  const d = parseWat(src);
  const ranges = foldingRanges(d).map((s) => src.slice(s.start, s.end).split('\n')[0]);
  assert.deepEqual(ranges, ['(module', '(; a', '(func $b']);
});

test('scripts: navigation stays inside the module under the cursor', () => {
  const s = '(module (func $a))\n(module (func $a) (func (call $a)))';
  const d = parseWat(s, { script: true });
  const use = s.lastIndexOf('$a') + 1;
  const def = definitionAt(d, use);
  assert.equal(def[0].start, s.indexOf('$a', 20));
  assert.equal(documentSymbols(d).length, 2);
});
