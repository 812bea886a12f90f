// Generates wat.tmLanguage.json (scopeName source.wat) for the WebAssembly text format (.wat) and
// the spec script format (.wast). Run `node syntaxes/generate-grammar.mjs` after editing this file;
// the generated JSON is committed so the extension needs no build step for it.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

// Token boundaries of the text format: tokens are separated by white space, parentheses, strings
// and comments. A word only counts as a keyword when it is the whole token.
const B = String.raw`(?<![^\s()";])`;
const E = String.raw`(?![^\s()";])`;
const IDCHAR = String.raw`[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_\x60|~]`;
const ID = String.raw`\$(?:${IDCHAR}+|"(?:[^"\\]|\\.)*")`;

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Word lists become a trie-shaped regex (common prefixes factored out) so the scanner stays fast.
const trie = (list) => {
  const root = new Map();
  for (const w of new Set(list)) {
    let node = root;
    for (const ch of w) node = node.get(ch) ?? node.set(ch, new Map()).get(ch);
    node.set('', null);
  }
  const emit = (node) => {
    const alts = [...node.keys()].filter((k) => k !== '').sort().map((k) => esc(k) + emit(node.get(k)));
    if (alts.length === 0) return '';
    const end = node.has('');
    if (alts.length === 1 && !end) return alts[0];
    return `(?:${alts.join('|')}${end ? '|' : ''})`;
  };
  return emit(root);
};
const words = (list) => `${B}${trie(list)}${E}`;
const cross = (prefixes, ops) => prefixes.flatMap((p) => ops.map((o) => `${p}.${o}`));
const su = (...names) => names.flatMap((n) => [`${n}_s`, `${n}_u`]);

// ---------------------------------------------------------------- instructions
const control = [
  'unreachable', 'nop', 'block', 'loop', 'if', 'then', 'else', 'end', 'br', 'br_if', 'br_table',
  'br_on_null', 'br_on_non_null', 'br_on_cast', 'br_on_cast_fail', 'return', 'call', 'call_indirect',
  'call_ref', 'return_call', 'return_call_indirect', 'return_call_ref',
  // exception handling (current and legacy)
  'throw', 'throw_ref', 'try_table', 'catch', 'catch_ref', 'catch_all', 'catch_all_ref', 'try', 'delegate', 'rethrow',
  // stack switching
  'cont.new', 'cont.bind', 'suspend', 'resume', 'resume_throw', 'switch',
];
const parametric = ['drop', 'select'];
const variable = ['local.get', 'local.set', 'local.tee', 'global.get', 'global.set'];
const table = ['table.get', 'table.set', 'table.size', 'table.grow', 'table.fill', 'table.copy', 'table.init', 'elem.drop'];
const memory = [
  'memory.size', 'memory.grow', 'memory.fill', 'memory.copy', 'memory.init', 'data.drop',
  ...cross(['i32', 'i64', 'f32', 'f64'], ['load', 'store']),
  ...cross(['i32', 'i64'], [...su('load8', 'load16'), 'store8', 'store16']),
  ...cross(['i64'], [...su('load32'), 'store32']),
];
const reference = ['ref.null', 'ref.is_null', 'ref.func', 'ref.eq', 'ref.as_non_null', 'ref.test', 'ref.cast', 'ref.i31', 'i31.get_s', 'i31.get_u'];
const gc = [
  'struct.new', 'struct.new_default', 'struct.get', 'struct.get_s', 'struct.get_u', 'struct.set',
  'array.new', 'array.new_default', 'array.new_fixed', 'array.new_data', 'array.new_elem', 'array.get', 'array.get_s',
  'array.get_u', 'array.set', 'array.len', 'array.fill', 'array.copy', 'array.init_data', 'array.init_elem',
  'any.convert_extern', 'extern.convert_any',
];
const intOps = [
  'const', 'clz', 'ctz', 'popcnt', 'eqz', 'eq', 'ne', ...su('lt', 'gt', 'le', 'ge'), 'add', 'sub', 'mul', ...su('div', 'rem'),
  'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr', 'extend8_s', 'extend16_s',
  ...su('trunc_f32', 'trunc_f64', 'trunc_sat_f32', 'trunc_sat_f64'),
];
const floatOps = [
  'const', 'abs', 'neg', 'ceil', 'floor', 'trunc', 'nearest', 'sqrt', 'add', 'sub', 'mul', 'div', 'min', 'max', 'copysign',
  'eq', 'ne', 'lt', 'gt', 'le', 'ge', ...su('convert_i32', 'convert_i64'),
];
const numeric = [
  ...cross(['i32', 'i64'], intOps), ...cross(['f32', 'f64'], floatOps),
  'i32.wrap_i64', 'i32.reinterpret_f32', 'i64.extend32_s', ...cross(['i64'], su('extend_i32')), 'i64.reinterpret_f64',
  'f32.demote_f64', 'f32.reinterpret_i32', 'f64.promote_f32', 'f64.reinterpret_i64',
  // wide arithmetic
  'i64.add128', 'i64.sub128', 'i64.mul_wide_s', 'i64.mul_wide_u',
];
const rmwOps = ['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg'];
const atomic = [
  'memory.atomic.notify', 'memory.atomic.wait32', 'memory.atomic.wait64', 'atomic.fence',
  ...cross(['i32.atomic', 'i64.atomic'], ['load', 'load8_u', 'load16_u', 'store', 'store8', 'store16']),
  'i64.atomic.load32_u', 'i64.atomic.store32',
  ...cross(['i32.atomic.rmw', 'i64.atomic.rmw'], rmwOps),
  ...cross(['i32.atomic.rmw8', 'i32.atomic.rmw16', 'i64.atomic.rmw8', 'i64.atomic.rmw16', 'i64.atomic.rmw32'], rmwOps.map((o) => `${o}_u`)),
];
const lanesCmpInt = ['eq', 'ne', ...su('lt', 'gt', 'le', 'ge')];
const lanesCmpFloat = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
const floatLaneOps = ['splat', 'extract_lane', 'replace_lane', ...lanesCmpFloat, 'ceil', 'floor', 'trunc', 'nearest', 'abs', 'neg',
  'sqrt', 'add', 'sub', 'mul', 'div', 'min', 'max', 'pmin', 'pmax', 'relaxed_madd', 'relaxed_nmadd', 'relaxed_min', 'relaxed_max'];
const simd = [
  ...cross(['v128'], ['const', 'load', 'store', ...su('load8x8', 'load16x4', 'load32x2'), 'load8_splat', 'load16_splat',
    'load32_splat', 'load64_splat', 'load32_zero', 'load64_zero', ...[8, 16, 32, 64].flatMap((n) => [`load${n}_lane`, `store${n}_lane`]),
    'not', 'and', 'andnot', 'or', 'xor', 'bitselect', 'any_true']),
  ...cross(['i8x16'], ['shuffle', 'swizzle', 'relaxed_swizzle', 'splat', ...su('extract_lane'), 'replace_lane', ...lanesCmpInt,
    'abs', 'neg', 'popcnt', 'all_true', 'bitmask', ...su('narrow_i16x8'), 'shl', 'shr_s', 'shr_u', 'add', ...su('add_sat'),
    'sub', ...su('sub_sat'), ...su('min', 'max'), 'avgr_u', 'relaxed_laneselect']),
  ...cross(['i16x8'], ['splat', ...su('extract_lane'), 'replace_lane', ...lanesCmpInt, 'abs', 'neg', 'all_true', 'bitmask',
    ...su('narrow_i32x4', 'extend_low_i8x16', 'extend_high_i8x16', 'extmul_low_i8x16', 'extmul_high_i8x16', 'extadd_pairwise_i8x16'),
    'shl', 'shr_s', 'shr_u', 'add', ...su('add_sat'), 'sub', ...su('sub_sat'), 'mul', ...su('min', 'max'), 'avgr_u',
    'q15mulr_sat_s', 'relaxed_laneselect', 'relaxed_q15mulr_s', 'relaxed_dot_i8x16_i7x16_s']),
  ...cross(['i32x4'], ['splat', 'extract_lane', 'replace_lane', ...lanesCmpInt, 'abs', 'neg', 'all_true', 'bitmask',
    ...su('extend_low_i16x8', 'extend_high_i16x8', 'extmul_low_i16x8', 'extmul_high_i16x8', 'extadd_pairwise_i16x8',
      'trunc_sat_f32x4', 'relaxed_trunc_f32x4'),
    'trunc_sat_f64x2_s_zero', 'trunc_sat_f64x2_u_zero', 'relaxed_trunc_f64x2_s_zero', 'relaxed_trunc_f64x2_u_zero',
    'shl', 'shr_s', 'shr_u', 'add', 'sub', 'mul', ...su('min', 'max'), 'dot_i16x8_s', 'relaxed_laneselect',
    'relaxed_dot_i8x16_i7x16_add_s']),
  ...cross(['i64x2'], ['splat', 'extract_lane', 'replace_lane', 'eq', 'ne', 'lt_s', 'gt_s', 'le_s', 'ge_s', 'abs', 'neg',
    'all_true', 'bitmask', ...su('extend_low_i32x4', 'extend_high_i32x4', 'extmul_low_i32x4', 'extmul_high_i32x4'),
    'shl', 'shr_s', 'shr_u', 'add', 'sub', 'mul', 'relaxed_laneselect']),
  ...cross(['f32x4'], [...floatLaneOps, ...su('convert_i32x4'), 'demote_f64x2_zero']),
  ...cross(['f64x2'], [...floatLaneOps, ...su('convert_low_i32x4'), 'promote_low_f32x4']),
];

// Names of instructions that take a function index, a type or a label as first immediate.
const callInstrs = ['call', 'return_call'];
const labelInstrs = ['br', 'br_if', 'br_on_null', 'br_on_non_null', 'br_on_cast', 'br_on_cast_fail'];
const blockInstrs = ['block', 'loop', 'if', 'try_table', 'try'];

// ---------------------------------------------------------------- types and keywords
const numTypes = ['i32', 'i64', 'f32', 'f64', 'v128', 'i8', 'i16'];
const refTypes = ['funcref', 'externref', 'anyref', 'eqref', 'i31ref', 'structref', 'arrayref', 'exnref', 'nullref',
  'nullfuncref', 'nullexternref', 'nullexnref', 'contref', 'nullcontref'];
// Abstract heap types that are never keywords elsewhere (func, struct, array are handled in context).
const heapOnly = ['any', 'eq', 'i31', 'none', 'nofunc', 'extern', 'noextern', 'exn', 'noexn', 'cont', 'nocont'];
const heapAll = [...heapOnly, 'func', 'struct', 'array'];
const shapes = ['i8x16', 'i16x8', 'i32x4', 'i64x2', 'f32x4', 'f64x2'];
const declarations = ['module', 'type', 'rec', 'func', 'import', 'export', 'table', 'memory', 'global', 'start', 'elem', 'data', 'tag', 'struct', 'array', 'field'];
const modifiers = ['mut', 'sub', 'final', 'shared', 'unshared', 'declare'];
const otherKeywords = ['param', 'result', 'local', 'offset', 'item', 'pagesize', 'on'];
const wastCommands = ['register', 'invoke', 'get', 'script', 'input', 'output', 'thread', 'wait', 'either'];
const moduleKinds = ['binary', 'quote', 'definition', 'instance'];
// Result patterns of the spec interpreter's assert_return (ref.null, ref.func, ref.eq, ref.i31 are also instructions).
const wastResults = ['ref.extern', 'ref.host', 'ref.any', 'ref.struct', 'ref.array', 'ref.exn'];

// ---------------------------------------------------------------- numbers
const DEC = '[0-9](?:_?[0-9])*';
const HEX = '[0-9A-Fa-f](?:_?[0-9A-Fa-f])*';
const SIGN = '[+-]?';

const instr = (name, list) => ({ name: `support.function.instruction.${name}.wat`, match: words(list) });

const grammar = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'WebAssembly Text',
  scopeName: 'source.wat',
  fileTypes: ['wat', 'wast'],
  patterns: [{ include: '#all' }],
  repository: {
    all: {
      patterns: [
        { include: '#comments' },
        { include: '#annotation' },
        { include: '#strings' },
        { include: '#ref-type' },
        { include: '#parens' },
        { include: '#definitions' },
        { include: '#wast' },
        { include: '#instructions' },
        { include: '#memarg' },
        { include: '#types' },
        { include: '#keywords' },
        { include: '#numbers' },
        { include: '#identifiers' },
      ],
    },
    comments: { patterns: [{ include: '#line-comment' }, { include: '#block-comment' }] },
    'line-comment': {
      name: 'comment.line.double-semicolon.wat',
      begin: ';;',
      beginCaptures: { 0: { name: 'punctuation.definition.comment.wat' } },
      end: '$',
    },
    'block-comment': {
      name: 'comment.block.wat',
      begin: String.raw`\(;`,
      beginCaptures: { 0: { name: 'punctuation.definition.comment.begin.wat' } },
      end: String.raw`;\)`,
      endCaptures: { 0: { name: 'punctuation.definition.comment.end.wat' } },
      patterns: [{ include: '#block-comment' }],
    },
    annotation: {
      name: 'meta.annotation.wat',
      begin: String.raw`(\()(@(?:${IDCHAR}+|"(?:[^"\\]|\\.)*"))`,
      beginCaptures: {
        1: { name: 'punctuation.section.annotation.begin.wat' },
        2: { name: 'storage.type.annotation.wat' },
      },
      end: String.raw`\)`,
      endCaptures: { 0: { name: 'punctuation.section.annotation.end.wat' } },
      patterns: [{ include: '#annotation-body' }],
    },
    'annotation-body': {
      patterns: [
        { include: '#comments' },
        { include: '#strings' },
        { include: '#annotation' },
        {
          begin: String.raw`\(`,
          beginCaptures: { 0: { name: 'punctuation.section.parens.begin.wat' } },
          end: String.raw`\)`,
          endCaptures: { 0: { name: 'punctuation.section.parens.end.wat' } },
          patterns: [{ include: '#annotation-body' }],
        },
        { include: '#numbers' },
        { include: '#identifiers' },
      ],
    },
    strings: {
      name: 'string.quoted.double.wat',
      begin: '"',
      beginCaptures: { 0: { name: 'punctuation.definition.string.begin.wat' } },
      // Strings cannot span lines in the text format; stop at the end of the line so an unterminated
      // string does not swallow the rest of the file.
      end: '(")|$',
      endCaptures: { 1: { name: 'punctuation.definition.string.end.wat' } },
      patterns: [{ include: '#string-escapes' }],
    },
    'string-escapes': {
      patterns: [
        { name: 'constant.character.escape.wat', match: String.raw`\\(?:[tnr"'\\]|[0-9A-Fa-f]{2}|u\{${HEX}\})` },
        { name: 'invalid.illegal.escape.wat', match: String.raw`\\.?` },
      ],
    },
    parens: {
      patterns: [
        { name: 'punctuation.section.parens.begin.wat', match: String.raw`\(` },
        { name: 'punctuation.section.parens.end.wat', match: String.raw`\)` },
      ],
    },
    'ref-type': {
      name: 'meta.type.reference.wat',
      begin: String.raw`(\()\s*(ref)${E}`,
      beginCaptures: { 1: { name: 'punctuation.section.parens.begin.wat' }, 2: { name: 'storage.type.reference.wat' } },
      end: String.raw`\)`,
      endCaptures: { 0: { name: 'punctuation.section.parens.end.wat' } },
      patterns: [
        { include: '#comments' },
        { name: 'storage.modifier.null.wat', match: words(['null']) },
        { name: 'storage.type.heap.wat', match: words(heapAll) },
        { name: 'entity.name.type.wat', match: `${B}${ID}${E}` },
        { name: 'constant.numeric.integer.decimal.wat', match: `${B}${DEC}${E}` },
        { include: '#all' },
      ],
    },
    definitions: {
      patterns: [
        {
          match: String.raw`(?<=\()\s*(func)\s+(${ID})${E}`,
          captures: { 1: { name: 'keyword.declaration.func.wat' }, 2: { name: 'entity.name.function.wat' } },
        },
        {
          match: String.raw`(?<=\()\s*(type)\s+(${ID})${E}`,
          captures: { 1: { name: 'keyword.declaration.type.wat' }, 2: { name: 'entity.name.type.wat' } },
        },
        {
          match: String.raw`(?<=\()\s*(param)\s+(${ID})${E}`,
          captures: { 1: { name: 'keyword.other.param.wat' }, 2: { name: 'variable.parameter.wat' } },
        },
        {
          match: String.raw`(?<=\()\s*(local)\s+(${ID})${E}`,
          captures: { 1: { name: 'keyword.other.local.wat' }, 2: { name: 'variable.other.local.wat' } },
        },
        {
          match: String.raw`(?<=\()\s*(global)\s+(${ID})${E}`,
          captures: { 1: { name: 'keyword.declaration.global.wat' }, 2: { name: 'variable.other.global.wat' } },
        },
        {
          match: String.raw`(?<=\()\s*(start)\s+(${ID})${E}`,
          captures: { 1: { name: 'keyword.declaration.start.wat' }, 2: { name: 'entity.name.function.wat' } },
        },
        {
          match: `(${words(callInstrs)})\\s+(${ID})${E}`,
          captures: { 1: { name: 'keyword.control.flow.wat' }, 2: { name: 'entity.name.function.wat' } },
        },
        {
          match: `(${words(blockInstrs)})\\s+(${ID})${E}`,
          captures: { 1: { name: 'keyword.control.flow.wat' }, 2: { name: 'entity.name.label.wat' } },
        },
        {
          match: `(${words(labelInstrs)})\\s+(${ID})${E}`,
          captures: { 1: { name: 'keyword.control.flow.wat' }, 2: { name: 'entity.name.label.wat' } },
        },
        {
          match: `(${words(['ref.func'])})\\s+(${ID})${E}`,
          captures: { 1: { name: 'support.function.instruction.reference.wat' }, 2: { name: 'entity.name.function.wat' } },
        },
        {
          match: `(${words(['ref.null'])})\\s+(${words(heapAll)})`,
          captures: { 1: { name: 'support.function.instruction.reference.wat' }, 2: { name: 'storage.type.heap.wat' } },
        },
      ],
    },
    wast: {
      patterns: [
        { name: 'keyword.control.assertion.wat', match: `${B}assert_[a-z_]+${E}` },
        { name: 'keyword.other.command.wat', match: words(wastCommands) },
        { name: 'storage.modifier.module-kind.wat', match: words(moduleKinds) },
        { name: 'support.function.result.wat', match: words(wastResults) },
      ],
    },
    instructions: {
      patterns: [
        { name: 'keyword.control.flow.wat', match: words(control) },
        instr('parametric', parametric),
        instr('variable', variable),
        instr('table', table),
        instr('memory', memory),
        instr('reference', reference),
        instr('gc', gc),
        instr('atomic', atomic),
        instr('numeric', numeric),
        instr('simd', simd),
      ],
    },
    memarg: {
      match: String.raw`${B}(offset|align)(=)(0x${HEX}|${DEC})${E}`,
      captures: {
        1: { name: 'variable.parameter.memarg.wat' },
        2: { name: 'keyword.operator.assignment.wat' },
        3: { name: 'constant.numeric.integer.wat' },
      },
    },
    types: {
      patterns: [
        { name: 'storage.type.numeric.wat', match: words(numTypes) },
        { name: 'storage.type.vector-shape.wat', match: words(shapes) },
        { name: 'storage.type.reference.wat', match: words([...refTypes, 'ref']) },
        { name: 'storage.type.heap.wat', match: words(heapOnly) },
      ],
    },
    keywords: {
      patterns: [
        ...declarations.map((k) => ({ name: `keyword.declaration.${k}.wat`, match: words([k]) })),
        { name: 'storage.modifier.wat', match: words([...modifiers, 'null']) },
        ...otherKeywords.map((k) => ({ name: `keyword.other.${k}.wat`, match: words([k]) })),
      ],
    },
    numbers: {
      patterns: [
        { name: 'constant.numeric.float.hexadecimal.wat', match: `${B}${SIGN}0x${HEX}(?:\\.(?:${HEX})?)?[pP]${SIGN}${DEC}${E}` },
        { name: 'constant.numeric.float.hexadecimal.wat', match: `${B}${SIGN}0x${HEX}\\.(?:${HEX})?${E}` },
        { name: 'constant.numeric.integer.hexadecimal.wat', match: `${B}${SIGN}0x${HEX}${E}` },
        { name: 'constant.numeric.float.decimal.wat', match: `${B}${SIGN}${DEC}(?:\\.(?:${DEC})?)?[eE]${SIGN}${DEC}${E}` },
        { name: 'constant.numeric.float.decimal.wat', match: `${B}${SIGN}${DEC}\\.(?:${DEC})?${E}` },
        { name: 'constant.numeric.integer.decimal.wat', match: `${B}${SIGN}${DEC}${E}` },
        { name: 'constant.numeric.float.special.wat', match: `${B}(?:${SIGN}inf|${SIGN}nan(?::0x${HEX})?|nan:canonical|nan:arithmetic)${E}` },
      ],
    },
    identifiers: {
      patterns: [
        {
          name: 'variable.other.wat',
          begin: String.raw`${B}\$"`,
          end: String.raw`(")|$`,
          patterns: [{ include: '#string-escapes' }],
        },
        { name: 'variable.other.wat', match: String.raw`${B}\$${IDCHAR}+${E}` },
      ],
    },
  },
};

const out = join(dirname(fileURLToPath(import.meta.url)), 'wat.tmLanguage.json');
writeFileSync(out, JSON.stringify(grammar, null, 2) + '\n');
const count = control.length + parametric.length + variable.length + table.length + memory.length + reference.length + gc.length
  + atomic.length + numeric.length + simd.length;
console.log(`wrote ${out} (${count} instruction names)`);
