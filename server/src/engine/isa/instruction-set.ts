/**
 * The WebAssembly instruction set as data: one row per binary encoding, giving the text name, the
 * opcode (with its prefix byte for the 0xFB/0xFC/0xFD/0xFE families), the immediates, the typing
 * (a fixed signature, or the name of the rule that types a polymorphic instruction) and the proposal
 * that introduced it.
 *
 * A leaf module: it imports nothing of the engine. The binary decoder (`binary/code-decoder.ts`)
 * and the validator (`validate/`) are driven by it; the WAT table (`wat/instructions.ts`) and the
 * opcode walk (`binary/body-shape.ts`) are proven to agree with it by `test/unit/isa/`.
 */

export type Proposal =
  | 'mvp'
  | 'sign-extension'
  | 'saturating-truncation'
  | 'bulk-memory'
  | 'reference-types'
  | 'simd'
  | 'relaxed-simd'
  | 'threads'
  | 'tail-call'
  | 'extended-const'
  | 'function-references'
  | 'gc'
  | 'exceptions'
  | 'legacy-exceptions'
  | 'stack-switching';

/** The immediates an instruction carries in the binary format, in their binary order. */
export type ImmKind =
  | 'none'
  | 'blocktype' // block, loop, if, try
  | 'try_table' // blocktype, vec(catch clause)
  | 'label'
  | 'br_table' // vec(label), default label
  | 'br_on_cast' // flags byte, label, heaptype, heaptype
  | 'func'
  | 'call_indirect' // typeidx, tableidx
  | 'type'
  | 'local'
  | 'global'
  | 'table'
  | 'table_table' // table.copy: dst, src
  | 'elem_table' // table.init: elemidx, tableidx
  | 'elem'
  | 'data'
  | 'memory'
  | 'memory_memory' // memory.copy: dst, src
  | 'data_memory' // memory.init: dataidx, memidx
  | 'memarg' // align (bit 6: memory index follows), offset
  | 'memarg_lane' // memarg, lane byte
  | 'lane' // lane byte
  | 'shuffle' // 16 lane bytes
  | 'i32'
  | 'i64'
  | 'f32'
  | 'f64'
  | 'v128'
  | 'valtypes' // select t*: vec(valtype)
  | 'heaptype'
  | 'type_field' // typeidx, fieldidx
  | 'type_u32' // array.new_fixed: typeidx, count
  | 'type_data'
  | 'type_elem'
  | 'type_type' // array.copy, cont.bind
  | 'tag'
  | 'zero_byte' // atomic.fence: a reserved 0x00
  | 'resume' // typeidx, vec(handler)
  | 'resume_throw' // typeidx, tagidx, vec(handler)
  | 'type_tag'; // switch

/**
 * How the validator types an instruction. `sig`: pops `params`, pushes `results` (value types written
 * as letters: i=i32 I=i64 f=f32 F=f64 v=v128). `mem`: as `sig` with the memory's address type popped
 * first (loads, stores, atomics, lane loads). Every other rule names the spec rule of a polymorphic
 * or context-dependent instruction.
 */
export type TypingRule =
  | 'sig'
  | 'mem'
  | 'unreachable'
  | 'block'
  | 'loop'
  | 'if'
  | 'else'
  | 'end'
  | 'br'
  | 'br_if'
  | 'br_table'
  | 'return'
  | 'call'
  | 'call_indirect'
  | 'return_call'
  | 'return_call_indirect'
  | 'call_ref'
  | 'return_call_ref'
  | 'drop'
  | 'select'
  | 'select_t'
  | 'local.get'
  | 'local.set'
  | 'local.tee'
  | 'global.get'
  | 'global.set'
  | 'table.get'
  | 'table.set'
  | 'table.size'
  | 'table.grow'
  | 'table.fill'
  | 'table.copy'
  | 'table.init'
  | 'elem.drop'
  | 'memory.size'
  | 'memory.grow'
  | 'memory.fill'
  | 'memory.copy'
  | 'memory.init'
  | 'data.drop'
  | 'ref.null'
  | 'ref.is_null'
  | 'ref.func'
  | 'ref.eq'
  | 'ref.as_non_null'
  | 'br_on_null'
  | 'br_on_non_null'
  | 'gc'
  | 'try_table'
  | 'throw'
  | 'throw_ref'
  | 'try'
  | 'catch'
  | 'catch_all'
  | 'rethrow'
  | 'delegate'
  | 'atomic.fence'
  | 'stack-switching';

export interface InstructionDef {
  /** position in INSTRUCTION_SET (for tables indexed by instruction) */
  id: number;
  /** the text format's name (two encodings may share one: `ref.test` with and without `null`) */
  name: string;
  /** 0 for a one-byte opcode, else the prefix byte: 0xfb GC, 0xfc misc, 0xfd SIMD, 0xfe threads */
  prefix: number;
  /** the opcode byte, or the LEB128 u32 after the prefix */
  code: number;
  imm: ImmKind;
  rule: TypingRule;
  /** operand types for `sig`/`mem` (letters, see TypingRule), without the address of `mem` */
  params: string;
  results: string;
  proposal: Proposal;
  /** memory instructions: log2 of the natural alignment (the largest alignment allowed) */
  align?: number;
  /** lane instructions: the number of lanes (the lane index must be below it) */
  lanes?: number;
  /** `ref.test`/`ref.cast` encodings: the target type is nullable */
  nullable?: boolean;
}

export const INSTRUCTION_SET: InstructionDef[] = [];

interface Extra {
  align?: number;
  lanes?: number;
  nullable?: boolean;
}

function def(prefix: number, code: number, name: string, imm: ImmKind, rule: TypingRule, type: string, proposal: Proposal, extra?: Extra): void {
  const [params, results] = type === '' ? ['', ''] : type.split(':');
  INSTRUCTION_SET.push({ id: INSTRUCTION_SET.length, name, prefix, code, imm, rule, params, results, proposal, ...extra });
}

/** Plain instructions typed by a signature, numbered from `first` in the order listed. */
function run(prefix: number, first: number, names: string, type: string, proposal: Proposal): void {
  let code = first;
  for (const n of names.split(/\s+/)) if (n) def(prefix, code++, n, 'none', 'sig', type, proposal);
}

/** Like `run` with each name given as `name@code`: for the sparse SIMD numbering. */
function at(prefix: number, names: string, type: string, proposal: Proposal): void {
  for (const entry of names.split(/\s+/)) {
    if (!entry) continue;
    const [n, code] = entry.split('@');
    def(prefix, Number(code), n, 'none', 'sig', type, proposal);
  }
}

const px = (p: string, ops: string): string =>
  ops
    .split(/\s+/)
    .filter(Boolean)
    .map((o) => `${p}.${o}`)
    .join(' ');

// ---- control (MVP, exceptions, tail calls, function references)
def(0, 0x00, 'unreachable', 'none', 'unreachable', '', 'mvp');
def(0, 0x01, 'nop', 'none', 'sig', ':', 'mvp');
def(0, 0x02, 'block', 'blocktype', 'block', '', 'mvp');
def(0, 0x03, 'loop', 'blocktype', 'loop', '', 'mvp');
def(0, 0x04, 'if', 'blocktype', 'if', '', 'mvp');
def(0, 0x05, 'else', 'none', 'else', '', 'mvp');
def(0, 0x06, 'try', 'blocktype', 'try', '', 'legacy-exceptions');
def(0, 0x07, 'catch', 'tag', 'catch', '', 'legacy-exceptions');
def(0, 0x08, 'throw', 'tag', 'throw', '', 'exceptions');
def(0, 0x09, 'rethrow', 'label', 'rethrow', '', 'legacy-exceptions');
def(0, 0x0a, 'throw_ref', 'none', 'throw_ref', '', 'exceptions');
def(0, 0x0b, 'end', 'none', 'end', '', 'mvp');
def(0, 0x0c, 'br', 'label', 'br', '', 'mvp');
def(0, 0x0d, 'br_if', 'label', 'br_if', '', 'mvp');
def(0, 0x0e, 'br_table', 'br_table', 'br_table', '', 'mvp');
def(0, 0x0f, 'return', 'none', 'return', '', 'mvp');
def(0, 0x10, 'call', 'func', 'call', '', 'mvp');
def(0, 0x11, 'call_indirect', 'call_indirect', 'call_indirect', '', 'mvp');
def(0, 0x12, 'return_call', 'func', 'return_call', '', 'tail-call');
def(0, 0x13, 'return_call_indirect', 'call_indirect', 'return_call_indirect', '', 'tail-call');
def(0, 0x14, 'call_ref', 'type', 'call_ref', '', 'function-references');
def(0, 0x15, 'return_call_ref', 'type', 'return_call_ref', '', 'tail-call');
def(0, 0x18, 'delegate', 'label', 'delegate', '', 'legacy-exceptions');
def(0, 0x19, 'catch_all', 'none', 'catch_all', '', 'legacy-exceptions');
def(0, 0x1a, 'drop', 'none', 'drop', '', 'mvp');
def(0, 0x1b, 'select', 'none', 'select', '', 'mvp');
def(0, 0x1c, 'select', 'valtypes', 'select_t', '', 'reference-types');
def(0, 0x1f, 'try_table', 'try_table', 'try_table', '', 'exceptions');

// ---- variables, tables
def(0, 0x20, 'local.get', 'local', 'local.get', '', 'mvp');
def(0, 0x21, 'local.set', 'local', 'local.set', '', 'mvp');
def(0, 0x22, 'local.tee', 'local', 'local.tee', '', 'mvp');
def(0, 0x23, 'global.get', 'global', 'global.get', '', 'mvp');
def(0, 0x24, 'global.set', 'global', 'global.set', '', 'mvp');
def(0, 0x25, 'table.get', 'table', 'table.get', '', 'reference-types');
def(0, 0x26, 'table.set', 'table', 'table.set', '', 'reference-types');

// ---- memory
{
  const mem: [string, string, number][] = [
    ['i32.load', ':i', 2], ['i64.load', ':I', 3], ['f32.load', ':f', 2], ['f64.load', ':F', 3],
    ['i32.load8_s', ':i', 0], ['i32.load8_u', ':i', 0], ['i32.load16_s', ':i', 1], ['i32.load16_u', ':i', 1],
    ['i64.load8_s', ':I', 0], ['i64.load8_u', ':I', 0], ['i64.load16_s', ':I', 1], ['i64.load16_u', ':I', 1],
    ['i64.load32_s', ':I', 2], ['i64.load32_u', ':I', 2],
    ['i32.store', 'i:', 2], ['i64.store', 'I:', 3], ['f32.store', 'f:', 2], ['f64.store', 'F:', 3],
    ['i32.store8', 'i:', 0], ['i32.store16', 'i:', 1], ['i64.store8', 'I:', 0], ['i64.store16', 'I:', 1], ['i64.store32', 'I:', 2],
  ];
  mem.forEach(([n, t, a], i) => def(0, 0x28 + i, n, 'memarg', 'mem', t, 'mvp', { align: a }));
}
def(0, 0x3f, 'memory.size', 'memory', 'memory.size', '', 'mvp');
def(0, 0x40, 'memory.grow', 'memory', 'memory.grow', '', 'mvp');

// ---- numeric
def(0, 0x41, 'i32.const', 'i32', 'sig', ':i', 'mvp');
def(0, 0x42, 'i64.const', 'i64', 'sig', ':I', 'mvp');
def(0, 0x43, 'f32.const', 'f32', 'sig', ':f', 'mvp');
def(0, 0x44, 'f64.const', 'f64', 'sig', ':F', 'mvp');
run(0, 0x45, 'i32.eqz', 'i:i', 'mvp');
run(0, 0x46, px('i32', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u'), 'ii:i', 'mvp');
run(0, 0x50, 'i64.eqz', 'I:i', 'mvp');
run(0, 0x51, px('i64', 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u'), 'II:i', 'mvp');
run(0, 0x5b, px('f32', 'eq ne lt gt le ge'), 'ff:i', 'mvp');
run(0, 0x61, px('f64', 'eq ne lt gt le ge'), 'FF:i', 'mvp');
run(0, 0x67, px('i32', 'clz ctz popcnt'), 'i:i', 'mvp');
run(0, 0x6a, px('i32', 'add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr'), 'ii:i', 'mvp');
run(0, 0x79, px('i64', 'clz ctz popcnt'), 'I:I', 'mvp');
run(0, 0x7c, px('i64', 'add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr'), 'II:I', 'mvp');
run(0, 0x8b, px('f32', 'abs neg ceil floor trunc nearest sqrt'), 'f:f', 'mvp');
run(0, 0x92, px('f32', 'add sub mul div min max copysign'), 'ff:f', 'mvp');
run(0, 0x99, px('f64', 'abs neg ceil floor trunc nearest sqrt'), 'F:F', 'mvp');
run(0, 0xa0, px('f64', 'add sub mul div min max copysign'), 'FF:F', 'mvp');
run(0, 0xa7, 'i32.wrap_i64', 'I:i', 'mvp');
run(0, 0xa8, 'i32.trunc_f32_s i32.trunc_f32_u', 'f:i', 'mvp');
run(0, 0xaa, 'i32.trunc_f64_s i32.trunc_f64_u', 'F:i', 'mvp');
run(0, 0xac, 'i64.extend_i32_s i64.extend_i32_u', 'i:I', 'mvp');
run(0, 0xae, 'i64.trunc_f32_s i64.trunc_f32_u', 'f:I', 'mvp');
run(0, 0xb0, 'i64.trunc_f64_s i64.trunc_f64_u', 'F:I', 'mvp');
run(0, 0xb2, 'f32.convert_i32_s f32.convert_i32_u', 'i:f', 'mvp');
run(0, 0xb4, 'f32.convert_i64_s f32.convert_i64_u', 'I:f', 'mvp');
run(0, 0xb6, 'f32.demote_f64', 'F:f', 'mvp');
run(0, 0xb7, 'f64.convert_i32_s f64.convert_i32_u', 'i:F', 'mvp');
run(0, 0xb9, 'f64.convert_i64_s f64.convert_i64_u', 'I:F', 'mvp');
run(0, 0xbb, 'f64.promote_f32', 'f:F', 'mvp');
run(0, 0xbc, 'i32.reinterpret_f32', 'f:i', 'mvp');
run(0, 0xbd, 'i64.reinterpret_f64', 'F:I', 'mvp');
run(0, 0xbe, 'f32.reinterpret_i32', 'i:f', 'mvp');
run(0, 0xbf, 'f64.reinterpret_i64', 'I:F', 'mvp');
run(0, 0xc0, 'i32.extend8_s i32.extend16_s', 'i:i', 'sign-extension');
run(0, 0xc2, 'i64.extend8_s i64.extend16_s i64.extend32_s', 'I:I', 'sign-extension');

// ---- references, function references
def(0, 0xd0, 'ref.null', 'heaptype', 'ref.null', '', 'reference-types');
def(0, 0xd1, 'ref.is_null', 'none', 'ref.is_null', '', 'reference-types');
def(0, 0xd2, 'ref.func', 'func', 'ref.func', '', 'reference-types');
def(0, 0xd3, 'ref.eq', 'none', 'ref.eq', '', 'gc');
def(0, 0xd4, 'ref.as_non_null', 'none', 'ref.as_non_null', '', 'function-references');
def(0, 0xd5, 'br_on_null', 'label', 'br_on_null', '', 'function-references');
def(0, 0xd6, 'br_on_non_null', 'label', 'br_on_non_null', '', 'function-references');

// ---- stack switching (typed by rules the validator does not implement yet)
def(0, 0xe0, 'cont.new', 'type', 'stack-switching', '', 'stack-switching');
def(0, 0xe1, 'cont.bind', 'type_type', 'stack-switching', '', 'stack-switching');
def(0, 0xe2, 'suspend', 'tag', 'stack-switching', '', 'stack-switching');
def(0, 0xe3, 'resume', 'resume', 'stack-switching', '', 'stack-switching');
def(0, 0xe4, 'resume_throw', 'resume_throw', 'stack-switching', '', 'stack-switching');
def(0, 0xe5, 'switch', 'type_tag', 'stack-switching', '', 'stack-switching');

// ---- 0xFB: GC
{
  const G = 0xfb;
  const gc: [number, string, ImmKind][] = [
    [0, 'struct.new', 'type'], [1, 'struct.new_default', 'type'], [2, 'struct.get', 'type_field'],
    [3, 'struct.get_s', 'type_field'], [4, 'struct.get_u', 'type_field'], [5, 'struct.set', 'type_field'],
    [6, 'array.new', 'type'], [7, 'array.new_default', 'type'], [8, 'array.new_fixed', 'type_u32'],
    [9, 'array.new_data', 'type_data'], [10, 'array.new_elem', 'type_elem'], [11, 'array.get', 'type'],
    [12, 'array.get_s', 'type'], [13, 'array.get_u', 'type'], [14, 'array.set', 'type'], [15, 'array.len', 'none'],
    [16, 'array.fill', 'type'], [17, 'array.copy', 'type_type'], [18, 'array.init_data', 'type_data'],
    [19, 'array.init_elem', 'type_elem'], [24, 'br_on_cast', 'br_on_cast'], [25, 'br_on_cast_fail', 'br_on_cast'],
    [26, 'any.convert_extern', 'none'], [27, 'extern.convert_any', 'none'], [28, 'ref.i31', 'none'],
    [29, 'i31.get_s', 'none'], [30, 'i31.get_u', 'none'],
  ];
  for (const [code, name, imm] of gc) def(G, code, name, imm, 'gc', '', 'gc');
  def(G, 20, 'ref.test', 'heaptype', 'gc', '', 'gc', { nullable: false });
  def(G, 21, 'ref.test', 'heaptype', 'gc', '', 'gc', { nullable: true });
  def(G, 22, 'ref.cast', 'heaptype', 'gc', '', 'gc', { nullable: false });
  def(G, 23, 'ref.cast', 'heaptype', 'gc', '', 'gc', { nullable: true });
}

// ---- 0xFC: saturating truncation, bulk memory, reference-type tables
{
  const M = 0xfc;
  run(M, 0, 'i32.trunc_sat_f32_s i32.trunc_sat_f32_u', 'f:i', 'saturating-truncation');
  run(M, 2, 'i32.trunc_sat_f64_s i32.trunc_sat_f64_u', 'F:i', 'saturating-truncation');
  run(M, 4, 'i64.trunc_sat_f32_s i64.trunc_sat_f32_u', 'f:I', 'saturating-truncation');
  run(M, 6, 'i64.trunc_sat_f64_s i64.trunc_sat_f64_u', 'F:I', 'saturating-truncation');
  def(M, 8, 'memory.init', 'data_memory', 'memory.init', '', 'bulk-memory');
  def(M, 9, 'data.drop', 'data', 'data.drop', '', 'bulk-memory');
  def(M, 10, 'memory.copy', 'memory_memory', 'memory.copy', '', 'bulk-memory');
  def(M, 11, 'memory.fill', 'memory', 'memory.fill', '', 'bulk-memory');
  def(M, 12, 'table.init', 'elem_table', 'table.init', '', 'bulk-memory');
  def(M, 13, 'elem.drop', 'elem', 'elem.drop', '', 'bulk-memory');
  def(M, 14, 'table.copy', 'table_table', 'table.copy', '', 'bulk-memory');
  def(M, 15, 'table.grow', 'table', 'table.grow', '', 'reference-types');
  def(M, 16, 'table.size', 'table', 'table.size', '', 'reference-types');
  def(M, 17, 'table.fill', 'table', 'table.fill', '', 'reference-types');
}

// ---- 0xFD: SIMD and relaxed SIMD
{
  const S = 0xfd;
  const loads: [number, string, string, number][] = [
    [0, 'v128.load', ':v', 4], [1, 'v128.load8x8_s', ':v', 3], [2, 'v128.load8x8_u', ':v', 3],
    [3, 'v128.load16x4_s', ':v', 3], [4, 'v128.load16x4_u', ':v', 3], [5, 'v128.load32x2_s', ':v', 3],
    [6, 'v128.load32x2_u', ':v', 3], [7, 'v128.load8_splat', ':v', 0], [8, 'v128.load16_splat', ':v', 1],
    [9, 'v128.load32_splat', ':v', 2], [10, 'v128.load64_splat', ':v', 3], [11, 'v128.store', 'v:', 4],
    [92, 'v128.load32_zero', ':v', 2], [93, 'v128.load64_zero', ':v', 3],
  ];
  for (const [code, n, t, a] of loads) def(S, code, n, 'memarg', 'mem', t, 'simd', { align: a });
  const laneMem: [number, string, string, number][] = [
    [84, 'v128.load8_lane', 'v:v', 0], [85, 'v128.load16_lane', 'v:v', 1], [86, 'v128.load32_lane', 'v:v', 2],
    [87, 'v128.load64_lane', 'v:v', 3], [88, 'v128.store8_lane', 'v:', 0], [89, 'v128.store16_lane', 'v:', 1],
    [90, 'v128.store32_lane', 'v:', 2], [91, 'v128.store64_lane', 'v:', 3],
  ];
  for (const [code, n, t, a] of laneMem) def(S, code, n, 'memarg_lane', 'mem', t, 'simd', { align: a, lanes: 16 >> a });
  def(S, 12, 'v128.const', 'v128', 'sig', ':v', 'simd');
  def(S, 13, 'i8x16.shuffle', 'shuffle', 'sig', 'vv:v', 'simd', { lanes: 32 });
  def(S, 14, 'i8x16.swizzle', 'none', 'sig', 'vv:v', 'simd');
  run(S, 15, 'i8x16.splat i16x8.splat i32x4.splat', 'i:v', 'simd');
  run(S, 18, 'i64x2.splat', 'I:v', 'simd');
  run(S, 19, 'f32x4.splat', 'f:v', 'simd');
  run(S, 20, 'f64x2.splat', 'F:v', 'simd');
  const lanes: [number, string, string, number][] = [
    [21, 'i8x16.extract_lane_s', 'v:i', 16], [22, 'i8x16.extract_lane_u', 'v:i', 16], [23, 'i8x16.replace_lane', 'vi:v', 16],
    [24, 'i16x8.extract_lane_s', 'v:i', 8], [25, 'i16x8.extract_lane_u', 'v:i', 8], [26, 'i16x8.replace_lane', 'vi:v', 8],
    [27, 'i32x4.extract_lane', 'v:i', 4], [28, 'i32x4.replace_lane', 'vi:v', 4],
    [29, 'i64x2.extract_lane', 'v:I', 2], [30, 'i64x2.replace_lane', 'vI:v', 2],
    [31, 'f32x4.extract_lane', 'v:f', 4], [32, 'f32x4.replace_lane', 'vf:v', 4],
    [33, 'f64x2.extract_lane', 'v:F', 2], [34, 'f64x2.replace_lane', 'vF:v', 2],
  ];
  for (const [code, n, t, l] of lanes) def(S, code, n, 'lane', 'sig', t, 'simd', { lanes: l });
  const cmp = 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u';
  run(S, 35, px('i8x16', cmp), 'vv:v', 'simd');
  run(S, 45, px('i16x8', cmp), 'vv:v', 'simd');
  run(S, 55, px('i32x4', cmp), 'vv:v', 'simd');
  run(S, 65, px('f32x4', 'eq ne lt gt le ge'), 'vv:v', 'simd');
  run(S, 71, px('f64x2', 'eq ne lt gt le ge'), 'vv:v', 'simd');
  run(S, 77, 'v128.not', 'v:v', 'simd');
  run(S, 78, 'v128.and v128.andnot v128.or v128.xor', 'vv:v', 'simd');
  run(S, 82, 'v128.bitselect', 'vvv:v', 'simd');
  run(S, 83, 'v128.any_true', 'v:i', 'simd');
  const unary =
    'f32x4.demote_f64x2_zero@94 f64x2.promote_low_f32x4@95 i8x16.abs@96 i8x16.neg@97 i8x16.popcnt@98 ' +
    'f32x4.ceil@103 f32x4.floor@104 f32x4.trunc@105 f32x4.nearest@106 f64x2.ceil@116 f64x2.floor@117 f64x2.trunc@122 ' +
    'i16x8.extadd_pairwise_i8x16_s@124 i16x8.extadd_pairwise_i8x16_u@125 i32x4.extadd_pairwise_i16x8_s@126 i32x4.extadd_pairwise_i16x8_u@127 ' +
    'i16x8.abs@128 i16x8.neg@129 i16x8.extend_low_i8x16_s@135 i16x8.extend_high_i8x16_s@136 i16x8.extend_low_i8x16_u@137 i16x8.extend_high_i8x16_u@138 ' +
    'f64x2.nearest@148 i32x4.abs@160 i32x4.neg@161 i32x4.extend_low_i16x8_s@167 i32x4.extend_high_i16x8_s@168 i32x4.extend_low_i16x8_u@169 i32x4.extend_high_i16x8_u@170 ' +
    'i64x2.abs@192 i64x2.neg@193 i64x2.extend_low_i32x4_s@199 i64x2.extend_high_i32x4_s@200 i64x2.extend_low_i32x4_u@201 i64x2.extend_high_i32x4_u@202 ' +
    'f32x4.abs@224 f32x4.neg@225 f32x4.sqrt@227 f64x2.abs@236 f64x2.neg@237 f64x2.sqrt@239 ' +
    'i32x4.trunc_sat_f32x4_s@248 i32x4.trunc_sat_f32x4_u@249 f32x4.convert_i32x4_s@250 f32x4.convert_i32x4_u@251 ' +
    'i32x4.trunc_sat_f64x2_s_zero@252 i32x4.trunc_sat_f64x2_u_zero@253 f64x2.convert_low_i32x4_s@254 f64x2.convert_low_i32x4_u@255';
  at(S, unary, 'v:v', 'simd');
  at(S, 'i8x16.all_true@99 i8x16.bitmask@100 i16x8.all_true@131 i16x8.bitmask@132 i32x4.all_true@163 i32x4.bitmask@164 i64x2.all_true@195 i64x2.bitmask@196', 'v:i', 'simd');
  at(S, 'i8x16.shl@107 i8x16.shr_s@108 i8x16.shr_u@109 i16x8.shl@139 i16x8.shr_s@140 i16x8.shr_u@141 i32x4.shl@171 i32x4.shr_s@172 i32x4.shr_u@173 i64x2.shl@203 i64x2.shr_s@204 i64x2.shr_u@205', 'vi:v', 'simd');
  const binary =
    'i8x16.narrow_i16x8_s@101 i8x16.narrow_i16x8_u@102 i8x16.add@110 i8x16.add_sat_s@111 i8x16.add_sat_u@112 i8x16.sub@113 i8x16.sub_sat_s@114 i8x16.sub_sat_u@115 ' +
    'i8x16.min_s@118 i8x16.min_u@119 i8x16.max_s@120 i8x16.max_u@121 i8x16.avgr_u@123 ' +
    'i16x8.q15mulr_sat_s@130 i16x8.narrow_i32x4_s@133 i16x8.narrow_i32x4_u@134 i16x8.add@142 i16x8.add_sat_s@143 i16x8.add_sat_u@144 i16x8.sub@145 i16x8.sub_sat_s@146 i16x8.sub_sat_u@147 ' +
    'i16x8.mul@149 i16x8.min_s@150 i16x8.min_u@151 i16x8.max_s@152 i16x8.max_u@153 i16x8.avgr_u@155 ' +
    'i16x8.extmul_low_i8x16_s@156 i16x8.extmul_high_i8x16_s@157 i16x8.extmul_low_i8x16_u@158 i16x8.extmul_high_i8x16_u@159 ' +
    'i32x4.add@174 i32x4.sub@177 i32x4.mul@181 i32x4.min_s@182 i32x4.min_u@183 i32x4.max_s@184 i32x4.max_u@185 i32x4.dot_i16x8_s@186 ' +
    'i32x4.extmul_low_i16x8_s@188 i32x4.extmul_high_i16x8_s@189 i32x4.extmul_low_i16x8_u@190 i32x4.extmul_high_i16x8_u@191 ' +
    'i64x2.add@206 i64x2.sub@209 i64x2.mul@213 i64x2.eq@214 i64x2.ne@215 i64x2.lt_s@216 i64x2.gt_s@217 i64x2.le_s@218 i64x2.ge_s@219 ' +
    'i64x2.extmul_low_i32x4_s@220 i64x2.extmul_high_i32x4_s@221 i64x2.extmul_low_i32x4_u@222 i64x2.extmul_high_i32x4_u@223 ' +
    'f32x4.add@228 f32x4.sub@229 f32x4.mul@230 f32x4.div@231 f32x4.min@232 f32x4.max@233 f32x4.pmin@234 f32x4.pmax@235 ' +
    'f64x2.add@240 f64x2.sub@241 f64x2.mul@242 f64x2.div@243 f64x2.min@244 f64x2.max@245 f64x2.pmin@246 f64x2.pmax@247';
  at(S, binary, 'vv:v', 'simd');
  at(S, 'i8x16.relaxed_swizzle@256 f32x4.relaxed_min@269 f32x4.relaxed_max@270 f64x2.relaxed_min@271 f64x2.relaxed_max@272 i16x8.relaxed_q15mulr_s@273 i16x8.relaxed_dot_i8x16_i7x16_s@274', 'vv:v', 'relaxed-simd');
  at(S, 'i32x4.relaxed_trunc_f32x4_s@257 i32x4.relaxed_trunc_f32x4_u@258 i32x4.relaxed_trunc_f64x2_s_zero@259 i32x4.relaxed_trunc_f64x2_u_zero@260', 'v:v', 'relaxed-simd');
  at(S, 'f32x4.relaxed_madd@261 f32x4.relaxed_nmadd@262 f64x2.relaxed_madd@263 f64x2.relaxed_nmadd@264 i8x16.relaxed_laneselect@265 i16x8.relaxed_laneselect@266 i32x4.relaxed_laneselect@267 i64x2.relaxed_laneselect@268 i32x4.relaxed_dot_i8x16_i7x16_add_s@275', 'vvv:v', 'relaxed-simd');
}

// ---- 0xFE: threads
{
  const T = 0xfe;
  def(T, 0, 'memory.atomic.notify', 'memarg', 'mem', 'i:i', 'threads', { align: 2 });
  def(T, 1, 'memory.atomic.wait32', 'memarg', 'mem', 'iI:i', 'threads', { align: 2 });
  def(T, 2, 'memory.atomic.wait64', 'memarg', 'mem', 'II:i', 'threads', { align: 3 });
  def(T, 3, 'atomic.fence', 'zero_byte', 'atomic.fence', '', 'threads');
  const plain: [string, string, number][] = [
    ['i32.atomic.load', ':i', 2], ['i64.atomic.load', ':I', 3], ['i32.atomic.load8_u', ':i', 0], ['i32.atomic.load16_u', ':i', 1],
    ['i64.atomic.load8_u', ':I', 0], ['i64.atomic.load16_u', ':I', 1], ['i64.atomic.load32_u', ':I', 2],
    ['i32.atomic.store', 'i:', 2], ['i64.atomic.store', 'I:', 3], ['i32.atomic.store8', 'i:', 0], ['i32.atomic.store16', 'i:', 1],
    ['i64.atomic.store8', 'I:', 0], ['i64.atomic.store16', 'I:', 1], ['i64.atomic.store32', 'I:', 2],
  ];
  plain.forEach(([n, t, a], i) => def(T, 0x10 + i, n, 'memarg', 'mem', t, 'threads', { align: a }));
  let code = 0x1e;
  for (const op of ['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg']) {
    const [i32t, i64t] = op === 'cmpxchg' ? ['ii:i', 'II:I'] : ['i:i', 'I:I'];
    const rows: [string, string, number][] = [
      [`i32.atomic.rmw.${op}`, i32t, 2], [`i64.atomic.rmw.${op}`, i64t, 3], [`i32.atomic.rmw8.${op}_u`, i32t, 0],
      [`i32.atomic.rmw16.${op}_u`, i32t, 1], [`i64.atomic.rmw8.${op}_u`, i64t, 0], [`i64.atomic.rmw16.${op}_u`, i64t, 1],
      [`i64.atomic.rmw32.${op}_u`, i64t, 2],
    ];
    for (const [n, t, a] of rows) def(T, code++, n, 'memarg', 'mem', t, 'threads', { align: a });
  }
}

/** The definitions by encoding: `byOpcode[op]` for one-byte opcodes, `byPrefix.get(prefix)[code]` for the rest. */
export const ONE_BYTE: (InstructionDef | undefined)[] = new Array(256).fill(undefined);
export const PREFIXED = new Map<number, (InstructionDef | undefined)[]>([
  [0xfb, []],
  [0xfc, []],
  [0xfd, []],
  [0xfe, []],
]);
for (const d of INSTRUCTION_SET) {
  if (d.prefix === 0) {
    if (ONE_BYTE[d.code]) throw new Error(`two instructions at opcode ${d.code}`);
    ONE_BYTE[d.code] = d;
  } else {
    const t = PREFIXED.get(d.prefix)!;
    if (t[d.code]) throw new Error(`two instructions at opcode ${d.prefix}/${d.code}`);
    t[d.code] = d;
  }
}

/** The definitions by text name (an array: `select`, `ref.test` and `ref.cast` have two encodings). */
export const BY_NAME = new Map<string, InstructionDef[]>();
for (const d of INSTRUCTION_SET) {
  const list = BY_NAME.get(d.name);
  if (list) list.push(d);
  else BY_NAME.set(d.name, [d]);
}

/** Looks an encoding up; undefined for an unknown opcode. */
export function instructionAt(prefix: number, code: number): InstructionDef | undefined {
  if (prefix === 0) return ONE_BYTE[code];
  return PREFIXED.get(prefix)?.[code];
}
