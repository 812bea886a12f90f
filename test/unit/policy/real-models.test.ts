// The rules through the real producers: the WAT parser (text spans) and the binary reader (byte spans).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { parseWat } from '../../../server/src/engine/wat';
import { checkModel } from '../../../server/src/engine/policy/check';
import { effectivePolicy } from '../../../server/src/engine/policy/load';
import type { Policy } from '../../../server/src/engine/policy/definition';
import type { ModuleModel } from '../../../server/src/engine/model';

const WAT = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_open" (func (param i32 i32 i32) (result i32)))
  (import "env" "mem" (memory 1))
  (memory 2 70000)
  (func $main)
  (start $main)
  (export "memory" (memory 1))
  (export "debug_dump" (func $main))
)`;

const POLICY: Policy = {
  exports: { forbidden: ['debug_*'], allowMemoryExport: false },
  startFunction: { allowed: false },
  memory: { maxMemories: 1 },
};

const EXPECTED = [
  'custom-section-missing',
  'export-forbidden',
  'export-memory',
  'memory-count',
  'memory-too-large',
  'memory-unbounded',
  'start-function',
  'unknown-wasi-import',
  'wasi-capability-denied',
];

function codes(m: ModuleModel): string[] {
  const policy = effectivePolicy({ ...POLICY, customSections: { required: ['producers'] } }, 'm.wasm');
  return checkModel(m, policy).map((d) => d.code).sort();
}

describe('policy rules on real models', () => {
  let bytes: Uint8Array;
  before(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wabt = await require('wabt')();
    const mod = wabt.parseWat('m.wat', WAT, { multi_memory: true });
    bytes = mod.toBinary({}).buffer;
    mod.destroy();
  });

  it('WAT model: findings with spans on the source text', () => {
    const doc = parseWat(WAT);
    assert.equal(doc.modules.length, 1);
    const m = doc.modules[0];
    assert.equal(m.origin, 'wat');
    assert.deepEqual(codes(m), EXPECTED);
    const ds = checkModel(m, effectivePolicy(POLICY, 'm.wat'));
    const unlink = ds.find((d) => d.code === 'wasi-capability-denied')!;
    assert.match(WAT.slice(unlink.span.start, unlink.span.end), /^\(import "wasi_snapshot_preview1" "path_unlink_file"/);
    const unbounded = ds.find((d) => d.code === 'memory-unbounded')!;
    assert.deepEqual(unbounded.data, { memoryIndex: 0, module: 'env', name: 'mem', min: 1 });
    assert.match(WAT.slice(unbounded.span.start, unbounded.span.end), /1/);
    const forbidden = ds.find((d) => d.code === 'export-forbidden')!;
    assert.match(WAT.slice(forbidden.span.start, forbidden.span.end), /debug_dump/);
  });

  it('binary model: the same findings, with byte spans inside the file', () => {
    const r = readWasm(bytes);
    assert.equal(r.model.origin, 'binary');
    assert.deepEqual(codes(r.model), EXPECTED);
    for (const d of checkModel(r.model, effectivePolicy(POLICY, 'm.wasm'))) {
      assert.ok(d.span.start >= 0 && d.span.end <= bytes.length && d.span.start <= d.span.end, d.code);
    }
    const unlink = checkModel(r.model, effectivePolicy(POLICY, 'm.wasm')).find((d) => d.code === 'wasi-capability-denied')!;
    const text = Buffer.from(bytes.subarray(unlink.span.start, unlink.span.end)).toString('latin1');
    assert.ok(text.includes('path_unlink_file'));
  });
});
