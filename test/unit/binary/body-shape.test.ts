import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureBody } from '../../../server/src/engine/binary/body-shape';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { disassembleFunction } from '../../../server/src/engine/binary/wat-view';
import { compileC, module, section, u32, wat } from './wasm-fixtures';
import { clangMissing } from '../../clang';

/** A module with one function `(func)` whose body is `body` (locals included). */
function oneFunction(body: number[]): Uint8Array {
  return module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...u32(body.length), ...body])]);
}

function nested(depth: number): number[] {
  return [0, ...Array.from({ length: depth }, () => [0x02, 0x40]).flat(), ...Array(depth + 1).fill(0x0b)];
}

test('nesting depth and instruction count of WAT-compiled bodies', async () => {
  const bytes = await wat(`(module
    (func $flat (param i32) (result i32) (local i64 f32) local.get 0 i32.const 1 i32.add)
    (func $deep (block (loop (if (i32.const 1) (then (block (br 3))) (else nop)))))
    (memory 1)
    (func $mixed (param v128) (result i32)
      (drop (i8x16.extract_lane_u 3 (local.get 0)))
      (memory.fill (i32.const 0) (i32.const 0) (i32.const 8))
      (br_table 0 0 0 (i32.const 2))
      (i32.atomic.load offset=4 (i32.const 0))))`);
  const r = readWasm(bytes);
  const [flat, deep, mixed] = r.model.funcs.map((f) => measureBody(bytes, f.span.start, f.span.end));
  assert.deepEqual(flat && [flat.instructions, flat.maxDepth], [4, 1]);
  assert.deepEqual(deep && [deep.instructions, deep.maxDepth], [13, 5]); // incl. else, 4 ends and the final end
  assert.ok(mixed, 'SIMD, bulk memory, br_table and atomics decode');
  assert.equal(mixed.maxDepth, 1);
});

test('every body of a clang-compiled C program decodes to its final end', (t) => {
  const bytes = compileC('#include <stdio.h>\n#include <string.h>\nint main(int c, char **v) { char b[64]; strcpy(b, v[0]); printf("%s %d\\n", b, c); return 0; }\n');
  if (!bytes) {
    clangMissing(t, 'clang --target=wasm32-wasi is not available');
    return;
  }
  const r = readWasm(bytes);
  const defined = r.model.funcs.filter((f) => !f.imported);
  const unmeasured = defined.filter((f) => !measureBody(bytes, f.span.start, f.span.end));
  assert.deepEqual(unmeasured.map((f) => f.index), []);
});

test('the estimate grows with depth; malformed bodies give undefined', () => {
  const d10 = measureBody(Uint8Array.from(nested(10)), 0, nested(10).length)!;
  const d100 = measureBody(Uint8Array.from(nested(100)), 0, nested(100).length)!;
  assert.equal(d10.maxDepth, 11);
  assert.equal(d100.maxDepth, 101);
  assert.ok(d100.textEstimate > 20 * d10.textEstimate, "indentation makes text grow with depth squared");
  const missingEnd = nested(3).slice(0, -1);
  assert.equal(measureBody(Uint8Array.from(missingEnd), 0, missingEnd.length), undefined);
  const trailing = [...nested(1), 0x01];
  assert.equal(measureBody(Uint8Array.from(trailing), 0, trailing.length), undefined);
  assert.equal(measureBody(Uint8Array.from([0, 0xff, 0x0b]), 0, 3), undefined);
});

test('disassembleFunction prints a deeply nested body (the printer caps indentation, so the text stays linear)', async () => {
  const bytes = oneFunction(nested(3000));
  const r = readWasm(bytes);
  assert.deepEqual(r.diagnostics, []);
  const deep = await disassembleFunction(bytes, r, 0);
  assert.equal(deep.split('\n').filter((l) => l.trim().startsWith('block')).length, 3000);
  assert.ok(deep.length < 6001 * 120, `${deep.length} characters`);
  const shallow = oneFunction(nested(20));
  const text = await disassembleFunction(shallow, readWasm(shallow), 0);
  assert.equal(text.split('\n').filter((l) => l.trim().startsWith('block')).length, 20);
});
