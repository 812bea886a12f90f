import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm, type WasmReadResult } from '../../../server/src/engine/binary/reader';
import { compileC, HOSTILE_BASE_WAT, module, prng, section, str, u32, V8Wasm, wat } from './wasm-fixtures';
import { clangMissing } from '../../clang';

const errors = (r: WasmReadResult) => r.diagnostics.filter((d) => d.severity === 'error');

/** Every span the model and diagnostics report lies inside the file. */
function assertSpansInside(r: WasmReadResult, length: number, label: string): void {
  const check = (s: { start: number; end: number } | undefined, what: string) => {
    if (!s) return;
    assert.ok(s.start >= 0 && s.start <= s.end && s.end <= length, `${label}: ${what} span ${s.start}..${s.end} outside 0..${length}`);
  };
  const m = r.model;
  for (const list of [m.types, m.imports, m.funcs, m.tables, m.memories, m.globals, m.tags, m.exports, m.data, m.elems, m.customSections] as { span: { start: number; end: number } }[][]) {
    for (const e of list) check(e.span, 'entry');
  }
  for (const s of m.sections ?? []) check({ start: s.offset, end: s.payloadOffset + s.size }, 'section');
  for (const d of r.diagnostics) {
    check(d.span, 'diagnostic');
    assert.equal(d.source, 'wasm-reader');
  }
}

function sectionBoundaries(bytes: Uint8Array): Set<number> {
  const r = readWasm(bytes);
  return new Set([8, ...r.model.sections!.map((s) => s.payloadOffset + s.size)]);
}

function truncateEverywhere(bytes: Uint8Array, label: string): void {
  const boundaries = sectionBoundaries(bytes);
  for (let cut = 0; cut < bytes.length; cut++) {
    const part = bytes.subarray(0, cut);
    const r = readWasm(part);
    assertSpansInside(r, cut, `${label} cut at ${cut}`);
    if (!boundaries.has(cut)) {
      const errs = errors(r);
      assert.ok(errs.length > 0, `${label}: cut at ${cut} gives no error`);
      assert.equal(errs[0].code, 'wasm-malformed');
      assert.ok(errs[0].span.start <= cut, `${label}: cut at ${cut}, error at ${errs[0].span.start}`);
    } else {
      assert.equal(r.model.sections!.length, [...boundaries].filter((b) => b > 8 && b <= cut).length);
    }
  }
}

test('truncation at every byte of a WAT-compiled module: a diagnostic each time, never a throw', async () => {
  truncateEverywhere(await wat(HOSTILE_BASE_WAT), 'wat module');
});

test('truncation at every byte of a clang-compiled C program', (t) => {
  const bytes = compileC('int f(int x) { return x * 3; }\nint main(void) { return f(2); }\n');
  if (!bytes) {
    clangMissing(t, 'clang --target=wasm32-wasi is not available');
    return;
  }
  truncateEverywhere(bytes, 'C program');
});

test('a function section without a code section is reported', async () => {
  const bytes = await wat(HOSTILE_BASE_WAT);
  const code = readWasm(bytes).model.sections!.find((s) => s.id === 10)!;
  const r = readWasm(bytes.subarray(0, code.offset));
  assert.match(errors(r)[0].message, /declares 3 functions but there is no code section/);
});

test('random byte flips (seeded): never a throw, spans stay inside, and V8-valid mutants read cleanly', async () => {
  const base = await wat(HOSTILE_BASE_WAT);
  const rand = prng(0x5eed);
  let flagged = 0;
  let v8Valid = 0;
  const N = 4000;
  for (let i = 0; i < N; i++) {
    const mutant = new Uint8Array(base);
    const flips = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < flips; k++) {
      const at = 8 + Math.floor(rand() * (mutant.length - 8));
      mutant[at] = rand() < 0.5 ? mutant[at] ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
    }
    const r = readWasm(mutant);
    assertSpansInside(r, mutant.length, `mutant ${i}`);
    if (errors(r).length) flagged++;
    if (V8Wasm.validate(mutant)) {
      v8Valid++;
      assert.deepEqual(
        errors(r).map((d) => d.message),
        [],
        `mutant ${i} is valid for V8 but the reader reports errors`,
      );
    }
  }
  // The flips must actually reach the reader's checks (and some mutants must stay valid).
  assert.ok(flagged > N / 4, `only ${flagged} of ${N} mutants flagged`);
  assert.ok(v8Valid > 0);
});

test('LEB128: overlong and unused bits are rejected, padded values accepted', () => {
  const overlong = Uint8Array.from([...module([]), 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
  const r1 = readWasm(overlong);
  assert.match(errors(r1)[0].message, /^section header at 0x8: section size: LEB128 at 0x9 is longer than 5 bytes/);
  assert.equal(errors(r1)[0].span.start, 9);

  const unused = Uint8Array.from([...module([]), 1, 0xff, 0xff, 0xff, 0xff, 0x7f]);
  assert.match(errors(readWasm(unused))[0].message, /unused bits set/);

  // type section, size 5 written as a padded 5-byte LEB: fine
  const padded = Uint8Array.from([...module([]), 1, 0x85, 0x80, 0x80, 0x80, 0x00, 1, 0x60, 0, 1, 0x7f]);
  const r3 = readWasm(padded);
  assert.deepEqual(r3.diagnostics, []);
  assert.deepEqual(r3.model.types[0].sig, { params: [], results: ['i32'] });
});

test('a count of billions is refused before anything is allocated', () => {
  for (const id of [1, 2, 3, 5, 6, 7, 9, 10, 11, 13]) {
    const bytes = module([section(id, [...u32(0xffffffff), 0, 0])]);
    const r = readWasm(bytes);
    const e = errors(r)[0];
    assert.ok(e, `section ${id}`);
    assert.match(e.message, new RegExp(`^section ${id} \\(\\w+\\) at 0x8: .*count 4294967295 at 0xa cannot fit in the 2 bytes left`));
  }
});

test('a section size past the end of the file stops reading there', () => {
  const bytes = module([section(1, [1, 0x60, 0, 0]), [2, ...u32(1000), 0]]);
  const r = readWasm(bytes);
  assert.equal(r.model.types.length, 1, 'sections before it are kept');
  assert.deepEqual(
    errors(r).map((d) => [d.span.start, d.message]),
    [[14, 'section 2 (import) at 0xe: size 1000 runs past the end of the file (payload at 0x11, 1 bytes left)']],
  );
});

test('bad UTF-8 in an import name is reported at the string', () => {
  const imports = [1, ...str('env'), 2, 0xc3, 0x28, 0x00, 0x00];
  const bytes = module([section(1, [1, 0x60, 0, 0]), section(2, imports)]);
  const e = errors(readWasm(bytes))[0];
  assert.match(e.message, /^section 2 \(import\) at 0xe: import field name at 0x16 is not valid UTF-8/);
  assert.equal(e.span.start, 0x16);
});

test('bad magic, bad version, tiny files', () => {
  assert.match(errors(readWasm(new Uint8Array()))[0].message, /not a WebAssembly binary/);
  assert.match(errors(readWasm(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1])))[0].message, /truncated header/);
  assert.match(errors(readWasm(Buffer.from('<html><body>not wasm</body></html>')))[0].message, /bad magic 3c 68 74 6d/);
  const v2 = readWasm(Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]));
  assert.match(errors(v2)[0].message, /unsupported binary version 02 00 00 00/);
});

test('order, unknown sections, count mismatches and data count', () => {
  const outOfOrder = readWasm(module([section(3, [0]), section(1, [0])]));
  assert.match(errors(outOfOrder)[0].message, /section 1 \(type\) at 0xb: section is out of order/);
  const unknown = readWasm(module([section(42, [1, 2, 3]), section(1, [0])]));
  assert.match(errors(unknown)[0].message, /unknown section id 42; skipped/);
  assert.equal(unknown.model.sections!.length, 2);
  const bodies = readWasm(module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [2, 2, 0, 0x0b, 2, 0, 0x0b])]));
  assert.match(errors(bodies)[0].message, /2 function bodies but the function section declares 1 functions/);
  const dataCountOk = readWasm(module([section(12, [1]), section(11, [1, 1, 0])]));
  assert.deepEqual(dataCountOk.diagnostics, []);
  assert.equal(dataCountOk.dataCount, 1);
  const dataCountBad = readWasm(module([section(12, [3]), section(11, [1, 1, 0])]));
  assert.match(errors(dataCountBad)[0].message, /data count section says 3 data segments but the data section has 1/);
});

test('a malformed name section is a warning and the rest of the module stays', async () => {
  const good = await wat(HOSTILE_BASE_WAT);
  const bad = Uint8Array.from([...good, ...section(0, [...str('name'), 1, ...u32(50), 3, 0])]);
  const r = readWasm(bad);
  assert.deepEqual(errors(r), []);
  assert.equal(r.diagnostics[0].severity, 'warning');
  assert.match(r.diagnostics[0].message, /custom section "name" at 0x[0-9a-f]+: name subsection 1 at 0x[0-9a-f]+ has size 50 past the end/);
  assert.equal(r.model.funcs.length, 4);
  assert.equal(r.model.exports.length, 2);
});

test('garbage after a valid header gives a bounded number of diagnostics', () => {
  const rand = prng(7);
  const junk = new Uint8Array(200_000);
  for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rand() * 256);
  junk.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const r = readWasm(junk);
  assert.ok(r.diagnostics.length > 0 && r.diagnostics.length <= 101);
});
