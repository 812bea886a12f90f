/**
 * Encodes one instruction of the instruction-set table with sample immediates (multi-byte LEB128
 * indexes where an index is read, so that readers must decode LEB128 there), for the table's
 * cross-checks and the decoder's tests.
 */
import type { ImmKind, InstructionDef } from '../../../server/src/engine/isa/instruction-set';

/** An index written as a two-byte LEB128 of value 1. */
const IDX = [0x81, 0x00];

export function sampleImmediates(kind: ImmKind): number[] {
  switch (kind) {
    case 'none':
      return [];
    case 'blocktype':
      return [0x40];
    case 'try_table':
      return [0x40, 0x01, 0x00, ...IDX, 0x00];
    case 'label':
    case 'func':
    case 'type':
    case 'local':
    case 'global':
    case 'table':
    case 'elem':
    case 'data':
    case 'memory':
    case 'tag':
      return IDX;
    case 'br_table':
      return [0x02, 0x00, 0x00, 0x00];
    case 'br_on_cast':
      return [0x03, 0x00, 0x70, 0x70];
    case 'call_indirect':
    case 'table_table':
    case 'elem_table':
    case 'memory_memory':
    case 'data_memory':
    case 'type_field':
    case 'type_u32':
    case 'type_data':
    case 'type_elem':
    case 'type_type':
    case 'type_tag':
      return [...IDX, ...IDX];
    case 'memarg':
      return [0x00, 0x80, 0x01];
    case 'memarg_lane':
      return [0x00, 0x00, 0x00];
    case 'lane':
      return [0x01];
    case 'shuffle':
      return new Array(16).fill(0);
    case 'i32':
      return [0xff, 0x7f];
    case 'i64':
      return [0x80, 0x80, 0x7f];
    case 'f32':
      return [0, 0, 0x80, 0x3f];
    case 'f64':
      return [0, 0, 0, 0, 0, 0, 0xf0, 0x3f];
    case 'v128':
      return new Array(16).fill(7);
    case 'valtypes':
      return [0x01, 0x7f];
    case 'heaptype':
      return [0x70];
    case 'zero_byte':
      return [0x00];
    case 'resume':
      return [...IDX, 0x00];
    case 'resume_throw':
      return [...IDX, ...IDX, 0x00];
  }
}

/** The opcode bytes of a definition (prefix and LEB128 sub-opcode). */
export function opcodeBytes(d: InstructionDef): number[] {
  if (d.prefix === 0) return [d.code];
  return d.code < 0x80 ? [d.prefix, d.code] : [d.prefix, (d.code & 0x7f) | 0x80, d.code >> 7];
}

export function encodeSample(d: InstructionDef): number[] {
  return [...opcodeBytes(d), ...sampleImmediates(d.imm)];
}
