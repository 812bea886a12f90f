/** `wasm-warden optimize` keeps custom sections unless --strip-custom says otherwise. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build, cli, rm, wat2wasm } from './helpers';

/** A module with a custom section named `vendor.notes` appended. */
async function moduleWithCustomSection(): Promise<Uint8Array> {
  const base = await wat2wasm('(module (func (export "f") (result i32) (i32.add (i32.const 1) (i32.const 2))))');
  const name = Buffer.from('vendor.notes');
  const payload = Buffer.concat([Buffer.from([name.length]), name, Buffer.from('hello')]);
  return Buffer.concat([Buffer.from(base), Buffer.from([0, payload.length]), payload]);
}

const hasCustom = (file: string) => fs.readFileSync(file).includes(Buffer.from('vendor.notes'));

describe('optimize custom-section options', () => {
  let dir: string;
  before(async () => {
    build();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-opt-'));
    fs.writeFileSync(path.join(dir, 'in.wasm'), await moduleWithCustomSection());
  });
  after(() => rm(dir));

  test('custom sections are kept by default and dropped with --strip-custom', async () => {
    assert.ok(hasCustom(path.join(dir, 'in.wasm')));
    const kept = await cli(['optimize', 'in.wasm', '-Os', '-o', 'kept.wasm'], dir);
    assert.equal(kept.code, 0, kept.stderr);
    assert.ok(hasCustom(path.join(dir, 'kept.wasm')), 'kept by default');
    const stripped = await cli(['optimize', 'in.wasm', '-Os', '-o', 'stripped.wasm', '--strip-custom'], dir);
    assert.equal(stripped.code, 0, stripped.stderr);
    assert.ok(!hasCustom(path.join(dir, 'stripped.wasm')), 'dropped with --strip-custom');
  });
});
