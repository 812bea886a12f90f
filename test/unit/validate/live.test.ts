/**
 * The live type checker (engine/validate/live.ts): what it finds equals a fresh validation after
 * incremental edits, one finding per invalid function, no findings on the spec suite's valid modules,
 * and the probe behind hover (an instruction's type and the stack before it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseWat, type WatDocument } from '../../../server/src/engine/wat';
import { reparseWat, type WatEdit } from '../../../server/src/engine/wat/incremental';
import { LiveTypeChecker } from '../../../server/src/engine/validate/live';
import { validateWatText } from '../../../server/src/engine/validate/wat';
import { typeName } from '../../../server/src/engine/isa/value-type';
import { CORPUS, corpusModules } from './wast-modules';

const MODULE = `(module
  (memory 1)
  (data "abc")
  (func $a (param $x i32) (result i32)
    (i32.add (local.get $x) (i32.const 1)))
  (func $b (result i32)
    (i32.const 7))
  (func $c (param f32) (result f32)
    (f32.mul (local.get 0) (f32.const 2)))
  (export "a" (func $a)))
`;

function brief(ds: { span: { start: number; end: number }; message: string }[]): string[] {
  return ds.map((d) => `${d.span.start}-${d.span.end} ${d.message}`).sort();
}

function edit(doc: WatDocument, from: string, to: string, nth = 0): WatDocument {
  let start = -1;
  for (let k = 0; k <= nth; k++) start = doc.text.indexOf(from, start + 1);
  assert.ok(start >= 0, `'${from}' is in the text`);
  const e: WatEdit = { start, end: start + from.length, text: to };
  let full = '';
  const next = reparseWat(doc, e, { onFullParse: (why) => (full = why) });
  assert.equal(full, '', 'the edit was reparsed incrementally');
  return next;
}

test('a valid module has no findings; a wrong operand is found with what was expected and found', () => {
  const checker = new LiveTypeChecker();
  let doc = parseWat(MODULE);
  assert.deepEqual(checker.check(doc), []);
  doc = edit(doc, '(i32.const 1)', '(f32.const 1)');
  const found = checker.check(doc);
  assert.equal(found.length, 1);
  assert.equal(found[0].message, 'i32.add expects [i32 i32] but the stack has [i32 f32]');
  assert.equal(doc.text.slice(found[0].span.start, found[0].span.end), '(i32.add');
  // the operand at fault: where the f32 was pushed
  const related = found[0].related?.[0];
  assert.ok(related?.span);
  assert.equal(doc.text.slice(related.span.start, related.span.end), '(f32.const 1');
  assert.equal(related.message, 'this operand is f32, not i32');
  // the same from the module's first check (not incremental)
  const fresh = new LiveTypeChecker().check(parseWat(doc.text));
  assert.deepEqual(fresh, found);
  doc = edit(doc, '(f32.const 1)', '(i32.const 1)');
  assert.deepEqual(checker.check(doc), []);
});

test('one finding per invalid function, and they equal a fresh check after every incremental edit', () => {
  const checker = new LiveTypeChecker();
  let doc = parseWat(MODULE);
  checker.check(doc);
  const steps: [string, string, number?][] = [
    ['(i32.const 7)', '(i64.const 7)'],
    ['(local.get 0)', '(local.get 5)'],
    ['(local.get $x)', '(local.get $x) (drop)'],
    ['(i64.const 7)', '(memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1)) (i32.const 7)'],
    ['(local.get 5)', '(local.get 0)'],
    ['(local.get $x) (drop)', '(local.get $x)'],
  ];
  const counts: number[] = [];
  for (const [from, to, nth] of steps) {
    doc = edit(doc, from, to, nth);
    const live = checker.check(doc);
    const fresh = new LiveTypeChecker().check(parseWat(doc.text));
    assert.deepEqual(brief(live), brief(fresh), `after '${from}' -> '${to}'`);
    counts.push(live.length);
  }
  // $b returns i64, then also $c reads an unknown local, then $a drops its operand; then fixed one by one
  assert.deepEqual(counts, [1, 2, 3, 2, 1, 0]);
  // the whole-module validation finds the first of them
  assert.deepEqual(validateWatText(doc.text), []);
});

test('an edit in a function body re-checks that function only; a module-level edit re-checks all', () => {
  const checker = new LiveTypeChecker();
  let doc = parseWat(MODULE.replace('(i32.const 7)', '(f32.const 7)'));
  const first = checker.check(doc);
  assert.equal(first.length, 1);
  assert.match(first[0].message, /f32/);
  // an edit in $c: $b's finding is kept from the cache (the same object), shifted
  doc = edit(doc, '(f32.const 2)', '(f32.const 22)');
  const second = checker.check(doc);
  assert.equal(second.length, 1);
  assert.equal(second[0], first[0]);
  // an edit before $b shifts its finding
  doc = edit(doc, '(i32.const 1)', '(i32.const 100)');
  const third = checker.check(doc);
  assert.equal(third[0].span.start, first[0].span.start + 2);
  assert.deepEqual(brief(third), brief(new LiveTypeChecker().check(parseWat(doc.text))));
  // $b's result type changes (a header): everything is checked again
  doc = edit(doc, '(result i32)', '(result f32)', 1);
  assert.deepEqual(checker.check(doc), []);
});

test('module-level findings, and a module with syntax errors gets none (its syntax errors are the parser\'s)', () => {
  const checker = new LiveTypeChecker();
  const bad = parseWat('(module (func $f) (start 0) (export "x" (func 0)) (export "x" (func 0)))');
  const found = checker.check(bad);
  assert.equal(found.length, 1);
  assert.match(found[0].message, /duplicate export/i);
  const syntax = parseWat('(module (func (result i32) (i32.add (i32.const 1) (f32.const 2)) (oops)))');
  assert.ok(syntax.diagnostics.length > 0);
  assert.deepEqual(checker.check(syntax), []);
});

test('.wast: every top-level module is checked on its own; modules inside assertions are not', () => {
  const text = `(module (func (result i32) (i32.const 1)))
(assert_invalid (module (func (result i32) (f32.const 1))) "type mismatch")
(module $second (func (result i32) (i64.const 1)))
(module quote "(func (result i32) (f64.const 1))")
`;
  const doc = parseWat(text, { script: true });
  const found = new LiveTypeChecker().check(doc);
  assert.equal(found.length, 2);
  const lines = found.map((d) => text.slice(0, d.span.start).split('\n').length).sort();
  assert.deepEqual(lines, [3, 4]);
});

test('the probe: an instruction\'s type and the operand stack before it', () => {
  const checker = new LiveTypeChecker();
  const text = MODULE.replace('(i32.const 1)', '(f32.const 1)');
  const doc = parseWat(text);
  const add = checker.probe(doc, text.indexOf('i32.add'));
  assert.ok(add);
  assert.equal(add.name, 'i32.add');
  assert.deepEqual(add.params?.map(typeName), ['i32', 'i32']);
  assert.deepEqual(add.results?.map(typeName), ['i32']);
  assert.deepEqual(add.stack.map(typeName), ['i32', 'f32']);
  assert.match(add.error ?? '', /expects \[i32 i32\] but the stack has \[i32 f32\]/);
  // polymorphic: local.get's type is the local's
  const get = checker.probe(doc, text.indexOf('local.get 0'));
  assert.ok(get);
  assert.deepEqual(get.params, []);
  assert.deepEqual(get.results?.map(typeName), ['f32']);
  assert.deepEqual(get.stack, []);
  const mul = checker.probe(doc, text.indexOf('f32.mul'));
  assert.deepEqual(mul?.stack.map(typeName), ['f32', 'f32']);
  assert.equal(checker.probe(doc, text.indexOf('(memory')), undefined);
});

test('the spec suite: no finding on any module the spec accepts; every assert_invalid text module is flagged', () => {
  assert.ok(fs.existsSync(CORPUS), `spec test suite not found at ${CORPUS}`);
  let modules = 0;
  let withSyntaxErrors = 0;
  const falsePositives: string[] = [];
  for (const file of fs.readdirSync(CORPUS).filter((f) => f.endsWith('.wast'))) {
    const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
    const doc = parseWat(text, { script: true });
    modules += doc.tree.modules.length;
    withSyntaxErrors += doc.tree.modules.filter((m) => doc.diagnostics.some((d) => d.severity === 'error' && d.span.start >= m.node.start && d.span.start < m.node.end)).length;
    for (const d of new LiveTypeChecker().check(doc)) falsePositives.push(`${file}:${text.slice(0, d.span.start).split('\n').length}: ${d.message}`);
  }
  let invalid = 0;
  const missed: string[] = [];
  for (const m of corpusModules()) {
    if (m.command !== 'assert_invalid' || m.form !== 'text' || !m.text) continue;
    const doc = parseWat(m.text);
    if (doc.diagnostics.some((d) => d.severity === 'error')) continue;
    invalid++;
    if (new LiveTypeChecker().check(doc).length === 0) missed.push(`${m.file}:${m.line}`);
  }
  console.log(`live type checking, spec suite: ${modules} valid modules, ${falsePositives.length} flagged (${withSyntaxErrors} with parser errors); ${invalid - missed.length}/${invalid} assert_invalid text modules flagged`);
  assert.deepEqual(falsePositives, []);
  assert.equal(withSyntaxErrors, 0);
  assert.ok(modules > 2000, `${modules} modules`);
  assert.deepEqual(missed, []);
});

test('hostile buffers: deep nesting and many functions are checked without a crash or a hang', () => {
  const depth = 100_000;
  const nested = `(module (func ${'(block '.repeat(depth)}(i32.const 1) (drop)${')'.repeat(depth)}))`;
  const doc = parseWat(nested);
  assert.deepEqual(doc.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(new LiveTypeChecker().check(doc), []);
  const bad = parseWat(nested.replace('(i32.const 1) (drop)', '(f32.const 1) (i32.eqz) (drop)'));
  const found = new LiveTypeChecker().check(bad);
  assert.equal(found.length, 1);
  assert.equal(found[0].message, 'i32.eqz expects [i32] but the stack has [f32]');
  const many = parseWat(`(module ${'(func (result i32) (i32.const 0))'.repeat(300_000)}(func (result i32) (i64.const 0)))`);
  const checker = new LiveTypeChecker();
  const f = checker.check(many);
  assert.equal(f.length, 1);
  assert.match(f[0].message, /i64/);
});
