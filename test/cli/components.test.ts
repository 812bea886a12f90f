/**
 * The CLI on WebAssembly components (issue 18): check (text/JSON/SARIF), validate, inspect, sign and
 * verify accept them; run refuses one, naming what it would need. The components are built in the test
 * (component WAT assembled by wasm-tools through jco), never committed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, cli, rm } from './helpers';
import { assembleComponent, NETWORK_COMPONENT_WAT } from '../unit/component/component-fixtures';

const CLEAN_WAT = `(component
  (type $out (instance (export "get-stdout" (func (result u32)))))
  (import "wasi:cli/stdout@0.2.3" (instance (type $out)))
  (core module $m (func (export "f")))
)`;

describe('components in the CLI', { concurrency: true }, () => {
  let dir: string;
  before(async () => {
    build();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-component-'));
    fs.writeFileSync(path.join(dir, 'net.wasm'), await assembleComponent(NETWORK_COMPONENT_WAT));
    fs.writeFileSync(path.join(dir, 'clean.wasm'), await assembleComponent(CLEAN_WAT));
    // a component whose nested core module is truncated
    const clean = await assembleComponent(CLEAN_WAT);
    const broken = Uint8Array.from(clean);
    const at = Buffer.from(broken).indexOf(Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    broken[at + 9] = 0x7f; // the first section's size runs past the module's end
    fs.writeFileSync(path.join(dir, 'broken-inner.wasm'), broken);
  });
  after(() => rm(dir));

  test('check: findings on the component\'s imports in text, JSON and SARIF; exit 1', async () => {
    const text = await cli(['check', 'net.wasm', 'clean.wasm'], dir);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /net\.wasm:1:1: error \[wasi-capability-denied\] Import wasi:sockets\/tcp@0\.2\.3 needs the WASI capability "sockets"/);
    assert.match(text.stdout, /error \[wasi-capability-denied\] Import wasi:http\/outgoing-handler@0\.2\.3 needs the WASI capability "http-outgoing"/);
    assert.doesNotMatch(text.stdout, /clean\.wasm/);
    const json = JSON.parse((await cli(['check', 'net.wasm', '--format', 'json'], dir)).stdout);
    const rules = json.files[0].findings.map((f: { rule: string }) => f.rule);
    assert.deepEqual(rules, ['wasi-capability-denied', 'wasi-capability-denied', 'unknown-wasi-import']);
    const sarif = JSON.parse((await cli(['check', 'net.wasm', '--format', 'sarif'], dir)).stdout);
    assert.equal(sarif.runs[0].results.length, 3);
    assert.equal(sarif.runs[0].results[0].ruleId, 'wasi-capability-denied');
    // a policy allowing the groups and denying by name, with a version range
    fs.writeFileSync(path.join(dir, 'wasm-warden.policy.json'), JSON.stringify({ imports: { deny: ['wasi:sockets/*@0.2'], wasi: { sockets: true, 'http-outgoing': true, unknown: true } } }));
    try {
      const r = await cli(['check', 'net.wasm', '--format', 'json'], dir);
      const findings = JSON.parse(r.stdout).files[0].findings;
      assert.deepEqual(findings.map((f: { rule: string; message: string }) => [f.rule, f.message.split(' is ')[0]]), [['import-not-allowed', 'Import wasi:sockets/tcp@0.2.3']]);
    } finally {
      fs.rmSync(path.join(dir, 'wasm-warden.policy.json'));
    }
  });

  test('validate: a clean component is valid; a malformed nested module is an error naming it', async () => {
    const ok = await cli(['validate', 'clean.wasm', '--format', 'json'], dir);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const bad = await cli(['validate', 'broken-inner.wasm'], dir);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /error \[wasm-malformed\] core module 0 @0x[0-9a-f]+: /);
  });

  test('inspect: the interfaces with their capability groups, and the nested module', async () => {
    const r = await cli(['inspect', 'net.wasm'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /net\.wasm {2}component, \d+ bytes/);
    assert.match(r.stdout, /\n {2}wasi:sockets\/tcp@0\.2\.3 {2}instance {2}\(sockets\) {2}error \[wasi-capability-denied\]/);
    assert.match(r.stdout, /\n {2}log {2}func {2}allowed/);
    assert.match(r.stdout, /core modules inside \(1\)[^\n]*\n {2}module 0 {2}@0x[0-9a-f]+ {2}\d+ bytes/);
    const json = JSON.parse((await cli(['inspect', 'net.wasm', '--format', 'json'], dir)).stdout);
    assert.equal(json.kind, 'component');
    assert.deepEqual(json.imports.map((i: { name: string }) => i.name), ['wasi:sockets/tcp@0.2.3', 'wasi:http/outgoing-handler@0.2.3', 'wasi:random/random@0.2.3', 'wasi:randomly/thing@0.2.3', 'log']);
  });

  test('sign and verify a component; a changed byte fails verification', async () => {
    assert.equal((await cli(['keygen', '--secret-key', 'k.sec', '--public-key', 'k.pub'], dir)).code, 0);
    const s = await cli(['sign', 'clean.wasm', '--secret-key', 'k.sec', '-o', 'signed.wasm'], dir);
    assert.equal(s.code, 0, s.stderr);
    const v = await cli(['verify', 'signed.wasm', '--public-key', 'k.pub'], dir);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /^verified signed\.wasm/);
    // still a component that reads and checks the same
    const c = await cli(['check', 'signed.wasm'], dir);
    assert.equal(c.code, 0, c.stdout);
    const bytes = fs.readFileSync(path.join(dir, 'signed.wasm'));
    bytes[bytes.length - 3] ^= 0xff;
    fs.writeFileSync(path.join(dir, 'tampered.wasm'), bytes);
    const t = await cli(['verify', 'tampered.wasm', '--public-key', 'k.pub'], dir);
    assert.equal(t.code, 1, t.stdout + t.stderr);
  });

  test('run refuses a component, naming the runtime and the imports it needs', async () => {
    const r = await cli(['run', 'net.wasm'], dir);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /cannot run net\.wasm: it is a WebAssembly component, and the sandbox runs core modules with WASI preview1 only\. It needs a component runtime with WASI 0\.2 \(e\.g\. `wasmtime run`\) that provides its imports: wasi:sockets\/tcp@0\.2\.3, /);
  });
});
