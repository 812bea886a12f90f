/**
 * Value, reference and heap type encodings of the binary format, read into their WAT spelling.
 * Used by the reader for signatures, globals, tables and the skipped constant expressions.
 */
import { ByteReader, hex } from './byte-reader';

/**
 * Per-byte tables (dense arrays of 256: a lookup is an index, where an object keyed by a few
 * scattered numbers is a dictionary lookup, and value types are read thousands of times per module).
 */
function byteTable(entries: Record<number, string>): (string | undefined)[] {
  const table = new Array<string | undefined>(256).fill(undefined);
  for (const [b, name] of Object.entries(entries)) table[Number(b)] = name;
  return table;
}

const ABSTRACT_HEAP = byteTable({
  0x70: 'func',
  0x6f: 'extern',
  0x6e: 'any',
  0x6d: 'eq',
  0x6c: 'i31',
  0x6b: 'struct',
  0x6a: 'array',
  0x69: 'exn',
  0x68: 'cont',
  0x74: 'noexn',
  0x73: 'nofunc',
  0x72: 'noextern',
  0x71: 'none',
  0x75: 'nocont',
});

/** The shorthand reference types (`funcref`, ...), by their abstract heap type's byte. */
const ABSTRACT_REF = ABSTRACT_HEAP.map((h) => (h === undefined ? undefined : `${h}ref`));

const NUM_TYPES = byteTable({ 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' });

/** What the reader learns about features while reading types. */
export interface TypeUse {
  simd: boolean;
  typedRefs: boolean;
  refTypes: boolean;
}

export function newTypeUse(): TypeUse {
  return { simd: false, typedRefs: false, refTypes: false };
}

/** Heap type: an abstract type (negative s33) or a type index. */
export function readHeapType(r: ByteReader): string {
  const b = r.peek();
  if (b === 0x65) {
    // shared-everything-threads: one `shared` prefix (a run of them is malformed, not a recursion)
    r.u8();
    const at = r.pos;
    if (r.peek() === 0x65) r.fail(`unknown heap type: a second 'shared' prefix at ${hex(at)}`, at);
    return `shared ${readHeapType(r)}`;
  }
  const abs = ABSTRACT_HEAP[b];
  if (abs !== undefined) {
    r.u8();
    return abs;
  }
  const at = r.pos;
  const idx = r.sleb(33, 'heap type');
  if (idx < 0) r.fail(`unknown heap type ${idx} at ${hex(at)}`, at);
  return String(idx);
}

/** A value type (number, vector or reference type) in WAT spelling, e.g. `i32`, `funcref`, `(ref null 3)`. */
export function readValType(r: ByteReader, use?: TypeUse): string {
  const at = r.pos;
  const b = r.u8('value type');
  const num = NUM_TYPES[b];
  if (num !== undefined) {
    if (b === 0x7b && use) use.simd = true;
    return num;
  }
  const ref = ABSTRACT_REF[b];
  if (ref !== undefined) {
    if (use && b !== 0x70) use.refTypes = true;
    return ref;
  }
  if (b === 0x63 || b === 0x64) {
    if (use) use.typedRefs = true;
    const ht = readHeapType(r);
    return b === 0x63 ? `(ref null ${ht})` : `(ref ${ht})`;
  }
  return r.fail(`unknown value type ${hex(b)} at ${hex(at)}`, at);
}

/** A struct/array field's storage type: a value type or a packed i8/i16. */
export function readStorageType(r: ByteReader, use?: TypeUse): string {
  const b = r.peek();
  if (b === 0x78) {
    r.u8();
    return 'i8';
  }
  if (b === 0x77) {
    r.u8();
    return 'i16';
  }
  return readValType(r, use);
}

export interface ConstExprInfo {
  /** uses i32/i64 add/sub/mul (extended-const) */
  extended: boolean;
  /** the value of a lone `i32.const` / `i64.const` (small values only), e.g. an active segment offset */
  value?: number;
}

/**
 * Skips a constant expression up to and including its `end`, checking opcodes and immediates.
 * Knows the MVP, extended-const, reference-types, SIMD (`v128.const`) and GC constant instructions.
 */
export function skipConstExpr(r: ByteReader): ConstExprInfo {
  const info: ConstExprInfo = { extended: false };
  let instrs = 0;
  for (;;) {
    const at = r.pos;
    const op = r.u8('constant expression opcode');
    if (op === 0x0b) break;
    instrs++;
    switch (op) {
      case 0x41:
        info.value = r.sleb(32, 'i32.const');
        break;
      case 0x42: {
        const p = r.pos;
        r.sleb(64, 'i64.const');
        // small values only: re-read as 33-bit when it fits in <= 4 bytes
        info.value = r.pos - p <= 4 ? new ByteReader(r.bytes, p, r.pos, r.base).sleb(33) : undefined;
        break;
      }
      case 0x43:
        r.skip(4, 'f32.const');
        break;
      case 0x44:
        r.skip(8, 'f64.const');
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        r.u32('index');
        info.value = undefined;
        break;
      case 0xd0: // ref.null
        readHeapType(r);
        break;
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        info.extended = true;
        info.value = undefined;
        break;
      case 0xfd: {
        const sub = r.u32('SIMD opcode');
        if (sub !== 12) r.fail(`SIMD opcode ${sub} at ${hex(at)} is not allowed in a constant expression`, at);
        r.skip(16, 'v128.const');
        break;
      }
      case 0xfb: {
        const sub = r.u32('GC opcode');
        switch (sub) {
          case 0: // struct.new
          case 1: // struct.new_default
          case 6: // array.new
          case 7: // array.new_default
            r.u32('type index');
            break;
          case 8: // array.new_fixed
            r.u32('type index');
            r.u32('element count');
            break;
          case 26: // any.convert_extern
          case 27: // extern.convert_any
          case 28: // ref.i31
            break;
          default:
            r.fail(`GC opcode ${sub} at ${hex(at)} is not allowed in a constant expression`, at);
        }
        break;
      }
      default:
        r.fail(`opcode ${hex(op)} at ${hex(at)} is not allowed in a constant expression`, at);
    }
  }
  if (instrs !== 1) info.value = undefined;
  return info;
}
