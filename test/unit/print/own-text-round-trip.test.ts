/**
 * Issue 16's round-trip promise, starting from OUR text: for real modules of several toolchains,
 * `disassemble` then `compile` (names on, as the editor's Compile does) gives a module V8 accepts whose
 * disassembly is the first text, to the letter (a fixed point), and compiling that text again gives the
 * same bytes. Names the original had survive (all but a repeated name, which the text cannot carry); no
 * name is added (the printer's made-up `$label<N>`s stay out of the name section); custom sections
 * and the name section keep their order. How many come back byte-identical to the original, and why
 * the others do not, is asserted section by section and reported.
 *
 * The modules: a C program by clang/lld/wasi-libc (test/clang.ts: fails under CI without clang), and
 * modules shipped in the devDependencies: playwright-core's WebP codec (C, emscripten), jco's WASI
 * preview1 command adapter (Rust) and jco-transpile's small wasm-tools shim (Rust). The benchmark
 * does the same on the large real modules (test/bench, group `assemble`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileWatText } from '../../../server/src/engine/operations/compile';
import { disassembleTo } from '../../../server/src/engine/operations/print-file';
import { walkRawSections } from '../../../server/src/engine/binary/sections';
import { emptyNameSection, readNameSection, type NameMap, type NameSection } from '../../../server/src/engine/binary/name-section';
import { buildGuest } from '../code/guests';
import { clangMissing } from '../../clang';
import { module, section, str, u32, V8Wasm } from '../binary/wasm-fixtures';
import { assertSameText } from '../../same-text';

const ROOT = path.resolve(__dirname, '../../..');
const jcoAdapter = async (): Promise<string> => {
  const j = (await import('@bytecodealliance/jco')) as unknown as { preview1AdapterCommandPath(): URL };
  return j.preview1AdapterCommandPath().pathname;
};
/** A file of an installed package (jco-transpile comes with jco: hoisted, or under jco's own node_modules). */
function inPackage(pkg: string, file: string, under: string[] = []): string {
  const places = [path.join(ROOT, 'node_modules', pkg, file), ...under.map((u) => path.join(ROOT, 'node_modules', u, 'node_modules', pkg, file))];
  const found = places.find((p) => fs.existsSync(p));
  assert.ok(found, `${pkg} (a devDependency) is not installed: ${places.join(', ')} missing (npm ci)`);
  return found;
}

function disassembled(bytes: Uint8Array): string {
  let text = '';
  const r = disassembleTo(bytes, (chunk) => (text += chunk));
  assert.ok(r.printed);
  assert.deepEqual(r.diagnostics, []);
  return text;
}

function compiled(text: string): Uint8Array {
  const c = compileWatText(text, { debugNames: true });
  assert.ok(c.bytes, `compile failed: ${c.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}`);
  return c.bytes;
}

interface Section {
  key: string;
  bytes: Uint8Array;
}

/** The sections in file order: `10` for the code section, `custom:producers` for a custom section. */
function sections(bytes: Uint8Array): Section[] {
  return walkRawSections(bytes).sections.map((s) => {
    let key = String(s.id);
    if (s.id === 0) {
      const len = bytes[s.payloadOffset]; // names here are shorter than 128 bytes
      key = 'custom:' + Buffer.from(bytes.subarray(s.payloadOffset + 1, s.payloadOffset + 1 + len)).toString('utf8');
    }
    return { key, bytes: bytes.subarray(s.payloadOffset, s.end) };
  });
}

function names(s: Section | undefined): NameSection {
  const out = emptyNameSection();
  if (s) readNameSection(s.bytes, 1 + 4, s.bytes.length, out, true);
  return out;
}

/**
 * Every name of `original` is in `ours`, but a name already given to an earlier entry of the same index
 * space (a text declares an id once); `ours` has no name `original` lacks. Returns how many were repeats.
 */
function assertNamesKept(original: NameSection, ours: NameSection, module: string): number {
  let repeats = 0;
  const space = (a: NameMap, b: NameMap, what: string): void => {
    const seen = new Set<string>();
    for (const [i, name] of a) {
      if (seen.has(name)) {
        repeats++;
        assert.equal(b.get(i), undefined, `${module}: ${what} ${i}`);
        continue;
      }
      seen.add(name);
      assert.equal(b.get(i), name, `${module}: the name of ${what} ${i}`);
    }
    for (const i of b.keys()) assert.ok(a.has(i), `${module}: ${what} ${i} got a name the original did not have: ${b.get(i)}`);
  };
  assert.equal(ours.module, original.module, `${module}: the module's name`);
  space(original.functions, ours.functions, 'function');
  space(original.types, ours.types, 'type');
  space(original.tables, ours.tables, 'table');
  space(original.memories, ours.memories, 'memory');
  space(original.globals, ours.globals, 'global');
  space(original.elems, ours.elems, 'element segment');
  space(original.data, ours.data, 'data segment');
  space(original.tags, ours.tags, 'tag');
  for (const [f, m] of original.locals) space(m, ours.locals.get(f) ?? new Map(), `function ${f}'s local`);
  for (const f of ours.locals.keys()) assert.ok(original.locals.has(f), `${module}: local names of function ${f} added`);
  return repeats;
}

/**
 * Why `ours` is not byte-identical to `original`; fails on any difference that is not one of the
 * known ones: a data count section no instruction needs (the text format cannot ask for one),
 * a code section of another size (the original's LEB128s were padded: the text keeps values, not
 * encodings), a name section without repeated names. Everything else is byte for byte the same.
 */
function differences(original: Uint8Array, ours: Uint8Array, module: string): string[] {
  const why: string[] = [];
  let a = sections(original);
  const b = sections(ours);
  if (a.some((s) => s.key === '12') && !b.some((s) => s.key === '12')) {
    why.push('a data count section no instruction needs');
    a = a.filter((s) => s.key !== '12');
  }
  assert.deepEqual(b.map((s) => s.key), a.map((s) => s.key), `${module}: the sections, in order`);
  for (let i = 0; i < a.length; i++) {
    if (Buffer.compare(a[i].bytes, b[i].bytes) === 0) continue;
    if (a[i].key === '10') why.push(`padded LEB128s in the code (${a[i].bytes.length} bytes, ours ${b[i].bytes.length})`);
    else if (a[i].key === 'custom:name') {
      const repeats = assertNamesKept(names(a[i]), names(b[i]), module);
      assert.ok(repeats > 0, `${module}: the name sections differ, but not by repeated names`);
      why.push(`${repeats} repeated names dropped (a text declares an id once)`);
    } else assert.fail(`${module}: section ${a[i].key} differs`);
  }
  return why;
}

test('real modules: our disassembly compiles back to a module V8 accepts whose disassembly is that text (a fixed point)', async (t) => {
  const modules: { name: string; bytes: Uint8Array }[] = [
    { name: 'WebP codec (C, emscripten)', bytes: new Uint8Array(fs.readFileSync(inPackage('playwright-core', 'lib/webp_codec.wasm'))) },
    { name: 'WASI preview1 adapter (Rust)', bytes: new Uint8Array(fs.readFileSync(await jcoAdapter())) },
    { name: 'wasm-tools shim (Rust)', bytes: new Uint8Array(fs.readFileSync(inPackage('@bytecodealliance/jco-transpile', 'vendor/wasm-tools.core2.wasm', ['@bytecodealliance/jco']))) },
  ];
  try {
    modules.push({ name: 'checksum.c (C, clang -O2, DWARF)', bytes: buildGuest('checksum') });
  } catch (err) {
    clangMissing(t, `clang --target=wasm32-wasi could not build checksum.c: ${(err as Error).message}`);
  }
  const report: string[] = [];
  let identical = 0;
  for (const m of modules) {
    const text = disassembled(m.bytes);
    const bytes = compiled(text);
    assert.ok(V8Wasm.validate(bytes), `${m.name}: V8 accepts the compiled module`);
    assertSameText(disassembled(bytes), text, `${m.name}: disassemble(compile(disassemble(m))) is disassemble(m)`);
    assert.deepEqual(compiled(disassembled(bytes)), bytes, `${m.name}: compiled again, the same bytes`);
    // the original's names, all kept but repeats (also when the bytes are the same: checked, not assumed)
    const nameOf = (b: Uint8Array) => sections(b).find((s) => s.key === 'custom:name');
    assertNamesKept(names(nameOf(m.bytes)), names(nameOf(bytes)), m.name);
    if (Buffer.compare(Buffer.from(m.bytes), Buffer.from(bytes)) === 0) {
      identical++;
      report.push(`${m.name}: byte-identical`);
    } else report.push(`${m.name}: ${bytes.length} vs ${m.bytes.length} bytes: ${differences(m.bytes, bytes, m.name).join(', ')}`);
  }
  const line = `own-text round trip: ${modules.length}/${modules.length} fixed points, ${identical} byte-identical to the original; ${report.join('; ')}`;
  t.diagnostic(line);
  console.log(line);
  assert.ok(modules.length >= 3);
});

test('the name section goes back between the custom sections it was between; the made-up labels add no names', () => {
  const text = `(module $m
  (memory 1)
  (func $f (param $x i32) (local $y i64)
    block $outer
      block
        local.get $x
        br_if $outer
      end
      loop
      end
    end)
  (data $d (i32.const 0) "hi")
  (@custom "before" (after data) "a")
  (@custom "after" (after last) "b"))`;
  const original = compiled(text);
  assert.deepEqual(sections(original).map((s) => s.key), ['1', '3', '5', '10', '11', 'custom:before', 'custom:name', 'custom:after']);
  const printed = disassembled(original);
  // our own labels for the unnamed blocks; the section after the name section is placed (after last)
  assert.match(printed, /block \$outer\n\s+block \$label1\n[^]*br_if \$outer\n[^]*loop \$label2\n/);
  assert.match(printed, /\(@custom "before" \(after data\) "a"\)\n {2};; custom section "name": printed as the \$ids\n {2}\(@custom "after" \(after last\) "b"\)\n\)/);
  const back = compiled(printed);
  assert.deepEqual(back, original, 'byte-identical: the same names (not $label1, $label2), the same places');
  assert.deepEqual([...names(sections(back).find((s) => s.key === 'custom:name')).locals.get(0)!], [[0, 'x'], [1, 'y']]);
  // with offsets, the comment says where the name section is and how large
  let withOffsets = '';
  disassembleTo(original, (c) => (withOffsets += c), { offsets: true });
  const at = walkRawSections(original).sections.find((s, i) => sections(original)[i].key === 'custom:name')!;
  assert.ok(withOffsets.includes(`;; custom section "name" (${at.end - at.payloadOffset} bytes @0x${at.offset.toString(16)}): printed as the $ids`), withOffsets);
});

test('a name section before the last other section is noted after it, and the round trip is still a fixed point', () => {
  const fnames = [...u32(1), ...u32(0), ...str('main')];
  const bytes = module([
    section(1, [1, 0x60, 0, 0]),
    section(3, [1, 0]),
    section(0, [...str('name'), 1, ...u32(fnames.length), ...fnames]), // before the code: allowed, unusual
    section(0, [...str('early'), 1]),
    section(10, [1, 2, 0, 0x0b]),
    section(0, [...str('late'), 2]),
  ]);
  assert.ok(V8Wasm.validate(bytes));
  const text = disassembled(bytes);
  assert.match(text, /\(@custom "early" \(after func\) "\\01"\)\n {2}\(func \$main[^]*\n {2};; custom section "name": printed as the \$ids\n {2}\(@custom "late" \(after last\) "\\02"\)\n\)/);
  const back = compiled(text);
  assert.deepEqual(sections(back).map((s) => s.key), ['1', '3', 'custom:early', '10', 'custom:name', 'custom:late']);
  assertSameText(disassembled(back), text, 'the fixed point');
});

test('a second name section is listed, not used: the first one names the module', () => {
  const names1 = [...u32(1), ...u32(0), ...str('first')];
  const names2 = [...u32(1), ...u32(0), ...str('second')];
  const bytes = module([
    section(1, [1, 0x60, 0, 0]),
    section(3, [1, 0]),
    section(10, [1, 2, 0, 0x0b]),
    section(0, [...str('name'), 1, ...u32(names1.length), ...names1]),
    section(0, [...str('name'), 1, ...u32(names2.length), ...names2]),
  ]);
  const text = disassembled(bytes);
  assert.match(text, /\(func \$first /);
  assert.match(text, /;; custom section "name": printed as the \$ids\n {2};; custom section "name" \(\d+ bytes @0x[0-9a-f]+\): a second name section, not used\n/);
});
