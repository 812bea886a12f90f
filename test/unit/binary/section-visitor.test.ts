/** visitRawSections: every section in order, the first bad one as a WasmFormatError, without building a list. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customNameIs, visitRawSections, walkRawSections, type RawSection } from '../../../server/src/engine/binary/sections';
import { WasmFormatError } from '../../../server/src/engine/binary/byte-reader';
import { handCustomSection, handSections, sampleModule } from '../signing/helpers';

function visited(bytes: Uint8Array): RawSection[] {
  const out: RawSection[] = [];
  visitRawSections(bytes, (h) => {
    const s: RawSection = { id: h.id, offset: h.offset, payloadOffset: h.payloadOffset, size: h.size, end: h.end };
    if (h.id === 0) Object.assign(s, { name: Buffer.from(bytes.subarray(h.nameOffset, h.contentOffset)).toString(), contentOffset: h.contentOffset });
    else assert.deepEqual([h.nameOffset, h.contentOffset], [-1, -1]);
    out.push(s);
  });
  return out;
}

test('a real module with custom sections: same sections as walkRawSections; names compared by bytes', async () => {
  const wasm = await sampleModule();
  const bytes = new Uint8Array([...wasm, ...handCustomSection('signature', Uint8Array.of(1, 2)), ...handCustomSection('signaturX', new Uint8Array(200))]);
  assert.deepEqual(visited(bytes), walkRawSections(bytes).sections);
  const names: boolean[] = [];
  visitRawSections(bytes, (h) => names.push(customNameIs(bytes, h, 'signature')));
  assert.deepEqual(names.filter(Boolean).length, 1);
  assert.equal(names[names.length - 2], true);
});

test('every truncation: the sections before the cut, or a WasmFormatError at the incomplete one (checked against a hand-written splitter)', async () => {
  const wasm = await sampleModule();
  const bytes = new Uint8Array([...wasm, ...handCustomSection('x', new Uint8Array(300))]);
  const whole = handSections(bytes);
  assert.deepEqual(
    visited(bytes).map((s) => [s.offset, s.end, s.name]),
    whole.map((s) => [s.offset, s.end, s.name]),
  );
  for (let k = 8; k <= bytes.length; k++) {
    const cut = bytes.subarray(0, k);
    const complete = whole.filter((s) => s.end <= k);
    const seen: number[] = [];
    let error: unknown;
    try {
      visitRawSections(cut, (h) => seen.push(h.offset));
    } catch (e) {
      error = e;
    }
    assert.deepEqual(seen, complete.map((s) => s.offset), `cut at ${k}: sections visited before the cut`);
    const atBoundary = complete.length === 0 ? k === 8 : complete[complete.length - 1].end === k;
    if (atBoundary) {
      assert.equal(error, undefined, `cut at ${k}`);
    } else {
      assert.ok(error instanceof WasmFormatError, `cut at ${k}: ${String(error)}`);
      const incomplete = whole[complete.length];
      assert.ok(error.offset >= incomplete.offset && error.offset <= k, `cut at ${k}: offset ${error.offset}`);
    }
  }
  // LEB128 sizes: 5 bytes with high bits set, and longer than 5 bytes
  const leb = (bad: number[]) => () => visitRawSections(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...bad]), () => {});
  assert.throws(leb([0, 0xff, 0xff, 0xff, 0xff, 0x7f]), /does not fit in 32 bits/);
  assert.throws(leb([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), /longer than 5 bytes/);
  assert.throws(leb([0, 0x02, 0x09, 0x61]), /custom section name runs past its section/);
});
