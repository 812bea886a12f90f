/**
 * The refactorings keep a module's meaning: the text after each one assembles (by our assembler,
 * without names) to the same bytes as before. Checked on examples, and "unfold" on every folded
 * instruction at the top of a function body in the spec suite's valid text modules (counted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parseWat } from '../../../server/src/engine/wat';
import { addId } from '../../../server/src/engine/editing/rename';
import { assembleWat } from '../../../server/src/engine/assemble';
import { convertToIndex, foldInstructions, joinDeclarations, splitDeclaration, unfoldInstruction, type Refactor } from '../../../server/src/engine/editing/refactors';
import { isList } from '../../../server/src/engine/wat/syntax';
import { CORPUS, corpusModules } from '../validate/wast-modules';

function apply(text: string, r: Refactor): string {
  let out = text;
  for (const c of [...r.changes].sort((a, b) => b.span.start - a.span.start)) out = out.slice(0, c.span.start) + c.newText + out.slice(c.span.end);
  return out;
}

function bytes(text: string): string {
  const a = assembleWat(text, { names: false });
  assert.deepEqual(a.diagnostics, [], text);
  return Buffer.from(a.bytes).toString('hex');
}

const MODULE = `(module
  (global $g (mut i32) (i32.const 0))
  (func $add (param $a i32) (param $b i32) (result i32) (local i32) (local i64) (local f32 f64)
    (local.set 2 (i32.add (local.get $a) (local.get $b)))
    (if (result i32) (i32.eqz (local.get 2))
      (then (global.set $g (i32.const 1)) (i32.const 0))
      (else (block $x (result i32) (br $x (local.get $a)))))
    (call $add (local.get $b) (i32.const 2))
    drop)
  (func (export "f") (param i32 i64) (result i32) (call $add (i32.const 1) (global.get $g))))`;

test('convert to index, split, join and unfold keep the module\'s bytes', () => {
  const before = bytes(MODULE);
  const at = (needle: string, nth = 0) => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = MODULE.indexOf(needle, i + 1);
    return i + 1;
  };
  const cases: [string, Refactor | undefined][] = [
    ['convert to index', convertToIndex(parseWat(MODULE), at('$add (local.get'))],
    ['split', splitDeclaration(parseWat(MODULE), at('(param i32 i64)'))],
    ['join', joinDeclarations(parseWat(MODULE), at('(local i64)'))],
    ['unfold if', unfoldInstruction(parseWat(MODULE), at('(if (result'))],
    ['unfold local.set', unfoldInstruction(parseWat(MODULE), at('(local.set 2'))],
  ];
  for (const [what, r] of cases) {
    assert.ok(r, `${what} applies`);
    const after = apply(MODULE, r);
    assert.notEqual(after, MODULE, what);
    assert.equal(bytes(after), before, `${what}:\n${after}`);
  }
  assert.match(apply(MODULE, cases[0][1]!), /\(call 0 \(local\.get \$b\)/);
  assert.match(apply(MODULE, cases[1][1]!), /\(param i32\) \(param i64\)/);
  assert.match(apply(MODULE, cases[2][1]!), /\(local i32 i64 f32 f64\)/);
  assert.match(apply(MODULE, cases[3][1]!), /\n\s+local\.get 2\n\s+i32\.eqz\n\s+if \(result i32\)/);
  // not offered where they do not apply
  assert.equal(splitDeclaration(parseWat(MODULE), at('(param $a')), undefined, 'a named param declares one');
  assert.equal(convertToIndex(parseWat(MODULE), at('$x (local')), undefined, 'labels keep their names');
});

test('unfold on the spec suite: every top-level folded instruction of every function keeps the bytes', { skip: !fs.existsSync(CORPUS) && !process.env.CI ? 'spec corpus not beside the repo' : false }, () => {
  let tried = 0;
  let unfolded = 0;
  let refolded = 0;
  const failures: string[] = [];
  for (const m of corpusModules()) {
    if (m.form !== 'text' || m.command !== 'module' || !m.text) continue;
    const doc = parseWat(m.text);
    if (doc.diagnostics.some((d) => d.severity === 'error')) continue;
    const a = assembleWat(m.text, { names: false });
    if (a.diagnostics.length) continue;
    const before = Buffer.from(a.bytes).toString('hex');
    for (const f of doc.tree.modules[0]?.funcs ?? []) {
      const first = f.node.children.find((c) => isList(c) && !['param', 'result', 'local', 'type', 'export', 'import'].includes((c.children[0] as { text?: string })?.text ?? ''));
      if (!first || tried >= 3000) continue;
      tried++;
      const r = unfoldInstruction(doc, first.start + 1);
      if (!r) continue;
      unfolded++;
      const after = apply(m.text, r);
      const b = assembleWat(after, { names: false });
      if (b.diagnostics.length || Buffer.from(b.bytes).toString('hex') !== before) failures.push(`${m.file}:${m.line} ${r.title}`);
      // and folded back, where every operand is computed in the unfolded code
      const start = r.changes[0].span.start;
      const back = foldInstructions(parseWat(after), { start, end: start + r.changes[0].newText.length });
      if (!back) continue;
      refolded++;
      const c = assembleWat(apply(after, back), { names: false });
      if (c.diagnostics.length || Buffer.from(c.bytes).toString('hex') !== before) failures.push(`${m.file}:${m.line} ${back.title} (after unfolding)`);
    }
  }
  // fold: every function whose body is flat code, folded as a whole where every operand is computed in it
  let folded = 0;
  for (const m of corpusModules()) {
    if (m.form !== 'text' || m.command !== 'module' || !m.text) continue;
    const doc = parseWat(m.text);
    if (doc.diagnostics.some((d) => d.severity === 'error')) continue;
    const a = assembleWat(m.text, { names: false });
    if (a.diagnostics.length) continue;
    const before = Buffer.from(a.bytes).toString('hex');
    for (const f of doc.tree.modules[0]?.funcs ?? []) {
      const body = f.node.children.filter((c) => !isList(c) && c.start > f.node.children[0].end && !(c.text.startsWith('$') && c === f.node.children[1]));
      if (body.length < 2 || f.node.children.slice(f.node.children.indexOf(body[0])).some(isList)) continue;
      const r = foldInstructions(doc, { start: body[0].start, end: body[body.length - 1].end });
      if (!r) continue;
      folded++;
      const b = assembleWat(apply(m.text, r), { names: false });
      if (b.diagnostics.length || Buffer.from(b.bytes).toString('hex') !== before) failures.push(`${m.file}:${m.line} ${r.title}`);
    }
  }
  console.log(`fold on the spec suite: ${folded} flat function bodies, and ${refolded} unfolded instructions folded back; each keeps the bytes unless listed`);
  console.log(`unfold on the spec suite: ${unfolded - failures.length}/${unfolded} keep the bytes (${tried} function bodies tried)`);
  assert.ok(unfolded > 500, `enough unfolded (${unfolded})`);
  assert.ok(refolded > 500, `enough folded back (${refolded})`);
  assert.deepEqual(failures, []);
});

test('fold: flat instructions into folded expressions, the same bytes; not offered when an operand comes from outside', () => {
  const text = `(module (memory 1) (func (export "f") (param i32 i32) (result i32) (local i32)
    local.get 0
    local.get 1
    i32.add
    local.set 2
    local.get 2
    i32.load offset=4
    i32.const 1
    i32.sub))`;
  const from = text.indexOf('local.get 0');
  const to = text.indexOf('i32.sub') + 'i32.sub'.length;
  const r = foldInstructions(parseWat(text), { start: from, end: to });
  assert.ok(r);
  const after = apply(text, r);
  assert.match(after, /\(local\.set 2 \(i32\.add \(local\.get 0\) \(local\.get 1\)\)\)\n\s+\(i32\.sub \(i32\.load offset=4 \(local\.get 2\)\) \(i32\.const 1\)\)/, after);
  assert.equal(bytes(after), bytes(text));
  // i32.add's first operand is computed before the selection: not foldable
  assert.equal(foldInstructions(parseWat(text), { start: text.indexOf('local.get 1'), end: text.indexOf('i32.add') + 7 }), undefined);
});

test('add a $id: on a declaration without one, its numeric references written as it; imports get it in their descriptor', () => {
  const text = `(module (import "env" "f" (func (param i32))) (func (param i32) (call 0 (local.get 0))) (func (export "g") (call 1 (i32.const 3))))`;
  const on = (needle: string, nth = 0) => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
    return i + 1;
  };
  const imp = addId(parseWat(text), on('import'));
  assert.ok(imp, 'offered on an import');
  const afterImport = apply(text, imp);
  assert.match(afterImport, /\(import "env" "f" \(func \$func0 \(param i32\)\)\)/, afterImport);
  assert.match(afterImport, /\(call \$func0 \(local\.get 0\)\)/, afterImport);
  const fn = addId(parseWat(text), on('(func (param', 1));
  assert.ok(fn);
  const afterFunc = apply(text, fn);
  assert.match(afterFunc, /\(func \$func1 \(param i32\)/, afterFunc);
  assert.match(afterFunc, /\(call \$func1 \(i32\.const 3\)\)/, afterFunc);
  assert.match(fn.title, /^Add \$func1 to this func \(and write its 1 numeric reference as it\)$/, fn.title);
  assert.equal(bytes(afterImport), bytes(text));
  assert.equal(bytes(afterFunc), bytes(text));
  assert.equal(addId(parseWat(afterFunc), afterFunc.indexOf('$func1') + 1), undefined, 'not on a declaration that has one');
});
