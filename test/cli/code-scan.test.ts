/**
 * The CLI's code scan and dependency listing, end to end: `deps` in its three formats (the CycloneDX SBOM
 * validated against the specification's structure), `check` with the policy's code scan on and off, and
 * `inspect`'s code summary and dependencies.
 * Run: node --import tsx --test test/cli/code-scan.test.ts
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import Ajv from 'ajv';
import { build, cli, rm, ROOT, wat2wasm } from './helpers';

const dirs: string[] = [];
before(() => build());
after(() => dirs.forEach(rm));

function folder(files: Record<string, string | Uint8Array>): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-code-'));
  dirs.push(d);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(d, name), content);
  return d;
}

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const name = (s: string) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const custom = (n: string, payload: number[] | Buffer) => [0, ...leb(name(n).length + payload.length), ...name(n), ...payload];

/** A function dense in rotates and xors (a hash round's shape), a pool URL in data. */
const MINER_WAT = `(module
  (memory (export "memory") 1 1)
  (func (export "round") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (loop $l
      ${'(local.set $a (i32.add (i32.rotl (i32.xor (local.get $a) (local.get $b)) (i32.const 7)) (local.get $b)))\n      (local.set $b (i32.xor (i32.rotr (local.get $b) (i32.const 13)) (local.get $a)))\n      '.repeat(8)}
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $a))
  (data (i32.const 16) "stratum+tcp://xmr.pool.example.net:3333\\00"))`;

describe('deps', { concurrency: true }, () => {
  test('text, JSON and a CycloneDX 1.5 SBOM that passes the specification\'s structure', async () => {
    const mod = await wat2wasm(`(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (import "env" "__wbindgen_throw" (func (param i32 i32))))`);
    const crates = zlib.deflateSync(Buffer.from(JSON.stringify({ packages: [{ name: 'app', version: '1.0.0', source: 'local', dependencies: [1], root: true }, { name: 'log', version: '0.4.21', source: 'crates.io' }] })));
    const bytes = Uint8Array.from([...mod, ...custom('producers', [1, ...name('processed-by'), 1, ...name('rustc'), ...name('1.80.0')]), ...custom('.dep-v0', [...crates])]);
    const d = folder({ 'app.wasm': bytes });
    const text = await cli(['deps', 'app.wasm'], d);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ {2}WASI preview1: 1 import, needs /m);
    assert.match(text.stdout, /^ {2}wasm-bindgen JS glue: 1 import, needs /m);
    assert.match(text.stdout, /^ {2}processed-by rustc 1\.80\.0$/m);
    assert.match(text.stdout, /^ {2}log 0\.4\.21 {2}crates\.io$/m);
    const json = JSON.parse((await cli(['deps', 'app.wasm', '--format', 'json'], d)).stdout);
    assert.equal(json.file, 'app.wasm');
    assert.deepEqual(json.rust.packages.map((p: { name: string }) => p.name), ['app', 'log']);
    const cdx = await cli(['deps', 'app.wasm', '--format', 'cyclonedx'], d);
    assert.equal(cdx.code, 0, cdx.stderr);
    const bom: any = JSON.parse(cdx.stdout);
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'cyclonedx', 'bom-1.5-structure.schema.json'), 'utf8')));
    assert.ok(validate(structuredClone(bom)), JSON.stringify(validate.errors));
    assert.equal(bom.metadata.tools.components[0].version, JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    assert.deepEqual(bom.dependencies[0].dependsOn.slice(0, 1), ['cargo:log@0.4.21']);
  });

  test('input errors exit 2 with a clear message', async () => {
    const d = folder({ 'notwasm.wasm': 'hello world', 'ok.wasm': await wat2wasm('(module)') });
    const bad = await cli(['deps', 'notwasm.wasm'], d);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /deps: notwasm\.wasm: not a WebAssembly binary/);
    assert.equal((await cli(['deps', 'missing.wasm'], d)).code, 2);
    const fmt = await cli(['deps', 'ok.wasm', '--format', 'sarif'], d);
    assert.equal(fmt.code, 2);
    assert.match(fmt.stderr, /text\|json\|cyclonedx|text, json, cyclonedx/);
    assert.equal((await cli(['deps'], d)).code, 2);
  });
});

describe('check and inspect with the code scan', { concurrency: true }, () => {
  test('code.scan on: the hash round and the pool URL make mining-kernel an error (exit 1); off: the check stays header-only (exit 0)', async () => {
    const wasm = await wat2wasm(MINER_WAT);
    const on = folder({ 'm.wasm': wasm, 'wasm-warden.policy.json': JSON.stringify({ code: { scan: true } }) });
    const r = await cli(['check', 'm.wasm', '--format', 'json'], on);
    assert.equal(r.code, 1, r.stderr);
    const rules = JSON.parse(r.stdout).files[0].findings.map((f: { rule: string; severity: string }) => `${f.rule}:${f.severity}`).sort();
    assert.deepEqual(rules, ['hash-kernel:info', 'mining-kernel:error', 'network-endpoint:warning']);
    const off = folder({ 'm.wasm': wasm, 'wasm-warden.policy.json': JSON.stringify({}) });
    const o = await cli(['check', 'm.wasm', '--format', 'json'], off);
    assert.equal(o.code, 0, o.stdout);
    assert.deepEqual(JSON.parse(o.stdout).files[0].findings, []);
    // the pool's host allowed and mining-kernel lowered: a warning, exit 0 at the default --fail-on error
    const allowed = folder({ 'm.wasm': wasm, 'wasm-warden.policy.json': JSON.stringify({ code: { scan: true, allowedEndpoints: ['*.example.net'] }, rules: { 'mining-kernel': 'warning' } }) });
    const a = await cli(['check', 'm.wasm', '--format', 'json'], allowed);
    assert.equal(a.code, 0, a.stdout);
    assert.deepEqual(JSON.parse(a.stdout).files[0].findings.map((f: { rule: string }) => f.rule).sort(), ['hash-kernel', 'mining-kernel']);
  });

  test('inspect shows the code summary and the dependencies', async () => {
    const d = folder({ 'm.wasm': await wat2wasm(MINER_WAT) });
    const json = JSON.parse((await cli(['inspect', 'm.wasm', '--format', 'json'], d)).stdout);
    assert.equal(json.code.functions, 1);
    assert.equal(json.code.kernels.length, 1);
    assert.deepEqual(json.code.strings.map((s: { kind: string }) => s.kind), ['pool']);
    assert.ok(json.code.mix.some((m: { category: string; count: number }) => m.category === 'bitwise' && m.count >= 32));
    assert.deepEqual(json.dependencies.providers, []);
    const text = (await cli(['inspect', 'm.wasm'], d)).stdout;
    assert.match(text, /^code\n {2}1 functions, \d+ bytes, \d+ instructions; 0 indirect calls/m);
    assert.match(text, /^ {2}hashing kernel: function 0, 100\.0% of the code: \d+ rotates/m);
  });
});
