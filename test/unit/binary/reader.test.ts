import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { compileC, module, section, str, u32, V8Wasm, wat } from './wasm-fixtures';
import { clangMissing } from '../../clang';

const utf8 = new TextDecoder();
const textAt = (bytes: Uint8Array, s: { start: number; end: number } | undefined) => (s ? utf8.decode(bytes.subarray(s.start, s.end)) : undefined);
const errors = (r: ReturnType<typeof readWasm>) => r.diagnostics.filter((d) => d.severity === 'error');

const FULL = `(module $full
  (type $sig (func (param i32 i64) (result f32)))
  (type $v (func))
  (import "env" "imported_fn" (func $ifn (type $sig)))
  (import "env" "mem" (memory $imem 2 100 shared))
  (import "env" "g" (global $ig (mut i32)))
  (import "env" "tab" (table $itab 1 funcref))
  (import "env" "exn" (tag $itag (param i32)))
  (memory $m64 i64 3 5)
  (table $ext 4 externref)
  (global $gc f64 (f64.const 1.5))
  (global $gm (mut i64) (i64.const -7))
  (tag $t (param i64))
  (func $first (type $sig) (local $tmp i32) f32.const 0)
  (func $second (export "second") (type $v) nop)
  (export "mem" (memory $imem))
  (export "g" (global $ig))
  (start $second)
  (elem (table $itab) (i32.const 0) func $first)
  (elem func $second $first)
  (elem declare func $second)
  (data $active (memory $imem) (i32.const 8) "abc")
  (data $passive "passive!")
)`;

test('reads every declaration of a module compiled from WAT', async () => {
  const bytes = await wat(FULL);
  const r = readWasm(bytes);
  const m = r.model;
  assert.deepEqual(r.diagnostics, []);
  assert.equal(m.origin, 'binary');
  assert.equal(m.kind, 'module');
  assert.equal(m.byteLength, bytes.length);
  assert.equal(m.id, '$full');

  // types
  assert.equal(m.types.length, 4); // $sig, $v and the two tag types wabt adds
  assert.deepEqual(m.types[0].sig, { params: ['i32', 'i64'], results: ['f32'] });
  assert.equal(m.types[0].kind, 'func');

  // imports, with spans on the string bytes and the entry
  assert.deepEqual(
    m.imports.map((i) => [i.module, i.name, i.kind, i.index]),
    [
      ['env', 'imported_fn', 'func', 0],
      ['env', 'mem', 'memory', 0],
      ['env', 'g', 'global', 0],
      ['env', 'tab', 'table', 0],
      ['env', 'exn', 'tag', 0],
    ],
  );
  for (const imp of m.imports) {
    assert.equal(textAt(bytes, imp.moduleSpan), imp.module);
    assert.equal(textAt(bytes, imp.nameSpan), imp.name);
    assert.ok(imp.span.start < imp.moduleSpan!.start && imp.span.end > imp.nameSpan!.end);
  }
  const fnImport = m.imports[0];
  assert.deepEqual(fnImport.sig, { params: ['i32', 'i64'], results: ['f32'] });
  assert.equal(fnImport.id, '$ifn');
  assert.deepEqual(m.imports[1].limits, { min: 2, max: 100, shared: true, index64: false, pageSizeLog2: 16 });
  assert.deepEqual(m.imports[2].globalType, { valType: 'i32', mutable: true });
  assert.equal(m.imports[3].refType, 'funcref');
  assert.ok(m.imports[4].typeIndex !== undefined);

  // functions: imported first, then defined with body spans in the code section
  assert.equal(m.funcs.length, 3);
  assert.deepEqual(m.funcs[0].imported, { module: 'env', name: 'imported_fn' });
  const code = m.sections!.find((s) => s.id === 10)!;
  for (const f of m.funcs.slice(1)) {
    assert.equal(f.bodySize, f.span.end - f.span.start);
    assert.ok(f.span.start > code.payloadOffset && f.span.end <= code.payloadOffset + code.size);
    assert.equal(bytes[f.span.end - 1], 0x0b, 'a body ends with `end`');
  }
  assert.deepEqual(
    m.funcs.map((f) => [f.index, f.id, f.typeIndex]),
    [
      [0, '$ifn', 0],
      [1, '$first', 0],
      [2, '$second', 1],
    ],
  );
  assert.deepEqual(r.names?.locals.get(1), new Map([[2, 'tmp']])); // after params 0 and 1

  // memories, tables, globals, tags
  assert.deepEqual(
    m.memories.map((x) => [x.index, x.id, x.limits.min, x.limits.max, x.limits.index64, x.limits.shared, !!x.imported]),
    [
      [0, '$imem', 2, 100, false, true, true],
      [1, '$m64', 3, 5, true, false, false],
    ],
  );
  const limitsBytes = m.memories[1].limitsSpan!;
  assert.deepEqual([...bytes.subarray(limitsBytes.start, limitsBytes.end)], [0x05, 0x03, 0x05]);
  assert.deepEqual(
    m.tables.map((t) => [t.index, t.refType, t.limits.min, !!t.imported]),
    [
      [0, 'funcref', 1, true],
      [1, 'externref', 4, false],
    ],
  );
  assert.deepEqual(
    m.globals.map((g) => [g.index, g.id, g.valType, g.mutable]),
    [
      [0, '$ig', 'i32', true],
      [1, '$gc', 'f64', false],
      [2, '$gm', 'i64', true],
    ],
  );
  assert.deepEqual(
    m.tags.map((t) => [t.index, !!t.imported]),
    [
      [0, true],
      [1, false],
    ],
  );

  // exports, start, segments
  assert.deepEqual(
    m.exports.map((e) => [e.name, e.kind, e.index]),
    [
      ['second', 'func', 2],
      ['mem', 'memory', 0],
      ['g', 'global', 0],
    ],
  );
  for (const e of m.exports) assert.equal(textAt(bytes, e.nameSpan), e.name);
  assert.equal(m.start?.func, 2);
  assert.deepEqual(
    m.elems.map((e) => [e.mode, e.table, e.count]),
    [
      ['active', 0, 1],
      ['passive', undefined, 2],
      ['declarative', undefined, 1],
    ],
  );
  assert.deepEqual(
    m.data.map((d) => [d.id, d.mode, d.memory, d.size, textAt(bytes, { start: d.span.end - d.size, end: d.span.end })]),
    [
      ['$active', 'active', 0, 3, 'abc'],
      ['$passive', 'passive', undefined, 8, 'passive!'],
    ],
  );
  assert.equal(r.dataCount, undefined); // wabt writes no data count section without memory.init (tested with bytes)

  // sections tile the file
  let at = 8;
  for (const s of m.sections!) {
    assert.equal(s.offset, at);
    at = s.payloadOffset + s.size;
  }
  assert.equal(at, bytes.length);
  assert.deepEqual(m.customSections.map((c) => [c.name, c.placement]), [['name', 'last']]);

  for (const f of ['threads', 'memory64', 'reference-types', 'exceptions', 'bulk-memory'] as const) {
    assert.ok(m.features.includes(f), `feature ${f} in ${m.features.join(',')}`);
  }
  assert.ok(!m.features.includes('gc'));
});

test('names: false keeps ids but leaves out the name section and its locals', async () => {
  const bytes = await wat(FULL);
  const r = readWasm(bytes, { names: false });
  assert.equal(r.names, undefined);
  assert.equal(r.model.funcs[1].id, '$first');
});

test('GC types (rec, sub, struct, array) and typed references are recognised', () => {
  const types = [
    2, // two entries
    0x4e, 2, // rec group of two
    0x5f, 2, 0x7f, 0x01, 0x78, 0x00, // struct (mut i32) i8
    0x5e, 0x63, 0x00, 0x01, // array (mut (ref null 0))
    0x50, 1, 0, 0x60, 1, 0x64, 0x70, 0, // sub (0) func (param (ref func))
  ];
  const r = readWasm(module([section(1, types)]));
  assert.deepEqual(errors(r), []);
  assert.deepEqual(
    r.model.types.map((t) => t.kind),
    ['struct', 'array', 'func'],
  );
  assert.deepEqual(r.model.types[2].sig, { params: ['(ref func)'], results: [] });
  assert.ok(r.model.features.includes('gc'));
  assert.ok(r.model.features.includes('function-references'));
});

test('limits flags: custom page sizes, memory64 beyond 32 bits, shared', () => {
  const mems = [
    3,
    0x08, ...u32(1), ...u32(0), // min 1, page size 2^0
    0x09, ...u32(2), ...u32(8), ...u32(0), // min 2 max 8, page size 1
    0x07, ...u32(1), 0x80, 0x80, 0x80, 0x80, 0x20, // memory64 shared, max 2^33 pages (past 32 bits)
  ];
  const r = readWasm(module([section(5, mems)]));
  assert.deepEqual(errors(r), []);
  const [a, b, c] = r.model.memories.map((m) => m.limits);
  assert.deepEqual(a, { min: 1, shared: false, index64: false, pageSizeLog2: 0 });
  assert.deepEqual(b, { min: 2, max: 8, shared: false, index64: false, pageSizeLog2: 0 });
  assert.deepEqual(c, { min: 1, max: 2 ** 33, shared: true, index64: true, pageSizeLog2: 16 });
  for (const f of ['custom-page-sizes', 'memory64', 'threads', 'multi-memory'] as const) assert.ok(r.model.features.includes(f), f);
});

test('components are read by the component reader, their sections listed (test/unit/component/ has the rest)', () => {
  const bytes = module([section(0, [...str('component-name'), 1, 2, 3]), section(1, [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])], [0, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
  const r = readWasm(bytes);
  assert.equal(r.model.kind, 'component');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.model.component!.modules.length, 1);
  assert.deepEqual(r.model.sections!.map((s) => s.name), ['custom:component-name', 'core module']);
  assert.equal(r.model.customSections[0].size, 3);
});

test('custom sections: name, size and placement', () => {
  const bytes = module([section(0, [...str('a'), 9, 9]), section(1, [0]), section(0, [...str('b')]), section(3, [0]), section(0, [...str('c'), 1])]);
  const r = readWasm(bytes);
  assert.deepEqual(
    r.model.customSections.map((c) => [c.name, c.size, c.placement]),
    [
      ['a', 2, 'first'],
      ['b', 0, 'middle'],
      ['c', 1, 'last'],
    ],
  );
});

test('a C program compiled by clang for wasm32-wasi reads like V8Wasm.Module sees it', (t) => {
  const bytes = compileC('#include <stdio.h>\nint twice(int x) { return 2 * x; }\nint main(void) { printf("%d\\n", twice(21)); return 0; }\n');
  if (!bytes) {
    clangMissing(t, 'clang --target=wasm32-wasi is not available');
    return;
  }
  const r = readWasm(bytes);
  assert.deepEqual(errors(r), []);
  const mod = new V8Wasm.Module(bytes);
  const kind = (k: string) => (k === 'function' ? 'func' : k);
  assert.deepEqual(
    r.model.imports.map((i) => [i.module, i.name, i.kind]),
    V8Wasm.Module.imports(mod).map((i) => [i.module, i.name, kind(i.kind)]),
  );
  assert.deepEqual(
    r.model.exports.map((e) => [e.name, e.kind]),
    V8Wasm.Module.exports(mod).map((e) => [e.name, kind(e.kind)]),
  );
  assert.ok(r.model.imports.every((i) => i.module === 'wasi_snapshot_preview1'));
  const defined = r.model.funcs.filter((f) => !f.imported);
  assert.ok(defined.length > 10);
  assert.ok(defined.every((f) => f.bodySize !== undefined && bytes[f.span.end - 1] === 0x0b));
  assert.equal(r.model.memories.length, 1);
});

test('import names: repeated, well-known, non-ASCII, empty and near-miss module names, and names around non-ASCII bytes, all read as written', () => {
  // module names repeat and alternate, as in real import sections; a few differ from a well-known
  // name (or an earlier one) only in their last byte or their length
  const modules = ['env', 'wasi_snapshot_preview1', 'env', 'café', 'café', 'wasi_snapshot_preview2', 'en', 'envv', '', '', 'caf\u00e8', 'wasi_unstable', 'GOT.mem'];
  for (let k = 0; k < 20; k++) modules.push(`m${k}`); // past the pool's size
  modules.push('m0', 'm19', 'env');
  // field names: ASCII ones before and after non-ASCII bytes (a two-byte type index), and non-ASCII ones
  const names = modules.map((_, i) => (i % 7 === 3 ? `naïve${i}` : i % 5 === 1 ? `${i}\u{1F600}` : `f${i}`));
  const entries = modules.flatMap((mod, i) =>
    i % 3 === 0
      ? [...str(mod), ...str(names[i]), 0x00, ...u32(200 + i)] // a function of type 200+: LEB128 bytes >= 0x80
      : [...str(mod), ...str(names[i]), 0x03, 0x7f, 0x00], // a global i32
  );
  const bytes = module([section(2, [...u32(modules.length), ...entries])]);
  for (const options of [{}, { bodies: false, data: false, ids: false, names: false, lazy: true }]) {
    const r = readWasm(bytes, options);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.model.imports.map((imp) => imp.module),
      modules,
    );
    assert.deepEqual(
      r.model.imports.map((imp) => imp.name),
      names,
    );
    for (const imp of r.model.imports) {
      assert.equal(textAt(bytes, imp.moduleSpan), imp.module);
      assert.equal(textAt(bytes, imp.nameSpan), imp.name);
    }
  }
});
