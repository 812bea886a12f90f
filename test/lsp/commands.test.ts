/**
 * The server's executeCommand operations over LSP: validate (binaries: our validator, with the finding
 * on the WAT view's line while it is open; WAT: wabt; + policy), compile, disassemble,
 * optimize (never overwriting without being asked), keygen/sign/verify, and a sandboxed run with
 * live events and Stop.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { LspClient, workspaceCopy } from './lsp-client';
import { module, section, str, u32 } from '../unit/binary/wasm-fixtures';

const C = {
  validate: 'wasmWarden.server.validate',
  compile: 'wasmWarden.server.compile',
  disassemble: 'wasmWarden.server.disassemble',
  optimize: 'wasmWarden.server.optimize',
  keygen: 'wasmWarden.server.keygen',
  sign: 'wasmWarden.server.sign',
  verify: 'wasmWarden.server.verify',
  show: 'wasmWarden.server.showSignatures',
  run: 'wasmWarden.server.run',
  stop: 'wasmWarden.server.stopRun',
};

/** V8's validator (the project's lib settings carry no WebAssembly types). */
const wasmValidate = (b: Uint8Array): boolean => (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(b);

interface Finding { rule: string; severity: string; source: string; message: string; line?: number; column?: number; offset?: number }

describe('server commands over LSP', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    fs.writeFileSync(path.join(root, 'bad-type.wat'), '(module\n  (func (result i32)\n    i64.const 1))\n');
    fs.writeFileSync(
      path.join(root, 'hello.wat'),
      `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "hello sandbox\\n")
  (func $unused (result i32) (i32.add (i32.const 1) (i32.const 2)))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 14))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
`,
    );
    fs.writeFileSync(
      path.join(root, 'spin.wat'),
      `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "spinning\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 9))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (loop (br 0))))`,
    );
    client = await LspClient.start(root);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('validate of a WAT: our assembler and validator report a type error on its line, plus policy findings', async () => {
    const r = await client.executeCommand<{ valid: boolean; validators: string[]; findings: Finding[] }>(C.validate, { uri: client.uri('bad-type.wat') });
    assert.equal(r.valid, false);
    assert.deepEqual(r.validators, ['wat-parser', 'wasm-warden']);
    const typeError = r.findings.find((f) => f.source === 'validator');
    assert.ok(typeError, JSON.stringify(r.findings));
    assert.equal(typeError.line, 3);
    assert.match(typeError.message, /expects|type mismatch|stack/, typeError.message);
    // the explicit validation also shows in the Problems panel (published diagnostics) until the file changes
    const published = await client.waitForDiagnostics(client.uri('bad-type.wat'), (d) => d.some((x) => /^validator: /.test(x.message)), 'validation diagnostics');
    assert.equal(published.find((x) => /^validator: /.test(x.message))!.range.start.line, 2);
    const ok = await client.executeCommand<{ valid: boolean; findings: Finding[] }>(C.validate, { uri: client.uri('clean.wat') });
    assert.equal(ok.valid, true, JSON.stringify(ok.findings));
  });

  test('validate of a binary: our validator, the finding located by function, name, instruction and offset, on the WAT view line while it is shown', async () => {
    // func 0 $ok: nop; func 1 $add: (i32.add (i32.const 1) (f32.const 0)): a type error
    const ok = [0, 0x01, 0x0b];
    const bad = [0, 0x41, 1, 0x43, 0, 0, 0, 0, 0x6a, 0x0b];
    const names = [2, 0, ...str('ok'), 1, ...str('add')];
    const bytes = module([
      section(1, [2, 0x60, 0, 0, 0x60, 0, 1, 0x7f]),
      section(3, [2, 0, 1]),
      section(10, [2, ...u32(ok.length), ...ok, ...u32(bad.length), ...bad]),
      section(0, [...str('name'), 1, ...u32(names.length), ...names]),
    ]);
    const file = path.join(root, 'bad-func.wasm');
    fs.writeFileSync(file, bytes);
    const addAt = bytes.lastIndexOf(0x6a);
    const r = await client.executeCommand<{ valid: boolean; validators: string[]; findings: Finding[] }>(C.validate, { uri: client.uri('bad-func.wasm') });
    assert.equal(r.valid, false);
    assert.deepEqual(r.validators, ['wasm-warden']);
    const finding = r.findings.find((f) => f.source === 'validator');
    assert.ok(finding, JSON.stringify(r.findings));
    assert.equal(finding.offset, addAt);
    assert.equal(finding.message, `func 1 ($add), i32.add at 0x${addAt.toString(16)}: i32.add expects [i32 i32] but the stack has [i32 f32]`);
    const wasmUri = client.uri('bad-func.wasm');
    await client.waitForDiagnostics(wasmUri, (d) => d.some((x) => x.message.startsWith('validator: func 1 ($add), i32.add')), 'validation on the .wasm');
    // the WAT view is shown: the finding moves onto the view, on the line of the instruction at fault
    const view = await client.request<{ text: string }>('wasmWarden/watView', { uri: wasmUri });
    const viewUri = URI.from({ scheme: 'wasm-warden-wat', path: URI.file(file).path + '.wat' }).toString();
    client.openUri(viewUri, view.text, 'wat');
    const ds = await client.waitForDiagnostics(viewUri, (d) => d.some((x) => x.message.startsWith('validator: ')), 'validation on the view');
    const onView = ds.find((x) => x.message.startsWith('validator: '))!;
    const lines = view.text.split('\n');
    const funcLine = lines.findIndex((l) => /\(func \$add/.test(l));
    const addLine = lines.findIndex((l, i) => i > funcLine && /^\s*i32\.add\b/.test(l));
    assert.ok(funcLine > 0 && addLine > funcLine, view.text);
    assert.equal(onView.range.start.line, addLine, view.text);
    await client.waitForDiagnostics(wasmUri, (d) => !d.some((x) => x.message.startsWith('validator: ')), 'the .wasm no longer lists it');
    client.close(viewUri);
    await client.waitForDiagnostics(wasmUri, (d) => d.some((x) => x.message.startsWith('validator: ')), 'back on the .wasm when the view closes');
  });

  test('compile writes the .wasm, and never overwrites it unless asked', async () => {
    const first = await client.executeCommand<{ file: string; written: boolean; size: number }>(C.compile, { uri: client.uri('hello.wat') });
    assert.equal(first.written, true);
    assert.equal(first.file, path.join(root, 'hello.wasm'));
    const bytes = fs.readFileSync(first.file);
    assert.equal(bytes.length, first.size);
    assert.ok(wasmValidate(bytes));
    const again = await client.executeCommand<{ written: boolean; exists?: boolean }>(C.compile, { uri: client.uri('hello.wat') });
    assert.deepEqual([again.written, again.exists], [false, true]);
    const forced = await client.executeCommand<{ written: boolean }>(C.compile, { uri: client.uri('hello.wat'), overwrite: true });
    assert.equal(forced.written, true);
  });

  test('disassemble writes WAT that parses back', async () => {
    fs.copyFileSync(path.join(root, 'hello.wasm'), path.join(root, 'copy.wasm'));
    const r = await client.executeCommand<{ file: string; written: boolean }>(C.disassemble, { uri: client.uri('copy.wasm') });
    assert.equal(r.written, true);
    assert.match(fs.readFileSync(r.file, 'utf8'), /\(import "wasi_snapshot_preview1" "fd_write"/);
  });

  test('optimize writes a smaller valid module and reports sizes per section', async () => {
    const r = await client.executeCommand<{ written: boolean; file: string; before: { total: number; sections: { name: string; size: number }[] }; after: { total: number }; funcsBefore: number; funcsAfter: number }>(
      C.optimize,
      { uri: client.uri('hello.wasm'), level: 'Oz', stripDebug: true },
    );
    assert.equal(r.written, true);
    const out = fs.readFileSync(r.file);
    assert.equal(out.length, r.after.total);
    assert.ok(r.after.total < r.before.total, `${r.after.total} < ${r.before.total}`);
    assert.ok(r.funcsAfter < r.funcsBefore, 'the unused function is gone');
    assert.equal(r.before.sections.reduce((a, s) => a + s.size, 0) <= r.before.total, true);
    assert.ok(wasmValidate(out));
  });

  test('keygen, sign and verify round trip; tampering fails verification', async () => {
    const sk = path.join(root, 'keys', 'team.key');
    const pk = path.join(root, 'keys', 'team.pub');
    const keys = await client.executeCommand<{ keyId: string }>(C.keygen, { secretKey: sk, publicKey: pk });
    assert.match(keys.keyId, /^[0-9a-f]{24}$/);
    assert.equal(fs.statSync(sk).mode & 0o077, 0, 'secret key is private');
    const signed = await client.executeCommand<{ signed: boolean; output: { written: boolean } }>(C.sign, { uri: client.uri('hello.wasm'), secretKey: sk });
    assert.equal(signed.signed, true);
    const ok = await client.executeCommand<{ verified: boolean }>(C.verify, { uri: client.uri('hello.wasm'), publicKeys: [pk] });
    assert.equal(ok.verified, true);
    const bytes = fs.readFileSync(path.join(root, 'hello.wasm'));
    bytes[bytes.length - 1] ^= 1;
    fs.writeFileSync(path.join(root, 'tampered.wasm'), bytes);
    const bad = await client.executeCommand<{ verified: boolean; reason: string }>(C.verify, { uri: client.uri('tampered.wasm'), publicKeys: [pk] });
    assert.deepEqual([bad.verified, bad.reason], [false, 'tampered']);
    const shown = await client.executeCommand<{ entries: { signatures: { keyId: string; keyIdStatus: string }[] }[] }>(C.show, { uri: client.uri('hello.wasm') });
    assert.equal(shown.entries[0].signatures[0].keyId, keys.keyId);
    assert.equal(shown.entries[0].signatures[0].keyIdStatus, 'unverified');
  });

  test('verify: a changed key id still verifies but is said to be unverified; a declared key id refuses it', async () => {
    const sk = path.join(root, 'keys', 'kid.key');
    const pk = path.join(root, 'keys', 'kid.pub');
    const keys = await client.executeCommand<{ keyId: string }>(C.keygen, { secretKey: sk, publicKey: pk });
    const src = path.join(root, 'kid.wasm');
    // the smallest module with content: the preamble and a custom section "x" of two bytes
    fs.writeFileSync(src, Buffer.from('0061736d01000000000401780102', 'hex'));
    await client.executeCommand(C.sign, { uri: client.uri('kid.wasm'), secretKey: sk });
    type Report = { verified: boolean; reason?: string; message?: string; keyIdNote?: string; entries: { signatures: { keyId: string; keyIdStatus: string }[] }[] };
    const ok = await client.executeCommand<Report>(C.verify, { uri: client.uri('kid.wasm'), publicKeys: [pk] });
    assert.equal(ok.verified, true);
    assert.match(ok.keyIdNote ?? '', new RegExp(`key id ${keys.keyId} is unverified`));
    const strict = await client.executeCommand<Report>(C.verify, { uri: client.uri('kid.wasm'), publicKeys: [pk], defaultKeyId: true });
    assert.equal(strict.verified, true);
    assert.equal(strict.keyIdNote, undefined);
    assert.equal(strict.entries[0].signatures[0].keyIdStatus, 'verified');
    // flip the key id's first byte (the key id is not covered by the signature)
    const bytes = fs.readFileSync(src);
    const at = bytes.indexOf(Buffer.from(keys.keyId, 'hex'));
    bytes[at] ^= 0xff;
    fs.writeFileSync(src, bytes);
    const changed = await client.executeCommand<Report>(C.verify, { uri: client.uri('kid.wasm'), publicKeys: [pk] });
    assert.equal(changed.verified, true);
    assert.equal(changed.entries[0].signatures[0].keyIdStatus, 'unverified');
    assert.match(changed.keyIdNote ?? '', /unverified/);
    const refused = await client.executeCommand<Report>(C.verify, { uri: client.uri('kid.wasm'), publicKeys: [pk], keyId: `hex:${keys.keyId}` });
    assert.deepEqual([refused.verified, refused.reason, refused.entries[0].signatures[0].keyIdStatus], [false, 'key-id-mismatch', 'mismatch']);
    assert.match(refused.message ?? '', /refused/);
  });

  test('run streams output and reports the exit', async () => {
    const runId = 'run-hello';
    const r = await client.executeCommand<{ outcome: string; exitCode?: number; stdout: string; wasiCalls: Record<string, { count: number }> }>(C.run, { uri: client.uri('hello.wat'), runId });
    assert.equal(r.outcome, 'exit', JSON.stringify(r));
    assert.equal(r.stdout, 'hello sandbox\n');
    assert.equal(r.wasiCalls.fd_write.count, 1);
    const streamed = client.notifications.filter((n) => n.method === 'wasmWarden/runEvent' && (n.params as { runId: string; kind: string }).runId === runId);
    assert.ok(streamed.some((n) => (n.params as { kind: string; data: string }).kind === 'stdout'));
  });

  test('a running guest streams its output and Stop kills it while it computes', async () => {
    const runId = 'run-spin-live';
    let settled: { outcome?: string; error?: string } | undefined;
    const running = client.executeCommand<{ outcome: string; stdout: string; error?: string }>(C.run, { uri: client.uri('spin.wat'), runId });
    void running.then((r) => (settled = r));
    const event = (kind: string) =>
      client.notifications.some((n) => n.method === 'wasmWarden/runEvent' && (n.params as { runId: string }).runId === runId && (n.params as { kind: string }).kind === kind);
    // the guest printed, then spins: its output and live statistics arrive while it runs
    await client.waitFor(() => event('stdout') || settled !== undefined, 'live guest output');
    assert.equal(settled, undefined, `the run ended before its output arrived: ${JSON.stringify(settled)}`);
    await client.waitFor(() => event('stats'), 'live statistics');
    await client.executeCommand(C.stop, { runId });
    const r = await running;
    assert.equal(r.outcome, 'killed');
    assert.equal(r.stdout, 'spinning\n');
  });

  test('Stop before the guest starts ends the run as stopped', async () => {
    const runId = 'run-spin';
    const running = client.executeCommand<{ outcome: string }>(C.run, { uri: client.uri('spin.wat'), runId });
    // requests are handled in order: the run is registered before the stop arrives
    const stopped = await client.executeCommand<{ stopped: number }>(C.stop, { runId });
    assert.equal(stopped.stopped, 1);
    const r = await running;
    assert.equal(r.outcome, 'killed');
  });
});
