/** Extism manifest import and workspace-trust restrictions. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { importExtismManifest, ManifestError } from '../../../server/src/engine/sandbox/extism-manifest';
import { mountsOutsideWorkspace, restrictForUntrusted } from '../../../server/src/engine/sandbox/trust';
import type { SandboxOptions } from '../../../server/src/engine/sandbox/types';
import { rmrf, tempDir } from './helpers';

describe('Extism manifest import', () => {
  it('maps allowed_paths (ro: prefix), timeout_ms, memory.max_pages and config', () => {
    const base = path.join(path.sep, 'work', 'ws');
    const r = importExtismManifest({
      wasm: [{ path: 'plugin.wasm', hash: 'ab'.repeat(32) }],
      allowed_paths: { 'ro:data': '/data', [path.join(base, 'out')]: '/out' },
      timeout_ms: 1500,
      memory: { max_pages: 16 },
      config: { MODE: 'fast' },
    }, base);
    assert.deepEqual(r.options.dirs, [
      { host: path.join(base, 'data'), guest: '/data', readOnly: true },
      { host: path.join(base, 'out'), guest: '/out', readOnly: false },
    ]);
    assert.equal(r.options.timeoutMs, 1500);
    assert.equal(r.options.maxMemoryBytes, 16 * 65536);
    assert.deepEqual(r.options.env, { MODE: 'fast' });
    assert.deepEqual(r.wasm, [{ path: 'plugin.wasm', hash: 'ab'.repeat(32) }]);
    assert.deepEqual(r.warnings, []);
  });

  it('warns about what it cannot honour and keeps a default timeout', () => {
    const r = importExtismManifest({ allowed_hosts: ['example.com'], memory: { max_var_bytes: 10 }, extra: 1 }, '/');
    assert.equal(r.options.timeoutMs, 30_000);
    assert.equal(r.warnings.length, 4);
    assert.ok(r.warnings.some((w) => /allowed_hosts.*example\.com/.test(w)));
  });

  for (const bad of [[], { timeout_ms: -1 }, { memory: { max_pages: 1.5 } }, { allowed_paths: { a: 3 } }, { config: { A: 1 } }, { config: { 'A=B': 'x' } }]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => importExtismManifest(bad, '/'), ManifestError);
    });
  }
});

describe('workspace trust', () => {
  let root: string;
  let ws: string;
  let outside: string;
  before(() => {
    root = tempDir('trust');
    ws = path.join(root, 'ws');
    outside = path.join(root, 'elsewhere');
    fs.mkdirSync(path.join(ws, 'data'), { recursive: true });
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(ws, 'sneaky')); // inside by name, outside in fact
  });
  after(() => rmrf(root));

  const options = (): SandboxOptions => ({
    dirs: [
      { host: path.join(ws, 'data'), guest: '/data', readOnly: false },
      { host: path.join(ws, 'data'), guest: '/data-ro', readOnly: true },
      { host: outside, guest: '/outside', readOnly: true },
      { host: path.join(ws, 'sneaky'), guest: '/sneaky', readOnly: true },
      { host: path.join(ws, 'data', '..', '..', 'elsewhere'), guest: '/dots', readOnly: false },
    ],
    env: { A: '1' }, args: ['x'], timeoutMs: 1000, stdinFile: path.join(outside, 'in.txt'),
  });

  it('lists the mounts outside the workspace (symlinks and .. resolved)', () => {
    assert.deepEqual(mountsOutsideWorkspace(options(), ws).map((d) => d.guest), ['/outside', '/sneaky', '/dots']);
  });

  it('drops outside mounts, makes the rest read-only, says what it changed, leaves the input alone', () => {
    const input = options();
    const { options: out, changes } = restrictForUntrusted(input, ws);
    assert.deepEqual(out.dirs.map((d) => [d.guest, d.readOnly]), [['/data', true], ['/data-ro', true]]);
    assert.equal(out.stdinFile, undefined);
    assert.deepEqual(changes.map((c) => [c.kind, 'guest' in c ? c.guest : undefined]), [
      ['made-read-only', '/data'], ['removed-outside-workspace', '/outside'], ['removed-outside-workspace', '/sneaky'],
      ['removed-outside-workspace', '/dots'], ['removed-stdin-outside-workspace', undefined],
    ]);
    assert.deepEqual(input, options());
  });
});
