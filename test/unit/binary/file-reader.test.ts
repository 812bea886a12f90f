/**
 * Header-only reads of `.wasm` files: the policy-relevant model equals a full read's, code and data
 * payloads are never read, malformed files fall back to a full read, and the check operation reads
 * the whole file only when the policy hashes modules.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { HEADER_READ_OPTIONS, readWasmFileHeaders } from '../../../server/src/engine/binary/file-reader';
import { checkFile } from '../../../server/src/engine/operations/check';
import { PolicyStore } from '../../../server/src/engine/policy/store';
import { wat } from './wasm-fixtures';

const SOURCE = `(module
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory $m 2)
  (table 4 funcref)
  (global $g (mut i32) (i32.const 7))
  (func $big (export "big") (result i32) ${'(drop (i32.const 12345)) '.repeat(3000)} (i32.const 1))
  (data (memory $m) (i32.const 0) "${'x'.repeat(5000)}")
  (export "m" (memory $m)))`;

let dir: string;
let file: string;
let bytes: Uint8Array;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-file-reader-'));
  bytes = await wat(SOURCE);
  file = path.join(dir, 'm.wasm');
  fs.writeFileSync(file, bytes);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a header read gives the policy-relevant model of a full read, without code or data bytes', () => {
  const headers = readWasmFileHeaders(file);
  assert.equal(headers.complete, false);
  assert.equal(headers.size, bytes.length);
  const full = readWasm(bytes);
  const lite = readWasm(headers.bytes, { ...HEADER_READ_OPTIONS, load: headers.load });
  // the export section is read from the file only when the exports are first asked for
  const exportSection = full.model.sections!.find((x) => x.name === 'export')!;
  const exportPayload = () => headers.bytes.subarray(exportSection.payloadOffset + 5, exportSection.payloadOffset + exportSection.size);
  assert.ok(exportPayload().every((b) => b === 0), 'export payload not read yet');
  assert.equal(lite.model.exports.length, 2);
  assert.ok(exportPayload().some((b) => b !== 0), 'export payload read on demand');
  assert.deepEqual(lite.diagnostics, []);
  // a header read decodes no name section, so entries carry no ids; everything else is the same
  const noIds = (xs: object[]) => xs.map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'id')));
  for (const key of ['imports', 'memories', 'tables', 'globals', 'exports', 'types', 'sections'] as const) {
    assert.deepEqual(noIds(lite.model[key] ?? []), noIds(full.model[key] ?? []), key);
  }
  assert.deepEqual(lite.model.features, full.model.features);
  // the code and data payloads were never read: they are zeros in the header buffer
  for (const name of ['code', 'data']) {
    const s = full.model.sections!.find((x) => x.name === name)!;
    const payload = headers.bytes.subarray(s.payloadOffset + 6, s.payloadOffset + s.size);
    assert.ok(payload.length > 1000 && payload.every((b) => b === 0), `${name} payload untouched`);
  }
});

test('a truncated or malformed file falls back to a full read, so the reader reports it', () => {
  const truncated = path.join(dir, 'truncated.wasm');
  fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 10));
  const r = readWasmFileHeaders(truncated);
  assert.equal(r.complete, true);
  assert.deepEqual(r.bytes, new Uint8Array(bytes.subarray(0, bytes.length - 10)));
  assert.ok(readWasm(r.bytes, { ...HEADER_READ_OPTIONS, load: r.load }).diagnostics.some((d) => d.code === 'wasm-malformed'));
  const garbage = path.join(dir, 'garbage.wasm');
  fs.writeFileSync(garbage, Buffer.from('not wasm at all'));
  assert.equal(readWasmFileHeaders(garbage).complete, true);
});

test('check reads the whole module only when the policy hashes modules', () => {
  const plain = path.join(dir, 'plain');
  fs.mkdirSync(plain);
  fs.copyFileSync(file, path.join(plain, 'm.wasm'));
  const r1 = checkFile(path.join(plain, 'm.wasm'), new PolicyStore({ roots: [plain] }));
  assert.ok(r1.diagnostics.some((d) => d.code === 'import-not-allowed' || d.code === 'wasi-capability-denied' || d.code === 'memory-unbounded'));
  const code = r1.wasm!.read.model.sections!.find((s) => s.name === 'code')!;
  assert.ok(r1.wasm!.bytes.subarray(code.payloadOffset + 6, code.payloadOffset + code.size).every((b) => b === 0), 'headers only');

  const pinned = path.join(dir, 'pinned');
  fs.mkdirSync(pinned);
  fs.copyFileSync(file, path.join(pinned, 'm.wasm'));
  fs.writeFileSync(path.join(pinned, 'wasm-warden.policy.json'), JSON.stringify({ integrity: { '*.wasm': ['0'.repeat(64)] } }));
  const r2 = checkFile(path.join(pinned, 'm.wasm'), new PolicyStore({ roots: [pinned] }));
  assert.deepEqual(r2.wasm!.bytes, new Uint8Array(bytes), 'whole file for a hashing policy');
  assert.ok(r2.diagnostics.some((d) => d.code === 'integrity-mismatch'));
  // the same findings apart from the hash rule, either way
  const codes = (r: typeof r1) => r.diagnostics.map((d) => d.code).filter((c) => c !== 'integrity-mismatch').sort();
  assert.deepEqual(codes(r2), codes(r1));
});

test('a header read of a module with a data count section reports nothing false', async () => {
  // memory.init needs the data count section; its data section is skipped by a header read
  const withCount = await wat(`(module (memory 1) (data $d "abc") (func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 3))))`);
  const f = path.join(dir, 'datacount.wasm');
  fs.writeFileSync(f, withCount);
  const full = readWasm(withCount);
  assert.equal(full.dataCount, 1, 'the fixture has a data count section');
  const headers = readWasmFileHeaders(f);
  const read = readWasm(headers.bytes, { ...HEADER_READ_OPTIONS, load: headers.load });
  read.decodeAll();
  assert.deepEqual(read.diagnostics, []);
});
