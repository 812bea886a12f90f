/**
 * Incremental reparsing (reparseWat) equals a full parseWat of the new text after every edit: seeded
 * random edits (characters, parens, tokens, whole lines) to spec-suite modules and to a generated
 * multi-MB module, comparing the tree, diagnostics, models, definitions/references and navigation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseWat, type WatDocument } from '../../../server/src/engine/wat';
import { applyWatEdit, diffText, reparseWat, type WatEdit } from '../../../server/src/engine/wat/incremental';
import { definitionAt, documentSymbols, foldingRanges, hoverAt, referencesAt } from '../../../server/src/engine/wat/navigation';
import type { Definition, ModuleSyntax } from '../../../server/src/engine/wat/syntax';

const repoRoot = path.resolve(__dirname, '../../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/spec-testsuite');

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sp = (s: { start: number; end: number } | undefined) => (s ? `${s.start}-${s.end}` : '-');
const defKey = (d: Definition | undefined) => (d ? `${d.space}#${d.index}@${sp(d.span)}` : 'none');

/** Everything a parse produces, as comparable plain data. */
function moduleSnapshot(m: ModuleSyntax): unknown {
  const def = (d: Definition) => [d.space, d.index, d.id, d.keyword, d.valType, d.imported, sp(d.span), sp(d.selectionSpan), sp(d.idSpan)];
  return {
    node: sp(m.node),
    form: m.form,
    id: m.id,
    idSpan: sp(m.idSpan),
    fields: m.fields.map(sp),
    defs: Object.fromEntries(Object.entries(m.defs).map(([k, v]) => [k, v.map(def)])),
    funcs: m.funcs.map((f) => [defKey(f.def), sp(f.node), f.locals.map(def), f.labels.map(def)]),
    refs: m.refs.map((r) => [r.space, sp(r.span), r.span.text, defKey(r.target), r.func ? defKey(r.func.def) : '-']),
  };
}

function fullSnapshot(doc: WatDocument): string {
  return JSON.stringify({
    tree: doc.tree.children,
    end: doc.tree.end,
    trivia: doc.tree.trivia,
    custom: doc.tree.customAnnotations,
    modules: doc.tree.modules.map(moduleSnapshot),
    models: doc.modules,
    diagnostics: doc.diagnostics,
  });
}

function navigation(doc: WatDocument, offsets: number[]): string {
  return JSON.stringify({
    symbols: documentSymbols(doc),
    at: offsets.map((o) => [definitionAt(doc, o), referencesAt(doc, o, true), hoverAt(doc, o)]),
  });
}

const TOKENS = [
  '(', ')', '$', ' ', '\n', '"', ';', 'a', '0', 'x', '.', '=', '(;', ';)', ';;', '(@x', '$f', '$x', '$g', '0x10', '-1', '1.5',
  'i32.const 1', 'local.get 0', 'local.get $x', 'call $f', 'call 0', 'br 0', 'br $l', 'end', 'block', 'loop $l', 'nop', 'drop',
  '(nop)', '(i32.const 7)', '(local i32)', '(param $p i32)', '(result i32)', '(export "e")', '(import "m" "n")', ' (func)',
  '(global $g i32 (i32.const 0))', 'i32.add', 'i32.cosnt', 'v128.const i32x4 1 2 3 4', 'memory.fill', 'ref.func $f', 'then', '(then)',
];

/** A random edit of `text`: characters, tokens, parens, whole lines. */
function randomEdit(text: string, r: () => number): WatEdit {
  const pos = Math.floor(r() * (text.length + 1));
  const kind = r();
  if (kind < 0.3) return { start: pos, end: pos, text: TOKENS[Math.floor(r() * TOKENS.length)] };
  if (kind < 0.5) return { start: pos, end: Math.min(text.length, pos + 1 + Math.floor(r() * 3)), text: '' };
  if (kind < 0.65) return { start: pos, end: Math.min(text.length, pos + 1), text: TOKENS[Math.floor(r() * 12)] };
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  let lineEnd = text.indexOf('\n', pos);
  if (lineEnd < 0) lineEnd = text.length;
  if (kind < 0.75) return { start: lineStart, end: Math.min(text.length, lineEnd + 1), text: '' }; // delete a line
  if (kind < 0.85) return { start: lineStart, end: lineStart, text: text.slice(lineStart, Math.min(text.length, lineEnd + 1)) }; // duplicate it
  // a token-sized replacement of a word
  let s = pos;
  while (s > 0 && /[\w.$]/.test(text[s - 1])) s--;
  let e = pos;
  while (e < text.length && /[\w.$]/.test(text[e])) e++;
  return { start: s, end: e, text: TOKENS[12 + Math.floor(r() * (TOKENS.length - 12))] };
}

interface RunStats {
  edits: number;
  incremental: number;
}

/** Apply `count` random edits, checking incremental == full after each. */
function run(source: string, seed: number, count: number, stats: RunStats, opts: { everyFull: number; restartEvery: number }): void {
  const r = rng(seed);
  let text = source;
  let doc = parseWat(text);
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % opts.restartEvery === 0) {
      text = source;
      doc = parseWat(text);
    }
    const edit = randomEdit(text, r);
    let incremental = true;
    const next = reparseWat(doc, edit, { onFullParse: () => (incremental = false) });
    const newText = applyWatEdit(text, edit);
    const expected = parseWat(newText);
    stats.edits++;
    if (incremental) stats.incremental++;
    const where = `seed ${seed} edit ${i} ${JSON.stringify({ ...edit, text: edit.text.slice(0, 40) })} (${incremental ? 'incremental' : 'full parse'})`;
    assert.equal(next.text, newText, where);
    assert.deepEqual(next.diagnostics, expected.diagnostics, `diagnostics after ${where}`);
    assert.equal(JSON.stringify(next.modules), JSON.stringify(expected.modules), `models after ${where}`);
    if (i % opts.everyFull === 0 || next.text.length < 200_000) {
      assert.equal(fullSnapshot(next), fullSnapshot(expected), `tree/definitions/references after ${where}`);
      const offsets = [edit.start, edit.start + edit.text.length, Math.floor(r() * newText.length), Math.floor(r() * newText.length)];
      assert.equal(navigation(next, offsets), navigation(expected, offsets), `navigation after ${where}`);
      assert.deepEqual(foldingRanges(next), foldingRanges(expected), `folding after ${where}`);
    } else {
      assert.equal(JSON.stringify(next.tree.modules.map((m) => moduleSnapshot(m))), JSON.stringify(expected.tree.modules.map((m) => moduleSnapshot(m))), `definitions/references after ${where}`);
    }
    text = newText;
    doc = next;
  }
}

/** A large module in the shape compilers emit: many functions with locals, blocks, calls, plus the other fields. */
function generateModule(targetBytes: number, seed = 1): string {
  const r = rng(seed);
  const out: string[] = ['(module', '  (type $sig (func (param i32 i32) (result i32)))', '  (import "env" "log" (func $log (param i32)))',
    '  (memory $mem (export "memory") 2 16)', '  (table $tab 8 funcref)', '  (global $sp (mut i32) (i32.const 65536))',
    '  (tag $exn (param i32))'];
  let size = out.join('\n').length;
  let n = 0;
  while (size < targetBytes) {
    const lines: string[] = [];
    lines.push(`  (func $f${n} (export "f${n}") (type $sig) (param $a i32) (param $b i32) (result i32) (local $t i32) (local i64 f32)`);
    const blocks = 2 + Math.floor(r() * 6);
    for (let b = 0; b < blocks; b++) {
      lines.push(`    (block $b${b} (result i32)`);
      lines.push(`      (loop $l${b}`);
      lines.push(`        local.get $a`, `        i32.const ${Math.floor(r() * 1000)}`, '        i32.add', '        local.set $t');
      lines.push(`        (br_if $l${b} (i32.lt_u (local.get $t) (local.get $b)))`);
      if (n > 0) lines.push(`        (drop (call $f${Math.floor(r() * n)} (local.get 0) (local.get 1)))`);
      lines.push(`        (i32.store offset=4 (global.get $sp) (local.get $t)) ;; spill`);
      lines.push('      )');
      lines.push(`      (if (result i32) (local.get $t) (then (i32.const 1)) (else (i32.const ${b})))`);
      lines.push('    )', '    drop');
    }
    lines.push('    block $out', '      local.get $t', '      br_if $out', '    end', '    local.get $t)');
    const f = lines.join('\n');
    out.push(f);
    size += f.length + 1;
    if (n % 50 === 0) {
      out.push(`  (global $g${n} (export "g${n}") i32 (i32.const ${n}))`, `  (data (i32.const ${n * 16}) "data\\00${n}")`);
      out.push(`  (elem (table $tab) (i32.const ${n % 8}) func $f${n}) (; block comment ;)`);
    }
    n++;
  }
  out.push('  (start $f0_start)', '  (func $f0_start))');
  return out.join('\n');
}

function specModules(): { name: string; text: string }[] {
  if (!fs.existsSync(corpus)) return [];
  const out: { name: string; text: string }[] = [];
  for (const file of fs.readdirSync(corpus).filter((f) => f.endsWith('.wast')).sort()) {
    const text = fs.readFileSync(path.join(corpus, file), 'utf8');
    const doc = parseWat(text, { script: true });
    doc.tree.modules.forEach((m, k) => {
      if (m.form !== 'text' || m.node.type !== 'list') return;
      const src = text.slice(m.node.start, m.node.end);
      if (src.length < 300 || src.length > 40_000) return;
      out.push({ name: `${file}#${k}`, text: src });
      // the same fields without the `(module ...)` around them (a bare .wat)
      if (m.id === undefined && /^\(module\s/.test(src)) out.push({ name: `${file}#${k} (bare)`, text: src.slice('(module'.length, -1) });
    });
  }
  return out;
}

test('diffText finds the changed range', () => {
  const cases: [string, string][] = [['abc', 'abXc'], ['abc', 'ac'], ['aaaa', 'aaa'], ['', 'x'], ['x', ''], ['same', 'same'], ['a'.repeat(10_000) + 'b', 'a'.repeat(9_000) + 'c' + 'a'.repeat(1000) + 'b']];
  for (const [a, b] of cases) {
    const e = diffText(a, b);
    assert.equal(applyWatEdit(a, e), b, `${a.length} -> ${b.length}`);
    assert.ok(e.end - e.start <= Math.max(1, a.length - b.length + 1) || e.text.length <= 1, JSON.stringify(e).slice(0, 80));
  }
});

test('an edit inside a function body is incremental and equals a full parse', () => {
  const text = '(module\n  (func $a (result i32) i32.const 1)\n  (func $b (result i32) (call $a))\n  (global $g i32 (i32.const 0)))';
  const at = text.indexOf('i32.const 1') + 'i32.const '.length;
  let full = false;
  const doc = reparseWat(parseWat(text), { start: at, end: at + 1, text: 'x' }, { onFullParse: () => (full = true) });
  assert.equal(full, false, 'expected the incremental path');
  const expected = parseWat(doc.text);
  assert.equal(fullSnapshot(doc), fullSnapshot(expected));
  assert.deepEqual(doc.diagnostics.map((d) => d.code), ['wat-syntax', 'wat-unknown-instruction']);
  // renaming a function changes what the module declares: a full parse
  const rename = text.indexOf('$a') + 1;
  let reason = '';
  reparseWat(parseWat(text), { start: rename, end: rename + 1, text: 'z' }, { onFullParse: (r) => (reason = r) });
  assert.equal(reason, 'declarations changed');
});

test('random edits to spec-suite modules: incremental equals full parse', (t) => {
  const modules = specModules();
  if (modules.length === 0) {
    t.skip(`spec test suite not found at ${corpus}`);
    return;
  }
  const stats: RunStats = { edits: 0, incremental: 0 };
  // a fixed sample of modules, many edits each (WW_FUZZ_SEED/WW_FUZZ_ROUNDS explore further)
  const seed = Number(process.env.WW_FUZZ_SEED ?? 7);
  const r = rng(seed);
  const rounds = Number(process.env.WW_FUZZ_ROUNDS ?? 50);
  for (let k = 0; k < rounds; k++) {
    const m = modules[Math.floor(r() * modules.length)];
    try {
      run(m.text, seed * 1000 + k, 60, stats, { everyFull: 1, restartEvery: 15 });
    } catch (e) {
      (e as Error).message = `${m.name}: ${(e as Error).message}`;
      throw e;
    }
  }
  assert.ok(stats.incremental > stats.edits * 0.3, `only ${stats.incremental}/${stats.edits} edits were incremental`);
});

test('random edits to a generated multi-MB module: incremental equals full parse', () => {
  const text = generateModule(2_000_000);
  assert.ok(text.length >= 2_000_000);
  const stats: RunStats = { edits: 0, incremental: 0 };
  run(text, 42, 16, stats, { everyFull: 8, restartEvery: 8 });
  assert.ok(stats.incremental > stats.edits * 0.4, `only ${stats.incremental}/${stats.edits} edits were incremental`);
});

test('typing a typo and deleting it again restores the clean result', () => {
  const text = generateModule(200_000, 3);
  let doc = parseWat(text);
  assert.equal(doc.diagnostics.length, 0);
  const at = text.indexOf('i32.add', text.length >> 1);
  let fulls = 0;
  const onFullParse = () => fulls++;
  for (let i = 0; i < 3; i++) doc = reparseWat(doc, { start: at + 3 + i, end: at + 3 + i, text: 'xyz'[i] }, { onFullParse });
  assert.equal(doc.text.slice(at, at + 10), 'i32xyz.add');
  assert.deepEqual(doc.diagnostics.map((d) => [d.code, d.span.start]), [['wat-unknown-instruction', at]]);
  for (let i = 0; i < 3; i++) doc = reparseWat(doc, { start: at + 3, end: at + 4, text: '' }, { onFullParse });
  assert.equal(doc.text, text);
  assert.deepEqual(doc.diagnostics, []);
  assert.equal(fulls, 0);
  assert.equal(fullSnapshot(doc), fullSnapshot(parseWat(text)));
});
