/**
 * Workspace trust over LSP, as any editor's client would meet it: a client that sends no trust state
 * (e.g. a generic LSP client over --stdio) gets the untrusted path for a sandboxed run, whatever the
 * workspace's policy and settings ask: no host environment value, limits no higher than the defaults,
 * mounts read-only. `trusted: true` at initialization says otherwise; a configuration answer can change
 * the trust state only when the client promised at initialization to put it there (`trustInConfiguration`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient } from './lsp-client';

const RUN = 'wasmWarden.server.run';
const SECRET_NAME = 'WARDEN_LSP_TEST_SECRET';
const SECRET = 'lsp-s3cr3t-value';

interface RunResult {
  outcome: string;
  message?: string;
  stdout: string;
  violations: { kind: string; detail: string }[];
  trustChanges: { kind: string; name?: string; limit?: string; requested?: unknown; applied?: number; guest?: string }[];
  options: { env: Record<string, string>; timeoutMs: number; maxMemoryBytes?: number; maxOutputBytes?: number; dirs: { guest: string; readOnly: boolean }[] };
}

/** prints its environment (NUL-separated) on stdout, then tries to create /out/made.txt */
const GUEST = `(module
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 200) "made.txt")
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (drop (call $get (i32.const 1024) (i32.const 4096)))
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.load (i32.const 4)))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 8)))
    ;; O_CREAT, rights fd_write
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 8) (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 300)))))
`;

describe('a sandboxed run over LSP and workspace trust', () => {
  let root: string;
  const clients: LspClient[] = [];

  before(() => {
    process.env[SECRET_NAME] = SECRET; // the server (a child of this process) inherits it
    root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'ww-lsp-trust-'));
    fs.mkdirSync(path.join(root, 'out'));
    fs.writeFileSync(path.join(root, 'guest.wat'), GUEST);
    fs.writeFileSync(path.join(root, 'wasm-warden.policy.json'), JSON.stringify({
      sandbox: {
        env: [SECRET_NAME],
        dirs: [{ host: 'out', guest: '/out', readOnly: false }],
        timeoutMs: 20_000,
        maxMemoryBytes: 4 * 1024 ** 3,
        maxOutputBytes: 1024 ** 3,
      },
    }));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    delete process.env[SECRET_NAME];
    fs.rmSync(root, { recursive: true, force: true });
  });

  const start = async (init: Record<string, unknown>, config?: Record<string, unknown>) => {
    const c = await LspClient.start(root, init, config);
    clients.push(c);
    // the settings are read (initialized -> workspace/configuration) before the scan starts
    await c.waitForNotification('wasmWarden/scanDone', true);
    return c;
  };
  const run = (c: LspClient, runId: string) => c.executeCommand<RunResult>(RUN, { uri: c.uri('guest.wat'), runId });

  test('a client that sends no trust state: no host env, limits clamped, mounts read-only, and it says so', async () => {
    const c = await start({});
    const r = await run(c, 'no-trust-state');
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.stdout, '', 'the guest sees an empty environment');
    assert.doesNotMatch(JSON.stringify(r), new RegExp(SECRET), 'nor does the result');
    assert.deepEqual(r.options.env, {});
    assert.equal(r.options.timeoutMs, 10_000);
    assert.equal(r.options.maxMemoryBytes, 256 * 1024 * 1024);
    assert.equal(r.options.maxOutputBytes, 1024 * 1024);
    assert.deepEqual(r.options.dirs.map((d) => [d.guest, d.readOnly]), [['/out', true]]);
    assert.deepEqual(r.trustChanges.map((t) => [t.kind, t.name ?? t.limit ?? t.guest]), [
      ['host-env-not-passed', SECRET_NAME],
      ['made-read-only', '/out'],
      ['limit-clamped', 'timeoutMs'],
      ['limit-clamped', 'maxMemoryBytes'],
      ['limit-clamped', 'maxOutputBytes'],
    ]);
    assert.deepEqual(r.violations.map((v) => v.kind), ['read-only']);
    assert.equal(fs.existsSync(path.join(root, 'out', 'made.txt')), false);
    const streamed = c.notifications.filter((n) => n.method === 'wasmWarden/runEvent');
    assert.doesNotMatch(JSON.stringify(streamed), new RegExp(SECRET));
  });

  test('a configuration answer claiming trust does not count unless the client declared it carries the trust state', async () => {
    const c = await start({}, { wasmWarden: { debounceMs: 0, trusted: true } });
    const r = await run(c, 'config-claims-trust');
    assert.equal(r.stdout, '');
    assert.ok(r.trustChanges.some((t) => t.kind === 'host-env-not-passed'));
  });

  test('trusted: true at initialization: the policy applies as written', async () => {
    const c = await start({ trusted: true });
    const r = await run(c, 'trusted');
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.stdout, `${SECRET_NAME}=${SECRET}\0`);
    assert.deepEqual(r.trustChanges, []);
    assert.equal(r.options.timeoutMs, 20_000);
    assert.doesNotMatch(JSON.stringify(r.options), new RegExp(SECRET), 'the options show the name, not the value');
    assert.ok(fs.existsSync(path.join(root, 'out', 'made.txt')));
    fs.rmSync(path.join(root, 'out', 'made.txt'));
  });

  test('VS Code\'s way: trusted false at start, then a configuration answer with the real (granted) state', async () => {
    const c = await start({ trusted: false, trustInConfiguration: true }, { wasmWarden: { debounceMs: 0, trusted: false } });
    assert.equal((await run(c, 'before-grant')).stdout, '');
    c.config.wasmWarden = { debounceMs: 0, trusted: true };
    const asked = c.configurationRequests;
    void c.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    // the server asks for the settings again; its answer arrives before the next request
    await c.waitFor(() => c.configurationRequests > asked, 'the configuration request');
    const r = await run(c, 'after-grant');
    assert.equal(r.stdout, `${SECRET_NAME}=${SECRET}\0`);
    fs.rmSync(path.join(root, 'out', 'made.txt'), { force: true });
  });
});
