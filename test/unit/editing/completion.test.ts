import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseWat } from '../../../server/src/engine/wat';
import { completionsAt } from '../../../server/src/engine/editing/completion';
import { effectivePolicy, parsePolicy } from '../../../server/src/engine/policy/load';

/** Completion labels at `|` in `src`. */
function labels(src: string, script = false): string[] {
  const offset = src.indexOf('|');
  return completionsAt(parseWat(src.replace('|', ''), { script }), offset).items.map((i) => i.label);
}

test('the index space of the instruction before the cursor, in flat and folded code, also in unfinished text', () => {
  const m = (body: string) => `(module (type $t (func)) (table $tab 1 funcref) (memory $mem 1) (global $g i32 (i32.const 0)) (data $d "x") (elem $e func $f) (tag $x)\n (func $f (param $p i32) (local $l i64)\n ${body}`;
  assert.deepEqual(labels(m('call |')), ['$f']);
  assert.deepEqual(labels(m('(local.get |)')), ['$p', '$l']);
  assert.deepEqual(labels(m('global.set |')), ['$g']);
  assert.deepEqual(labels(m('table.get |')), ['$tab']);
  assert.deepEqual(labels(m('i32.load |')), ['$mem']);
  assert.deepEqual(labels(m('data.drop |')), ['$d']);
  assert.deepEqual(labels(m('elem.drop |')), ['$e']);
  assert.deepEqual(labels(m('throw |')), ['$x']);
  assert.deepEqual(labels(m('call_indirect (type |)')), ['$t']);
  assert.deepEqual(labels(m('(block $outer (loop $inner (br |')), ['$inner', '$outer', '2']);
  assert.deepEqual(labels(m('local.get $l|')), ['$l']);
});

test('instructions in bodies, keywords at list heads, value types in declarations', () => {
  assert.ok(labels('(module (func |))').includes('i32.add'));
  assert.ok(labels('(module (func (|)))').includes('param'));
  assert.ok(labels('(module (func (|)))').includes('i32.add'));
  assert.ok(labels('(module (|))').includes('memory'));
  assert.ok(!labels('(module (|))').includes('i32.add'), 'no instruction among module fields');
  assert.ok(labels('(module (func (param |)))').includes('externref'));
  assert.deepEqual(labels('(module (func ref.null |))').includes('extern'), true);
  assert.ok(labels('(|', true).includes('assert_return'));
  assert.deepEqual(labels('(module (export "x" (|)))'), ['func', 'table', 'memory', 'global', 'tag']);
  assert.deepEqual(labels('(module (type $t (|)))'), ['func', 'struct', 'array', 'sub']);
  assert.deepEqual(labels('(module (func (param (|))))'), ['ref'], 'no instructions in a declaration');
  assert.deepEqual(labels('(module (func i32.const 0 (if (|))))').slice(0, 2), ['then', 'else']);
});

test('WASI functions in an import, with the verdict of the policy given', () => {
  const src = '(module (import "wasi_snapshot_preview1" "|"))';
  const policy = effectivePolicy(parsePolicy('{"imports":{"deny":["wasi_snapshot_preview1.sock_*"]}}').policy!, 'm.wat');
  const items = completionsAt(parseWat(src.replace('|', '')), src.indexOf('|'), { policy }).items;
  assert.equal(items.length, 46);
  const sock = items.find((i) => i.label === 'sock_send')!;
  assert.ok(sock.denied && sock.denied.length > 0, JSON.stringify(sock));
  assert.match(sock.detail!, /sockets · denied by the policy/);
  const write = items.find((i) => i.label === 'fd_write')!;
  assert.equal(write.denied, undefined);
  assert.match(write.documentation!, /\*\*Allowed\*\*/);
  // the closing quote is replaced too: the item writes the function's type after it
  assert.equal(write.insertText, 'fd_write" (func \\$fd_write (param i32 i32 i32 i32) (result i32))');
});

test('a large module: at most the limit, said to be incomplete', () => {
  const funcs = Array.from({ length: 3000 }, (_, i) => `(func $f${i})`).join('\n');
  const src = `(module ${funcs} (func call |))`;
  const r = completionsAt(parseWat(src.replace('|', '')), src.indexOf('|'), { limit: 100 });
  assert.equal(r.items.length, 100);
  assert.equal(r.incomplete, true);
});
