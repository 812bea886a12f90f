/**
 * A hostile policy in an untrusted workspace: `sandbox.env` (top level and in `overrides[]`) may not copy
 * the host's environment into the guest, the report or the returned options, and no limit may go above
 * its default. In a trusted workspace (and the CLI) the policy's env is passed, but its values never
 * appear in the returned options.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOST_ENV_REDACTED, runFile, sandboxOptionsFor } from '../../../server/src/engine/operations/run';
import { PolicyStore } from '../../../server/src/engine/policy/store';
import { LIMIT_NAMES, SANDBOX_LIMITS } from '../../../server/src/engine/sandbox/limits';
import { limitsWithinDefaults } from '../../../server/src/engine/sandbox/trust';
import type { SandboxOptions } from '../../../server/src/engine/sandbox/types';
import { rmrf, tempDir } from './helpers';

const T = { timeout: 60_000 };
const SECRET_NAME = 'WARDEN_TEST_SECRET_TOKEN';
const SECRET = 'hunter2-do-not-leak';
const OTHER_NAME = 'WARDEN_TEST_OTHER';

/** prints its whole environment (NUL-separated) on stdout */
const PRINT_ENV = `(module
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (drop (call $get (i32.const 1024) (i32.const 4096)))
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.load (i32.const 4)))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 8)))))
`;

describe('a policy in an untrusted workspace', () => {
  let ws: string;
  let file: string;
  before(() => {
    process.env[SECRET_NAME] = SECRET;
    process.env[OTHER_NAME] = 'other-value';
    ws = tempDir('untrusted-policy');
    fs.mkdirSync(path.join(ws, 'out'));
    fs.mkdirSync(path.join(ws, 'plugins'));
    file = path.join(ws, 'plugins', 'env.wat');
    fs.writeFileSync(file, PRINT_ENV);
    fs.writeFileSync(path.join(ws, 'wasm-warden.policy.json'), JSON.stringify({
      sandbox: {
        env: [SECRET_NAME],
        dirs: [{ host: 'out', guest: '/out', readOnly: false }],
        timeoutMs: 20_000,
        maxMemoryBytes: 4 * 1024 ** 3,
        maxOutputBytes: 1024 ** 3,
        maxTableElements: 50_000_000,
        fuel: 10_000_000_000,
      },
      overrides: [{ files: ['plugins/**'], sandbox: { env: [SECRET_NAME, OTHER_NAME] } }],
    }));
  });
  after(() => {
    delete process.env[SECRET_NAME];
    delete process.env[OTHER_NAME];
    rmrf(ws);
  });
  const store = () => new PolicyStore({ roots: [ws] });

  it('passes no host environment value and says which names it dropped', () => {
    const { options, changes, policyHostEnv } = sandboxOptionsFor(file, { store: store(), workspace: { root: ws, trusted: false } });
    assert.deepEqual(options.env, {});
    assert.deepEqual(policyHostEnv, []);
    assert.deepEqual(changes.filter((c) => c.kind === 'host-env-not-passed').map((c) => 'name' in c && c.name).sort(), [OTHER_NAME, SECRET_NAME].sort());
    assert.doesNotMatch(JSON.stringify({ options, changes }), new RegExp(SECRET));
  });

  it('lowers every limit above its default to the default, keeps fuel (any value narrows "unlimited")', () => {
    const { options, changes } = sandboxOptionsFor(file, { store: store(), workspace: { root: ws, trusted: false } });
    assert.equal(options.timeoutMs, 10_000);
    assert.equal(options.maxMemoryBytes, 256 * 1024 * 1024);
    assert.equal(options.maxOutputBytes, 1024 * 1024);
    assert.equal(options.maxTableElements, 1_000_000);
    assert.equal(options.fuel, 10_000_000_000);
    assert.deepEqual(options.dirs.map((d) => [d.guest, d.readOnly]), [['/out', true]]);
    assert.deepEqual(
      changes.filter((c) => c.kind === 'limit-clamped').map((c) => c.kind === 'limit-clamped' && [c.limit, c.requested, c.applied]),
      [['timeoutMs', 20_000, 10_000], ['maxMemoryBytes', 4 * 1024 ** 3, 256 * 1024 * 1024], ['maxOutputBytes', 1024 ** 3, 1024 * 1024], ['maxTableElements', 50_000_000, 1_000_000]],
    );
  });

  it('also clamps explicit overrides (a workspace run configuration) and drops non-numeric or unknown limits', () => {
    const { options } = sandboxOptionsFor(file, {
      store: store(),
      workspace: { root: ws, trusted: false },
      overrides: { timeoutMs: 1e12, maxOutputBytes: '99999999' as unknown as number, env: { LITERAL: 'x' } },
    });
    assert.equal(options.timeoutMs, 10_000);
    assert.equal(options.maxOutputBytes, 1024 * 1024);
    assert.deepEqual(options.env, { LITERAL: 'x' }, 'a literal value is not the host\'s');
    const later = limitsWithinDefaults({ dirs: [], env: {}, args: [], timeoutMs: 5, maxWriteBytesFuture: 1e15 } as unknown as SandboxOptions);
    assert.equal((later.options as unknown as Record<string, unknown>).maxWriteBytesFuture, undefined);
    assert.equal(later.changes.length, 1);
  });

  it('every limit in the table has a default that the clamp uses', () => {
    for (const name of LIMIT_NAMES) {
      const def = SANDBOX_LIMITS[name].default;
      const { options } = limitsWithinDefaults({ dirs: [], env: {}, args: [], timeoutMs: 1, [name]: Number.MAX_SAFE_INTEGER } as SandboxOptions);
      assert.equal(options[name], def === undefined ? Number.MAX_SAFE_INTEGER : def, name);
    }
  });

  it('the guest sees none of it, and neither do the report and the returned options', T, async () => {
    const r = await runFile(file, { store: store(), workspace: { root: ws, trusted: false } });
    assert.ok(!('needsConfirmation' in r) && !('refused' in r));
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(JSON.stringify(r), new RegExp(`${SECRET}|other-value`));
    assert.ok(r.trustChanges.some((c) => c.kind === 'host-env-not-passed'));
  });

  it('trusted: the policy\'s names are passed to the guest, but the result shows them without their values', T, async () => {
    const r = await runFile(file, { store: store(), workspace: { root: ws, trusted: true } });
    assert.ok(!('needsConfirmation' in r) && !('refused' in r));
    assert.equal(r.stdout, `${SECRET_NAME}=${SECRET}\0${OTHER_NAME}=other-value\0`);
    assert.deepEqual(r.policyHostEnv, [SECRET_NAME, OTHER_NAME]);
    assert.deepEqual(r.options.env, { [SECRET_NAME]: HOST_ENV_REDACTED, [OTHER_NAME]: HOST_ENV_REDACTED });
    assert.equal(r.options.timeoutMs, 20_000, 'a trusted policy may raise limits');
  });
});
