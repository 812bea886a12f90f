import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWat } from '../../../server/src/engine/wat';

const slice = (text: string, s: { start: number; end: number } | undefined) => (s ? text.slice(s.start, s.end) : undefined);

test('index spaces put imports first; ids, sigs and typeIndex are resolved', () => {
  const text = `(module
    (type $t (func (param i32 i64) (result f32)))
    (import "env" "a" (func $a (type $t)))
    (func $b (import "env" "b") (param f64))
    (import "env" "g" (global $g (mut i32)))
    (func $c (type $t) (unreachable))
    (func $d (result i32 i32) (unreachable))
    (global $h f32 (f32.const 1))
    (tag $e (import "env" "e") (param i32))
    (tag $x (type $t)))`;
  const m = parseWat(text).modules[0];
  assert.deepEqual(m.funcs.map((f) => [f.index, f.id, f.imported?.name]), [[0, '$a', 'a'], [1, '$b', 'b'], [2, '$c', undefined], [3, '$d', undefined]]);
  assert.deepEqual(m.funcs[0].sig, { params: ['i32', 'i64'], results: ['f32'] });
  assert.equal(m.funcs[0].typeIndex, 0);
  assert.deepEqual(m.funcs[1].sig, { params: ['f64'], results: [] });
  assert.deepEqual(m.globals.map((g) => [g.id, g.valType, g.mutable, !!g.imported]), [['$g', 'i32', true, true], ['$h', 'f32', false, false]]);
  assert.deepEqual(m.imports.map((i) => [i.kind, i.index, i.module, i.name]), [['func', 0, 'env', 'a'], ['func', 1, 'env', 'b'], ['global', 0, 'env', 'g'], ['tag', 0, 'env', 'e']]);
  assert.deepEqual(m.imports[2].globalType, { valType: 'i32', mutable: true });
  assert.equal(m.tags.length, 2);
  assert.equal(m.tags[1].typeIndex, 0);
  for (const f of ['multi-value', 'exceptions']) assert.ok(m.features.includes(f as never), f);
});

test('import spans: the clause, the module string, the name string', () => {
  const text = '(module (import "wasi" "fd_write" (func)) (memory $m (import "env" "memory") 1))';
  const m = parseWat(text).modules[0];
  assert.equal(slice(text, m.imports[0].span), '(import "wasi" "fd_write" (func))');
  assert.equal(slice(text, m.imports[0].moduleSpan), '"wasi"');
  assert.equal(slice(text, m.imports[0].nameSpan), '"fd_write"');
  assert.equal(slice(text, m.imports[1].span), '(import "env" "memory")');
  assert.equal(m.imports[1].kind, 'memory');
  assert.deepEqual(m.imports[1].limits, { min: 1, shared: false, index64: false, pageSizeLog2: 16 });
});

test('memories: limits, shared, i64, page size, limitsSpan, data abbreviation', () => {
  const text = `(module
    (memory $a 1 10 shared)
    (memory (export "b") i64 2)
    (memory 0 1 (pagesize 1))
    (memory (data "abcd" "\\00\\01")))`;
  const m = parseWat(text).modules[0];
  assert.deepEqual(m.memories.map((x) => x.limits), [
    { min: 1, max: 10, shared: true, index64: false, pageSizeLog2: 16 },
    { min: 2, shared: false, index64: true, pageSizeLog2: 16 },
    { min: 0, max: 1, shared: false, index64: false, pageSizeLog2: 0 },
    { min: 1, max: 1, shared: false, index64: false, pageSizeLog2: 16 },
  ]);
  assert.equal(slice(text, m.memories[0].limitsSpan), '1 10 shared');
  assert.equal(slice(text, m.memories[1].limitsSpan), 'i64 2');
  assert.deepEqual(m.data.map((d) => [d.mode, d.memory, d.size]), [['active', 3, 6]]);
  for (const f of ['threads', 'memory64', 'multi-memory', 'custom-page-sizes']) assert.ok(m.features.includes(f as never), f);
  assert.deepEqual(m.exports.map((e) => [e.name, e.kind, e.index, slice(text, e.nameSpan)]), [['b', 'memory', 1, '"b"']]);
});

test('exports (field and inline), start, data and elem segments', () => {
  const text = `(module
    (func $f (export "f1") (export "f2"))
    (func $g)
    (table $t 4 funcref)
    (table funcref (elem $f $g $f))
    (memory 1)
    (export "g" (func $g))
    (export "t" (table $t))
    (start $g)
    (data (i32.const 0) "hello")
    (data $p "xy")
    (elem (i32.const 0) $f $g)
    (elem $q funcref (ref.func $f) (item ref.func $g))
    (elem declare func $f))`;
  const m = parseWat(text).modules[0];
  assert.deepEqual(m.exports.map((e) => [e.name, e.kind, e.index]), [['f1', 'func', 0], ['f2', 'func', 0], ['g', 'func', 1], ['t', 'table', 0]]);
  assert.equal(m.start?.func, 1);
  assert.deepEqual(m.data.map((d) => [d.mode, d.size, d.id]), [['active', 5, undefined], ['passive', 2, '$p']]);
  assert.deepEqual(m.elems.map((e) => [e.mode, e.count, e.table]), [['active', 3, 1], ['active', 2, 0], ['passive', 2, undefined], ['declarative', 1, undefined]]);
  assert.deepEqual(m.tables.map((t) => [t.limits.min, t.limits.max, t.refType]), [[4, undefined, 'funcref'], [3, 3, 'funcref']]);
});

test('features from types and instructions', () => {
  const cases: [string, string][] = [
    ['(type (struct))', 'gc'],
    ['(rec (type (array i8)))', 'gc'],
    ['(func (drop (v128.const i64x2 0 0)))', 'simd'],
    ['(func (return_call 0))', 'tail-call'],
    ['(func try_table end)', 'exceptions'],
    ['(memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))', 'bulk-memory'],
    ['(func (drop (i32x4.relaxed_laneselect (v128.const i64x2 0 0) (v128.const i64x2 0 0) (v128.const i64x2 0 0))))', 'relaxed-simd'],
    ['(memory 1 1 shared) (func (atomic.fence))', 'threads'],
    ['(table 1 externref)', 'reference-types'],
    ['(global i32 (i32.add (i32.const 1) (i32.const 2)))', 'extended-const'],
  ];
  for (const [src, feature] of cases) {
    const doc = parseWat(src);
    assert.deepEqual(doc.diagnostics, [], src);
    assert.ok(doc.modules[0].features.includes(feature as never), `${src} -> ${feature}: ${doc.modules[0].features}`);
  }
  assert.deepEqual(parseWat('(func (nop))').modules[0].features, []);
});

test('custom annotations become custom sections', () => {
  const m = parseWat('(module (@custom "meta" "data") (func))').modules[0];
  assert.deepEqual(m.customSections.map((c) => c.name), ['meta']);
});
