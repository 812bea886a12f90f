/**
 * The quick outline of WAT texts too big for the full parser: modules and fields with their names, in
 * one pass that never throws, lists at most what it is asked to (and stops there), and counts tokens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countWatTokens, quickFoldingSpans, quickOutline } from '../../../server/src/engine/wat/quick-outline';

const TEXT = `(module $m
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (func $main (export "main") (result i32) ;; a comment with ( and "
    i32.const 1) (; a block (; nested ;) comment with ) ;)
  (memory 1)
  (export "mem" (memory 0))
  (data (i32.const 0) "a\\"b)c")
)
(assert_invalid (module (func)) "type mismatch")
`;

test('modules and their fields, named by id or string, with their spans', () => {
  const o = quickOutline(TEXT);
  assert.equal(o.symbols.length, 1, 'modules inside script commands are not listed');
  const m = o.symbols[0];
  assert.equal(m.name, '$m');
  assert.equal(TEXT.slice(m.span.start, m.span.end), TEXT.slice(0, TEXT.indexOf('\n)\n') + 2));
  assert.deepEqual(
    m.children.map((f) => [f.kind, f.name]),
    [
      ['import', '"wasi_snapshot_preview1" "fd_write"'],
      ['func', '$main'],
      ['memory', ''],
      ['export', '"mem"'],
      ['data', ''],
    ],
  );
  const func = m.children[1];
  assert.ok(TEXT.slice(func.span.start, func.span.end).endsWith('i32.const 1)'), 'comments and strings do not end a field');
  assert.equal(TEXT.slice(func.selectionSpan.start, func.selectionSpan.end), '$main');
  assert.equal(o.truncated, false);
  assert.equal(quickFoldingSpans(o).length, 6);
});

test('fields at the top level get one implicit module', () => {
  const o = quickOutline('(func $a)\n(func $b)\n');
  assert.equal(o.symbols.length, 1);
  assert.deepEqual(o.symbols[0].children.map((f) => f.name), ['$a', '$b']);
});

test('lists at most maxSymbols fields and stops there', () => {
  const text = `(module ${'(func) '.repeat(1000)})`;
  const o = quickOutline(text, { maxSymbols: 10 });
  assert.equal(o.symbols[0].children.length, 10);
  assert.equal(o.truncated, true);
  assert.ok(o.tokens < 40, `stopped after ${o.tokens} tokens`);
});

test('token counts, and counting stops past the limit asked for', () => {
  assert.equal(countWatTokens('(module (func $f (result i32) i32.const 1))'), 13);
  assert.equal(countWatTokens('"a string with ( and )" ;; comment\n(; block ;) x'), 4);
  assert.equal(countWatTokens('()'.repeat(1000), 10), 11);
});

test('garbage never throws: unterminated strings and comments, stray parens, binary bytes', () => {
  const rng = (() => {
    let s = 23;
    return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  })();
  const alphabet = '()"; \n\\$a(;;)\u0000\u00ff';
  for (let i = 0; i < 500; i++) {
    let text = '';
    const n = Math.floor(rng() * 200);
    for (let k = 0; k < n; k++) text += alphabet[Math.floor(rng() * alphabet.length)];
    const o = quickOutline(text);
    for (const m of o.symbols) {
      assert.ok(m.span.start >= 0 && m.span.end <= text.length);
      for (const f of m.children) assert.ok(f.span.start >= m.span.start && f.span.end <= text.length);
    }
    assert.ok(countWatTokens(text) <= text.length);
  }
});
