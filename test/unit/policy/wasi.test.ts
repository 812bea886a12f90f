import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeImport, WASI_CAPABILITIES, WASI_PREVIEW1_FUNCTIONS } from '../../../server/src/engine/wasi';

describe('WASI catalog', () => {
  it('has the 46 preview1 functions, each in a known group with a doc line', () => {
    const names = Object.keys(WASI_PREVIEW1_FUNCTIONS);
    assert.equal(names.length, 46);
    for (const n of names) {
      assert.ok((WASI_CAPABILITIES as readonly string[]).includes(WASI_PREVIEW1_FUNCTIONS[n].capability), n);
      assert.ok(WASI_PREVIEW1_FUNCTIONS[n].doc.length > 5, n);
    }
    const groups = new Set(names.map((n) => WASI_PREVIEW1_FUNCTIONS[n].capability));
    // every group but the HTTP ones (components only) has preview1 functions
    assert.deepEqual([...groups].sort(), WASI_CAPABILITIES.filter((g) => !g.startsWith('http-')).sort(), 'every group has functions');
  });

  it('describes preview1 and wasi_unstable imports', () => {
    assert.deepEqual(
      { ...describeImport('wasi_snapshot_preview1', 'fd_write'), doc: undefined },
      { wasi: true, known: true, capability: 'fd-io', doc: undefined },
    );
    assert.equal(describeImport('wasi_unstable', 'path_rename').capability, 'filesystem-write');
    assert.equal(describeImport('wasi_snapshot_preview1', 'path_open').capability, 'filesystem-read');
    assert.equal(describeImport('wasi_snapshot_preview1', 'fd_prestat_get').capability, 'preopens');
    assert.equal(describeImport('wasi_snapshot_preview1', 'sock_accept').capability, 'sockets');
  });

  it('marks unknown wasi* imports as known: false and non-WASI as wasi: false', () => {
    assert.deepEqual(describeImport('wasi_snapshot_preview1', 'sock_open'), { wasi: true, known: false });
    for (const inherited of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      assert.deepEqual(describeImport('wasi_snapshot_preview1', inherited), { wasi: true, known: false }, inherited);
    }
    assert.deepEqual(describeImport('wasi_ephemeral_nn', 'load'), { wasi: true, known: false });
    assert.deepEqual(describeImport('env', 'fd_write'), { wasi: false, known: false });
  });

  it('maps component-model interfaces to groups', () => {
    assert.equal(describeImport('wasi:filesystem/types@0.2.0', '[method]descriptor.read-via-stream').capability, 'filesystem-read');
    assert.equal(describeImport('wasi:filesystem/types@0.2.0', '[method]descriptor.unlink-file-at').capability, 'filesystem-write');
    assert.equal(describeImport('wasi:filesystem/preopens@0.2.0', 'get-directories').capability, 'preopens');
    assert.equal(describeImport('wasi:sockets/tcp@0.2.0', 'x').capability, 'sockets');
    assert.equal(describeImport('wasi:http/outgoing-handler@0.2.0', 'handle').capability, 'http-outgoing');
    assert.equal(describeImport('wasi:http/types@0.2.0', '[method]fields.get').capability, 'http-incoming');
    assert.equal(describeImport('wasi:clocks/wall-clock@0.2.0', 'now').capability, 'clock');
    assert.equal(describeImport('wasi:random/random@0.2.0', 'get-random-bytes').capability, 'random');
    assert.equal(describeImport('wasi:cli/environment@0.2.0', 'get-arguments').capability, 'args-env');
    assert.equal(describeImport('wasi:cli/exit@0.2.0', 'exit').capability, 'process');
    assert.deepEqual(describeImport('wasi:nn/graph', 'load'), { wasi: true, known: false });
  });
});
