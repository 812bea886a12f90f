/**
 * `wasm-warden compile` on a text forced down the segmented path (the file compiled from its bytes in
 * pieces, as a text over 256 MiB is: WASM_WARDEN_SEGMENTED_COMPILE_BYTES lowers the threshold, and
 * WASM_WARDEN_SEGMENT_BYTES=0 puts each function in a piece of its own): the same bytes as the normal
 * path, and an error in a late function reported at the same line:column.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, cli } from './helpers';

before(() => build());

const SEGMENTED = { WASM_WARDEN_SEGMENTED_COMPILE_BYTES: '0', WASM_WARDEN_SEGMENT_BYTES: '0' };

/** Thirty functions calling each other, `late` the body of the 27th. */
function text(late: string): string {
  const funcs: string[] = [];
  for (let k = 1; k <= 30; k++) {
    const body = k === 27 ? late : k > 1 ? `(call $f${k - 1} (local.get $p))\n    (i32.add (i32.const ${k}))` : '(local.get $p)';
    funcs.push(`  ;; n°${k}: données « ${k} »\n  (func $f${k} (export "f${k}") (param $p i32) (result i32) (local $l i64)\n    ${body})`);
  }
  return `(module\n  (memory 1)\n${funcs.join('\n')}\n  (data (i32.const 16) "été")\n)\n`;
}

test('compile in pieces: the same bytes as the normal path, names on and off', async () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-'));
  try {
    fs.writeFileSync(path.join(d, 'm.wat'), text('(call $f26 (local.get $p))'));
    for (const names of [[], ['--debug-names']]) {
      const normal = await cli(['compile', 'm.wat', '-o', 'normal.wasm', '--force', ...names], d);
      assert.equal(normal.code, 0, normal.stderr);
      const pieces = await cli(['compile', 'm.wat', '-o', 'pieces.wasm', '--force', ...names], d, SEGMENTED);
      assert.equal(pieces.code, 0, pieces.stderr);
      const a = fs.readFileSync(path.join(d, 'normal.wasm'));
      const b = fs.readFileSync(path.join(d, 'pieces.wasm'));
      assert.ok(a.length > 100);
      assert.ok(a.equals(b), `names ${names.length > 0}: ${a.length} vs ${b.length} bytes`);
    }
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('compile in pieces: an error in a late function at its line:column, as the normal path reports it', async () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-'));
  try {
    const source = text('(call $f26 (local.get $p))\n    (i64.add (local.get $l))');
    fs.writeFileSync(path.join(d, 'bad.wat'), source);
    const lines = source.split('\n');
    const line = lines.findIndex((l) => l.includes('(i64.add (local.get $l))'));
    const normal = await cli(['compile', 'bad.wat'], d);
    const pieces = await cli(['compile', 'bad.wat'], d, SEGMENTED);
    assert.equal(normal.code, 1, normal.stderr);
    assert.equal(pieces.code, 1, pieces.stderr);
    assert.equal(pieces.stderr, normal.stderr);
    assert.equal(pieces.stdout, normal.stdout);
    assert.match(pieces.stderr, new RegExp(`bad\\.wat:${line + 1}:${lines[line].indexOf('(i64.add') + 1}\\b`), pieces.stderr);
    assert.ok(!fs.existsSync(path.join(d, 'bad.wasm')));
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('the environment variables do select the segmented path: a body that needs an implicit type is refused there only', async () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-'));
  try {
    fs.writeFileSync(path.join(d, 'implicit.wat'), '(module\n  (func (result i32) (i32.const 1))\n  (func (i32.const 0) (block (param i32) (result i32 i32) (i32.const 2)) drop drop))\n');
    const normal = await cli(['compile', 'implicit.wat'], d);
    assert.equal(normal.code, 0, normal.stderr);
    const pieces = await cli(['compile', 'implicit.wat', '--force'], d, SEGMENTED);
    assert.equal(pieces.code, 1, pieces.stderr);
    assert.match(pieces.stderr, /implicit\.wat:3:9\b.*implicit type/);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});
