import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFeaturesNeeded } from '../../../server/src/engine/toolchain/features';
import {
  dropCustomSections,
  hasLeadingSignature,
  SectionWalkError,
  sizeReport,
  walkSections,
} from '../../../server/src/engine/toolchain/sections';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function custom(name: string, payload: number[]): number[] {
  const n = [...Buffer.from(name)];
  const body = [n.length, ...n, ...payload];
  return [0, body.length, ...body];
}

// (module (func)) + customs
const TYPE = [1, 4, 1, 0x60, 0, 0];
const FUNC = [3, 2, 1, 0];
const CODE = [10, 4, 1, 2, 0, 0x0b];

test('size report: sections in file order, summing to the file size', () => {
  const bytes = new Uint8Array([...HEADER, ...custom('signature', [1, 2, 3]), ...TYPE, ...FUNC, ...CODE, ...custom('producers', [0])]);
  const r = sizeReport(bytes);
  assert.deepEqual(
    r.sections.map((s) => s.name),
    ['header', 'custom:signature', 'type', 'function', 'code', 'custom:producers'],
  );
  assert.equal(r.sections.reduce((n, s) => n + s.size, 0), bytes.length);
  assert.equal(r.total, bytes.length);
  assert.equal(hasLeadingSignature(bytes), true);
});

test('a signature section that is not first does not count as signed', () => {
  const bytes = new Uint8Array([...HEADER, ...TYPE, ...custom('signature', [1])]);
  assert.equal(hasLeadingSignature(bytes), false);
});

test('dropping custom sections keeps the rest byte for byte', () => {
  const bytes = new Uint8Array([...HEADER, ...custom('signature', [9]), ...TYPE, ...FUNC, ...CODE, ...custom('keep', [1])]);
  const out = dropCustomSections(bytes, (n) => n === 'signature');
  assert.deepEqual([...out], [...HEADER, ...TYPE, ...FUNC, ...CODE, ...custom('keep', [1])]);
});

test('truncated and garbage input give a SectionWalkError with an offset', () => {
  const full = new Uint8Array([...HEADER, ...TYPE, ...CODE]);
  assert.throws(() => walkSections(full.subarray(0, full.length - 2)), (e: unknown) => e instanceof SectionWalkError && e.offset === 14);
  assert.throws(() => walkSections(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), /missing the \\0asm magic/);
  assert.throws(() => walkSections(new Uint8Array(HEADER.slice(0, 6))), /6 bytes, the preamble alone is 8/);
  assert.throws(() => walkSections(new Uint8Array([...HEADER, 1, 0xff, 0xff, 0xff, 0xff, 0xff])), /longer than 5 bytes|does not fit in 32 bits/);
});

test('feature detection from WAT keywords and binary sections', () => {
  assert.deepEqual(detectFeaturesNeeded('(module (func (result i32) (i32.const 1)))'), []);
  const f = detectFeaturesNeeded('(module (memory 1 2 shared) (type (struct)) (func (return_call 0)) ;; v128\n)');
  assert.ok(f.includes('threads') && f.includes('gc') && f.includes('tail-call'));
  assert.ok(!f.includes('simd'), 'comments are ignored');
  // memory section with one shared memory (flags 3): threads
  const mem = new Uint8Array([...HEADER, 5, 4, 1, 3, 1, 2]);
  assert.deepEqual(detectFeaturesNeeded(mem), ['threads']);
  assert.deepEqual(detectFeaturesNeeded(new Uint8Array([...HEADER, 13, 3, 1, 0, 0])), ['exceptions']);
});
