/**
 * Hostile binaries a cloned workspace can carry (issue 23), generated here at their reported sizes:
 * 16 MB of zeros after a valid header, a million tiny custom sections, a name section of more names
 * than are kept, huge limits, a data count without a data section. Each gets a clear finding, and
 * the cost stays linear with small constants (peak memory of a child process doing the check).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { HEADER_READ_OPTIONS, readWasmFileHeaders } from '../../../server/src/engine/binary/file-reader';
import { MAX_LISTED_CUSTOM_SECTIONS } from '../../../server/src/engine/binary/custom-section-tally';
import { MAX_NAMES } from '../../../server/src/engine/binary/name-section';
import { checkFile } from '../../../server/src/engine/operations/check';
import { inspectFile } from '../../../server/src/engine/operations/inspect';
import { renderWatView } from '../../../server/src/engine/binary/wat-view';
import { PolicyStore } from '../../../server/src/engine/policy/store';
import { carriesSignature } from '../../../server/src/engine/signing/sections';
import { HEADER, module, section, str, u32 } from './wasm-fixtures';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-limits-'));
}

/** `n` custom sections named `name` with an empty payload, as one byte array (3 + name bytes each). */
function customSections(n: number, name = ''): Uint8Array {
  const one = Uint8Array.from(section(0, str(name)));
  const out = new Uint8Array(one.length * n);
  for (let i = 0; i < n; i++) out.set(one, i * one.length);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Peak RSS (bytes) of a child process that runs `check` and `inspect` on `file` through the engine, and its findings' codes. */
function checkInChild(file: string): { maxRss: number; codes: string[] } {
  const script = `
    const { checkFile } = require(${JSON.stringify(path.join(ROOT, 'server/src/engine/operations/check.ts'))});
    const { inspectFile } = require(${JSON.stringify(path.join(ROOT, 'server/src/engine/operations/inspect.ts'))});
    const { PolicyStore } = require(${JSON.stringify(path.join(ROOT, 'server/src/engine/policy/store.ts'))});
    const file = process.argv[1];
    const store = new PolicyStore({ roots: [require('path').dirname(file)] });
    const codes = checkFile(file, store).diagnostics.map((d) => d.code);
    JSON.stringify(inspectFile(file, store));
    process.stdout.write(JSON.stringify({ maxRss: process.resourceUsage().maxRSS * 1024, codes }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, file], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('16 MB of zeros after a valid header: a bounded list of findings, not 8 million sections; under 1 GB in a child', () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'zeros.wasm');
    fs.writeFileSync(file, concat(Uint8Array.from(HEADER), new Uint8Array(16 * 1024 * 1024)));
    const bytes = new Uint8Array(fs.readFileSync(file));
    const eager = readWasm(bytes);
    assert.ok(eager.diagnostics.length <= 101, `${eager.diagnostics.length} diagnostics`);
    assert.match(eager.diagnostics[0].message, /custom section name/);
    assert.ok(eager.diagnostics.some((d) => /more than 100 problems; stopped reading/.test(d.message)));
    assert.ok(eager.model.sections!.length <= 101);
    const checked = checkFile(file, new PolicyStore({ roots: [dir] }));
    assert.ok(checked.diagnostics.length <= 101 && checked.diagnostics.every((d) => d.code === 'wasm-malformed'));
    const { maxRss, codes } = checkInChild(file);
    assert.ok(codes.includes('wasm-malformed'));
    assert.ok(maxRss < 1024 ** 3, `peak RSS ${(maxRss / 1024 ** 2).toFixed(0)} MB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a million empty custom sections: the first 1000 listed, the rest counted, one input-limit finding (eager, header and file reads)', () => {
  const n = 1_000_000;
  const bytes = concat(Uint8Array.from(HEADER), customSections(n));
  const eager = readWasm(bytes);
  const m = eager.model;
  assert.equal(m.customSections.length, MAX_LISTED_CUSTOM_SECTIONS);
  assert.equal(m.sections!.length, MAX_LISTED_CUSTOM_SECTIONS);
  assert.deepEqual({ ...m.customSectionsOmitted!, span: undefined }, { count: n - MAX_LISTED_CUSTOM_SECTIONS, bytes: 0, largest: 0, names: [''], moreNames: false, span: undefined });
  assert.equal(m.customSectionsOmitted!.span.start, 8 + 3 * MAX_LISTED_CUSTOM_SECTIONS);
  const limit = eager.diagnostics.filter((d) => d.code === 'input-limit');
  assert.equal(limit.length, 1);
  assert.equal(limit[0].severity, 'warning');
  assert.match(limit[0].message, /^1000000 custom sections: only the first 1000 are listed \(limit 1000\); the other 999000 from 0xbc0 on/);
  assert.equal(eager.diagnostics.length, 1);

  const dir = tempDir();
  try {
    const file = path.join(dir, 'tiny.wasm');
    fs.writeFileSync(file, bytes);
    const headers = readWasmFileHeaders(file);
    assert.equal(headers.complete, false, 'a header read, not a fallback to the whole file');
    assert.equal(headers.file!.sections.length, MAX_LISTED_CUSTOM_SECTIONS);
    const lazy = readWasm(headers.bytes, { ...HEADER_READ_OPTIONS, file: headers.file });
    assert.equal(lazy.model.customSectionsOmitted!.count, n - MAX_LISTED_CUSTOM_SECTIONS);
    assert.deepEqual(
      lazy.diagnostics.map((d) => d.message),
      limit.map((d) => d.message),
    );
    const inspection = inspectFile(file, new PolicyStore({ roots: [dir] }));
    assert.equal(inspection.customSections.length, MAX_LISTED_CUSTOM_SECTIONS);
    assert.equal(inspection.customSectionsOmitted!.count, n - MAX_LISTED_CUSTOM_SECTIONS);
    const view = renderWatView(bytes, eager);
    assert.match(view.text, /;; \.\.\. 999000 more custom sections \(0 bytes\), counted, not listed/);
    const { maxRss, codes } = checkInChild(file);
    assert.deepEqual(codes, ['input-limit']);
    assert.ok(maxRss < 1024 ** 3, `peak RSS ${(maxRss / 1024 ** 2).toFixed(0)} MB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('counted custom sections still meet the policy: a forbidden name, a size over the cap, a signature among them', () => {
  const dir = tempDir();
  try {
    const big = Uint8Array.from(section(0, [...str('sourceMappingURL'), ...new Array(300).fill(0x41)]));
    const bytes = concat(Uint8Array.from(HEADER), customSections(MAX_LISTED_CUSTOM_SECTIONS + 10, 'x'), big);
    const file = path.join(dir, 'm.wasm');
    fs.writeFileSync(file, bytes);
    fs.writeFileSync(
      path.join(dir, 'wasm-warden.policy.json'),
      JSON.stringify({ customSections: { forbidden: ['sourceMappingURL'], required: ['sourceMappingURL'], maxBytes: 100 } }),
    );
    const codes = checkFile(file, new PolicyStore({ roots: [dir] })).diagnostics.map((d) => d.code);
    assert.ok(codes.includes('custom-section-forbidden'), codes.join());
    assert.ok(codes.includes('custom-section-too-large'), codes.join());
    assert.ok(!codes.includes('custom-section-missing'), codes.join());
    assert.ok(codes.includes('input-limit'));
    // a module carrying a signature section past the listed ones is still seen to carry one
    const signed = concat(Uint8Array.from(HEADER), customSections(MAX_LISTED_CUSTOM_SECTIONS + 10, 'x'), Uint8Array.from(section(0, str('signature'))));
    assert.equal(carriesSignature(readWasm(signed).model), true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a custom section with a malformed name past the listed ones is reported (eager and header reads)', () => {
  const bytes = concat(Uint8Array.from(HEADER), customSections(MAX_LISTED_CUSTOM_SECTIONS + 5), Uint8Array.of(0, 2, 5, 0x41));
  const eager = readWasm(bytes);
  assert.ok(eager.diagnostics.some((d) => d.code === 'wasm-malformed' && /custom section name/.test(d.message)), eager.diagnostics.map((d) => d.message).join('\n'));
  const dir = tempDir();
  try {
    const file = path.join(dir, 'm.wasm');
    fs.writeFileSync(file, bytes);
    const codes = checkFile(file, new PolicyStore({ roots: [dir] })).diagnostics.map((d) => d.code);
    assert.ok(codes.includes('wasm-malformed'), codes.join());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A module of `n` functions and a name section naming each of them. */
function namedFunctions(n: number): Uint8Array {
  const funcs = [...u32(n)];
  const bodies = [...u32(n)];
  const names: number[] = [...u32(n)];
  for (let i = 0; i < n; i++) {
    funcs.push(0);
    bodies.push(2, 0, 0x0b);
    names.push(...u32(i), ...str(`f${i}`));
  }
  return module([section(1, [1, 0x60, 0, 0]), section(3, funcs), section(10, bodies), section(0, [...str('name'), 1, ...u32(names.length), ...names])]);
}

test('a name section of 300,000 names keeps the first 250,000, counts the rest, and says so', () => {
  const n = 300_000;
  const r = readWasm(namedFunctions(n));
  assert.equal(r.names!.functions.size, MAX_NAMES);
  assert.equal(r.names!.omitted, n - MAX_NAMES);
  assert.equal(r.model.funcs[MAX_NAMES - 1].id, `$f${MAX_NAMES - 1}`);
  assert.equal(r.model.funcs[MAX_NAMES].id, undefined);
  const limit = r.diagnostics.filter((d) => d.code === 'input-limit');
  assert.equal(limit.length, 1);
  assert.equal(limit[0].message, `the name section holds 300000 names: only the first 250000 are used (limit 250000); the other 50000 are checked and counted, not shown`);
  assert.equal(r.diagnostics.length, 1);
});

test('a data count section without a data section: check and inspect report it (eager and header reads)', () => {
  const bytes = module([section(5, [1, 0, 1]), section(12, [2])]);
  const eager = readWasm(bytes);
  assert.deepEqual(
    eager.diagnostics.map((d) => [d.code, d.message]),
    [['wasm-malformed', 'the data count section says 2 data segments but there is no data section']],
  );
  // a count of 0 with no data section is valid
  assert.deepEqual(readWasm(module([section(12, [0])])).diagnostics, []);
  const dir = tempDir();
  try {
    const file = path.join(dir, 'm.wasm');
    fs.writeFileSync(file, bytes);
    const store = new PolicyStore({ roots: [dir] });
    assert.ok(checkFile(file, store).diagnostics.some((d) => d.code === 'wasm-malformed' && /no data section/.test(d.message)));
    assert.ok(inspectFile(file, store).findings.some((d) => /no data section/.test(d.message)));
    // a data section whose count differs, in a header read (only the count is read)
    const other = path.join(dir, 'n.wasm');
    fs.writeFileSync(other, module([section(5, [1, 0, 1]), section(12, [2]), section(11, [1, 1, 0])]));
    const found = checkFile(other, store).diagnostics.map((d) => d.message);
    assert.ok(found.includes('the data count section says 2 data segments but the data section has 1'), found.join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('huge limits (u64 and u32 maxima, a 4 GiB page size): read, checked and inspected without a throw', () => {
  const u64max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  const u32max = [0xff, 0xff, 0xff, 0xff, 0x0f];
  const bytes = module([
    section(4, [1, 0x70, 0x05, ...u64max, ...u64max]),
    section(5, [3, 0x05, ...u64max, ...u64max, 0x01, ...u32max, ...u32max, 0x0d, ...u64max, ...u64max, 32]),
  ]);
  const r = readWasm(bytes);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.model.memories.length, 3);
  const dir = tempDir();
  try {
    const file = path.join(dir, 'm.wasm');
    fs.writeFileSync(file, bytes);
    const store = new PolicyStore({ roots: [dir] });
    const codes = checkFile(file, store).diagnostics.map((d) => d.code);
    assert.deepEqual(codes, ['memory-too-large', 'memory-too-large', 'memory-too-large']);
    const i = inspectFile(file, store);
    assert.equal(i.memories.length, 3);
    assert.ok(JSON.stringify(i).length < 10_000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a run of 200,000 'shared' heap type prefixes: one clear finding, not a stack overflow", () => {
  const payload = [1, 0x60, 1, 0x63, ...new Array(200_000).fill(0x65), 0x70, 0];
  const r = readWasm(Uint8Array.from([...HEADER, 1, ...u32(payload.length), ...payload]));
  assert.deepEqual(
    r.diagnostics.map((d) => d.message),
    ["section 1 (type) at 0x8: unknown heap type: a second 'shared' prefix at 0x11"],
  );
});
