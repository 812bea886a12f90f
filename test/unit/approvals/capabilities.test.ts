/**
 * Comparing capability summaries: what counts as asking for more (the diff's gate and the approval rule's
 * message), and the limits text read back as the lock file records it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareCapabilities, completeSummary, parseLimits, type CapabilitySummary } from '../../../server/src/engine/approvals/capabilities';
import { describeLimits } from '../../../server/src/engine/model-text';
import type { Limits } from '../../../server/src/engine/model';

const base: CapabilitySummary = completeSummary({ imports: ['env.log'], memories: ['min 1, max 16'], tables: ['min 1, max 1'] });
const more = (after: Partial<CapabilitySummary>) => compareCapabilities(base, { ...base, ...after }).map((c) => `${c.text} ${c.more ? 'more' : 'not more'}`);

describe('compareCapabilities', () => {
  test('limits: a larger or missing maximum, a larger minimum, shared or 64-bit ask for more; smaller ones do not', () => {
    assert.deepEqual(more({ memories: ['min 1, max 32'] }), ['~ memory 0: min 1, max 16 -> min 1, max 32 more']);
    assert.deepEqual(more({ memories: ['min 1, no max'] }), ['~ memory 0: min 1, max 16 -> min 1, no max more']);
    assert.deepEqual(more({ memories: ['min 2, max 16'] }), ['~ memory 0: min 1, max 16 -> min 2, max 16 more']);
    assert.deepEqual(more({ memories: ['min 1, max 16, shared'] }), ['~ memory 0: min 1, max 16 -> min 1, max 16, shared more']);
    assert.deepEqual(more({ memories: ['min 1, max 16, i64'] }), ['~ memory 0: min 1, max 16 -> min 1, max 16, i64 more']);
    assert.deepEqual(more({ memories: ['min 1, max 8'] }), ['~ memory 0: min 1, max 16 -> min 1, max 8 not more']);
    // 16 pages of 64 KiB against 65536 pages of 1 byte: fewer bytes, though a larger number
    assert.deepEqual(more({ memories: ['min 1, max 65536, page 1 B'] }), ['~ memory 0: min 1, max 16 -> min 1, max 65536, page 1 B not more']);
    assert.deepEqual(more({ memories: ['min 1, max 16', 'min 0, max 1'] }), ['+ memory 1: min 0, max 1 more']);
    assert.deepEqual(more({ memories: [] }), ['- memory 0: min 1, max 16 not more']);
    assert.deepEqual(more({ tables: ['min 1, no max'] }), ['~ table 0: min 1, max 1 -> min 1, no max more']);
    // limits text it does not understand (a hand-edited lock) counts as more: a gate does not miss it
    assert.deepEqual(more({ memories: ['lots'] }), ['~ memory 0: min 1, max 16 -> lots more']);
  });

  test('imports, groups, features and a start function added ask for more; removed ones do not', () => {
    assert.deepEqual(more({ imports: ['env.log', 'wasi_snapshot_preview1.random_get'], wasi: ['random'] }), [
      '+ import wasi_snapshot_preview1.random_get (random) more',
      '+ capability group random more',
    ]);
    assert.deepEqual(more({ imports: [] }), ['- import env.log not more']);
    assert.deepEqual(more({ features: ['threads'] }), ['+ feature threads more']);
    assert.deepEqual(more({ start: true }), ['+ start function (runs on instantiation) more']);
    assert.deepEqual(compareCapabilities(base, base), []);
  });

  test('parseLimits reads back what describeLimits writes', () => {
    const cases: Limits[] = [
      { min: 1, max: 2, shared: false, index64: false, pageSizeLog2: 16 },
      { min: 0, shared: true, index64: true, pageSizeLog2: 16 },
      { min: 3, max: 70000, shared: false, index64: false, pageSizeLog2: 0 },
    ];
    for (const l of cases) assert.deepEqual(parseLimits(describeLimits(l)), { ...l, max: l.max });
    assert.equal(parseLimits('min 1, max 2, executable'), undefined);
  });
});
