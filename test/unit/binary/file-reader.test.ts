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
import { u32, wat } from './wasm-fixtures';

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
  const sections = headers.file!.sections;
  assert.deepEqual(
    sections.map((s) => [s.id, s.offset, s.payloadOffset, s.size]),
    full.model.sections!.map((s) => [s.id, s.offset, s.payloadOffset, s.size]),
  );
  // what was read: nothing of code and data, a few bytes of the deferred sections
  const read = sections.reduce((n, s) => n + (s.data?.length ?? 0), 0);
  assert.ok(read < 300 && bytes.length > 8000, `read ${read} of ${bytes.length} bytes`);
  assert.equal(sections.find((s) => s.id === 10)!.data, undefined);
  assert.equal(sections.find((s) => s.id === 7)!.data!.length, 5);
  // the export section is read from the file only when the exports are first asked for
  const loads: number[] = [];
  const counted = { ...headers.file!, load: (s: (typeof sections)[number]) => (loads.push(s.id), headers.file!.load(s)) };
  const lite = readWasm(headers.bytes, { ...HEADER_READ_OPTIONS, file: counted });
  assert.deepEqual(loads, []);
  assert.equal(lite.model.exports.length, 2);
  assert.deepEqual(loads, [7]);
  // so is the type section: the imported functions' signatures are known once it is decoded
  assert.ok(lite.model.imports.some((i) => i.kind === 'func'));
  assert.ok(lite.model.imports.every((i) => i.sig === undefined));
  assert.equal(lite.model.types.length, full.model.types.length);
  assert.deepEqual(loads, [7, 1]);
  assert.deepEqual(lite.diagnostics, []);
  // a header read decodes no name section, so entries carry no ids; everything else is the same
  const noIds = (xs: object[]) => xs.map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'id')));
  for (const key of ['imports', 'memories', 'tables', 'globals', 'exports', 'types', 'sections', 'customSections'] as const) {
    assert.deepEqual(noIds(lite.model[key] ?? []), noIds(full.model[key] ?? []), key);
  }
  assert.equal(lite.model.byteLength, bytes.length);
  assert.deepEqual(lite.model.span, full.model.span);
  assert.deepEqual(lite.model.features, full.model.features);
});

test('custom sections after the code are described by their headers: names, sizes, placement', async () => {
  // wabt writes the name section last; add a producers-like custom section with a multi-byte name too
  const named = await wat(`(module $m (func $f (export "f") (result i32) ${'(drop (i32.const 1)) '.repeat(500)} (i32.const 2)))`);
  const extra = [0, ...u32(1 + 6 + 300), 6, ...Buffer.from('prödu', 'utf8'), ...new Array(300).fill(7)];
  const f = path.join(dir, 'customs.wasm');
  fs.writeFileSync(f, Uint8Array.from([...named, ...extra]));
  const whole = new Uint8Array(fs.readFileSync(f));
  const headers = readWasmFileHeaders(f);
  assert.deepEqual(
    headers.file!.sections.slice(-2).map((s) => s.data?.length),
    [Math.min(64, headers.file!.sections.at(-2)!.size), 64],
    'custom sections: the head only',
  );
  const lite = readWasm(headers.bytes, { ...HEADER_READ_OPTIONS, file: headers.file });
  const full = readWasm(whole);
  assert.deepEqual(lite.diagnostics, []);
  assert.deepEqual(lite.model.customSections, full.model.customSections);
  assert.deepEqual(lite.model.sections, full.model.sections);
  assert.deepEqual(
    lite.model.customSections.map((c) => [c.name, c.placement]),
    [
      ['name', 'last'],
      ['prödu', 'last'],
    ],
  );
});

test('a truncated or malformed file falls back to a full read, so the reader reports it', () => {
  const truncated = path.join(dir, 'truncated.wasm');
  fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 10));
  const r = readWasmFileHeaders(truncated);
  assert.equal(r.complete, true);
  assert.deepEqual(r.bytes, new Uint8Array(bytes.subarray(0, bytes.length - 10)));
  assert.ok(readWasm(r.bytes, { ...HEADER_READ_OPTIONS, file: r.file }).diagnostics.some((d) => d.code === 'wasm-malformed'));
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
  assert.equal(r1.wasm!.bytes.length, 8, 'headers only: the bytes are the magic and version');
  assert.equal(r1.wasm!.read.model.byteLength, bytes.length);

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

test('a module that carries a signature section is read whole, so a malformed signature is reported under any policy', () => {
  // a first custom section "signature" with an unsupported content type, then a type section
  const name = Buffer.from('signature');
  const payload = Buffer.concat([Buffer.from([name.length]), name, Buffer.from([0x01, 0xff, 0xff])]);
  const signed = Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, payload.length]), payload, Buffer.from([1, 4, 1, 0x60, 0, 0])]);
  const folder = path.join(dir, 'signed');
  fs.mkdirSync(folder);
  const f = path.join(folder, 'm.wasm');
  fs.writeFileSync(f, signed);
  // the default policy: no trusted keys, no signature required, nothing hashed
  const r = checkFile(f, new PolicyStore({ roots: [folder] }));
  assert.deepEqual(r.wasm!.bytes, new Uint8Array(signed), 'the whole file');
  const invalid = r.diagnostics.filter((d) => d.code === 'signature-invalid');
  assert.equal(invalid.length, 1, JSON.stringify(r.diagnostics));
  assert.match(invalid[0].message, /unsupported content type 255/);
  // the same as checking the bytes themselves
  const given = checkFile(f, new PolicyStore({ roots: [folder] }), { bytes: new Uint8Array(signed) });
  assert.deepEqual(r.diagnostics, given.diagnostics);
});

test('a header read of a module with a data count section reports nothing false', async () => {
  // memory.init needs the data count section; its data section is skipped by a header read
  const withCount = await wat(`(module (memory 1) (data $d "abc") (func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 3))))`);
  const f = path.join(dir, 'datacount.wasm');
  fs.writeFileSync(f, withCount);
  const full = readWasm(withCount);
  assert.equal(full.dataCount, 1, 'the fixture has a data count section');
  const headers = readWasmFileHeaders(f);
  const read = readWasm(headers.bytes, { ...HEADER_READ_OPTIONS, file: headers.file });
  read.decodeAll();
  assert.deepEqual(read.diagnostics, []);
});

test('a module with many functions reads cleanly from its headers (the function count is checked against the whole section)', async () => {
  const many = await wat(`(module ${'(func (export "f") (nop)) '.replace('(export "f") ', '').repeat(300)} (func (export "last")))`);
  const f = path.join(dir, 'many.wasm');
  fs.writeFileSync(f, many);
  const headers = readWasmFileHeaders(f);
  assert.equal(headers.complete, false);
  const read = readWasm(headers.bytes, { ...HEADER_READ_OPTIONS, file: headers.file });
  assert.deepEqual(read.diagnostics, []);
  assert.equal(read.model.funcs.length, 301);
  read.decodeAll();
  assert.deepEqual(read.diagnostics, []);
});

test('a custom section name longer than the first head read is read whole; one past the limit reads the file', () => {
  const long = 'n'.repeat(300);
  const section = (name: string) => {
    const payload = [...u32(Buffer.byteLength(name)), ...Buffer.from(name, 'utf8'), 1, 2, 3];
    return [0, ...u32(payload.length), ...payload];
  };
  const f = path.join(dir, 'long-name.wasm');
  fs.writeFileSync(f, Uint8Array.from([...bytes, ...section(long)]));
  const h = readWasmFileHeaders(f);
  assert.equal(h.complete, false);
  const read = readWasm(h.bytes, { ...HEADER_READ_OPTIONS, file: h.file });
  assert.deepEqual(read.diagnostics, []);
  assert.deepEqual(read.model.customSections.at(-1), { name: long, size: 3, span: { start: bytes.length, end: bytes.length + 3 + 2 + 300 + 3 }, placement: 'last' });
  const g = path.join(dir, 'huge-name.wasm');
  fs.writeFileSync(g, Uint8Array.from([...bytes, ...section('x'.repeat(5000))]));
  assert.equal(readWasmFileHeaders(g).complete, true, 'names over 4 KiB: the whole file');
});
