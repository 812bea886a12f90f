/**
 * `wasm-warden optimize` keeps custom sections unless --strip-custom says otherwise, never adds a name
 * section the input did not have, and says on stderr what it is doing while binaryen works.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { walkSections } from '../../server/src/engine/toolchain/sections';
import { BIN, build, cli, hasScript, inTty, rm, wat2wasm } from './helpers';

/** The same module with and without a name section (wabt's write_debug_names). */
async function withAndWithoutNames(): Promise<{ named: Uint8Array; bare: Uint8Array }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wabt = await require('wabt')();
  const mod = wabt.parseWat('m.wat', `(module
    (func $add (export "add") (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
    (func $twice (export "twice") (result i32) (call $add (call $add (i32.const 2)))))`);
  try {
    mod.resolveNames();
    return { named: new Uint8Array(mod.toBinary({ write_debug_names: true }).buffer), bare: new Uint8Array(mod.toBinary({ write_debug_names: false }).buffer) };
  } finally {
    mod.destroy();
  }
}

const customNames = (file: string) => walkSections(new Uint8Array(fs.readFileSync(file))).filter((s) => s.id === 0).map((s) => s.customName);

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
    const { named, bare } = await withAndWithoutNames();
    fs.writeFileSync(path.join(dir, 'named.wasm'), named);
    fs.writeFileSync(path.join(dir, 'bare.wasm'), bare);
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

  test('-Os adds no name section to a module without one, and keeps the one a module has', async () => {
    assert.deepEqual(customNames(path.join(dir, 'bare.wasm')), []);
    assert.deepEqual(customNames(path.join(dir, 'named.wasm')), ['name']);
    for (const level of ['-Os', '-O2']) {
      const bare = await cli(['optimize', 'bare.wasm', level, '-o', 'bare.opt.wasm', '--force'], dir);
      assert.equal(bare.code, 0, bare.stderr);
      assert.deepEqual(customNames(path.join(dir, 'bare.opt.wasm')), [], `${level}: no name section added`);
      const named = await cli(['optimize', 'named.wasm', level, '-o', 'named.opt.wasm', '--force'], dir);
      assert.equal(named.code, 0, named.stderr);
      assert.deepEqual(customNames(path.join(dir, 'named.opt.wasm')), ['name'], `${level}: the name section kept`);
    }
    const stripped = await cli(['optimize', 'named.wasm', '-Os', '-o', 'stripped.opt.wasm', '--strip-debug', '--force'], dir);
    assert.equal(stripped.code, 0, stripped.stderr);
    assert.deepEqual(customNames(path.join(dir, 'stripped.opt.wasm')), []);
  });

  test('progress: in a log, what runs and the time so far while binaryen works; nothing with --quiet', async () => {
    // an interval of 1 ms stands for a long run (the default is a line every 10 s)
    const r = await cli(['optimize', 'named.wasm', '-O3', '-o', 'progress.wasm', '--force'], dir, { WASM_WARDEN_PROGRESS_INTERVAL_MS: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^optimizing named\.wasm \(0\.\d kB\) with binaryen -O3: \d+\.\d s so far$/m);
    assert.match(r.stdout, /^wrote progress\.wasm/);
    const quiet = await cli(['optimize', 'named.wasm', '-O3', '-o', 'progress.wasm', '--force', '--quiet'], dir, { WASM_WARDEN_PROGRESS_INTERVAL_MS: '1' });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    const short = await cli(['optimize', 'named.wasm', '-O3', '-o', 'progress.wasm', '--force'], dir);
    assert.equal(short.stderr, '', 'a run shorter than the interval (10 s) prints nothing in a log');
  });

  test('progress: on a terminal, shown from the start and cleared at the end', { skip: !hasScript() && 'needs script(1) for a pseudo-terminal' }, async () => {
    const out = await inTty(`${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} optimize named.wasm -Oz -o tty.wasm --force`, dir);
    assert.match(out, /\r\x1b\[Koptimizing named\.wasm \(0\.\d kB\) with binaryen -Oz: 0\.\d s/);
    assert.match(out, /\r\x1b\[Kwrote tty\.wasm/);
  });
});
