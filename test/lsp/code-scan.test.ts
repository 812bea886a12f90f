/**
 * The code rules over LSP, driving the real bundled server: a workspace scan stays header-only until the
 * policy turns `code.scan` on, then a miner-shaped `.wasm` that is not open gets mining-kernel (error),
 * hash-kernel (information) and network-endpoint (warning) findings with their documentation links; the
 * import rules (host-code-execution) report without the scan; severities follow the policy's `rules`.
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

const MINER_WAT = `(module
  (memory 1 1)
  (func (export "round") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (loop $l
      ${'(local.set $a (i32.add (i32.rotl (i32.xor (local.get $a) (local.get $b)) (i32.const 7)) (local.get $b)))\n      (local.set $b (i32.xor (i32.rotr (local.get $b) (i32.const 13)) (local.get $a)))\n      '.repeat(8)}
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $a))
  (data (i32.const 16) "stratum+tcp://xmr.pool.example.net:3333\\00"))`;

const codes = (ds: PublishedDiagnostic[]) => ds.map((d) => d.code).sort();
const POLICY = { memory: { requireMaximum: true, maxPages: 256 } };

describe('code rules over LSP', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    fs.writeFileSync(path.join(root, 'wasm-warden.policy.json'), JSON.stringify(POLICY, null, 2));
    fs.writeFileSync(path.join(root, 'miner.wasm'), await compile(MINER_WAT));
    fs.writeFileSync(path.join(root, 'script.wasm'), await compile('(module (import "env" "emscripten_run_script" (func (param i32))))'));
    client = await LspClient.start(root);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('without code.scan the miner is not read past its headers; the eval-like import is reported anyway', async () => {
    await client.waitForNotification('wasmWarden/scanDone', true);
    const script = await client.waitForDiagnostics(client.uri('script.wasm'), (d) => d.length > 0);
    assert.deepEqual(codes(script), ['host-code-execution']);
    assert.equal(script[0].severity, 1);
    assert.match(script[0].codeDescription?.href ?? '', /host-code-execution\.md$/);
    assert.deepEqual(client.diagnostics.get(client.uri('miner.wasm')) ?? [], []);
  });

  test('turning code.scan on in the policy re-checks the unopened miner: mining-kernel error, hash-kernel info, network-endpoint warning', async () => {
    const policyUri = client.open('wasm-warden.policy.json', undefined, 'json');
    client.change(policyUri, JSON.stringify({ ...POLICY, code: { scan: true } }, null, 2));
    const ds = await client.waitForDiagnostics(client.uri('miner.wasm'), (d) => d.some((x) => x.code === 'mining-kernel'), 'miner.wasm code findings');
    assert.deepEqual(codes(ds), ['hash-kernel', 'mining-kernel', 'network-endpoint']);
    const by = (c: string) => ds.find((d) => d.code === c)!;
    assert.equal(by('mining-kernel').severity, 1);
    assert.equal(by('network-endpoint').severity, 2);
    assert.equal(by('hash-kernel').severity, 3);
    assert.match(by('mining-kernel').message, /mining pool endpoint "stratum\+tcp:\/\/xmr\.pool\.example\.net:3333"/);
    assert.match(by('hash-kernel').message, /function 0 looks like a hashing\/mining kernel: 100\.0% of the code/);
    assert.match(by('hash-kernel').codeDescription?.href ?? '', /hash-kernel\.md$/);

    // the endpoint allowed and mining-kernel turned off: only the information stays
    client.change(policyUri, JSON.stringify({ ...POLICY, code: { scan: true, allowedEndpoints: ['*.example.net'] }, rules: { 'mining-kernel': 'off' } }, null, 2));
    const after = await client.waitForDiagnostics(client.uri('miner.wasm'), (d) => !d.some((x) => x.code === 'mining-kernel' || x.code === 'network-endpoint'), 'miner.wasm after the policy edit');
    assert.deepEqual(codes(after), ['hash-kernel']);
  });
});
