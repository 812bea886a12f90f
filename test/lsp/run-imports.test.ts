/**
 * The `run` server command honours the policy's import rules: an `imports` event before the guest starts
 * says what the policy denies (and the result carries it), a call to a denied import traps with a violation
 * unless the client says the user allowed them, and a module importing what the sandbox does not provide
 * comes back `refused` until the client asks for stubs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { LspClient, workspaceCopy } from './lsp-client';

const RUN = 'wasmWarden.server.run';

interface Plan { denied: { module: string; name: string; reasons: string[] }[]; deniedAllowed: boolean; unlinkable: string[]; stubs: { name: string; mode: string }[] }
interface Result {
  outcome?: string; stdout?: string; trap?: { kind: string; message: string }; violations?: { kind: string }[]; imports?: Plan;
  refused?: { message: string; imports: Plan };
}

describe('run over LSP: the policy\'s imports', () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = workspaceCopy('lsp-workspace');
    // the workspace policy denies wasi_snapshot_preview1.path_*
    fs.writeFileSync(path.join(root, 'unlinks.wat'), `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "before\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 7))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $unlink (i32.const 3) (i32.const 16) (i32.const 1)))))`);
    fs.writeFileSync(path.join(root, 'js-host.wat'), `(module
  (import "env" "now" (func $now (result f64)))
  (memory (export "memory") 1 1)
  (func (export "_start") (drop (call $now))))`);
    client = await LspClient.start(root);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const events = (runId: string) => client.notifications
    .filter((n) => n.method === 'wasmWarden/runEvent' && (n.params as { runId: string }).runId === runId)
    .map((n) => n.params as { kind: string; data: unknown });

  test('the denied imports come first as an event and in the result; a call to one traps with a violation', async () => {
    const r = await client.executeCommand<Result>(RUN, { uri: client.uri('unlinks.wat'), runId: 'denied' });
    assert.equal(r.outcome, 'trap', JSON.stringify(r));
    assert.equal(r.trap?.kind, 'denied-import');
    assert.equal(r.stdout, 'before\n');
    assert.deepEqual(r.violations?.map((v) => v.kind), ['import-denied']);
    assert.deepEqual(r.imports?.denied.map((d) => d.name), ['path_unlink_file']);
    assert.match(r.imports!.denied[0].reasons.join(' '), /denied by the pattern "wasi_snapshot_preview1\.path_\*" in imports\.deny/);
    const kinds = events('denied').map((e) => e.kind);
    assert.equal(kinds[0], 'imports', kinds.join(', '));
    assert.ok(kinds.indexOf('imports') < kinds.indexOf('stdout'), kinds.join(', '));
    assert.deepEqual((events('denied')[0].data as Plan).denied.map((d) => d.name), ['path_unlink_file']);
  });

  test('allowed by the user for one run, the call goes through', async () => {
    const r = await client.executeCommand<Result>(RUN, { uri: client.uri('unlinks.wat'), runId: 'allowed', allowDeniedImports: true });
    assert.equal(r.outcome, 'exit', JSON.stringify(r));
    assert.equal(r.imports?.deniedAllowed, true);
    assert.ok(!r.violations?.some((v) => v.kind === 'import-denied'));
  });

  test('imports the sandbox does not provide: refused before the run, then run with the stubs the client asks for', async () => {
    const refused = await client.executeCommand<Result>(RUN, { uri: client.uri('js-host.wat'), runId: 'refused' });
    assert.ok(refused.refused, JSON.stringify(refused));
    assert.match(refused.refused.message, /^cannot run js-host\.wat: the module has 1 import the sandbox does not provide .*env\.now \(function\)/);
    assert.deepEqual(refused.refused.imports.unlinkable, ['env.now (function)']);
    assert.deepEqual(events('refused').map((e) => e.kind), ['done'], 'nothing started');
    const stubbed = await client.executeCommand<Result>(RUN, { uri: client.uri('js-host.wat'), runId: 'stubbed', stubImports: 'zero' });
    assert.equal(stubbed.outcome, 'exit', JSON.stringify(stubbed));
    assert.deepEqual(stubbed.imports?.stubs.map((s) => `${s.name}:${s.mode}`), ['now:zero']);
  });
});
