import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, TokenKind, decodeString, decodeStringBytes, hashText, isValidUtf8String, stringByteLength } from '../../../server/src/engine/wat/lexer';

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

test('keyword and id tokens carry the hash of their text, whichever path lexed them', () => {
  const text = '(func $f $"a b" i32.add offset=4 nan inf nan:0x1 1_0 0 $x"y" ' + 'x'.repeat(50) + ')';
  const ts = lex(text);
  for (let i = 0; i < ts.count; i++) {
    const k = ts.kinds[i];
    if (k === TokenKind.Keyword || k === TokenKind.Id) assert.equal(ts.hashes[i], hashText(text, ts.starts[i], ts.ends[i]), text.slice(ts.starts[i], ts.ends[i]));
  }
  assert.deepEqual(tokens('nan inf -inf nan:0x1 nan:0x infinity nano i32.const'), [
    [TokenKind.Float, 'nan'],
    [TokenKind.Float, 'inf'],
    [TokenKind.Float, '-inf'],
    [TokenKind.Float, 'nan:0x1'],
    [TokenKind.Reserved, 'nan:0x'],
    [TokenKind.Keyword, 'infinity'],
    [TokenKind.Keyword, 'nano'],
    [TokenKind.Keyword, 'i32.const'],
  ]);
});

test('whitespace runs, line comments and tokens at the very end of the text', () => {
  const text = '\n\t  (module\r\n' + ' '.repeat(500) + '(func) ;; c\n' + '\t'.repeat(3) + ')   \n\n';
  assert.deepEqual(tokens(text).map((t) => t[1]), ['(', 'module', '(', 'func', ')', ')']);
  for (const end of ['x', '$x', '12', '"s"', ')', ';; c', '(; c ;)']) {
    const t = tokens('a  ' + end);
    assert.equal(t[0][1], 'a', end);
    assert.equal(t.length, end.startsWith(';;') || end.startsWith('(;') ? 1 : 2, end);
  }
  // a range lexed on its own stops at its end, whitespace after it included
  const r = lex('(a)    (b)', 0, 5);
  assert.equal(r.count, 3);
});

test('long strings: plain runs, escapes and errors after thousands of valid escapes', () => {
  const body = '\\00\\ff\\n'.repeat(5000) + 'abc é 😀';
  const ok = `"${body}"`;
  assert.deepEqual(tokens(`(data ${ok})`).map((t) => t[0]), [TokenKind.LParen, TokenKind.Keyword, TokenKind.String, TokenKind.RParen]);
  assert.equal(lex(ok).errors.length, 0);
  const bad = `"${body}\\q${body}\\u{110000}"`;
  const errs = lex(bad).errors;
  assert.equal(errs.length, 2);
  assert.equal(errs[0].start, 1 + body.length);
  assert.equal(errs[1].start, 1 + 2 * body.length + 2);
  const unterminated = lex(`"${body}\n"`).errors;
  assert.equal(unterminated.length, 2);
  assert.equal(unterminated[0].message, 'unterminated string');
});

test('stringByteLength is the length of the decoded bytes', () => {
  const cases = [
    '""', '"abc"', '"\\00\\ff\\n\\t\\r\\\\\\\'\\""', '"é€😀"', '"\\u{1F600}x\\u{e9}"', '"a\\u{41}\\00"',
    '"\\q"', '"\\"', '"\ud800x"', '"\udc00"', '"x\ud83d"', '"\\0g"',
  ];
  for (const c of cases) assert.equal(stringByteLength(c, 0, c.length), decodeStringBytes(c, 0, c.length).length, c);
  const big = `"${'\\00\\7f'.repeat(20000)}é"`;
  assert.equal(stringByteLength(big, 0, big.length), 40002);
});

test('decodeString and isValidUtf8String agree with decoding the bytes, with and without escapes', () => {
  const cases = ['""', '"abc"', '"é€ 😀"', '"a\\n\\41"', '"\\u{1F600}"', '"\\ff"', '"\\c3\\a9"', '"\ud800"', '"x\udc00y"', '"\ud83d\ude00"'];
  for (const c of cases) {
    const bytes = decodeStringBytes(c, 0, c.length);
    assert.equal(decodeString(c, 0, c.length), Buffer.from(bytes).toString('utf8'), c);
    let valid = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      valid = false;
    }
    assert.equal(isValidUtf8String(c, 0, c.length), valid, c);
  }
  // inside a larger text, only the token's own range counts
  const text = '(import "env" "f\\ff" "\\\\")';
  const s = text.indexOf('"env"');
  assert.equal(decodeString(text, s, s + 5), 'env');
  assert.equal(isValidUtf8String(text, s, s + 5), true);
  const t = text.indexOf('"f\\ff"');
  assert.equal(isValidUtf8String(text, t, t + 6), false);
});
