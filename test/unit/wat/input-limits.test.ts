/**
 * Hostile WAT a cloned workspace can carry (issue 23), generated here at their reported sizes:
 * megabytes of `)`, a function with a million locals, expressions and blocks nested 100,000 deep,
 * and a seeded random run of byte-level garbage through the lexer and parser. Each gives a clear,
 * bounded set of findings, and navigation answers without overflowing the stack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWat } from '../../../server/src/engine/wat';
import { reparseWat } from '../../../server/src/engine/wat/incremental';
import { definitionAt, documentSymbols, foldingRanges, hoverAt, MAX_OUTLINE_LOCALS, referencesAt } from '../../../server/src/engine/wat/navigation';
import { deepestNesting } from '../../../server/src/engine/wat/nesting';
import { MAX_FINDINGS_PER_CODE, withheldCount } from '../../../server/src/engine/diagnostic-limit';
import { locateFindings } from '../../../server/src/engine/operations/findings';
import { prng } from '../binary/wasm-fixtures';

test("2 MiB of ')': 1000 findings and one summary for the other 2,096,152; the JSON report stays small", () => {
  const n = 2 * 1024 * 1024;
  const text = ')'.repeat(n);
  const doc = parseWat(text);
  const parens = doc.diagnostics.filter((d) => d.code === 'wat-unbalanced-paren');
  assert.equal(parens.length, MAX_FINDINGS_PER_CODE + 1);
  const summary = parens[MAX_FINDINGS_PER_CODE];
  assert.equal(withheldCount(summary), n - MAX_FINDINGS_PER_CODE);
  assert.equal(summary.message, `... and ${n - MAX_FINDINGS_PER_CODE} more 'wat-unbalanced-paren' findings (only the first 1000 of each kind are listed; the next one: unexpected ')')`);
  assert.deepEqual(summary.span, { start: MAX_FINDINGS_PER_CODE, end: MAX_FINDINGS_PER_CODE + 1 });
  const json = JSON.stringify(locateFindings('x.wat', doc.diagnostics, text));
  assert.ok(json.length < 1024 * 1024, `${json.length} bytes of JSON`);
});

test('lexer findings are limited the same way (a megabyte of bad tokens), and an edit of a capped document reparses in full, equal to a fresh parse', () => {
  const text = '(module (func\n' + '$ '.repeat(300_000) + '))';
  const doc = parseWat(text);
  const bad = doc.diagnostics.filter((d) => d.code === 'wat-bad-token');
  assert.equal(bad.length, MAX_FINDINGS_PER_CODE + 1);
  assert.equal(withheldCount(bad[MAX_FINDINGS_PER_CODE]), 300_000 - MAX_FINDINGS_PER_CODE);
  const at = text.length - 3;
  const reasons: string[] = [];
  const edited = reparseWat(doc, { start: at, end: at, text: ' nop' }, { onFullParse: (r) => reasons.push(r) });
  assert.deepEqual(reasons, ['findings over the limit']);
  assert.deepEqual(edited.diagnostics, parseWat(edited.text).diagnostics);
});

test('a function with 1,000,000 locals: outline, hover, definition and references answer (no stack overflow)', () => {
  const n = 1_000_000;
  const text = '(module (func $f' + ' (local i32)'.repeat(n) + ' (local $last i64) local.get $last drop))';
  const doc = parseWat(text);
  assert.deepEqual(doc.diagnostics, []);
  const symbols = documentSymbols(doc);
  const f = symbols[0].children[0];
  assert.equal(f.name, '$f');
  assert.equal(f.children.length, MAX_OUTLINE_LOCALS + 1);
  assert.equal(f.children[MAX_OUTLINE_LOCALS].name, `... ${n + 1 - MAX_OUTLINE_LOCALS} more params and locals`);
  const use = text.lastIndexOf('$last') + 1;
  const decl = text.indexOf('$last');
  assert.match(hoverAt(doc, use)!.markdown, /\(local \$last i64\) ;; local 1000000/);
  assert.deepEqual(definitionAt(doc, use), [{ start: decl, end: decl + 5 }]);
  assert.equal(referencesAt(doc, use, true).length, 2);
});

test('expressions and blocks nested 100,000 deep (folded and plain): parse, outline, hover, definition, folding', () => {
  const n = 100_000;
  const cases = [
    '(module (func $f (result i32) ' + '(i32.add (i32.const 1) '.repeat(n) + '(i32.const 0)' + ')'.repeat(n) + '))',
    '(module (func $f ' + '(block $b '.repeat(n) + '(br $b)' + ')'.repeat(n) + '))',
    '(module (func $f\n' + 'block $b\n'.repeat(n) + 'br $b\n' + 'end\n'.repeat(n) + '))',
  ];
  for (const text of cases) {
    const doc = parseWat(text);
    assert.deepEqual(doc.diagnostics, [], text.slice(0, 40));
    assert.equal(documentSymbols(doc)[0].children[0].name, '$f');
    assert.ok(Array.isArray(foldingRanges(doc)));
    assert.ok(deepestNesting(text).depth >= n);
    const ref = text.indexOf('br $b');
    if (ref < 0) continue;
    // the innermost label is the one `br $b` targets
    const inner = text.lastIndexOf('$b', ref - 1);
    assert.match(hoverAt(doc, ref + 4)!.markdown, /label/);
    assert.deepEqual(definitionAt(doc, ref + 4), [{ start: inner, end: inner + 2 }]);
  }
});

test('script commands nested 100,000 deep (.wast): parsed without overflowing the stack', () => {
  const n = 100_000;
  for (const head of ['assert_trap', 'assert_return', 'either', 'thread', 'register']) {
    const text = `(${head} `.repeat(n) + '(module (func $f))' + ')'.repeat(n);
    const doc = parseWat(text, { script: true });
    assert.deepEqual(doc.diagnostics, [], head);
    // the module at the bottom was checked: an unknown id in it is reported
    const bad = parseWat(`(${head} `.repeat(n) + '(module (func call $nope))' + ')'.repeat(n), { script: true });
    assert.deepEqual(bad.diagnostics.map((d) => d.code), ['wat-unknown-id'], head);
  }
});

test('a finding quoting a 100,000-character token is cut to 500 characters, saying how much was left out', () => {
  const digits = '1' + '0'.repeat(100_000);
  const doc = parseWat(`(module (memory i64 ${digits}))`);
  assert.equal(doc.diagnostics.length, 1);
  const m = doc.diagnostics[0].message;
  assert.ok(m.startsWith("limit '1000"), m.slice(0, 50));
  assert.match(m, /\.\.\. \(\d+ more characters\)$/);
  assert.ok(m.length < 600, `${m.length} characters`);
});

test('deepestNesting counts folded lists and plain blocks together', () => {
  assert.equal(deepestNesting('').depth, 0);
  assert.equal(deepestNesting('(module (func (block (loop)))').depth, 4);
  const plain = deepestNesting('(module (func block loop if end end end block end))');
  assert.equal(plain.depth, 5);
  assert.deepEqual(plain.at, { start: 25, end: 27 }); // the `if`
  // a folded `(block` is one level (the list), not two; strings and comments do not count
  assert.equal(deepestNesting('(func (block (; block block ;) "block" nop))').depth, 2);
});


/** Garbage biased toward what the lexer and parser branch on, plus any byte at all. */
const PIECES = ['(', ')', '(', ')', '"', '\\', ';;', '(;', ';)', '(@', '$', '$"', ' ', '\n', '\t', '\r', 'module', 'func', 'block', 'end', 'i32.const', 'local.get', '0x', '1e', 'nan:', '-', '_', '=', 'é', '\u{1F600}', '\ud800', '\0'];

function garbage(r: () => number, length: number): string {
  let s = '';
  while (s.length < length) {
    s += r() < 0.5 ? PIECES[Math.floor(r() * PIECES.length)] : String.fromCharCode(Math.floor(r() * 256));
  }
  return s;
}

test('seeded random byte-level garbage through the lexer and parser: no throw, findings inside the text, bounded time', () => {
  const seed = Number(process.env.WAT_GARBAGE_SEED ?? Date.now() % 1_000_000);
  // printed so a failure can be replayed: WAT_GARBAGE_SEED=<seed>
  console.log(`WAT garbage seed: ${seed}`);
  const r = prng(seed);
  const cases = 5000;
  let slowest = 0;
  for (let i = 0; i < cases; i++) {
    // mostly short texts, some long ones (the costs that grow with size show there)
    const length = i % 100 === 99 ? 100_000 + Math.floor(r() * 100_000) : Math.floor(r() * 2000);
    // a lone control character at the end, outside any string or comment: always a finding
    const text = garbage(r, length) + '\n\x01';
    const script = r() < 0.3;
    const t0 = performance.now();
    let doc;
    try {
      doc = parseWat(text, { script });
      documentSymbols(doc);
      hoverAt(doc, Math.floor(r() * text.length));
      definitionAt(doc, Math.floor(r() * text.length));
    } catch (e) {
      assert.fail(`seed ${seed}, case ${i} (script ${script}): ${(e as Error).stack}\n${JSON.stringify(text.slice(0, 500))}`);
    }
    slowest = Math.max(slowest, performance.now() - t0);
    assert.ok(doc.diagnostics.length > 0, `seed ${seed}, case ${i}: no finding for ${JSON.stringify(text.slice(0, 200))}`);
    for (const d of doc.diagnostics) {
      assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length, `seed ${seed}, case ${i}: span ${d.span.start}..${d.span.end}`);
    }
    const perCode = new Map<string, number>();
    for (const d of doc.diagnostics) perCode.set(d.code, (perCode.get(d.code) ?? 0) + 1);
    for (const [code, count] of perCode) assert.ok(count <= MAX_FINDINGS_PER_CODE + 1, `seed ${seed}, case ${i}: ${count} '${code}'`);
  }
  // a generous bound that only a hang or a quadratic blow-up on 200 kB would break
  assert.ok(slowest < 10_000, `seed ${seed}: slowest case took ${slowest.toFixed(0)} ms`);
});
