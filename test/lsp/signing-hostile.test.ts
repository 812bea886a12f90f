/**
 * Hostile signing inputs in a workspace, through the real server: signature sections at the format's
 * limits and past them, a second signature section hiding data, a policy naming 10,000 trusted keys and
 * hostile key paths, a 2 GiB detached signature. Each file gets a clear diagnostic (or the command a clear
 * error), requests keep being answered, and the server's peak RSS stays under the 1 GB budget.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodePublicKey, generateKeyPair, signModule } from '../../server/src/engine/signing';
import { handCustomSection, handEncodePayload } from '../unit/signing/helpers';
import { LspClient, type PublishedDiagnostic } from './lsp-client';

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const MiB = 1024 * 1024;
const C = { verify: 'wasmWarden.server.verify', show: 'wasmWarden.server.showSignatures' };

/** Peak resident set of a process (VmHWM), in MB. */
function peakRssMB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

describe('hostile signing inputs over LSP', () => {
  let client: LspClient;
  let root: string;
  const trusted = generateKeyPair();
  const stranger = generateKeyPair();

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-lsp-sig-'));
    fs.mkdirSync(path.join(root, 'keys'));
    fs.writeFileSync(path.join(root, 'keys', 'trusted.pub'), encodePublicKey(trusted.publicKey, 'raw'));
    // 2,000 key files (of 8 keys: what matters is that they are distinct files)
    const keys = Array.from({ length: 8 }, () => encodePublicKey(generateKeyPair().publicKey, 'raw'));
    const names = ['keys/trusted.pub'];
    for (let i = 0; i < 2000; i++) {
      names.push(`keys/${i}.pub`);
      fs.writeFileSync(path.join(root, names[names.length - 1]), keys[i % keys.length]);
    }
    execFileSync('mkfifo', [path.join(root, 'keys', 'fifo.pub')]);
    fs.closeSync(fs.openSync(path.join(root, 'keys', 'huge.pub'), 'w'));
    fs.truncateSync(path.join(root, 'keys', 'huge.pub'), 2 * 1024 ** 3);
    const trustedKeys = ['keys/fifo.pub', 'keys/huge.pub', ...Array.from({ length: 10_000 }, (_, i) => names[i % names.length])];
    fs.writeFileSync(path.join(root, 'wasm-warden.policy.json'), JSON.stringify({ signature: { required: true, trustedKeys } }));

    const plain = Uint8Array.from([...PREAMBLE, ...handCustomSection('x', new Uint8Array(64).fill(1))]);
    const good = signModule(plain, trusted.secretKey).bytes!;
    fs.writeFileSync(path.join(root, 'good.wasm'), good);
    fs.writeFileSync(path.join(root, 'hidden.wasm'), Buffer.concat([good, handCustomSection('signature', new Uint8Array(MiB).fill(0x5a))]));
    fs.writeFileSync(path.join(root, 'stranger.wasm'), signModule(plain, stranger.secretKey).bytes!);
    const sigs = Array.from({ length: 256 }, () => ({ keyId: new Uint8Array(0), sig: new Uint8Array(64).fill(3) }));
    const counts = handEncodePayload(Array.from({ length: 64 }, (_, e) => ({ hashes: Array.from({ length: 64 }, () => new Uint8Array(32).fill(e)), sigs })));
    fs.writeFileSync(path.join(root, 'counts.wasm'), Buffer.concat([Buffer.from(PREAMBLE), handCustomSection('signature', counts), plain.subarray(8)]));
    const over = new Uint8Array(4 * MiB + 1);
    over.set([1, 1, 1, 0]);
    fs.writeFileSync(path.join(root, 'big.wasm'), Buffer.concat([Buffer.from(PREAMBLE), handCustomSection('signature', over), plain.subarray(8)]));
    fs.writeFileSync(path.join(root, 'app.wat'), '(module (func $f (export "f") (result i32) i32.const 1))\n');
    fs.closeSync(fs.openSync(path.join(root, 'huge.sig'), 'w'));
    fs.truncateSync(path.join(root, 'huge.sig'), 2 * 1024 ** 3);
    client = await LspClient.start(root);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** the signature findings, leaving out the trusted-key problems the policy's key list gives every module */
  const codes = (d: PublishedDiagnostic[]) =>
    d.filter((x) => String(x.code).startsWith('signature-') && !/^\d+ trusted key problem\(s\)/.test(x.message)).map((x) => x.code);

  test('each hostile file gets its diagnostic; the server answers requests and stays under 1 GB', async (t) => {
    await client.waitForNotification('wasmWarden/scanDone', true);
    const hidden = await client.waitForDiagnostics(client.uri('hidden.wasm'), (d) => codes(d).length > 0);
    assert.deepEqual(codes(hidden), ['signature-invalid']);
    assert.match(hidden.find((d) => d.code === 'signature-invalid')!.message, /a second "signature" section/);

    const counts = await client.waitForDiagnostics(client.uri('counts.wasm'), (d) => codes(d).length > 0);
    assert.deepEqual(codes(counts), ['signature-invalid']);
    assert.match(counts.find((d) => d.code === 'signature-invalid')!.message, /more than 1024 signature checks/);

    const big = await client.waitForDiagnostics(client.uri('big.wasm'), (d) => codes(d).length > 0);
    assert.deepEqual(codes(big), ['signature-invalid']);
    assert.match(big.find((d) => d.code === 'signature-invalid')!.message, /4194305 bytes of signature data, at most 4194304 \(4 MiB\)/);

    const strange = await client.waitForDiagnostics(client.uri('stranger.wasm'), (d) => codes(d).length > 0);
    const untrusted = strange.find((d) => d.code === 'signature-untrusted')!;
    assert.match(untrusted.message, /none of the 62 trusted key\(s\) verifies it \(key ids in the signature, unverified since the signature does not cover them: [0-9a-f]{24}\)/);
    assert.match(untrusted.message, /keys\/fifo\.pub \(not a regular file\); keys\/huge\.pub \(2147483648 bytes, more than the 65536 bytes a key file can have\)/);
    assert.match(untrusted.message, /the policy lists 2003 distinct key files; only the first 64 are used \(1939 ignored\)/);

    // the trusted key is among the first 64: the good module verifies, and only the key problems are said
    const good = await client.waitForDiagnostics(client.uri('good.wasm'), () => true);
    assert.deepEqual(
      good.filter((d) => String(d.code).startsWith('signature-')).map((d) => [d.code, /^3 trusted key problem\(s\)/.test(d.message)]),
      [['signature-untrusted', true]],
    );

    // requests are answered while (and after) those files are checked
    const uri = client.open('app.wat');
    const symbols = await client.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.ok(JSON.stringify(symbols).includes('$f'), JSON.stringify(symbols));
    const pid = (client as unknown as { child: ChildProcess }).child.pid!;
    const peak = peakRssMB(pid);
    t.diagnostic(`server peak RSS ${peak.toFixed(0)} MB`);
    assert.ok(peak < 1024, `server peak RSS ${peak.toFixed(0)} MB`);
  });

  test('commands: show signatures of the hostile files, a 2 GiB detached signature is a clear error', async () => {
    const shown = await client.executeCommand<{ signed: boolean; reason?: string; message?: string; entries: unknown[] }>(C.show, { uri: client.uri('counts.wasm') });
    assert.equal(shown.signed, true);
    assert.equal(shown.reason, 'malformed');
    assert.match(shown.message ?? '', /more than 1024 signature checks/);
    assert.equal(shown.entries.length, 64);
    const huge = await client.executeCommand<{ error?: string }>(C.verify, { uri: client.uri('good.wasm'), publicKeys: [path.join(root, 'keys', 'trusted.pub')], signature: path.join(root, 'huge.sig') });
    assert.match(huge.error ?? '', /signature file .*huge\.sig: 2147483648 bytes, more than the 4194304 bytes a signature file can have/);
    const ok = await client.executeCommand<{ verified: boolean; keyIdNote?: string }>(C.verify, { uri: client.uri('good.wasm'), publicKeys: [path.join(root, 'keys', 'trusted.pub')] });
    assert.equal(ok.verified, true);
    assert.match(ok.keyIdNote ?? '', /unverified/);
  });
});
