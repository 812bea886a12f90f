/**
 * Lazy reads (HEADER_READ_OPTIONS): the function, global, export and element sections are decoded
 * when the model's parts are first read, their problems are reported then, and a policy check only
 * decodes what its rules look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { HEADER_READ_OPTIONS } from '../../../server/src/engine/binary/file-reader';
import { checkWasmBytes } from '../../../server/src/engine/operations/check';
import { effectivePolicy } from '../../../server/src/engine/policy/load';
import type { Policy } from '../../../server/src/engine/policy/definition';
import type { ResolvedPolicy } from '../../../server/src/engine/policy/store';
import { module, section, str, u32 } from './wasm-fixtures';

/** One memory; an export section whose second entry has an unknown kind byte (0x09). */
const BROKEN_EXPORTS = module([
  section(5, [1, 0x00, 1]),
  section(7, [2, ...str('mem'), 0x02, 0, ...str('bad'), 0x09, 0]),
]);

const resolved = (policy: Policy): ResolvedPolicy => ({ effective: effectivePolicy(policy, ''), stale: false });

test('a deferred section is decoded, and its problems reported, when its part of the model is read', () => {
  const eager = readWasm(BROKEN_EXPORTS);
  assert.ok(eager.diagnostics.some((d) => d.code === 'wasm-malformed' && /unknown export kind 0x9/.test(d.message)));
  const lazy = readWasm(BROKEN_EXPORTS, HEADER_READ_OPTIONS);
  assert.equal(lazy.diagnostics.length, 0, 'nothing decoded yet');
  assert.equal(lazy.model.memories.length, 1, 'memories are decoded up front');
  assert.deepEqual(
    lazy.model.exports.map((e) => e.name),
    ['mem'],
  );
  assert.deepEqual(
    lazy.diagnostics.map((d) => d.message),
    eager.diagnostics.map((d) => d.message),
  );
  // once: reading again neither decodes again nor reports twice
  assert.equal(lazy.model.exports.length, 1);
  assert.equal(lazy.diagnostics.length, eager.diagnostics.length);
});

test('a policy check decodes the exports only when a rule looks at them, and then reports their problems', () => {
  const quiet = checkWasmBytes(BROKEN_EXPORTS, readWasm(BROKEN_EXPORTS, HEADER_READ_OPTIONS), 'm.wasm', resolved({ memory: { requireMaximum: false } }));
  assert.ok(!quiet.some((d) => d.code === 'wasm-malformed'), 'no export rule: the export section is not decoded');

  const strict = checkWasmBytes(
    BROKEN_EXPORTS,
    readWasm(BROKEN_EXPORTS, HEADER_READ_OPTIONS),
    'm.wasm',
    resolved({ memory: { requireMaximum: false }, exports: { allowMemoryExport: false } }),
  );
  assert.ok(strict.some((d) => d.code === 'wasm-malformed' && /unknown export kind/.test(d.message)), 'reported once the rule read the exports');
  assert.ok(strict.some((d) => d.code === 'export-memory'));
  // the reader's findings come first, as with an eager read
  assert.equal(strict[0].code, 'wasm-malformed');
});

test('a function section count that does not fit is reported up front; its entries are decoded on demand', () => {
  // type () -> (); a function section claiming 200 functions in 2 bytes
  const bytes = module([section(1, [1, 0x60, 0, 0]), section(3, [...u32(200), 0])]);
  const lazy = readWasm(bytes, HEADER_READ_OPTIONS);
  assert.ok(lazy.diagnostics.some((d) => /function count 200/.test(d.message)), lazy.diagnostics.map((d) => d.message).join('; '));
  const lazyFuncs = readWasm(module([section(1, [1, 0x60, 0, 0]), section(3, [2, 0, 0]), section(10, [2, 2, 0, 0x0b, 2, 0, 0x0b])]), HEADER_READ_OPTIONS);
  assert.deepEqual(
    lazyFuncs.model.funcs.map((f) => f.sig),
    [
      { params: [], results: [] },
      { params: [], results: [] },
    ],
  );
});
