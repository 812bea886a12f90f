/**
 * The segmented compile (assemble/segmented-assembly.ts: a WAT file too large for one string compiled
 * from its bytes in chunks) against `compileWatText` on the same text held as one string: the same
 * bytes and the same diagnostics (codes, messages, file offsets), with the smallest budget (one
 * function per chunk) so that every stitch is exercised. On the spec suite's text modules (those that
 * compile, and the invalid and malformed ones too), on our own disassembly of real modules (names on
 * and off), on texts written here (non-ASCII names and strings, comments and annotations between
 * fields and in headers, `(@custom ...)`, an error in a late function) and on broken texts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { compileWatBytes, compileWatText, type CompileResult } from '../../../server/src/engine/operations/compile';
import { scanTextLayout } from '../../../server/src/engine/assemble/segmented-text';
import { disassembleTo } from '../../../server/src/engine/operations/print-file';
import { locateFindings } from '../../../server/src/engine/operations/findings';
import { FilePositions } from '../../../server/src/engine/file-positions';
import { LineIndex } from '../../../server/src/engine/span';
import { CORPUS, corpusModules } from '../validate/wast-modules';
import { ensureModule, REAL_MODULES } from '../../real-modules';

function summary(r: CompileResult): string[] {
  return r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.span.start}-${d.span.end} ${d.message}`).sort();
}

/** Both paths on `text`: undefined when they agree, else what differs. */
function difference(text: string, debugNames: boolean, budget = 0): string | undefined {
  const whole = compileWatText(text, { debugNames });
  const pieces = compileWatBytes(Buffer.from(text, 'utf8'), { debugNames, budget });
  const a = summary(whole);
  const b = summary(pieces);
  if (a.join('\n') !== b.join('\n')) return `diagnostics differ:\n  whole:    ${a.join('\n            ')}\n  segmented: ${b.join('\n             ')}`;
  if ((whole.bytes === undefined) !== (pieces.bytes === undefined)) return `bytes: whole ${whole.bytes?.length}, segmented ${pieces.bytes?.length}`;
  if (whole.bytes && pieces.bytes && Buffer.compare(Buffer.from(whole.bytes), Buffer.from(pieces.bytes)) !== 0) return `bytes differ (${whole.bytes.length} vs ${pieces.bytes.length})`;
  return undefined;
}

test('spec suite: every text module compiles in pieces to the same bytes and diagnostics', (t) => {
  assert.ok(fs.existsSync(CORPUS), `spec test suite not found at ${CORPUS}`);
  const counts = new Map<string, { same: number; total: number }>();
  const misses: string[] = [];
  const skips: string[] = [];
  for (const m of corpusModules()) {
    if (m.form !== 'text') continue;
    const valid = compileWatText(m.text!).bytes !== undefined;
    const key = `${valid ? 'compiles' : 'rejected'} (${m.command})`;
    const c = counts.get(key) ?? { same: 0, total: 0 };
    const unsupported = compileWatBytes(Buffer.from(m.text!), { budget: 0 }).diagnostics.find((d) => d.code === 'wat-segmented-unsupported');
    if (unsupported) {
      // by design: a body's inline type use that needs an implicit type (the whole text puts it
      // among the types; a piece cannot); our printer and wasm2wat never write one
      skips.push(`${m.file}:${m.line} (${m.command}): a body needs an implicit type (${m.text!.slice(unsupported.span.start, unsupported.span.start + 50).replace(/\s+/g, ' ')}...)`);
      continue;
    }
    c.total++;
    const d = difference(m.text!, true) ?? difference(m.text!, false);
    if (d === undefined) c.same++;
    else misses.push(`${m.file}:${m.line} (${m.command}): ${d}`);
    counts.set(key, c);
  }
  for (const [k, c] of [...counts].sort()) t.diagnostic(`${k}: ${c.same} identical out of ${c.total}`);
  t.diagnostic(`${skips.length} skipped:`);
  for (const k of skips) t.diagnostic(`  skipped ${k}`);
  for (const m of misses.slice(0, 20)) t.diagnostic(m);
  assert.ok(skips.length < 60, `${skips.length} modules need an implicit type from a body`);
  assert.ok((counts.get('compiles (module)')?.total ?? 0) > 2000, 'the spec suite has more than 2000 text modules that compile');
  assert.deepEqual(misses, [], 'the segmented compile differs from the whole text\'s');
});

test('our own disassembly of real modules compiles in pieces to the same bytes (names on and off)', (t) => {
  for (const name of ['onig', 'png', 'brotli'] as const) {
    const file = ensureModule(REAL_MODULES[name], (m) => t.diagnostic(m));
    const chunks: string[] = [];
    disassembleTo(new Uint8Array(fs.readFileSync(file)), (c) => chunks.push(c));
    const text = chunks.join('');
    const functions = scanTextLayout(Buffer.from(text)).bodies.length / 2;
    // one function per chunk where that stays small (each chunk holds every header)
    const budget = functions < 500 ? 0 : 256 * 1024;
    for (const names of [true, false]) {
      const whole = compileWatText(text, { debugNames: names });
      assert.ok(whole.bytes, `${name} compiles as one string`);
      assert.equal(difference(text, names, budget), undefined, `${name}, names ${names ? 'on' : 'off'}`);
    }
    t.diagnostic(`${name}: ${(text.length / 1e6).toFixed(1)} M characters, ${functions} functions, budget ${budget} bytes: identical, names on and off`);
  }
});

/** Ten functions; `body5` is the fifth's body. */
function tenFunctions(body5: string): string {
  const funcs: string[] = [];
  for (let k = 1; k <= 10; k++) {
    const body = k === 5 ? body5 : `local.get $x\n    i32.const ${k}\n    i32.add`;
    funcs.push(`  ;; fonction n°${k} (; un commentaire ;)\n  (func $f${k} (@note "é") (export "f${k}") (param $x i32) (result i32) (local $y i64)\n    ${body})`);
  }
  return `(module $"módulo"\n  (@custom "métadonnées" "valeur ü")\n  (memory 1)\n${funcs.join('\n')}\n  (data (i32.const 0) "héllo" "\\00\\ff" (; between ;) "wörld")\n  (@custom "après" (after code) "x")\n)\n`;
}

test('texts with non-ASCII names and strings, comments, annotations and custom sections', () => {
  const texts = [
    tenFunctions('local.get $x\n    (block $"étiquette" (result i32) (i32.const 5))\n    i32.add'),
    '(func $"一" (result i32) i32.const 1)\n;; fields without `(module`\n(func $"二" (param $"𝒳" i32) (result i32) (call $"一") local.get $"𝒳" i32.add)\n(export "二" (func $"二"))',
    '(module\n  (type $t (func (param i32) (result i32)))\n  (func $a (type $t) (param $p i32) (result i32) (local $l i32) (local.tee $l (local.get $p)))\n  (func $b (type $t) local.get 0 call $a (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0)))\n  (memory 1)\n  (data $d "abc")\n  (table 2 funcref)\n  (elem (i32.const 0) $a $b)\n)',
    '(module (func (block $l (br $l))) (func) (func (loop $m (br 0))))',
    "(module (func $\"odd name\" (export \"x\") (param $\"p q\" i32) (local.get $\"p q\") drop) (func (call $\"odd name\" (i32.const 1))))",
    '(module (func (import "m" "f") (param i32)) (func $g (param i32) (call 0 (local.get 0))) (func (@custom.inline x) (param i64)) (func (result i32) (i32.const 0)))',
    // custom annotations in headers, after a `(type ..)` (what the other chunks leave out) and among the locals
    '(module (type (func (result i32))) (func (type 0) (@custom "x" "y") (result i32) i32.const 1) (func (type 0) (local i32) (@custom "z" (after code) "w") (local i64) i32.const 1) (func $h (type 0) i32.const 2))',
  ];
  for (const text of texts) {
    assert.equal(compileWatText(text, { debugNames: true }).bytes !== undefined, true, `compiles: ${text.slice(0, 60)}`);
    for (const names of [true, false]) assert.equal(difference(text, names), undefined, text.slice(0, 80));
  }
});

test('an error in the fifth of ten functions is reported at its line, in the file', () => {
  const cases: { body: string; code: string; at: string }[] = [
    // a type error: the validator's finding, mapped back through the chunk that assembled the body
    { body: 'local.get $x\n    i64.const 1\n    i32.add', code: 'wasm-invalid', at: 'i32.add' },
    // a syntax error in the body: the parser's, through the chunk's offset table
    { body: 'local.get $x\n    i32.const 1.5\n    i32.add', code: 'wat-bad-number', at: '1.5' },
    // an unknown id: the assembler's
    { body: 'local.get $x\n    call $nowhere\n    i32.add', code: 'wat-unknown-id', at: '$nowhere' },
  ];
  for (const c of cases) {
    const text = tenFunctions(c.body);
    const bytes = Buffer.from(text, 'utf8');
    const whole = compileWatText(text);
    const pieces = compileWatBytes(bytes, { budget: 0 });
    assert.deepEqual(summary(pieces), summary(whole));
    assert.ok(pieces.diagnostics.length > 0 && pieces.bytes === undefined, c.code);
    const d = pieces.diagnostics.find((x) => x.severity === 'error')!;
    assert.equal(d.code, c.code);
    const found = locateFindings('t.wat', [d], new FilePositions(bytes, [d.span.start, d.span.end]))[0];
    assert.deepEqual(found, locateFindings('t.wat', [d], text)[0]);
    // where the faulty token is: in the fifth function's body (lines and columns are 1-based)
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.includes('(func $f5 '));
    const line = lines.findIndex((l, k) => k > header && l.includes(c.at));
    assert.deepEqual([found.line, found.column], [line + 1, lines[line].indexOf(c.at) + 1], `${c.code}: ${lines[found.line! - 1]}`);
  }
});

test('broken texts: clear diagnostics, no crash, no hang', (t) => {
  const good = tenFunctions('local.get $x\n    i32.const 5\n    i32.add');
  const broken: [string, string][] = [
    ['truncated in a body', good.slice(0, good.indexOf('fonction n°7'))],
    ['truncated after a field', good.slice(0, good.indexOf('  ;; fonction n°7'))],
    ['an unterminated string', good.replace('(export "f6")', '(export "f6)')],
    ['an unterminated block comment', good.replace('(; un commentaire ;)', '(; un commentaire')],
    ['an unterminated annotation', good.replace('(@note "é")', '(@note "é"')],
    ['no (module', 'hello there'],
    ['empty', ''],
    ['a body that never closes', '(module (func $a (result i32) (i32.const 1)) (func $b (block (nop)) (func $c))'],
    ['a stray )', '(module (func $a)) )'],
    ['only a comment', ';; nothing (; at ;) all'],
  ];
  let same = 0;
  for (const [what, text] of broken) {
    const whole = compileWatText(text);
    const pieces = compileWatBytes(Buffer.from(text, 'utf8'), { budget: 0 });
    if (whole.bytes === undefined) {
      assert.ok(pieces.bytes === undefined && pieces.diagnostics.some((d) => d.severity === 'error'), `${what}: rejected`);
      for (const d of pieces.diagnostics) assert.ok(d.span.start >= 0 && d.span.end <= text.length && d.message.length > 0, `${what}: ${d.message}`);
    }
    // every diagnostic of the whole text is reported at the same place; a chunk may add one in its
    // own bodies where the structure is broken (the parser recovers in a text with parts left out)
    const a = summary(whole);
    const b = summary(pieces);
    for (const d of a) assert.ok(b.includes(d), `${what}: ${d} missing from\n  ${b.join('\n  ')}`);
    if (a.join() === b.join()) same++;
    else t.diagnostic(`${what}: the segmented compile adds ${b.filter((d) => !a.includes(d)).join('; ')}`);
  }
  t.diagnostic(`${same} of ${broken.length} broken texts: the same diagnostics`);
});

test('a body whose type use needs an implicit type stops the segmented compile with a diagnostic', () => {
  const text = '(module (func (result i32) i32.const 1) (func (block (param i32) (result i32 i32) (i32.const 2)) drop drop))'.replace('(block (param i32)', '(i32.const 0) (block (param i32)');
  const whole = compileWatText(text);
  assert.ok(whole.bytes, 'valid as one string');
  const pieces = compileWatBytes(Buffer.from(text), { budget: 0 });
  assert.equal(pieces.bytes, undefined);
  assert.equal(pieces.diagnostics.length, 1);
  assert.equal(pieces.diagnostics[0].code, 'wat-segmented-unsupported');
  assert.match(pieces.diagnostics[0].message, /type section/);
  assert.equal(text.slice(pieces.diagnostics[0].span.start).startsWith('(i32.const 0) (block'), true, text.slice(pieces.diagnostics[0].span.start));
  // in one chunk with chunk 0 the difference remains: the implicit type is not in chunk 0
  assert.equal(compileWatBytes(Buffer.from(text), { budget: 1 << 20 }).bytes, undefined);
  // a custom section from an annotation inside a body: the same refusal, saying so
  const custom = '(module (func (result i32) (@custom "x" "y") i32.const 1))';
  assert.ok(compileWatText(custom).bytes);
  const c = compileWatBytes(Buffer.from(custom), { budget: 0 });
  assert.equal(c.bytes, undefined);
  assert.match(c.diagnostics[0].message, /custom "x" section: a \(@custom \.\.\.\) annotation inside a function body/);
});

test('FilePositions gives the line and column LineIndex gives, in a file that is never a string', () => {
  const text = 'a\r\nbé\rc𝒳d\n\ne\r\n\rf' + 'x'.repeat(100) + '\n';
  const bytes = Buffer.from(text, 'utf8');
  const offsets = [...Array(text.length + 1).keys()];
  const at = new FilePositions(bytes, offsets);
  const index = new LineIndex(text);
  for (const o of offsets) assert.deepEqual(at.positionAt(o), index.positionAt(o), `offset ${o}`);
  const ascii = 'abc\ndef\n\nghi';
  const a2 = new FilePositions(Buffer.from(ascii), [0, 3, 4, 8, 9, 12, 13]);
  const i2 = new LineIndex(ascii);
  for (const o of [0, 3, 4, 8, 9, 12, 13]) assert.deepEqual(a2.positionAt(o), i2.positionAt(o), `ascii offset ${o}`);
});
