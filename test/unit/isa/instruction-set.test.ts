/**
 * The instruction-set table agrees with the WAT parser's table (name -> immediates), name for name,
 * and the body-shape walk (now the table-driven decoder's) measures every encoding with exactly the
 * immediates the table gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BY_NAME, INSTRUCTION_SET, instructionAt, type ImmKind } from '../../../server/src/engine/isa/instruction-set';
import { INSTRUCTIONS, type Immediates } from '../../../server/src/engine/wat/instructions';
import { measureBody } from '../../../server/src/engine/binary/body-shape';
import { encodeSample } from './samples';

/** The binary immediates each text immediates shape stands for. */
const TEXT_TO_BINARY: Record<Immediates, ImmKind[]> = {
  none: ['none', 'zero_byte'],
  block: ['blocktype'],
  try_table: ['try_table'],
  end: ['none'],
  label: ['label'],
  br_table: ['br_table'],
  br_on_cast: ['br_on_cast'],
  func: ['func'],
  call_indirect: ['call_indirect'],
  local: ['local'],
  global: ['global'],
  'table?': ['table'],
  table2: ['table_table'],
  'table.init': ['elem_table'],
  elem: ['elem'],
  data: ['data'],
  'memory?': ['memory'],
  memory2: ['memory_memory'],
  'memory.init': ['data_memory'],
  memarg: ['memarg'],
  memarg_lane: ['memarg_lane'],
  lane: ['lane'],
  shuffle: ['shuffle'],
  i32: ['i32'],
  i64: ['i64'],
  f32: ['f32'],
  f64: ['f64'],
  v128: ['v128'],
  select: ['none', 'valtypes'],
  heaptype: ['heaptype'],
  reftype: ['heaptype'],
  type: ['type'],
  type_field: ['type_field'],
  type_u32: ['type_u32'],
  type_data: ['type_data'],
  type_elem: ['type_elem'],
  type_type: ['type_type'],
  tag: ['tag'],
  catch: ['tag'],
  resume: ['resume'],
  resume_throw: ['resume_throw'],
  switch: ['type_tag'],
};

test('every encoding is unique and every prefixed code looks itself up', () => {
  for (const d of INSTRUCTION_SET) assert.equal(instructionAt(d.prefix, d.code), d, d.name);
  assert.ok(INSTRUCTION_SET.length > 560, `table holds ${INSTRUCTION_SET.length} encodings`);
});

test('every name the WAT table knows is in the instruction set with the same immediates', () => {
  const textOnly: string[] = [];
  const mismatched: string[] = [];
  for (const [name, info] of INSTRUCTIONS) {
    const defs = BY_NAME.get(name);
    if (!defs) {
      textOnly.push(name);
      continue;
    }
    for (const d of defs) {
      if (!TEXT_TO_BINARY[info.imm].includes(d.imm)) mismatched.push(`${name}: text ${info.imm}, table ${d.imm}`);
    }
  }
  assert.deepEqual(mismatched, []);
  // the same names on both sides (the WAT table once spelled the atomic narrow stores `i32.atomic.store8_u`)
  assert.deepEqual(textOnly, [], 'names only the WAT table knows');
  const missing = [...BY_NAME.keys()].filter((n) => !INSTRUCTIONS.has(n));
  assert.deepEqual(missing, [], 'names only the instruction set knows');
});

test('the body-shape walk decodes every encoding with exactly the immediates the table gives', () => {
  const unknown: string[] = [];
  for (const d of INSTRUCTION_SET) {
    // `delegate` closes a `try`; the block instructions open one the trailing `end`s close
    const opens = d.imm === 'blocktype' || d.imm === 'try_table' ? 1 : 0;
    const pre = d.name === 'delegate' ? [0x06, 0x40] : [];
    const instr = encodeSample(d);
    const body = Uint8Array.from([0x00, ...pre, ...instr, ...new Array(opens).fill(0x0b), 0x0b]);
    const shape = measureBody(body, 0, body.length);
    if (d.name === 'end') {
      // a lone `end` after the sample `end` leaves one byte over: the body ends at the first
      assert.equal(shape, undefined);
      continue;
    }
    if (!shape) {
      unknown.push(d.name);
      continue;
    }
    const expected = (pre.length ? 1 : 0) + 1 + opens + 1;
    assert.equal(shape.instructions, expected, `${d.name}: ${shape.instructions} instructions seen`);
  }
  // the walk is the decoder's, driven by the table: it knows every encoding (stack switching's 0xe0-0xe5 too)
  assert.deepEqual(unknown, []);
});

test('the proposal the WAT table gives an instruction (when it gives one) is the instruction set\'s', () => {
  const differ: string[] = [];
  for (const [name, info] of INSTRUCTIONS) {
    if (!info.feature) continue;
    for (const d of BY_NAME.get(name) ?? []) {
      const same = d.proposal === info.feature || (info.feature === 'exceptions' && d.proposal === 'legacy-exceptions');
      if (!same) differ.push(`${name}: text ${info.feature}, table ${d.proposal}`);
    }
  }
  assert.deepEqual(differ, []);
});
