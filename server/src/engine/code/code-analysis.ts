/**
 * The per-function code analysis pass: one walk over the code section with the engine's streaming
 * decoder (`binary/code-decoder.ts`, one instruction at a time), and one over the data section.
 *
 * Per function it counts the instruction mix, the rotate/xor/shift/add ("ARX") instructions in and out
 * of loops, direct and indirect calls, table writes, and the hash constants its immediates hold
 * (`hash-constants.ts`). Functions are not all kept: only those that look like a hashing kernel
 * (`isKernelCandidate`), the largest few, and the start function; the rest fold into module totals. Per
 * data segment: its size, byte entropy, the hash tables and embedded Wasm modules it holds, and its
 * strings worth a review (`data-strings.ts`). So time is one pass over the bytes and memory does not grow
 * with the number of functions (scratch arrays per instruction id and per constant, capped lists).
 *
 * Malformed code ends the pass for that function (and the walk, when the section structure is broken):
 * `error` says where, and what was seen before still counts. The validator reports the problem itself.
 */
import { ByteReader, hex } from '../binary/byte-reader';
import { CodeDecoder } from '../binary/code-decoder';
import { visitRawSections } from '../binary/sections';
import { INSTRUCTION_SET } from '../isa/instruction-set';
import { byteEntropy } from './entropy';
import { DataStringCollector, type DataStrings } from './data-strings';
import {
  CODE_MATCH_THRESHOLD,
  CONSTANT_COUNT,
  CONSTANTS_32,
  CONSTANTS_64,
  HASH_ALGORITHMS,
  TABLE_PATTERNS,
  type HashAlgorithm,
} from './hash-constants';

/** Instruction categories of the module summary's mix. */
export const MIX_CATEGORIES = ['control', 'call', 'indirect-call', 'memory', 'integer', 'bitwise', 'float', 'simd', 'variable', 'constant', 'other'] as const;
export type MixCategory = (typeof MIX_CATEGORIES)[number];

export interface FunctionProfile {
  /** index in the function index space */
  index: number;
  /** file offset and size of the body */
  offset: number;
  size: number;
  instructions: number;
  /** instructions inside a loop, and of them rotates, xors, shifts and integer adds/subs */
  loopInstructions: number;
  loopArx: number;
  /** rotates and ARX instructions anywhere in the body */
  rotates: number;
  arx: number;
  loops: number;
  calls: number;
  indirectCalls: number;
  /** distinct hash constants per algorithm among the immediates */
  constants: Partial<Record<HashAlgorithm, number>>;
}

export interface TableWrite {
  func: number;
  table: number;
  instruction: string;
  offset: number;
}

export interface DataTableHit {
  algorithm: HashAlgorithm;
  label: string;
  segment: number;
  offset: number;
}

export interface SegmentProfile {
  index: number;
  /** file offset of the payload, and its size */
  offset: number;
  size: number;
  /** bits per byte */
  entropy: number;
  /** file offsets of `\0asm` module headers inside the payload (at most 8) */
  embeddedModules: number[];
}

export interface CodeAnalysis {
  /** defined functions (bodies) and their bytes */
  functions: number;
  codeBytes: number;
  instructions: number;
  mix: Record<MixCategory, number>;
  indirectCalls: number;
  /** functions that look like hashing kernels (see isKernelCandidate), in index order */
  kernels: FunctionProfile[];
  /** the largest functions, largest first (at most LARGEST_KEPT) */
  largest: FunctionProfile[];
  /** the start function's profile, when the module has one with a body */
  start?: FunctionProfile;
  /** functions whose immediates hold constants of an algorithm past its threshold, by algorithm */
  constantFunctions: Partial<Record<HashAlgorithm, number>>;
  /** instructions that write a table (table.set/init/copy/fill/grow), at most MAX_TABLE_WRITES */
  tableWrites: TableWrite[];
  /** tables called through (call_indirect / return_call_indirect) */
  indirectTables: number[];
  segments: SegmentProfile[];
  dataTables: DataTableHit[];
  strings: DataStrings;
  /** the first malformed body or section, when there was one */
  error?: string;
  timeMs: number;
}

export interface AnalyzeOptions {
  /** imported functions (the first defined function's index) */
  importedFuncs: number;
  /** the start function's index */
  start?: number;
}

export const LARGEST_KEPT = 10;
const MAX_TABLE_WRITES = 100;
const MAX_KERNELS = 200;

// ---- instruction classes, by InstructionDef.id
const enum C {
  Other = 0,
  Rotate,
  Xor,
  Shift,
  Add,
  Bitwise,
  Load,
  Store,
  Call,
  Indirect,
  Loop,
  BlockOpen,
  End,
  I32Const,
  I64Const,
  TableWrite,
  Delegate,
  Float,
  Simd,
  Variable,
  Control,
  Const,
}

const CLASS = new Uint8Array(INSTRUCTION_SET.length);
for (const d of INSTRUCTION_SET) {
  const n = d.name;
  const op = n.startsWith('i32.') || n.startsWith('i64.') ? n.slice(4) : '';
  let c: C = C.Other;
  if (op === 'rotl' || op === 'rotr') c = C.Rotate;
  else if (op === 'xor') c = C.Xor;
  else if (op === 'shl' || op === 'shr_u' || op === 'shr_s') c = C.Shift;
  else if (op === 'add' || op === 'sub') c = C.Add;
  else if (op === 'and' || op === 'or') c = C.Bitwise;
  else if (n === 'i32.const') c = C.I32Const;
  else if (n === 'i64.const') c = C.I64Const;
  else if (n === 'f32.const' || n === 'f64.const' || n === 'v128.const') c = C.Const;
  else if (n === 'call' || n === 'return_call') c = C.Call;
  else if (n === 'call_indirect' || n === 'return_call_indirect' || n === 'call_ref' || n === 'return_call_ref') c = C.Indirect;
  else if (n === 'loop') c = C.Loop;
  else if (n === 'block' || n === 'if' || n === 'try' || n === 'try_table') c = C.BlockOpen;
  else if (n === 'end') c = C.End;
  else if (n === 'delegate') c = C.Delegate;
  else if (n === 'table.set' || n === 'table.init' || n === 'table.copy' || n === 'table.fill' || n === 'table.grow') c = C.TableWrite;
  else if (d.proposal === 'simd' || d.proposal === 'relaxed-simd') c = C.Simd;
  else if (d.rule === 'mem' || n.startsWith('memory.') || n === 'data.drop') c = n.includes('store') ? C.Store : C.Load;
  else if (n.startsWith('local.') || n.startsWith('global.')) c = C.Variable;
  else if (n.startsWith('f32.') || n.startsWith('f64.')) c = C.Float;
  else if (['unreachable', 'nop', 'else', 'br', 'br_if', 'br_table', 'return', 'drop', 'select', 'throw', 'throw_ref', 'rethrow', 'catch', 'catch_all', 'br_on_null', 'br_on_non_null'].includes(n)) c = C.Control;
  CLASS[d.id] = c;
}

const MIX_OF: Record<number, MixCategory> = {
  [C.Other]: 'other',
  [C.Rotate]: 'bitwise',
  [C.Xor]: 'bitwise',
  [C.Shift]: 'bitwise',
  [C.Add]: 'integer',
  [C.Bitwise]: 'bitwise',
  [C.Load]: 'memory',
  [C.Store]: 'memory',
  [C.Call]: 'call',
  [C.Indirect]: 'indirect-call',
  [C.Loop]: 'control',
  [C.BlockOpen]: 'control',
  [C.End]: 'control',
  [C.I32Const]: 'constant',
  [C.I64Const]: 'constant',
  [C.TableWrite]: 'other',
  [C.Delegate]: 'control',
  [C.Float]: 'float',
  [C.Simd]: 'simd',
  [C.Variable]: 'variable',
  [C.Control]: 'control',
  [C.Const]: 'constant',
};

/** The remaining integer instructions (mul, div, compare...) go to `integer`, by name. */
const INTEGER = new Uint8Array(INSTRUCTION_SET.length);
for (const d of INSTRUCTION_SET) if (CLASS[d.id] === C.Other && /^i(32|64)\./.test(d.name)) INTEGER[d.id] = 1;

/**
 * Is this function worth keeping as a possible hashing kernel? Dense ARX code with rotates (hash and
 * cipher rounds rotate; CRCs, PRNGs and parsers mostly do not), or a round function's constants.
 */
export function isKernelCandidate(p: FunctionProfile): boolean {
  for (const a of HASH_ALGORITHMS) if ((p.constants[a] ?? 0) >= CODE_MATCH_THRESHOLD[a]) return true;
  return p.rotates >= 8 && p.instructions >= 64 && p.arx / p.instructions >= 0.2;
}

const WASM_MAGIC = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** Scratch state reused across functions (one pass holds one function's counts). */
const seen = new Uint8Array(CONSTANT_COUNT);
const touched: number[] = [];
let blockStack = new Uint8Array(1024);

export function analyzeCode(bytes: Uint8Array, options: AnalyzeOptions): CodeAnalysis {
  const t0 = performance.now();
  const out: CodeAnalysis = {
    functions: 0,
    codeBytes: 0,
    instructions: 0,
    mix: Object.fromEntries(MIX_CATEGORIES.map((c) => [c, 0])) as Record<MixCategory, number>,
    indirectCalls: 0,
    kernels: [],
    largest: [],
    constantFunctions: {},
    tableWrites: [],
    indirectTables: [],
    segments: [],
    dataTables: [],
    strings: { items: [], omitted: {} },
    timeMs: 0,
  };
  const strings = new DataStringCollector();
  const classCounts = new Float64Array(32);
  const integerCount = { n: 0 };
  const indirectTables = new Set<number>();
  try {
    visitRawSections(bytes, (h) => {
      if (h.id === 10) codeSection(bytes, h.payloadOffset, h.end, options, out, classCounts, integerCount, indirectTables);
      else if (h.id === 11) dataSection(bytes, h.payloadOffset, h.end, out, strings);
    });
  } catch (e) {
    out.error ??= (e as Error).message;
  }
  for (let c = 0; c < classCounts.length; c++) if (classCounts[c]) out.mix[MIX_OF[c] ?? 'other'] += classCounts[c];
  out.mix.integer += integerCount.n;
  out.mix.other -= integerCount.n;
  out.indirectTables = [...indirectTables].sort((a, b) => a - b);
  out.strings = strings.result();
  out.timeMs = performance.now() - t0;
  return out;
}

function codeSection(
  bytes: Uint8Array,
  start: number,
  end: number,
  options: AnalyzeOptions,
  out: CodeAnalysis,
  classCounts: Float64Array,
  integerCount: { n: number },
  indirectTables: Set<number>,
): void {
  const r = new ByteReader(bytes, start, end);
  const n = r.count('function body');
  const algCount = new Int32Array(HASH_ALGORITHMS.length);
  const algIndex = new Map(HASH_ALGORITHMS.map((a, i) => [a, i]));
  const noLocals = () => {};
  for (let i = 0; i < n; i++) {
    const sat = r.pos;
    const size = r.u32('function body size');
    if (size > r.end - r.pos) throw new Error(`function body ${i} at ${hex(sat)} runs past the code section`);
    const bodyStart = r.pos;
    const bodyEnd = bodyStart + size;
    r.pos = bodyEnd;
    const func = options.importedFuncs + i;
    const dec = new CodeDecoder(bytes, bodyStart, bodyEnd);
    let instructions = 0;
    let loopInstructions = 0;
    let loopArx = 0;
    let rotates = 0;
    let arx = 0;
    let loops = 0;
    let calls = 0;
    let indirect = 0;
    let depth = 0;
    let loopDepth = 0;
    algCount.fill(0);
    if (dec.readLocals(noLocals)) {
      while (dec.next()) {
        const id = dec.def.id;
        const c = CLASS[id];
        classCounts[c]++;
        if (INTEGER[id]) integerCount.n++;
        instructions++;
        if (loopDepth > 0) loopInstructions++;
        switch (c) {
          case C.Rotate:
            rotates++;
          // falls through
          case C.Xor:
          case C.Shift:
          case C.Add:
            arx++;
            if (loopDepth > 0) loopArx++;
            break;
          case C.Loop:
          case C.BlockOpen:
            if (depth >= blockStack.length) {
              const grown = new Uint8Array(blockStack.length * 2);
              grown.set(blockStack);
              blockStack = grown;
            }
            blockStack[depth++] = c === C.Loop ? 1 : 0;
            if (c === C.Loop) {
              loopDepth++;
              loops++;
            }
            break;
          case C.End:
          case C.Delegate:
            if (depth > 0 && blockStack[--depth] === 1) loopDepth--;
            break;
          case C.Call:
            calls++;
            break;
          case C.Indirect:
            indirect++;
            if (dec.def.imm === 'call_indirect') indirectTables.add(dec.idx2);
            break;
          case C.I32Const: {
            const v = dec.i32Value;
            if (v > 0xffff || v < -0x10000) {
              const hit = CONSTANTS_32.get(v >>> 0);
              if (hit && !seen[hit.id]) {
                seen[hit.id] = 1;
                touched.push(hit.id);
                algCount[algIndex.get(hit.algorithm)!]++;
              }
            }
            break;
          }
          case C.I64Const: {
            if (dec.pos - dec.offset >= 6) {
              const hit = i64Constant(bytes, dec.offset + 1, dec.pos);
              if (hit && !seen[hit.id]) {
                seen[hit.id] = 1;
                touched.push(hit.id);
                algCount[algIndex.get(hit.algorithm)!]++;
              }
            }
            break;
          }
          case C.TableWrite:
            if (out.tableWrites.length < MAX_TABLE_WRITES) out.tableWrites.push({ func, table: tableOf(dec), instruction: dec.def.name, offset: dec.offset });
            break;
        }
      }
    }
    if (dec.error && out.error === undefined) out.error = `function ${func} at ${hex(dec.errorOffset)}: ${dec.error}`;
    for (const id of touched) seen[id] = 0;
    touched.length = 0;
    out.functions++;
    out.codeBytes += size;
    out.instructions += instructions;
    out.indirectCalls += indirect;
    let constants: FunctionProfile['constants'] | undefined;
    for (let a = 0; a < algCount.length; a++) {
      if (!algCount[a]) continue;
      constants ??= {};
      const alg = HASH_ALGORITHMS[a];
      constants[alg] = algCount[a];
      if (algCount[a] >= CODE_MATCH_THRESHOLD[alg]) out.constantFunctions[alg] = (out.constantFunctions[alg] ?? 0) + 1;
    }
    const isStart = func === options.start;
    const smallest = out.largest.length < LARGEST_KEPT ? 0 : out.largest[out.largest.length - 1].size;
    const worthKeeping = isStart || size > smallest || constants !== undefined || (rotates >= 8 && instructions >= 64);
    if (!worthKeeping) continue;
    const p: FunctionProfile = { index: func, offset: bodyStart, size, instructions, loopInstructions, loopArx, rotates, arx, loops, calls, indirectCalls: indirect, constants: constants ?? {} };
    if (isStart) out.start = p;
    if (size > smallest) {
      out.largest.push(p);
      out.largest.sort((a, b) => b.size - a.size);
      if (out.largest.length > LARGEST_KEPT) out.largest.length = LARGEST_KEPT;
    }
    if (out.kernels.length < MAX_KERNELS && isKernelCandidate(p)) out.kernels.push(p);
  }
}

/** The table an instruction writes (table.copy: the destination; table.init: idx2). */
function tableOf(dec: CodeDecoder): number {
  return dec.def.imm === 'elem_table' ? dec.idx2 : dec.idx;
}

/** An i64.const's immediate (signed LEB128 in bytes[start, end)) looked up among the 64-bit constants. */
function i64Constant(bytes: Uint8Array, start: number, end: number) {
  let lo = 0;
  let hi = 0;
  let shift = 0;
  let last = 0;
  for (let p = start; p < end; p++) {
    const b = bytes[p];
    last = b;
    const v = b & 0x7f;
    if (shift < 32) {
      lo = (lo | (v << shift)) >>> 0;
      if (shift > 25) hi = (hi | (v >>> (32 - shift))) >>> 0;
    } else if (shift < 64) {
      hi = (hi | (v << (shift - 32))) >>> 0;
    }
    shift += 7;
  }
  if (last & 0x40 && shift < 64) {
    // sign-extend the value to 64 bits
    if (shift < 32) {
      lo = (lo | (~0 << shift)) >>> 0;
      hi = 0xffffffff;
    } else hi = (hi | (~0 << (shift - 32))) >>> 0;
  }
  const list = CONSTANTS_64.get(lo);
  if (!list) return undefined;
  for (const [h, hit] of list) if (h === hi) return hit;
  return undefined;
}

function dataSection(bytes: Uint8Array, start: number, end: number, out: CodeAnalysis, strings: DataStringCollector): void {
  const r = new ByteReader(bytes, start, end);
  const n = r.count('data segment');
  for (let i = 0; i < n; i++) {
    const flags = r.u32('data segment flags');
    if (flags > 2) throw new Error(`malformed data segment flags ${flags}`);
    if (flags === 2) r.u32('memory index');
    if (flags !== 1) skipConstExpr(bytes, r);
    const len = r.u32('data segment size');
    if (len > r.end - r.pos) throw new Error(`data segment ${i} runs past the data section`);
    const s = r.pos;
    const e = s + len;
    r.pos = e;
    const seg: SegmentProfile = { index: i, offset: s, size: len, entropy: byteEntropy(bytes, s, e), embeddedModules: [] };
    out.segments.push(seg);
    // searched in the segment's own bytes: a search never runs past its segment
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset + s, len);
    for (let at = buf.indexOf(WASM_MAGIC); at >= 0 && seg.embeddedModules.length < 8; at = buf.indexOf(WASM_MAGIC, at + 1)) {
      seg.embeddedModules.push(s + at);
    }
    for (const pattern of TABLE_PATTERNS) {
      const at = buf.indexOf(pattern.bytes);
      if (at >= 0) out.dataTables.push({ algorithm: pattern.algorithm, label: pattern.label, segment: i, offset: s + at });
    }
    strings.scan(bytes, s, e, i);
  }
}

/** Skips a constant expression (up to its `end`). */
function skipConstExpr(bytes: Uint8Array, r: ByteReader): void {
  const dec = new CodeDecoder(bytes, r.pos, r.end);
  while (dec.next()) {
    if (dec.def.name === 'end') {
      r.pos = dec.pos;
      return;
    }
  }
  throw new Error(dec.error ?? 'unterminated constant expression in a data segment');
}
