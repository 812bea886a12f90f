import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseWatMessages,
  tokenEnd,
  wasmDiagnostics,
  watDiagnostics,
  watLocationToSpan,
} from '../../../server/src/engine/toolchain/wabt-messages';

const slice = (text: string, s: { start: number; end: number }) => text.slice(s.start, s.end);

test('line/column to offsets on LF text, with the caret length', () => {
  const text = '(module\n  (func (call $nope)))\n';
  const span = watLocationToSpan(text, 2, 15, 5);
  assert.equal(slice(text, span), '$nope');
});

test('CRLF lines: the \\r is not part of the next line', () => {
  const text = '(module\r\n  (func\r\n    (i64.const 1)))\r\n';
  const span = watLocationToSpan(text, 3, 6, 9);
  assert.equal(slice(text, span), 'i64.const');
});

test('a tab counts as one column', () => {
  const text = '(module\n\t(func\n\t\t(i64.const 1)))';
  assert.equal(slice(text, watLocationToSpan(text, 3, 4, 9)), 'i64.const');
});

test('columns are UTF-8 bytes: non-ASCII before the token shifts the byte column', () => {
  const text = '(module (func (export "héllo→") (call $x)))';
  // "é" is 2 bytes and "→" 3 bytes in UTF-8: wabt's column of $x is 3 beyond the UTF-16 offset
  const utf16 = text.indexOf('$x');
  const span = watLocationToSpan(text, 1, utf16 + 1 + 3, 2);
  assert.equal(slice(text, span), '$x');
});

test('without carets the span runs from the column to the end of the token', () => {
  const text = '(module (func (i32.add (local.get 0) (f32.const 1.5))))';
  const col = text.indexOf('f32.const') + 1;
  assert.equal(slice(text, watLocationToSpan(text, 1, col)), 'f32.const');
  assert.equal(slice(text, watLocationToSpan(text, 1, text.indexOf('(f32') + 1)), '(');
  const s = '(data "a b\\"c" x)';
  assert.equal(text.length > 0 && s.slice(6, tokenEnd(s, 6)), '"a b\\"c"');
});

test('a line or column past the end is clamped, never throws', () => {
  const text = '(module)';
  const a = watLocationToSpan(text, 5, 1);
  assert.equal(a.start, text.length);
  const b = watLocationToSpan(text, 1, 99);
  assert.ok(b.start <= text.length && b.end <= text.length);
});

test('wabt error text with several messages, snippets and carets', () => {
  const raw =
    'validate failed:\n' +
    'input.wat:2:6: error: type mismatch in i32.add, expected [i32, i32] but got [i64, i32]\n' +
    '    (i32.add (i64.const 1) (i32.const 2))\n' +
    '      ^^^^^^^\n' +
    'input.wat:3:7: error: undefined local variable "$q"\n' +
    '     (local.get $q)\n' +
    '      ^^^^^^^^^\n';
  const parsed = parseWatMessages(raw);
  assert.equal(parsed.length, 2);
  assert.deepEqual(parsed.map((p) => [p.line, p.column, p.length]), [[2, 6, 7], [3, 7, 9]]);
  const text = '(module (func\n    (i32.add (i64.const 1) (i32.const 2))\n     (local.get $q)))';
  const diags = watDiagnostics(raw, text, 'validate');
  assert.equal(diags.length, 2);
  assert.equal(slice(text, diags[0].span), 'i32.add');
  assert.equal(slice(text, diags[1].span), 'local.get');
  assert.equal(diags[0].source, 'wabt');
  assert.equal(diags[0].code, 'validation');
  assert.equal(diags[0].severity, 'error');
});

test('wabt binary messages carry hexadecimal byte offsets', () => {
  const raw = 'readWasm failed:\n000001a: error: invalid section size: extends past end\n0000020: error: second\n';
  const diags = wasmDiagnostics(raw, 40, 'read');
  assert.deepEqual(diags.map((d) => d.span), [{ start: 0x1a, end: 0x1b }, { start: 0x20, end: 0x21 }]);
  assert.equal(diags[0].code, 'wasm-malformed');
  assert.equal(diags[0].message, 'invalid section size: extends past end');
  // validate() prefixes the offset with the file name
  const v = wasmDiagnostics('validate failed:\n<binary>:0000021: error: type mismatch\n', 40, 'validate');
  assert.deepEqual(v[0].span, { start: 0x21, end: 0x22 });
  assert.equal(v[0].code, 'validation');
});

test('unrecognised error text still gives one diagnostic with the message', () => {
  const diags = watDiagnostics('parseWat failed:\nsomething odd\n', '(module)', 'parse');
  assert.equal(diags.length, 1);
  assert.equal(diags[0].message, 'something odd');
});

test('a message per line of a 100,000-line text maps in one pass over the text (it rescanned from the start per message: 45 s)', () => {
  const lines = 100_000;
  const text = '(module (data "' + 'x\n'.repeat(lines);
  // a message on each of lines 2..100,000, at column 1 (the `x`)
  const raw = Array.from({ length: lines - 1 }, (_, i) => `input.wat:${i + 2}:1: error: newline in string\nx\n^`).join('\n');
  const t0 = performance.now();
  const d = watDiagnostics(raw, text, 'parse');
  const elapsed = performance.now() - t0;
  assert.equal(d.length, lines - 1);
  // line k starts at 15 + 2 (k - 1): `(module (data "` then `x\n` per line
  assert.deepEqual(d[0].span, { start: 17, end: 18 });
  assert.deepEqual(d[lines - 2].span, { start: 15 + 2 * (lines - 1), end: 16 + 2 * (lines - 1) });
  // generous: the quadratic mapping took tens of seconds here, the line index a fraction of one
  assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
});
