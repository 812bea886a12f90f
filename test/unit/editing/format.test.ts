import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEFAULT_FORMAT_OPTIONS, formatWat, minimalEdit, type FormatOptions } from '../../../server/src/engine/editing/format';

const fmt = (text: string, options: Partial<FormatOptions> = {}) => formatWat(text, { ...DEFAULT_FORMAT_OPTIONS, ...options });

test('indents by structure: lists, and flat blocks up to their end (else/catch at the block level)', () => {
  const src = '(module\n(func $f (result i32)\nblock $b\nloop\nnop\nend\nend\ni32.const 1\nif (result i32)\ni32.const 2\nelse\ni32.const 3\nend))';
  assert.equal(
    fmt(src),
    '(module\n  (func $f (result i32)\n    block $b\n      loop\n        nop\n      end\n    end\n    i32.const 1\n    if (result i32)\n      i32.const 2\n    else\n      i32.const 3\n    end))\n',
  );
});

test('keeps the author\'s line breaks: folded and flat stay, a `)` on its own line stays there', () => {
  const src = '(module\n  (func (export "f") (result i32)\n    (i32.add (i32.const 1)\n             (i32.const 2))\n  )\n)\n';
  assert.equal(fmt(src), '(module\n  (func (export "f") (result i32)\n    (i32.add (i32.const 1)\n      (i32.const 2))\n  )\n)\n');
});

test('normalises spaces, trailing whitespace and blank lines; keeps comments and annotations as written', () => {
  const src = '\n\n(module   ;;  a comment   \n\n\n\n  (func   $f (@name "x  y")   (; inline  ;)   nop)  \n)';
  assert.equal(fmt(src), '(module   ;;  a comment\n\n  (func $f (@name "x  y") (; inline  ;) nop)\n)\n');
  assert.equal(fmt(src, { maxBlankLines: 0 }), '(module   ;;  a comment\n  (func $f (@name "x  y") (; inline  ;) nop)\n)\n');
});

test('honours the indent width and tabs', () => {
  const src = '(module\n(func\nnop))';
  assert.equal(fmt(src, { indentWidth: 4 }), '(module\n    (func\n        nop))\n');
  assert.equal(fmt(src, { insertSpaces: false }), '(module\n\t(func\n\t\tnop))\n');
});

test('breaks a list longer than the line width before its instructions and sub-lists, keeping the header', () => {
  const src = '(func $f (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)) local.get 0 i32.add)';
  assert.equal(fmt(src, { lineWidth: 40 }), '(func $f (param i32) (result i32)\n  (i32.add (local.get 0) (i32.const 1))\n  local.get 0\n  i32.add)\n');
  assert.equal(fmt(fmt(src, { lineWidth: 40 })!, { lineWidth: 40 }), fmt(src, { lineWidth: 40 }));
  // an instruction keeps its immediates on its line
  assert.match(fmt('(func ' + 'i64.const 123456789 drop '.repeat(8) + ')', { lineWidth: 40 })!, /^ {2}i64\.const 123456789$/m);
});

test('`;; fmt-ignore` keeps the next list as written', () => {
  const src = '(module\n;; fmt-ignore\n    (data   "a"\n              "b")\n(func   nop))';
  assert.equal(fmt(src), '(module\n  ;; fmt-ignore\n  (data   "a"\n              "b")\n  (func nop))\n');
});

test('`;; fmt-ignore-start` ... `;; fmt-ignore-end` keeps a region as written; the code after it is formatted', () => {
  const src = '(module\n(func\n;; fmt-ignore-start\n   i32.const 1    i32.const 2\n        i32.add\n;; fmt-ignore-end\ndrop))';
  assert.equal(fmt(src), '(module\n  (func\n    ;; fmt-ignore-start\n   i32.const 1    i32.const 2\n        i32.add\n;; fmt-ignore-end\n    drop))\n');
  assert.equal(fmt(fmt(src)!), fmt(src));
  // no end: to the end of the text
  assert.equal(fmt('(func\n;; fmt-ignore-start\n  nop    nop)'), '(func\n  ;; fmt-ignore-start\n  nop    nop)\n');
});

test('never joins tokens into a comment or an annotation', () => {
  assert.equal(fmt('( ;;c\nmodule)'), '( ;;c\n  module)\n');
  assert.equal(fmt('( @x)'), '( @x)\n');
});

test('formats broken text: unclosed lists, stray parens, bad tokens, unterminated strings', () => {
  assert.equal(fmt('(module\n(func\nnop'), '(module\n  (func\n    nop\n');
  assert.equal(fmt(')) (func   nop)'), ')) (func nop)\n');
  assert.equal(fmt('(func  "abc\n  nop)'), '(func "abc\n  nop)\n');
  assert.equal(fmt('(func  ~~~   nop)'), '(func ~~~ nop)\n');
  // (no line end added to a comment that runs to the end: it would take it in)
  assert.equal(fmt('(; unterminated'), '(; unterminated');
  // a string left open by a `\` before a CRLF lexes differently when the line end changes: declined
  assert.equal(fmt('(a\n"x \\\r\n 4"'), undefined);
});

test('keeps CRLF line ends', () => {
  assert.equal(fmt('(module\r\n(func))\r\n'), '(module\r\n  (func))\r\n');
});

test('range formatting changes only the whitespace that touches the range', () => {
  const src = '(module\n(func   $a   nop)\n(func   $b   nop))';
  const start = src.indexOf('(func   $b');
  assert.equal(fmt(src, {}), '(module\n  (func $a nop)\n  (func $b nop))\n');
  assert.equal(formatWat(src, DEFAULT_FORMAT_OPTIONS, { start, end: start + 5 }), '(module\n(func   $a   nop)\n  (func $b   nop))');
});

test('minimalEdit is the changed middle', () => {
  assert.deepEqual(minimalEdit('abcXYdef', 'abcZdef'), { span: { start: 3, end: 5 }, newText: 'Z' });
  assert.equal(minimalEdit('same', 'same'), undefined);
});

test('hostile shapes format to a bounded size (indentation stops growing at a depth): deep nesting one list per line, a huge gap after many parens', () => {
  const deep = '(\n'.repeat(50_000) + ')'.repeat(50_000);
  const out = fmt(deep)!;
  assert.ok(out.length < deep.length + 50_000 * 2 * 101, `${out.length} characters`);
  assert.equal(fmt(out), out);
  const gap = '('.repeat(20_000) + 'a' + ' '.repeat(1_000_000) + 'b' + ')'.repeat(20_000);
  assert.equal(fmt(gap), '('.repeat(20_000) + 'a b' + ')'.repeat(20_000) + '\n');
});
