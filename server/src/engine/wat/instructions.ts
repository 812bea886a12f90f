/**
 * The instruction set of the text format, as a table from instruction name to the shape of its
 * immediates: MVP, sign extension, saturating truncation, bulk memory, reference types, SIMD,
 * relaxed SIMD, threads/atomics, tail calls, multi-memory, memory64, extended const, function
 * references, GC, exceptions (try_table and the legacy try/catch/delegate), stack switching.
 */

export type Immediates =
  | 'none'
  | 'block' // label? blocktype (block, loop, if, try)
  | 'try_table' // label? blocktype catch-clauses
  | 'end' // label? (end, else, catch_all)
  | 'label'
  | 'br_table'
  | 'br_on_cast' // label reftype reftype
  | 'func'
  | 'call_indirect' // table? typeuse
  | 'local'
  | 'global'
  | 'table?'
  | 'table2' // table.copy: none or two tables
  | 'table.init' // table? elem
  | 'elem'
  | 'data'
  | 'memory?'
  | 'memory2'
  | 'memory.init' // memory? data
  | 'memarg'
  | 'memarg_lane'
  | 'lane'
  | 'shuffle'
  | 'i32'
  | 'i64'
  | 'f32'
  | 'f64'
  | 'v128'
  | 'select'
  | 'heaptype'
  | 'reftype'
  | 'type'
  | 'type_field'
  | 'type_u32'
  | 'type_data'
  | 'type_elem'
  | 'type_type'
  | 'tag'
  | 'catch' // legacy catch: tag
  | 'resume' // type handlers
  | 'resume_throw' // type tag handlers
  | 'switch'; // type tag

/** Features an instruction signals, for ModuleModel.features. */
export type InstrFeature =
  | 'simd'
  | 'relaxed-simd'
  | 'threads'
  | 'exceptions'
  | 'gc'
  | 'tail-call'
  | 'bulk-memory'
  | 'reference-types'
  | 'function-references'
  | 'stack-switching'
  | 'extended-const';

/**
 * How the checker handles a plain instruction: the frequent immediates shapes on a path of their own
 * (a switch on a small integer), `Structural` for end/else/catch/catch_all/delegate (they close or
 * split a flat block), `Other` for the rest (the full switch on `imm`).
 */
export const enum InstrKind {
  Other = 0,
  None = 1,
  Local = 2,
  Global = 3,
  I32 = 4,
  I64 = 5,
  Label = 6,
  Memarg = 7,
  Structural = 8,
}

export interface InstrInfo {
  imm: Immediates;
  kind: InstrKind;
  /** undefined when the instruction belongs to the core set (every entry has the property: one shape) */
  feature: InstrFeature | undefined;
}

export const INSTRUCTIONS = new Map<string, InstrInfo>();

const STRUCTURAL = new Set(['end', 'else', 'catch', 'catch_all', 'delegate']);
const FAST_KINDS: Partial<Record<Immediates, InstrKind>> = {
  none: InstrKind.None,
  local: InstrKind.Local,
  global: InstrKind.Global,
  i32: InstrKind.I32,
  i64: InstrKind.I64,
  label: InstrKind.Label,
  memarg: InstrKind.Memarg,
};

function add(imm: Immediates, names: string, feature?: InstrFeature): void {
  for (const n of names.split(/\s+/)) {
    if (!n) continue;
    const kind = STRUCTURAL.has(n) ? InstrKind.Structural : (FAST_KINDS[imm] ?? InstrKind.Other);
    INSTRUCTIONS.set(n, { imm, kind, feature });
  }
}

const ixx = (prefix: string, ops: string): string =>
  ops
    .split(/\s+/)
    .filter(Boolean)
    .map((o) => `${prefix}.${o}`)
    .join(' ');

// --- control
add('none', 'unreachable nop return drop');
add('block', 'block loop if');
add('end', 'end else');
add('label', 'br br_if');
add('br_table', 'br_table');
add('func', 'call');
add('call_indirect', 'call_indirect');
add('select', 'select');
add('func', 'return_call', 'tail-call');
add('call_indirect', 'return_call_indirect', 'tail-call');
add('type', 'call_ref', 'function-references');
add('type', 'return_call_ref', 'tail-call');
add('label', 'br_on_null br_on_non_null', 'function-references');
add('none', 'ref.as_non_null', 'function-references');

// --- variables
add('local', 'local.get local.set local.tee');
add('global', 'global.get global.set');

// --- numeric
add('i32', 'i32.const');
add('i64', 'i64.const');
add('f32', 'f32.const');
add('f64', 'f64.const');
const INT_OPS =
  'eqz eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u clz ctz popcnt add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr extend8_s extend16_s trunc_f32_s trunc_f32_u trunc_f64_s trunc_f64_u trunc_sat_f32_s trunc_sat_f32_u trunc_sat_f64_s trunc_sat_f64_u';
const FLOAT_OPS =
  'eq ne lt gt le ge abs neg ceil floor trunc nearest sqrt add sub mul div min max copysign convert_i32_s convert_i32_u convert_i64_s convert_i64_u';
add('none', ixx('i32', INT_OPS) + ' ' + ixx('i64', INT_OPS) + ' ' + ixx('f32', FLOAT_OPS) + ' ' + ixx('f64', FLOAT_OPS));
add(
  'none',
  'i32.wrap_i64 i64.extend_i32_s i64.extend_i32_u i64.extend32_s f32.demote_f64 f64.promote_f32 i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64',
);

// --- memory
add(
  'memarg',
  'i32.load i64.load f32.load f64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u i32.store i64.store f32.store f64.store i32.store8 i32.store16 i64.store8 i64.store16 i64.store32',
);
add('memory?', 'memory.size memory.grow');
add('memory?', 'memory.fill', 'bulk-memory');
add('memory2', 'memory.copy', 'bulk-memory');
add('memory.init', 'memory.init', 'bulk-memory');
add('data', 'data.drop', 'bulk-memory');

// --- reference types, tables
add('heaptype', 'ref.null', 'reference-types');
add('none', 'ref.is_null', 'reference-types');
add('func', 'ref.func', 'reference-types');
add('table?', 'table.get table.set table.size table.grow table.fill', 'reference-types');
add('table2', 'table.copy', 'bulk-memory');
add('table.init', 'table.init', 'bulk-memory');
add('elem', 'elem.drop', 'bulk-memory');

// --- GC
add('none', 'ref.eq ref.i31 i31.get_s i31.get_u array.len any.convert_extern extern.convert_any', 'gc');
add('type', 'struct.new struct.new_default array.new array.new_default array.get array.get_s array.get_u array.set array.fill', 'gc');
add('type_field', 'struct.get struct.get_s struct.get_u struct.set', 'gc');
add('type_u32', 'array.new_fixed', 'gc');
add('type_data', 'array.new_data array.init_data', 'gc');
add('type_elem', 'array.new_elem array.init_elem', 'gc');
add('type_type', 'array.copy', 'gc');
add('reftype', 'ref.test ref.cast', 'gc');
add('br_on_cast', 'br_on_cast br_on_cast_fail', 'gc');

// --- exceptions
add('try_table', 'try_table', 'exceptions');
add('tag', 'throw', 'exceptions');
add('none', 'throw_ref', 'exceptions');
add('block', 'try', 'exceptions');
add('catch', 'catch', 'exceptions');
add('end', 'catch_all', 'exceptions');
add('label', 'delegate rethrow', 'exceptions');

// --- stack switching
add('type', 'cont.new', 'stack-switching');
add('type_type', 'cont.bind', 'stack-switching');
add('tag', 'suspend', 'stack-switching');
add('resume', 'resume', 'stack-switching');
add('resume_throw', 'resume_throw', 'stack-switching');
add('switch', 'switch', 'stack-switching');

// --- threads
add('none', 'atomic.fence', 'threads');
add('memarg', 'memory.atomic.notify memory.atomic.wait32 memory.atomic.wait64', 'threads');
{
  const names: string[] = [];
  const rmw = ['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg'];
  names.push('i32.atomic.load', 'i64.atomic.load', 'i32.atomic.store', 'i64.atomic.store');
  // narrow loads zero-extend (`_u`); narrow stores have no suffix (the spec's `i32.atomic.store8`)
  names.push('i32.atomic.load8_u', 'i32.atomic.load16_u', 'i64.atomic.load8_u', 'i64.atomic.load16_u', 'i64.atomic.load32_u');
  names.push('i32.atomic.store8', 'i32.atomic.store16', 'i64.atomic.store8', 'i64.atomic.store16', 'i64.atomic.store32');
  for (const op of rmw) {
    names.push(`i32.atomic.rmw.${op}`, `i64.atomic.rmw.${op}`);
    names.push(`i32.atomic.rmw8.${op}_u`, `i32.atomic.rmw16.${op}_u`);
    names.push(`i64.atomic.rmw8.${op}_u`, `i64.atomic.rmw16.${op}_u`, `i64.atomic.rmw32.${op}_u`);
  }
  add('memarg', names.join(' '), 'threads');
}

// --- SIMD
add('v128', 'v128.const', 'simd');
add('shuffle', 'i8x16.shuffle', 'simd');
add(
  'memarg',
  'v128.load v128.store v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u v128.load32x2_s v128.load32x2_u v128.load8_splat v128.load16_splat v128.load32_splat v128.load64_splat v128.load32_zero v128.load64_zero',
  'simd',
);
add(
  'memarg_lane',
  'v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane v128.store8_lane v128.store16_lane v128.store32_lane v128.store64_lane',
  'simd',
);
add(
  'lane',
  'i8x16.extract_lane_s i8x16.extract_lane_u i16x8.extract_lane_s i16x8.extract_lane_u i32x4.extract_lane i64x2.extract_lane f32x4.extract_lane f64x2.extract_lane i8x16.replace_lane i16x8.replace_lane i32x4.replace_lane i64x2.replace_lane f32x4.replace_lane f64x2.replace_lane',
  'simd',
);
add(
  'none',
  [
    'v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true i8x16.swizzle',
    'i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat',
    ixx('i8x16', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u abs neg popcnt all_true bitmask narrow_i16x8_s narrow_i16x8_u shl shr_s shr_u add add_sat_s add_sat_u sub sub_sat_s sub_sat_u min_s min_u max_s max_u avgr_u'),
    ixx('i16x8', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u extadd_pairwise_i8x16_s extadd_pairwise_i8x16_u abs neg q15mulr_sat_s all_true bitmask narrow_i32x4_s narrow_i32x4_u extend_low_i8x16_s extend_high_i8x16_s extend_low_i8x16_u extend_high_i8x16_u shl shr_s shr_u add add_sat_s add_sat_u sub sub_sat_s sub_sat_u mul min_s min_u max_s max_u avgr_u extmul_low_i8x16_s extmul_high_i8x16_s extmul_low_i8x16_u extmul_high_i8x16_u'),
    ixx('i32x4', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u extadd_pairwise_i16x8_s extadd_pairwise_i16x8_u abs neg all_true bitmask extend_low_i16x8_s extend_high_i16x8_s extend_low_i16x8_u extend_high_i16x8_u shl shr_s shr_u add sub mul min_s min_u max_s max_u dot_i16x8_s extmul_low_i16x8_s extmul_high_i16x8_s extmul_low_i16x8_u extmul_high_i16x8_u trunc_sat_f32x4_s trunc_sat_f32x4_u trunc_sat_f64x2_s_zero trunc_sat_f64x2_u_zero'),
    ixx('i64x2', 'eq ne lt_s gt_s le_s ge_s abs neg all_true bitmask extend_low_i32x4_s extend_high_i32x4_s extend_low_i32x4_u extend_high_i32x4_u shl shr_s shr_u add sub mul extmul_low_i32x4_s extmul_high_i32x4_s extmul_low_i32x4_u extmul_high_i32x4_u'),
    ixx('f32x4', 'eq ne lt gt le ge ceil floor trunc nearest abs neg sqrt add sub mul div min max pmin pmax convert_i32x4_s convert_i32x4_u demote_f64x2_zero'),
    ixx('f64x2', 'eq ne lt gt le ge ceil floor trunc nearest abs neg sqrt add sub mul div min max pmin pmax convert_low_i32x4_s convert_low_i32x4_u promote_low_f32x4'),
  ].join(' '),
  'simd',
);
add(
  'none',
  'i8x16.relaxed_swizzle i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero f32x4.relaxed_madd f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd i8x16.relaxed_laneselect i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s',
  'relaxed-simd',
);

/** Lane counts of the v128.const shapes. */
export const V128_SHAPES: Record<string, { lanes: number; kind: 'i' | 'f'; bits: number }> = {
  i8x16: { lanes: 16, kind: 'i', bits: 8 },
  i16x8: { lanes: 8, kind: 'i', bits: 16 },
  i32x4: { lanes: 4, kind: 'i', bits: 32 },
  i64x2: { lanes: 2, kind: 'i', bits: 64 },
  f32x4: { lanes: 4, kind: 'f', bits: 32 },
  f64x2: { lanes: 2, kind: 'f', bits: 64 },
};

export const NUMERIC_TYPES = new Set(['i32', 'i64', 'f32', 'f64', 'v128']);

/** Abstract heap types usable in `(ref null? ht)` and `ref.null ht`. */
export const HEAP_TYPES = new Set([
  'func', 'extern', 'any', 'eq', 'i31', 'struct', 'array', 'none', 'nofunc', 'noextern', 'exn', 'noexn', 'cont', 'nocont',
]);

/** Shorthand reference types (`funcref` = `(ref null func)`). */
export const REF_SHORTHANDS = new Map<string, string>([
  ['funcref', 'func'], ['externref', 'extern'], ['anyref', 'any'], ['eqref', 'eq'], ['i31ref', 'i31'],
  ['structref', 'struct'], ['arrayref', 'array'], ['nullref', 'none'], ['nullfuncref', 'nofunc'],
  ['nullexternref', 'noextern'], ['exnref', 'exn'], ['nullexnref', 'noexn'], ['contref', 'cont'], ['nullcontref', 'nocont'],
]);
