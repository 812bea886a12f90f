import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectArray } from '../../../server/src/engine/jit';
import { parseWat } from '../../../server/src/engine/wat';

test('objectArray gives a fresh, empty, ordinary array each time', () => {
  const a = objectArray<{ x: number }>();
  const b = objectArray<{ x: number }>();
  assert.notEqual(a, b);
  assert.ok(Array.isArray(a));
  assert.equal(a.length, 0);
  assert.equal(JSON.stringify(a), '[]');
  a.push({ x: 1 });
  assert.deepEqual(a, [{ x: 1 }]);
  assert.equal(b.length, 0);
});

test('the arrays of a parse (children, trivia, refs, locals, labels) are plain arrays, equal to literals', () => {
  const doc = parseWat('(module (; c ;) (func $f (param $p i32) block $b br $b end))');
  const m = doc.tree.modules[0];
  assert.deepEqual(doc.tree.trivia, [{ start: 8, end: 15 }]);
  assert.equal(m.funcs[0].locals.length, 1);
  assert.equal(m.funcs[0].labels.length, 1);
  assert.equal(m.refs.length, 1);
  assert.equal(JSON.stringify(doc.tree.children[0].type), '"list"');
  for (const arr of [doc.tree.children, doc.tree.trivia, m.refs, m.funcs, m.funcs[0].locals, m.funcs[0].labels]) {
    assert.equal(Object.getPrototypeOf(arr), Array.prototype);
  }
});
