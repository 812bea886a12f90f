import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { byteOffsetForText, disassembleFunction, printFunctionPage, printFunctionView, renderWatView, renderWatViewPage, summarizeModule, textOffsetForByte } from '../../../server/src/engine/binary/wat-view';
import { moduleView, moduleViewPage } from '../../../server/src/engine/operations/module-view';
import { disassemble } from '../../../server/src/engine/toolchain';
import { module, section, str, u32, wat, HOSTILE_BASE_WAT } from './wasm-fixtures';

const lineAt = (text: string, offset: number) => text.slice(text.lastIndexOf('\n', offset - 1) + 1, text.indexOf('\n', offset));

test('the view lists every declaration, one line each, in WAT spelling', async () => {
  const bytes = await wat(HOSTILE_BASE_WAT);
  const read = readWasm(bytes);
  const { text } = renderWatView(bytes, read);
  const expectLines = [
    '(module $base',
    '  (type $bin (;0;) (func (param i32 i32) (result i32)))',
    '  (import "env" "log" (func $log (;0;) (type 1) (param i32)))',
    '  (import "env" "memory" (memory (;0;) 1 16))',
    '  (import "env" "base" (global $base (;0;) i32))',
    '  (table $tab (;0;) 2 funcref)',
    '  (export "add" (func $add))',
    '  (start $init)',
    '  (elem (;0;) (i32.const 0) func $add $bump)',
    '  (data (;0;) (i32.const 16) "hello, \\"world\\"\\00")',
    '  ;; custom section "name" (',
  ];
  for (const l of expectLines) assert.ok(text.includes(l), `missing ${JSON.stringify(l)} in\n${text}`);
  const add = read.model.funcs.find((f) => f.id === '$add')!;
  assert.ok(text.includes(`  (func $add (;1;) (type $bin) (param i32 i32) (result i32) (; body ${add.bodySize} bytes @0x${add.span.start.toString(16)} ;))\n`), text);
  assert.ok(text.startsWith(`;; WebAssembly module, ${bytes.length} bytes, ${read.model.sections!.length} sections`));
  assert.ok(text.trimEnd().endsWith(')'));
});

test('module strings are escaped: quotes, control characters, markup, non-ASCII', () => {
  const hostile = 'a"b\\c\n<script>alert(1)</script>\u202e\u0000é';
  const bytes = module([section(1, [1, 0x60, 0, 0]), section(2, [1, ...str(hostile), ...str('x y'), 0x00, 0x00]), section(7, [1, ...str(hostile), 0x00, 0x00])]);
  const read = readWasm(bytes);
  assert.deepEqual(read.diagnostics, []);
  const { text } = renderWatView(bytes, read);
  const escaped = '"a\\"b\\\\c\\n<script>alert(1)</script>\\u{202e}\\00\\u{e9}"';
  assert.ok(text.includes(`(import ${escaped} "x y" (func (;0;) (type 0)))`), text);
  assert.ok(text.includes(`(export ${escaped} (func 0))`), text);
  assert.ok(!text.includes('\u202e') && !text.includes('\u0000'));
  // every line is still one entry: the newline inside the name did not split it
  assert.equal(text.split('\n').filter((l) => l.includes('<script>')).length, 2);
});

test('names that are not WAT ids are quoted: $"..."', () => {
  const funcNames = [2, 0, ...str('ok_name'), 1, ...str('a b\n)')];
  const names = section(0, [...str('name'), 1, ...u32(funcNames.length), ...funcNames]);
  const bytes = module([section(1, [1, 0x60, 0, 0]), section(3, [2, 0, 0]), section(10, [2, 2, 0, 0x0b, 2, 0, 0x0b]), names]);
  const read = readWasm(bytes);
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.model.funcs[1].id, '$a b\n)');
  const { text } = renderWatView(bytes, read);
  assert.ok(text.includes('  (func $ok_name (;0;) (type 0) (; body 2 bytes'), text);
  assert.ok(text.includes('  (func $"a b\\n)" (;1;) (type 0) (; body 2 bytes'), text);
});

test('offset mapping: every entry maps to its line and back', async () => {
  const bytes = await wat(HOSTILE_BASE_WAT);
  const read = readWasm(bytes);
  const view = renderWatView(bytes, read);
  const records = [...view.map.records()];
  for (let i = 1; i < records.length; i++) assert.ok(records[i].textStart > records[i - 1].textStart, 'records sorted');
  const m = read.model;
  const entries = [...m.imports, ...m.exports, ...m.funcs.filter((f) => !f.imported), ...m.data, ...m.elems, ...m.globals.filter((g) => !g.imported)];
  for (const e of entries) {
    const t = textOffsetForByte(view, e.span.start);
    assert.ok(t !== undefined, `byte ${e.span.start} not mapped`);
    assert.equal(byteOffsetForText(view, t), e.span.start);
    // any byte inside the entry lands on the same line
    assert.equal(textOffsetForByte(view, e.span.end - 1), t);
  }
  const exportLine = lineAt(view.text, textOffsetForByte(view, m.exports[0].span.start)!);
  assert.equal(exportLine, '  (export "add" (func $add))');
  const funcLine = lineAt(view.text, textOffsetForByte(view, m.funcs[1].span.start + 1)!);
  assert.ok(funcLine.startsWith('  (func $add '));
  assert.equal(textOffsetForByte(view, bytes.length + 10), undefined);
  assert.equal(byteOffsetForText(view, view.text.length + 10), undefined);
});

test('malformed and component inputs still render, with the problems as comments', () => {
  const truncated = module([section(1, [1, 0x60, 0, 0])]).subarray(0, 12);
  const r = readWasm(truncated);
  const view = renderWatView(truncated, r);
  assert.match(view.text, /;; error @0x8: section 1 at 0x8 declares 4 bytes but only 2 are left/);
  const comp = module([section(0, [...str('c\nx'), 1])], [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
  const cv = renderWatView(comp, readWasm(comp));
  assert.match(cv.text, /^;; WebAssembly component/);
  assert.ok(cv.text.includes(';; section 0 (custom:c\\nx) @0x8, 5 bytes'));
});

/** A module of `n` functions `() -> i32` returning small constants. */
function manyFunctions(n: number): Uint8Array {
  const funcs: number[] = u32(n);
  const code: number[] = u32(n);
  for (let i = 0; i < n; i++) {
    funcs.push(0);
    code.push(4, 0, 0x41, i & 0x3f, 0x0b);
  }
  return module([section(1, [1, 0x60, 0, 1, 0x7f]), section(3, funcs), section(10, code)]);
}

test('a large module renders one header per function', () => {
  const n = 20_000;
  const bytes = manyFunctions(n);
  const read = readWasm(bytes);
  assert.deepEqual(read.diagnostics, []);
  const view = renderWatView(bytes, read);
  assert.equal(view.text.split('\n').filter((l) => l.startsWith('  (func ')).length, n);
});

test('a first page is the start of the whole view, in whole lines, and says whether more follows', async () => {
  const n = 20_000;
  const bytes = manyFunctions(n);
  const read = readWasm(bytes);
  const whole = renderWatView(bytes, read).text;
  for (const chars of [1, 100, 4096, 65_536]) {
    const page = renderWatViewPage(bytes, read, chars);
    assert.equal(page.complete, false);
    assert.ok(page.text.length >= chars && page.text.length < chars + 200, `${chars}: ${page.text.length}`);
    assert.ok(page.text.endsWith('\n'));
    assert.equal(whole.slice(0, page.text.length), page.text, `the page of ${chars} is the start of the view`);
  }
  const all = renderWatViewPage(bytes, read, whole.length + 10);
  assert.deepEqual(all, { text: whole, complete: true });
  // the module view (headers, or everything for a small module) pages the same way
  for (const fullMaxBytes of [0, 1 << 30]) {
    const view = await moduleView(bytes, read, { fullMaxBytes });
    const page = moduleViewPage(bytes, read, 10_000, { fullMaxBytes });
    assert.equal(page.complete, false);
    assert.equal(view.text.slice(0, page.text.length), page.text);
  }
});

test('a function body\'s first page is the start of its text, printed no further', async () => {
  const bytes = await wat(`(module (func (export "f") ${'(drop (i32.const 7)) '.repeat(20_000)}))`);
  const read = readWasm(bytes);
  const whole = printFunctionView(bytes, read, 0).text;
  const page = printFunctionPage(bytes, read, 0, 1000);
  assert.equal(page.complete, false);
  assert.ok(page.text.length >= 1000 && page.text.length < 1100);
  assert.equal(whole.slice(0, page.text.length), page.text);
  assert.deepEqual(printFunctionPage(bytes, read, 0, whole.length), { text: whole, complete: true });
  assert.throws(() => printFunctionPage(bytes, read, 5, 1000), /cannot disassemble function 5: there is no such function/);
});

test('summary names the counts, memories and features', async () => {
  const bytes = await wat('(module (import "a" "m" (memory 1 2 shared)) (func (export "f")) (data (i32.const 0) "xy"))');
  const read = readWasm(bytes);
  const s = summarizeModule(read, bytes.length);
  assert.match(s, new RegExp(`^WebAssembly module, ${bytes.length} B \\(${bytes.length} bytes\\)`));
  assert.match(s, /imports 1 \(memory 1\), functions 1 defined/);
  assert.match(s, /memory 0: 1\.\.2 pages \(64\.0 KiB to 128 KiB\), shared \(imported a\.m\)/);
  assert.match(s, /features: threads/);
  assert.match(s, /data segments 1 \(2 B\)/);
});

test('disassembleFunction gives one function body, with names; fails with a clear message', async () => {
  const bytes = await wat(HOSTILE_BASE_WAT);
  const read = readWasm(bytes);
  const bump = read.model.funcs.findIndex((f) => f.id === '$bump');
  const text = await disassembleFunction(bytes, read, bump);
  assert.ok(text.startsWith('(func $bump (;2;) (type '), text);
  assert.match(text, /global\.get \$counter\n\s+i32\.const 1\n\s+i32\.add/);
  assert.match(text, /call \$log/);
  assert.ok(!text.includes('(func $add'));

  // each body on its own is the body in the module's full text, one level less indented
  const fullText = (await disassemble(bytes)).text!;
  for (const i of [1, 2, 3]) {
    const one = await disassembleFunction(bytes, read, i);
    assert.ok(fullText.includes(one.replace(/^(?=.)/gm, '  ')), `function ${i} (${one.split('\n')[0]}) differs from the full text`);
  }

  await assert.rejects(disassembleFunction(bytes, read, 0), /^Error: cannot disassemble function 0: it is imported from "env" "log"/);
  await assert.rejects(disassembleFunction(bytes, read, 99), /cannot disassemble function 99: there is no such function/);
  // A corrupt body: printed up to the problem, which a comment names
  const bad = new Uint8Array(bytes);
  const f = read.model.funcs[bump];
  bad[f.span.start + 1] = 0xff; // an unknown opcode
  const broken = printFunctionView(bad, readWasm(bad), bump);
  assert.match(broken.text, /;; error @0x[0-9a-f]+: illegal opcode 0xff/);
  assert.match(broken.diagnostics[0].message, /function 2: illegal opcode 0xff/);
});

test('a function view maps each instruction byte to its line (findings of a binary land on their instruction)', async () => {
  const bytes = await wat(HOSTILE_BASE_WAT);
  const read = readWasm(bytes);
  const bump = read.model.funcs.findIndex((f) => f.id === '$bump');
  const view = printFunctionView(bytes, read, bump);
  const f = read.model.funcs[bump];
  const call = bytes.indexOf(0x10, f.span.start); // call $log
  const hit = view.map.textForByte(call)!;
  assert.equal(lineAt(view.text, hit.start).trim(), 'call $log');
});
