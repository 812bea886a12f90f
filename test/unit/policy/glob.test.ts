import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeGlob, globError, matchGlob } from '../../../server/src/engine/policy/glob';

describe('policy globs', () => {
  it('name globs: * spans anything, ? one character, {a,b}, classes', () => {
    assert.ok(matchGlob('wasi_snapshot_preview1.fd_*', 'wasi_snapshot_preview1.fd_write', 'name'));
    assert.ok(!matchGlob('wasi_snapshot_preview1.fd_*', 'wasi_snapshot_preview1.path_open', 'name'));
    assert.ok(matchGlob('env.*', 'env.a/b.c', 'name'));
    assert.ok(matchGlob('.debug_*', '.debug_info', 'name'));
    assert.ok(!matchGlob('.debug_*', 'xdebug_info', 'name'), 'the dot is literal');
    assert.ok(matchGlob('{env,host}.log', 'host.log', 'name'));
    assert.ok(matchGlob('f?o', 'foo', 'name') && !matchGlob('f?o', 'fooo', 'name'));
    assert.ok(matchGlob('[!a]x', 'bx', 'name') && !matchGlob('[!a]x', 'ax', 'name'));
  });

  it('path globs: * stays in a segment, ** spans segments, no slash = base name', () => {
    assert.ok(matchGlob('plugins/**', 'plugins/a/b.wasm', 'path'));
    assert.ok(!matchGlob('plugins/*', 'plugins/a/b.wasm', 'path'));
    assert.ok(matchGlob('**/*.wasm', 'a.wasm', 'path'));
    assert.ok(matchGlob('**/*.wasm', 'x/y/a.wasm', 'path'));
    assert.ok(matchGlob('*.wasm', 'deep/dir/a.wasm', 'path'));
    assert.ok(matchGlob('src/**/*.wat', 'src\\a\\b.wat', 'path'));
  });

  it('reports malformed patterns with an offset', () => {
    assert.equal(globError('a{b,c', 'name')?.offset, 1);
    assert.equal(globError('ab}', 'name')?.offset, 2);
    assert.equal(globError('x[ab', 'name')?.offset, 1);
    assert.match(globError('a\\', 'name')!.message, /backslash/);
    assert.ok(globError('', 'path'));
    assert.equal(globError('env.*', 'name'), undefined);
  });

  it('escapeGlob makes an exact pattern', () => {
    const name = 'weird*name{1,2}[x]';
    assert.ok(matchGlob(escapeGlob(name), name, 'name'));
    assert.ok(!matchGlob(escapeGlob(name), 'weirdXname1', 'name'));
  });
});
