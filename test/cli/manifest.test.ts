/** `wasm-warden run --manifest`: an Extism manifest becomes the sandbox options; flags still win. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { build, cli, fixtureDir, rm } from './helpers';

describe('run --manifest (Extism)', () => {
  let dir: string;
  before(async () => {
    build();
    dir = await fixtureDir(['hi.wasm']);
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(
      path.join(dir, 'plugin.json'),
      JSON.stringify({ wasm: [{ path: 'hi.wasm' }], allowed_paths: { 'ro:data': '/data' }, timeout_ms: 4321, memory: { max_pages: 2 } }),
    );
  });
  after(() => rm(dir));

  test('runs the manifest\'s module with its paths, timeout and memory limit', async () => {
    const r = await cli(['run', '--manifest', 'plugin.json', '--report', 'report.json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    assert.equal(report.options.timeoutMs, 4321);
    assert.equal(report.options.maxMemoryBytes, 2 * 65536);
    assert.deepEqual(report.options.dirs, [{ host: path.join(dir, 'data'), guest: '/data', readOnly: true }]);
  });

  test('flags win over the manifest; a bad manifest is a usage error', async () => {
    const r = await cli(['run', '--manifest', 'plugin.json', '--timeout', '999', '--report', 'r2.json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'r2.json'), 'utf8')).options.timeoutMs, 999);
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ wasm: [{ path: 'hi.wasm' }], timeout_ms: -1 }));
    const bad = await cli(['run', '--manifest', 'bad.json'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /timeout_ms must be a positive number/);
  });
});
