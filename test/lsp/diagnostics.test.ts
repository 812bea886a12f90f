/**
 * Diagnostics over LSP, driving the real bundled server: syntax errors, policy findings in open and
 * unopened WAT and .wasm files, live edits, policy edits and a malformed policy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { LspClient, workspaceCopy, type PublishedDiagnostic } from './lsp-client';

const wabt = require('wabt')();

async function compile(wat: string): Promise<Uint8Array> {
  const w = await wabt;
  const mod = w.parseWat('m.wat', wat);
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

const codes = (ds: PublishedDiagnostic[]) => ds.map((d) => d.code).sort();

describe('diagnostics over LSP', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    // a binary module with a denied import and an unbounded memory, and one under node_modules that must be skipped
    const bytes = await compile(`(module (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32))) (memory (export "memory") 2))`);
    fs.writeFileSync(path.join(root, 'bin.wasm'), bytes);
    fs.mkdirSync(path.join(root, 'node_modules', 'dep'), { recursive: true });
    fs.writeFileSync(path.join(root, 'node_modules', 'dep', 'ignored.wasm'), bytes);
    // a folder the user hides with files.exclude is not scanned either
    fs.mkdirSync(path.join(root, 'generated'));
    fs.writeFileSync(path.join(root, 'generated', 'hidden.wasm'), bytes);
    client = await LspClient.start(root, {}, { 'files.exclude': { '**/generated': true, '**/.git': true } });
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the start-up scan reports unopened files, .wasm included, and skips node_modules', async () => {
    const scan = await client.waitForNotification<{ files: number; findings: number }>('wasmWarden/scanDone', true);
    assert.ok(scan.files >= 4, `scanned ${scan.files} files`);
    const bin = await client.waitForDiagnostics(client.uri('bin.wasm'), (d) => d.length > 0);
    assert.ok(codes(bin).includes('import-not-allowed'), `bin.wasm codes: ${codes(bin)}`);
    assert.ok(codes(bin).includes('memory-unbounded'), `bin.wasm codes: ${codes(bin)}`);
    assert.match(bin.find((d) => d.code === 'import-not-allowed')!.message, /@0x[0-9a-f]+/);
    const plugin = await client.waitForDiagnostics(client.uri('plugins/plugin.wat'), (d) => d.length > 0);
    assert.deepEqual(codes(plugin), ['import-not-allowed']);
    assert.equal(client.diagnostics.get(client.uri('node_modules/dep/ignored.wasm')), undefined);
    assert.equal(client.diagnostics.get(client.uri('generated/hidden.wasm')), undefined, 'files.exclude is honoured');
    assert.equal(client.diagnostics.get(client.uri('clean.wat')), undefined, 'a clean file gets no diagnostics');
  });

  test('an open WAT shows findings at the offending clauses', async () => {
    const uri = client.open('app.wat');
    const ds = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'import-not-allowed'));
    const imp = ds.find((d) => d.code === 'import-not-allowed')!;
    assert.equal(imp.range.start.line, 2, 'on the path_open import, not the fd_write one');
    assert.match(imp.message, /path_open/);
    assert.match(imp.message, /wasi_snapshot_preview1\.path_\*/, 'names the deny pattern that decided');
    const mem = ds.find((d) => d.code === 'memory-unbounded');
    assert.ok(mem, `codes: ${codes(ds)}`);
    assert.equal(mem.range.start.line, 4);
    assert.ok(imp.codeDescription?.href.endsWith('import-not-allowed.md'));
  });

  test('fixing the memory in the buffer removes its diagnostic as you type', async () => {
    const uri = client.uri('app.wat');
    const line = '  (memory $mem 1)';
    client.change(uri, '  (memory $mem 1 16)', { start: { line: 4, character: 0 }, end: { line: 4, character: line.length } });
    const ds = await client.waitForDiagnostics(uri, (d) => !d.some((x) => x.code === 'memory-unbounded'), 'memory fixed');
    assert.ok(ds.some((d) => d.code === 'import-not-allowed'), 'the import finding stays');
  });

  test('a syntax error gets one precise diagnostic, not a cascade', async () => {
    const uri = client.open('typo.wat', '(module\n  (func $f (result i32)\n    i32.cosnt 1)\n  (memory 1 1))\n', 'wat');
    const ds = await client.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.equal(ds.length, 1, JSON.stringify(ds));
    assert.equal(ds[0].range.start.line, 2);
    assert.equal(ds[0].range.start.character, 4);
    assert.match(String(ds[0].code), /^wat-/);
  });

  test('editing the policy to allow the import clears it in open and unopened files', async () => {
    const policyUri = client.open('wasm-warden.policy.json', undefined, 'json');
    const allow = JSON.stringify({ imports: { deny: [] }, memory: { requireMaximum: true, maxPages: 256 } }, null, 2);
    client.change(policyUri, allow);
    await client.waitForDiagnostics(client.uri('app.wat'), (d) => !d.some((x) => x.code === 'import-not-allowed'), 'app.wat cleared');
    await client.waitForDiagnostics(client.uri('plugins/plugin.wat'), (d) => d.length === 0, 'plugin.wat cleared');
    const bin = await client.waitForDiagnostics(client.uri('bin.wasm'), (d) => !d.some((x) => x.code === 'import-not-allowed'), 'bin.wasm import cleared');
    assert.ok(bin.some((d) => d.code === 'memory-unbounded'));
  });

  test('a malformed policy is reported in the policy file and the last good policy stays in force', async () => {
    const policyUri = client.uri('wasm-warden.policy.json');
    client.change(policyUri, '{ "imports": { "deny": ["wasi_snapshot_preview1.*"] }, "memroy": 3, ');
    const pds = await client.waitForDiagnostics(policyUri, (d) => d.length > 0, 'policy diagnostics');
    assert.ok(pds.every((d) => d.severity === 1 || d.severity === 2));
    // the last good policy (deny list empty) still applies: no import finding comes back
    const app = client.diagnostics.get(client.uri('app.wat')) ?? [];
    assert.ok(!app.some((d) => d.code === 'import-not-allowed'), 'checking continued with the last good policy');
    // a valid policy again clears the policy file's diagnostics
    client.change(policyUri, '{ "imports": { "deny": ["wasi_snapshot_preview1.fd_write"] } }');
    await client.waitForDiagnostics(policyUri, (d) => d.length === 0, 'policy clean');
    await client.waitForDiagnostics(client.uri('app.wat'), (d) => d.some((x) => x.code === 'import-not-allowed' && /fd_write/.test(x.message)));
  });

  test('a .wasm changed on disk is re-checked through file watching', async () => {
    const clean = await compile('(module (memory 1 1))');
    fs.writeFileSync(path.join(root, 'bin.wasm'), clean);
    client.filesChanged([{ rel: 'bin.wasm', type: 2 }]);
    await client.waitForDiagnostics(client.uri('bin.wasm'), (d) => d.length === 0, 'bin.wasm clean');
    fs.writeFileSync(path.join(root, 'bin.wasm'), clean.slice(0, 11));
    client.filesChanged([{ rel: 'bin.wasm', type: 2 }]);
    const ds = await client.waitForDiagnostics(client.uri('bin.wasm'), (d) => d.length > 0, 'truncated bin.wasm');
    assert.ok(ds.some((d) => d.code === 'wasm-malformed'), `codes: ${codes(ds)}`);
  });
});
