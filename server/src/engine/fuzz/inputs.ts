/**
 * Type-directed inputs for the fuzzer: a seeded generator (the same seed gives the same sequence), values for
 * each WebAssembly number type (edge values, NaN payloads, lengths near the memory's size and pointers at its
 * end, the module's own constants), inputs for WASI commands (argv, environment, stdin, files), their
 * mutations, and the reductions the minimiser tries.
 */
import type { ArgValue, CommandInput, ExportInput, FuzzInput, FuzzTarget, NumType } from './types';

/**
 * sfc32: small, fast, 128-bit state; seeded from one 32-bit number. The numbers are made POOL at a time
 * (the state in locals, so in registers), and handed out one by one: the same sequence, at a fraction of
 * the cost of updating the state for each.
 */
const POOL = 256;
export class Rng {
  private readonly s = new Int32Array(4);
  private readonly pool = new Uint32Array(POOL);
  private i = POOL;
  constructor(seed: number) {
    const s = this.s;
    s[0] = 0x9e3779b9;
    s[1] = 0x243f6a88;
    s[2] = 0xb7e15162;
    s[3] = seed >>> 0;
    this.fill(15);
    this.i = POOL;
  }
  /** the next n numbers of the sequence into the pool */
  private fill(n: number): void {
    const s = this.s;
    const pool = this.pool;
    let a = s[0];
    let b = s[1];
    let c = s[2];
    let d = s[3];
    for (let k = 0; k < n; k++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      pool[k] = t;
    }
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = d;
  }
  /** the state of the sequence after the numbers made so far (the driver's generator continues from it) */
  state(): Int32Array {
    return this.s.slice();
  }
  /** uniform in [0, 2^32) */
  next(): number {
    if (this.i === POOL) {
      this.fill(POOL);
      this.i = 0;
    }
    return this.pool[this.i++];
  }
  /** uniform in [0, n) */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 4294967296) * n);
  }
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

export const I32_EDGES = [0, 1, -1, 2, -2, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 1023, 1024, 4095, 4096, 32767, 32768, 65535, 65536, 0x7fffffff, -0x80000000, 0x7ffffffe, -0x7fffffff];
const I64_EDGES = [0n, 1n, -1n, 2n, 255n, 256n, 65536n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x7ffffffffffffffen];
/** f64 bit patterns: zeros, ones, infinities, the canonical NaN and NaN payloads (quiet, signalling, negative), extremes */
const F64_EDGE_BITS = [
  0n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n, 0x7ff0000000000000n, 0xfff0000000000000n,
  0x7ff8000000000000n, 0x7ff8000000000001n, 0x7ff4000000000000n, 0x7ff0000000000001n, 0xfff8000000000000n, 0x7fffffffffffffffn,
  0x0000000000000001n, 0x7fefffffffffffffn, 0x0010000000000000n, 0x4340000000000000n, 0x41e0000000000000n, 0xc1e0000000000000n,
];
const F32_EDGE_BITS = [0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fc00001, 0x7fa00000, 0x7f800001, 0xffc00000, 0x7fffffff, 1, 0x7f7fffff, 0x00800000, 0x4f000000, 0xcf000000];

const f64buf = new DataView(new ArrayBuffer(8));

export function f64FromBits(bits: bigint): number {
  f64buf.setBigUint64(0, BigInt.asUintN(64, bits));
  return f64buf.getFloat64(0);
}
export function f32FromBits(bits: number): number {
  f64buf.setUint32(0, bits >>> 0);
  return f64buf.getFloat32(0);
}

function floatArg(type: 'f32' | 'f64', bits: bigint): ArgValue {
  const v = type === 'f64' ? f64FromBits(bits) : f32FromBits(Number(bits));
  return { type, value: Object.is(v, -0) ? '-0' : String(v), bits: BigInt.asUintN(type === 'f64' ? 64 : 32, bits).toString(16).padStart(type === 'f64' ? 16 : 8, '0') };
}

export function intArg(type: 'i32' | 'i64', v: bigint): ArgValue {
  return { type, value: BigInt.asIntN(type === 'i32' ? 32 : 64, v).toString() };
}

/** The value to pass to the export (numbers for i32/f32/f64, bigint for i64; floats from their bits). */
export function argToWasm(a: ArgValue): number | bigint {
  switch (a.type) {
    case 'i32':
      // decimal text of an i32 (or of any integer, wrapped): exact as a double below 2^53
      return Math.abs(Number(a.value)) < 2 ** 53 ? Number(a.value) | 0 : Number(BigInt.asIntN(32, BigInt(a.value)));
    case 'i64':
      return BigInt.asIntN(64, BigInt(a.value));
    case 'f32':
      return a.bits !== undefined ? f32FromBits(parseInt(a.bits, 16)) : Math.fround(Number(a.value));
    case 'f64':
      return a.bits !== undefined ? f64FromBits(BigInt(`0x${a.bits}`)) : Number(a.value);
  }
}

/** Checks an argument read from a file (replay): a clear error for anything that is not one. */
export function checkArg(a: unknown): ArgValue {
  const x = a as Partial<ArgValue> | null;
  if (!x || typeof x !== 'object' || !['i32', 'i64', 'f32', 'f64'].includes(x.type as string) || typeof x.value !== 'string') throw new Error('an argument must be {type: i32|i64|f32|f64, value: "..."}');
  if ((x.type === 'i32' || x.type === 'i64') && !/^-?\d+$/.test(x.value)) throw new Error(`${x.type} argument ${JSON.stringify(x.value)} is not an integer`);
  if (x.bits !== undefined && (typeof x.bits !== 'string' || !/^[0-9a-f]{1,16}$/i.test(x.bits))) throw new Error('an argument\'s bits must be hex');
  return { type: x.type as NumType, value: x.value, ...(x.bits !== undefined && { bits: x.bits }) };
}

/** What the generator knows of the module: its constants (decimal) and strings, and its memory's size now. */
export interface InputContext {
  numbers: bigint[];
  strings: string[];
  memoryBytes: number;
}

/** the lengths near the memory's size and pointers at its end, as i32 values (the driver's generator has them too) */
export function memoryValues32(ctx: InputContext): number[] {
  memoryValues(ctx);
  return memoryList32;
}

let memoryFor = -1;
let memoryList: bigint[] = [];
let memoryList32: number[] = [];
function memoryValues(ctx: InputContext): bigint[] {
  if (memoryFor !== ctx.memoryBytes) {
    memoryFor = ctx.memoryBytes;
    const m = BigInt(ctx.memoryBytes);
    // lengths near the memory's size, pointers at its end
    memoryList = [m, m - 1n, m - 2n, m - 4n, m - 8n, m + 1n, m / 2n, m * 2n, m - 16n, m - 64n];
    memoryList32 = memoryList.map((v) => Number(BigInt.asIntN(32, v)));
  }
  return memoryList;
}

/**
 * An i32 argument as a number (no BigInt on the hot path), from two draws (always two: the driver's
 * generator computes every kind's value and keeps one, without a branch the processor would mispredict):
 * the first's low 3 bits choose the kind (an edge value 3 in 8, a length or pointer near the memory's end 1
 * in 8, one of the module's constants or a neighbour 2 in 8, a byte 1 in 8, anything (the second draw) 1 in
 * 8), its upper bits the pick.
 */
export function genI32(rng: Rng, ctx: InputContext, numbers32: number[]): number {
  const r = rng.next();
  const any = rng.next();
  // the pick: (upper 16 bits * length) >>> 16, uniform enough for these short lists (at most 3 * 512 entries)
  const hi = r >>> 16;
  switch (r & 7) {
    // indexed rather than rng.pick: a monomorphic access on the hot path
    case 0:
    case 1:
    case 2:
      return I32_EDGES[(hi * I32_EDGES.length) >>> 16];
    case 3:
      memoryValues(ctx);
      return memoryList32[(hi * memoryList32.length) >>> 16];
    case 4:
    case 5:
      if (numbers32.length) {
        const x = (hi * numbers32.length * 3) >>> 16;
        return (numbers32[(x / 3) | 0] + (x % 3) - 1) | 0;
      }
      return (r >>> 8) & 255;
    case 6:
      return (r >>> 8) & 255;
    default:
      return any | 0;
  }
}

/**
 * One mutation of an i32 argument `v`, from one draw `r` (bits 0-3: a new value 6 in 16, else bits 4-5 the
 * operation: plus or minus up to 16, one bit flipped, negated, doubled; bits 8-23 its operand). The new
 * value is drawn whether it is kept or not (as the driver's generator does, without a branch).
 */
export function mutateI32(rng: Rng, r: number, v: number, ctx: InputContext, numbers32: number[]): number {
  const fresh = genI32(rng, ctx, numbers32);
  if ((r & 15) < 6) return fresh;
  switch ((r >>> 4) & 3) {
    case 0:
      return (v + (((r >>> 8) & 0xffff) % 33) - 16) | 0;
    case 1:
      return v ^ (1 << ((r >>> 8) & 31));
    case 2:
      return -v | 0;
    default:
      return (v * 2) | 0;
  }
}

let numbers32For: bigint[] | undefined;
let numbers32: number[] = [];
export function numbers32Of(ctx: InputContext): number[] {
  if (numbers32For !== ctx.numbers) {
    numbers32For = ctx.numbers;
    numbers32 = ctx.numbers.map((v) => Number(BigInt.asIntN(32, v)));
  }
  return numbers32;
}

function genInt(rng: Rng, type: 'i32' | 'i64', ctx: InputContext): bigint {
  switch (rng.int(6)) {
    case 0:
    case 1:
      return type === 'i32' ? BigInt(rng.pick(I32_EDGES)) : rng.pick(I64_EDGES);
    case 2:
      return rng.pick(memoryValues(ctx));
    case 3:
      if (ctx.numbers.length) return rng.pick(ctx.numbers) + BigInt(rng.int(3) - 1);
      return BigInt(rng.int(256));
    case 4:
      return BigInt(rng.int(256));
    default:
      return type === 'i32' ? BigInt(rng.next() | 0) : (BigInt(rng.next()) << 32n) | BigInt(rng.next());
  }
}

export function genArg(rng: Rng, type: NumType, ctx: InputContext): ArgValue {
  if (type === 'i32') return { type, value: String(genI32(rng, ctx, numbers32Of(ctx))) };
  if (type === 'i64') return intArg(type, genInt(rng, type, ctx));
  if (rng.chance(0.6)) return floatArg(type, type === 'f64' ? rng.pick(F64_EDGE_BITS) : BigInt(rng.pick(F32_EDGE_BITS)));
  if (rng.chance(0.5)) {
    const n = Number(genInt(rng, 'i64', ctx));
    return floatArg(type, type === 'f64' ? bitsOf64(n) : BigInt(bitsOf32(n)));
  }
  return floatArg(type, type === 'f64' ? (BigInt(rng.next()) << 32n) | BigInt(rng.next()) : BigInt(rng.next()));
}

function bitsOf64(v: number): bigint {
  f64buf.setFloat64(0, v);
  return f64buf.getBigUint64(0);
}
function bitsOf32(v: number): number {
  f64buf.setFloat32(0, v);
  return f64buf.getUint32(0);
}

export function mutateArg(rng: Rng, a: ArgValue, ctx: InputContext): ArgValue {
  if (a.type === 'f32' || a.type === 'f64' || rng.chance(0.4)) return genArg(rng, a.type, ctx);
  if (a.type === 'i32') {
    const v = Number(a.value) | 0;
    switch (rng.int(4)) {
      case 0:
        return { type: 'i32', value: String((v + rng.int(33) - 16) | 0) };
      case 1:
        return { type: 'i32', value: String(v ^ (1 << rng.int(32))) };
      case 2:
        return { type: 'i32', value: String(-v | 0) };
      default:
        return { type: 'i32', value: String((v * 2) | 0) };
    }
  }
  const v = BigInt(a.value);
  switch (rng.int(4)) {
    case 0:
      return intArg(a.type, v + BigInt(rng.int(33) - 16));
    case 1:
      return intArg(a.type, v ^ (1n << BigInt(rng.int(64))));
    case 2:
      return intArg(a.type, -v);
    default:
      return intArg(a.type, v * 2n);
  }
}

/** Strings a command is likely to treat specially: paths that leave a folder, options, format strings. */
const ARG_STRINGS = ['..', '../', '../..', '../../etc/passwd', '/etc/passwd', '/', '.', './', '/scratch', '/scratch/input', 'input', '-', '--', '-h', '--help', '-v', '-o', '--output', '%s%s%n', '', ' ', '\u0000', 'A'.repeat(257), 'ä€😀'];
const ENV_NAMES = ['HOME', 'PATH', 'LANG', 'TMPDIR', 'DEBUG', 'USER'];

function genString(rng: Rng, ctx: InputContext): string {
  switch (rng.int(5)) {
    case 0:
    case 1:
      return ctx.strings.length ? rng.pick(ctx.strings) : rng.pick(ARG_STRINGS);
    case 2:
      return rng.pick(ARG_STRINGS);
    case 3: {
      // a path built of pieces
      const parts = Array.from({ length: 1 + rng.int(3) }, () => rng.pick(['..', '.', 'a', ctx.strings.length ? rng.pick(ctx.strings) : 'x', 'etc', 'passwd']));
      return (rng.chance(0.3) ? '/' : '') + parts.join('/');
    }
    default:
      return Array.from({ length: rng.int(12) }, () => String.fromCharCode(0x21 + rng.int(94))).join('');
  }
}

function genBytes(rng: Rng, ctx: InputContext): Uint8Array {
  if (ctx.strings.length && rng.chance(0.4)) return Buffer.from(rng.pick(ctx.strings));
  const n = rng.pick([0, 1, 4, 16, 64, 256]);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export function genCommandInput(rng: Rng, ctx: InputContext): CommandInput {
  const argv = Array.from({ length: rng.int(4) }, () => genString(rng, ctx));
  const env: Record<string, string> = {};
  for (let i = rng.int(3); i > 0; i--) env[rng.pick(ENV_NAMES)] = genString(rng, ctx);
  const files = Array.from({ length: rng.int(3) }, (_, i) => ({ name: rng.chance(0.5) ? 'input' : `f${i}`, data: b64(genBytes(rng, ctx)) }));
  return { kind: 'command', argv, env, stdin: rng.chance(0.5) ? b64(genBytes(rng, ctx)) : '', files };
}

export function mutateCommandInput(rng: Rng, input: CommandInput, ctx: InputContext): CommandInput {
  const argv = input.argv.slice();
  const env = { ...input.env };
  let { stdin, files } = input;
  switch (rng.int(6)) {
    case 0:
      argv.splice(rng.int(argv.length + 1), 0, genString(rng, ctx));
      break;
    case 1:
      if (argv.length) argv[rng.int(argv.length)] = genString(rng, ctx);
      else argv.push(genString(rng, ctx));
      break;
    case 2:
      if (argv.length) argv.splice(rng.int(argv.length), 1);
      break;
    case 3:
      stdin = b64(genBytes(rng, ctx));
      break;
    case 4:
      env[rng.pick(ENV_NAMES)] = genString(rng, ctx);
      break;
    default:
      files = [...files.slice(0, 2), { name: rng.chance(0.5) ? 'input' : 'g', data: b64(genBytes(rng, ctx)) }];
  }
  return { kind: 'command', argv, env, stdin, files };
}

/**
 * Smaller versions of an input, simplest first (the minimiser keeps the first that still shows the cause and
 * starts again from it): for an export, each argument towards 0; for a command, one part left out or halved.
 */
export function* reductions(input: FuzzInput): Generator<FuzzInput> {
  if (input.kind === 'export') {
    for (let i = 0; i < input.args.length; i++) {
      const a = input.args[i];
      const tries: ArgValue[] = [];
      if (a.type === 'i32' || a.type === 'i64') {
        const v = BigInt(a.value);
        if (v !== 0n) tries.push(intArg(a.type, 0n), intArg(a.type, v / 2n), intArg(a.type, v > 0n ? v - 1n : v + 1n));
      } else if (a.value !== '0') tries.push(floatArg(a.type, 0n), floatArg(a.type, a.type === 'f64' ? 0x3ff0000000000000n : 0x3f800000n));
      for (const t of tries) yield { ...input, args: input.args.map((x, j) => (j === i ? t : x)) };
    }
    return;
  }
  for (let i = 0; i < input.argv.length; i++) yield { ...input, argv: input.argv.filter((_, j) => j !== i) };
  for (const k of Object.keys(input.env)) {
    const env = { ...input.env };
    delete env[k];
    yield { ...input, env };
  }
  for (let i = 0; i < input.files.length; i++) yield { ...input, files: input.files.filter((_, j) => j !== i) };
  if (input.stdin) yield { ...input, stdin: '' };
  for (let i = 0; i < input.argv.length; i++) {
    const s = input.argv[i];
    if (s.length > 1) {
      yield { ...input, argv: input.argv.map((x, j) => (j === i ? s.slice(0, Math.ceil(s.length / 2)) : x)) };
      yield { ...input, argv: input.argv.map((x, j) => (j === i ? s.slice(Math.floor(s.length / 2)) : x)) };
    }
  }
  const stdin = Buffer.from(input.stdin, 'base64');
  if (stdin.length > 1) yield { ...input, stdin: b64(stdin.subarray(0, stdin.length >> 1)) };
}

/**
 * An export input as the fuzzing loop keeps it in its corpus (fuzzer.ts, batch.ts): the target's index and
 * the values passed to it, with the text form (`ArgValue`) of an i64 or float argument beside it (its bits,
 * which a NaN payload needs); an i32 argument has only its number, turned into text when the input is
 * reported.
 */
export interface ExportCandidate {
  target: number;
  vals: (number | bigint)[];
  texts: (ArgValue | undefined)[];
  /** a target with i32 parameters only: the values as an Int32Array (the batch copies them from it) */
  ints?: Int32Array;
}

/** The input a candidate stands for (for the corpus, a finding, the minimiser). */
export function candidateInput(c: ExportCandidate, targets: FuzzTarget[]): ExportInput {
  const t = targets[c.target];
  return { kind: 'export', export: t.export, args: t.params.map((type, i) => c.texts[i] ?? { type, value: String(c.vals[i]) }) };
}
