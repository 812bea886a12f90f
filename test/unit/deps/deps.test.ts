/**
 * Dependencies and the SBOM: import providers by toolchain, the producers section, cargo-auditable's
 * `.dep-v0` (including hostile ones: a decompression bomb, bad JSON, bad indices), and the CycloneDX 1.5
 * output validated against the specification's structure (test/fixtures/cyclonedx) with ajv.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import Ajv from 'ajv';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { groupImportsByProvider } from '../../../server/src/engine/deps/import-providers';
import { dependencyReport, dependenciesOf, customPayloadsOf, customPayloadsFromFile } from '../../../server/src/engine/operations/deps';
import { toCycloneDx } from '../../../server/src/engine/deps/cyclonedx';
import { MAX_JSON_BYTES } from '../../../server/src/engine/deps/cargo-auditable';
import { readWasmFileHeaders } from '../../../server/src/engine/binary/file-reader';
import { HEADER_READ_OPTIONS } from '../../../server/src/engine/binary/file-reader';
import { module, section, str, u32, wat } from '../binary/wasm-fixtures';

const SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'cyclonedx', 'bom-1.5-structure.schema.json'), 'utf8'));

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  return ajv.compile(SCHEMA);
}

const producers = (fields: [string, [string, string][]][]) =>
  section(0, [...str('producers'), ...u32(fields.length), ...fields.flatMap(([f, list]) => [...str(f), ...u32(list.length), ...list.flatMap(([n, v]) => [...str(n), ...str(v)])])]);
const depV0 = (payload: Uint8Array | Buffer) => section(0, [...str('.dep-v0'), ...payload]);
const cargoJson = (packages: unknown[]) => zlib.deflateSync(Buffer.from(JSON.stringify({ packages })));

const CRATES = [
  { name: 'myplugin', version: '0.3.0', source: 'local', dependencies: [1, 2], root: true },
  { name: 'serde', version: '1.0.200', source: 'crates.io', dependencies: [3] },
  { name: 'sha2', version: '0.10.8', source: 'crates.io', dependencies: [] },
  { name: 'serde_derive', version: '1.0.200', source: 'crates.io', kind: 'build' },
];

describe('import providers', () => {
  it('names the runtime each toolchain\'s imports need', async () => {
    const bytes = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (import "wasi:filesystem/types@0.2.0" "[method]descriptor.read" (func))
      (import "env" "emscripten_memcpy_js" (func))
      (import "env" "__syscall_openat" (func))
      (import "env" "my_helper" (func))
      (import "GOT.mem" "__heap_base" (global (mut i32)))
      (import "wbg" "__wbg_log_1d2f3c4b" (func))
      (import "gojs" "runtime.wasmExit" (func (param i32)))
      (import "extism:host/env" "output_set" (func (param i64 i64)))
      (import "myhost" "callback" (func)))`);
    const groups = groupImportsByProvider(readWasm(bytes).model.imports);
    assert.deepEqual(
      groups.map((g) => [g.provider.id, g.imports.map((i) => i.name)]),
      [
        ['wasi-preview1', ['fd_write']],
        ['wasi-p2', ['[method]descriptor.read']],
        ['emscripten', ['emscripten_memcpy_js', '__syscall_openat', 'my_helper']], // env imports of an Emscripten module come from its glue
        ['emscripten-dylink', ['__heap_base']],
        ['wasm-bindgen', ['__wbg_log_1d2f3c4b']],
        ['go-js', ['runtime.wasmExit']],
        ['extism', ['output_set']],
        ['host', ['callback']],
      ],
    );
    assert.match(groups.at(-1)!.provider.name, /host module "myhost"/);
  });

  it('AssemblyScript by env.abort\'s four i32 parameters; an env.abort without them is the host\'s', async () => {
    const as = await wat(`(module (import "env" "abort" (func (param i32 i32 i32 i32))) (import "env" "trace" (func (param i32 i32 f64))))`);
    assert.deepEqual(groupImportsByProvider(readWasm(as).model.imports).map((g) => [g.provider.id, g.imports.length]), [['assemblyscript', 2]]);
    const other = await wat(`(module (import "env" "abort" (func)))`);
    assert.deepEqual(groupImportsByProvider(readWasm(other).model.imports).map((g) => g.provider.id), ['host']);
  });

  it('minified glue: Emscripten\'s `a.a`, `a.b` import names', async () => {
    const bytes = await wat(`(module (import "a" "a" (func)) (import "a" "b" (func)) (import "a" "ab" (func)))`);
    assert.deepEqual(groupImportsByProvider(readWasm(bytes).model.imports).map((g) => g.provider.id), ['minified-glue']);
  });
});

describe('producers and cargo-auditable', () => {
  it('reads the toolchain and the crates; a header read finds the same sections in the file', () => {
    const bytes = module([producers([['language', [['Rust', '']]], ['processed-by', [['rustc', '1.80.0'], ['wasm-bindgen', '0.2.92']]]]), depV0(cargoJson(CRATES))]);
    const model = readWasm(bytes).model;
    const d = dependenciesOf(model, customPayloadsOf(bytes));
    assert.deepEqual(d.toolchain, [
      { field: 'language', name: 'Rust', version: '' },
      { field: 'processed-by', name: 'rustc', version: '1.80.0' },
      { field: 'processed-by', name: 'wasm-bindgen', version: '0.2.92' },
    ]);
    assert.deepEqual(d.rust?.packages.map((p) => `${p.name}@${p.version}:${p.kind}:${p.dependencies.join(',')}${p.root ? ':root' : ''}`), [
      'myplugin@0.3.0:runtime:1,2:root',
      'serde@1.0.200:runtime:3',
      'sha2@0.10.8:runtime:',
      'serde_derive@1.0.200:build:',
    ]);
    assert.deepEqual(d.notes, []);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-deps-'));
    try {
      const file = path.join(dir, 'm.wasm');
      fs.writeFileSync(file, bytes);
      const headers = readWasmFileHeaders(file);
      const read = readWasm(headers.bytes, { ...HEADER_READ_OPTIONS, file: headers.file });
      assert.deepEqual(dependenciesOf(read.model, customPayloadsFromFile(read.model, headers.file!)), d);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hostile .dep-v0 sections: a decompression bomb, not zlib, not JSON, bad entries and indices: a note, never a crash', () => {
    const bomb = zlib.deflateSync(Buffer.alloc(MAX_JSON_BYTES + 1024, 0x20));
    const cases: [Uint8Array | Buffer, RegExp][] = [
      [bomb, /cannot inflate/],
      [Uint8Array.from([1, 2, 3, 4]), /cannot inflate/],
      [zlib.deflateSync(Buffer.from('{"packages": [')), /not JSON/],
      [zlib.deflateSync(Buffer.from('{"crates": []}')), /no package list/],
    ];
    for (const [payload, note] of cases) {
      const bytes = module([depV0(payload)]);
      const d = dependenciesOf(readWasm(bytes).model, customPayloadsOf(bytes));
      assert.deepEqual(d.rust?.packages, []);
      assert.match(d.notes.join(), note);
    }
    const mixed = module([depV0(cargoJson([{ name: 'a', version: '1', dependencies: [2, 7, -1, 'x', 1] }, 42, { name: 'b', version: '2' }]))]);
    const d = dependenciesOf(readWasm(mixed).model, customPayloadsOf(mixed));
    assert.deepEqual(d.rust?.packages.map((p) => [p.name, p.dependencies]), [['a', [1]], ['b', []]]); // index 2 -> 1 after the skipped entry
    assert.match(d.notes.join(), /1 malformed package entries skipped/);
  });

  it('a malformed producers section keeps what was read and says so', () => {
    const bytes = module([section(0, [...str('producers'), 2, ...str('language'), 1, ...str('C'), 5])]);
    const d = dependenciesOf(readWasm(bytes).model, customPayloadsOf(bytes));
    assert.deepEqual(d.toolchain, []);
    assert.match(d.notes.join(), /malformed producers section/);
  });
});

describe('CycloneDX 1.5', () => {
  function report(bytes: Uint8Array) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-cdx-'));
    try {
      const file = path.join(dir, 'plugin.wasm');
      fs.writeFileSync(file, bytes);
      return dependencyReport(file);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('is valid against the specification\'s structure, refs resolve, crates carry package URLs and the graph', async () => {
    const imports = await wat(`(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (import "env" "host_log" (func)))`);
    // the imports module plus the custom sections, appended
    const bytes = Uint8Array.from([...imports, ...producers([['language', [['Rust', '']]], ['processed-by', [['rustc', '1.80.0']]]]), ...depV0(cargoJson(CRATES))]);
    const r = report(bytes);
    const bom = toCycloneDx(r, { toolVersion: '9.9.9' });
    const validate = validator();
    assert.ok(validate(bom), JSON.stringify(validate.errors, null, 2));
    const refs = [(bom.metadata as any).component['bom-ref'], ...(bom.components as any[]).map((c) => c['bom-ref'])];
    assert.equal(new Set(refs).size, refs.length, 'bom-refs are unique');
    for (const d of bom.dependencies as { ref: string; dependsOn: string[] }[]) {
      assert.ok(refs.includes(d.ref), d.ref);
      for (const x of d.dependsOn) assert.ok(refs.includes(x), x);
    }
    const comps = bom.components as any[];
    assert.deepEqual(comps.filter((c) => c.type === 'library').map((c) => [c.purl, c.scope]), [
      ['pkg:cargo/serde@1.0.200', 'required'],
      ['pkg:cargo/sha2@0.10.8', 'required'],
      ['pkg:cargo/serde_derive@1.0.200', 'excluded'],
    ]);
    assert.deepEqual(comps.filter((c) => c.type === 'platform').map((c) => c.name), ['WASI preview1', 'host module "env"']);
    assert.deepEqual(comps.filter((c) => c.type === 'application').map((c) => `${c.name} ${c.version ?? ''}`.trim()), ['Rust', 'rustc 1.80.0']);
    const root = (bom.dependencies as any[])[0];
    assert.equal(root.ref, 'module:plugin.wasm');
    assert.ok(root.dependsOn.includes('cargo:serde@1.0.200') && root.dependsOn.includes('cargo:sha2@0.10.8') && !root.dependsOn.includes('cargo:serde_derive@1.0.200'));
    assert.equal((bom.metadata as any).component.hashes[0].content, r.sha256);
  });

  it('the structure check has teeth: a wrong type, hash or field fails it', () => {
    const validate = validator();
    const bom = toCycloneDx(report(module([])), { toolVersion: '1' }) as any;
    assert.ok(validate({ ...bom }), JSON.stringify(validate.errors));
    assert.equal(validate({ ...bom, components: [{ type: 'crate', name: 'x' }] }), false);
    assert.equal(validate({ ...bom, metadata: { ...bom.metadata, component: { ...bom.metadata.component, hashes: [{ alg: 'SHA-256', content: 'xyz' }] } } }), false);
    assert.equal(validate({ ...bom, specVersion: '1.4' }), false);
    assert.equal(validate({ ...bom, component: {} }), false);
  });
});
