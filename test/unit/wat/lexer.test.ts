import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, TokenKind, decodeString, decodeStringBytes } from '../../../server/src/engine/wat/lexer';

function tokens(text: string): [TokenKind, string][] {
  const ts = lex(text);
  const out: [TokenKind, string][] = [];
  for (let i = 0; i < ts.count; i++) out.push([ts.kinds[i] as TokenKind, text.slice(ts.starts[i], ts.ends[i])]);
  return out;
}

test('parens, keywords, ids, quoted ids, with offsets', () => {
  const text = '(func $f $"a b" i32.add offset=4)';
  const ts = lex(text);
  assert.deepEqual(tokens(text), [
    [TokenKind.LParen, '('],
    [TokenKind.Keyword, 'func'],
    [TokenKind.Id, '$f'],
    [TokenKind.Id, '$"a b"'],
    [TokenKind.Keyword, 'i32.add'],
    [TokenKind.Keyword, 'offset=4'],
    [TokenKind.RParen, ')'],
  ]);
  assert.equal(ts.starts[2], text.indexOf('$f'));
  assert.equal(ts.errors.length, 0);
});

test('numbers: hex, separators, hex floats, inf, nan payloads, signs', () => {
  const ints = ['0', '-1', '+7', '0xff', '1_000', '0xF_F', '18446744073709551615'];
  const floats = ['1.5', '-0.5e10', '1e-3', '0x1p3', '0x1.8p-2', 'inf', '-inf', 'nan', '+nan', 'nan:0x7f_ffff', '1.', '0x1.'];
  for (const n of ints) assert.deepEqual(tokens(n), [[TokenKind.Int, n]], n);
  for (const n of floats) assert.deepEqual(tokens(n), [[TokenKind.Float, n]], n);
  for (const bad of ['1__0', '0x', '1_', '1e', '0x1g', 'nan:0x', '1.5.5', '-']) {
    const ts = lex(bad);
    assert.equal(ts.errors.length, 1, bad);
    assert.ok(ts.errors[0].code === 'wat-bad-number' || ts.errors[0].code === 'wat-bad-token', bad);
  }
});

test('strings with every escape decode to the right bytes', () => {
  const text = String.raw`"a\n\t\\\'\"\41\u{1F600}\u{e9}"`;
  assert.deepEqual(tokens(text), [[TokenKind.String, text]]);
  assert.equal(decodeString(text, 0, text.length), 'a\n\t\\\'"A\u{1F600}é');
  assert.deepEqual([...decodeStringBytes('"\\00\\ff"', 0, 8)], [0, 255]);
});

test('bad strings are reported, not thrown', () => {
  for (const bad of [String.raw`"\q"`, String.raw`"\u{110000}"`, String.raw`"\u{d800}"`, '"abc', '"a\u0001"']) {
    const ts = lex(bad);
    assert.ok(ts.errors.some((e) => e.code === 'wat-bad-string'), bad);
  }
});

test('comments and annotations are trivia; nested block comments', () => {
  const text = '(; a (; nested ;) b ;) x ;; line\n (@custom "name" (after func) "payload") (@a (b (c))) y';
  assert.deepEqual(tokens(text), [
    [TokenKind.Keyword, 'x'],
    [TokenKind.Keyword, 'y'],
  ]);
  const ts = lex(text);
  assert.equal(ts.trivia.length, 3);
  assert.equal(ts.customAnnotations.length, 1);
  assert.equal(lex('(; never closed').errors[0].code, 'wat-unterminated-comment');
});

test('tokens glued together are malformed', () => {
  assert.equal(lex('i32.const0x"a"').errors.length, 1);
  assert.equal(lex('0$l').errors.length, 1);
  assert.equal(lex('"a""b"').errors.length, 1);
});
