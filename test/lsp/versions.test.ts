/**
 * Versions over LSP: the diff command, the module-not-approved finding (on once a lock file exists) and
 * its "approve this version" quick fix, and approve / rollback, which write only after the user said yes
 * (the client's `confirmed`, or the server's own window/showMessageRequest), trusted workspace or not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { LspClient, ROOT, type PublishedDiagnostic } from './lsp-client';
import { wat2wasm } from '../cli/helpers';

const C = { diff: 'wasmWarden.server.diff', approve: 'wasmWarden.server.approve', rollback: 'wasmWarden.server.rollback' };

const V1 = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory 1 2)
  (func (export "f") (result i32) i32.const 1))`;
const V2 = V1.replace('(memory 1 2)', '(import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))\n  (memory 1 16)');

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const notApproved = (d: PublishedDiagnostic[]) => d.filter((x) => x.code === 'module-not-approved');

async function workspace(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-lsp-versions-'));
  fs.writeFileSync(path.join(dir, 'wasm-warden.policy.json'), JSON.stringify({ imports: { wasi: { sockets: true } } }));
  fs.writeFileSync(path.join(dir, 'app.wasm'), await wat2wasm(V1));
  fs.mkdirSync(path.join(dir, 'candidates'));
  fs.writeFileSync(path.join(dir, 'candidates', 'v2.bin'), await wat2wasm(V2));
  return dir;
}

before(() => execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' }));

describe('versions over LSP (trusted workspace)', () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = await workspace();
    client = await LspClient.start(root, { trusted: true });
    await client.waitForNotification('wasmWarden/scanDone', true);
  });
  after(async () => {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('no lock file: no module-not-approved finding', () => {
    assert.deepEqual(notApproved(client.diagnostics.get(client.uri('app.wasm')) ?? []), []);
  });

  test('approve asks first; "Cancel" writes nothing, "Approve" records the version', async () => {
    client.answerMessage = () => 'Cancel';
    const cancelled = await client.executeCommand<{ cancelled?: boolean }>(C.approve, { uri: client.uri('app.wasm') });
    assert.deepEqual(cancelled, { cancelled: true });
    const ask = client.messageRequests.at(-1)!;
    assert.match(ask.message, /^Approve app\.wasm \(SHA-256 [0-9a-f]{12}…\) as a reviewed version\?/);
    assert.doesNotMatch(ask.message, /not trusted/);
    assert.deepEqual(ask.actions?.map((a) => a.title), ['Approve', 'Cancel']);
    assert.equal(fs.existsSync(path.join(root, 'wasm-warden.lock.json')), false);
    assert.equal(fs.existsSync(path.join(root, '.wasm-warden')), false);

    client.answerMessage = (p) => p.actions![0].title;
    const r = await client.executeCommand<{ versionNumber: number; version: { sha256: string } }>(C.approve, { uri: client.uri('app.wasm') });
    assert.equal(r.versionNumber, 1);
    assert.equal(r.version.sha256, sha(fs.readFileSync(path.join(root, 'app.wasm'))));
    assert.ok(fs.existsSync(path.join(root, '.wasm-warden', 'store', 'sha256', r.version.sha256)));
  });

  test('a changed module gets the finding with what changed, and the quick fix that approves it (asking first)', async () => {
    fs.copyFileSync(path.join(root, 'candidates', 'v2.bin'), path.join(root, 'app.wasm'));
    client.filesChanged([{ rel: 'app.wasm', type: 2 }]);
    const uri = client.uri('app.wasm');
    const diags = await client.waitForDiagnostics(uri, (d) => notApproved(d).length === 1, 'module-not-approved');
    const [d] = notApproved(diags);
    assert.equal(d.severity, 2);
    assert.match(d.message, /is not approved\. Since the last approved version 1 .*\+ import wasi_snapshot_preview1\.sock_accept \(sockets\)/);
    assert.match(d.codeDescription!.href, /module-not-approved\.md$/);
    const actions = await client.request<{ title: string; command?: { command: string; arguments: unknown[] } }[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d] },
    });
    const fix = actions.find((a) => a.title.startsWith('Approve this version'));
    assert.ok(fix, actions.map((a) => a.title).join('\n'));
    assert.deepEqual(fix.command, { title: 'Approve this version', command: C.approve, arguments: [{ uri }] });
  });

  test('diff: the version on disk against an older file outside the workspace', async () => {
    const backup = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-old-'));
    fs.writeFileSync(path.join(backup, 'v1.wasm'), await wat2wasm(V1));
    const d = await client.executeCommand<{ moreCapabilities: boolean; capabilities: { text: string }[] }>(C.diff, {
      uri: client.uri('app.wasm'),
      oldUri: `file://${path.join(backup, 'v1.wasm')}`,
    });
    assert.equal(d.moreCapabilities, true);
    assert.deepEqual(d.capabilities.map((c) => c.text), [
      '+ import wasi_snapshot_preview1.sock_accept (sockets)',
      '+ capability group sockets',
      '~ memory 0: min 1, max 2 -> min 1, max 16',
    ]);
    fs.rmSync(backup, { recursive: true, force: true });
  });

  test('rollback (confirmed by the client) restores the approved bytes and the finding goes', async () => {
    const approved = await wat2wasm(V1);
    assert.equal(notApproved(client.diagnostics.get(client.uri('app.wasm'))!).length, 1);
    const r = await client.executeCommand<{ restored: boolean; versionNumber: number; backup: string }>(C.rollback, { uri: client.uri('app.wasm'), confirmed: true });
    assert.equal(r.restored, true);
    assert.equal(r.versionNumber, 1);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(root, 'app.wasm'))), approved);
    assert.deepEqual(fs.readFileSync(r.backup), fs.readFileSync(path.join(root, 'candidates', 'v2.bin')));
    await client.waitForDiagnostics(client.uri('app.wasm'), (d) => notApproved(d).length === 0, 'no module-not-approved');
  });
});

describe('versions over LSP (untrusted workspace)', () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = await workspace();
    client = await LspClient.start(root, { trusted: false });
    await client.waitForNotification('wasmWarden/scanDone', true);
  });
  after(async () => {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('nothing is written unless the user says yes; the question says the workspace is not trusted', async () => {
    client.answerMessage = () => null; // dismissed
    const r = await client.executeCommand<{ cancelled?: boolean }>(C.approve, { uri: client.uri('app.wasm') });
    assert.deepEqual(r, { cancelled: true });
    assert.match(client.messageRequests.at(-1)!.message, /This workspace is not trusted/);
    assert.equal(fs.existsSync(path.join(root, 'wasm-warden.lock.json')), false);
    assert.equal(fs.existsSync(path.join(root, '.wasm-warden')), false);

    client.answerMessage = () => 'Approve';
    await client.executeCommand(C.approve, { uri: client.uri('app.wasm') });
    fs.copyFileSync(path.join(root, 'candidates', 'v2.bin'), path.join(root, 'app.wasm'));
    client.answerMessage = () => 'Cancel';
    const rb = await client.executeCommand<{ cancelled?: boolean }>(C.rollback, { uri: client.uri('app.wasm') });
    assert.deepEqual(rb, { cancelled: true });
    assert.match(client.messageRequests.at(-1)!.message, /^Roll back app\.wasm to its last approved version 1 .*This workspace is not trusted/);
    assert.deepEqual(fs.readFileSync(path.join(root, 'app.wasm')), fs.readFileSync(path.join(root, 'candidates', 'v2.bin')));
    assert.deepEqual(fs.readdirSync(root).filter((f) => f.endsWith('.bak')), []);
  });
});
