/**
 * Float literals of the text format -> IEEE 754 bits, correctly rounded (round to nearest, ties to
 * even) for f32 and f64: decimal and hexadecimal forms, `inf`, `nan` and `nan:0x...` payloads, `_`
 * separators. Fast paths use the host's float parser where it is exact (decimal f64; decimal f32 away
 * from a double-rounding tie; hex floats that fit a double); the rest goes through exact integer math.
 */
import type { ByteWriter } from './byte-writer';

interface Format {
  /** significand bits including the implicit one */
  p: number;
  bias: number;
  expBits: number;
}
const F32: Format = { p: 24, bias: 127, expBits: 8 };
const F64: Format = { p: 53, bias: 1023, expBits: 11 };

const view = new DataView(new ArrayBuffer(8));

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** value = m * 2^e (+ a tiny bit when sticky), m > 0: the rounded bits (without sign). */
function roundBinary(m: bigint, e: number, sticky: boolean, f: Format): bigint {
  const bl = bitLength(m);
  const emin = 1 - f.bias;
  const top = bl - 1 + e;
  let lsb = Math.max(top - (f.p - 1), emin - (f.p - 1));
  const shift = lsb - e;
  let q: bigint;
  if (shift > 0) {
    const s = BigInt(shift);
    q = m >> s;
    const rem = m & ((1n << s) - 1n);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q++;
  } else {
    q = m << BigInt(-shift);
  }
  const one = 1n << BigInt(f.p - 1);
  if (q === one << 1n) {
    q >>= 1n;
    lsb++;
  }
  const maxBiased = (1 << f.expBits) - 1;
  if (q < one) return q; // subnormal (or zero)
  const biased = lsb + (f.p - 1) + f.bias;
  if (biased >= maxBiased) return BigInt(maxBiased) << BigInt(f.p - 1);
  return (BigInt(biased) << BigInt(f.p - 1)) | (q - one);
}

interface Parsed {
  neg: boolean;
  kind: 'inf' | 'nan' | 'num';
  payload?: bigint;
  /** the literal without sign and underscores */
  body: string;
  hex: boolean;
}

function parse(text: string, start: number, end: number): Parsed {
  let i = start;
  const c0 = text.charCodeAt(i);
  const neg = c0 === 45;
  if (c0 === 43 || c0 === 45) i++;
  let body = text.slice(i, end);
  if (body.indexOf('_') >= 0) body = body.replace(/_/g, '');
  if (body === 'inf') return { neg, kind: 'inf', body, hex: false };
  if (body.startsWith('nan')) {
    const payload = body.length > 3 ? BigInt(body.slice(4)) : undefined;
    return { neg, kind: 'nan', payload, body, hex: false };
  }
  const hex = body.charCodeAt(0) === 48 && (body.charCodeAt(1) | 32) === 120;
  return { neg, kind: 'num', body, hex };
}

/** The exact value of a parsed finite literal as (m, e2, sticky) or (m, e10). */
function exactBits(p: Parsed, f: Format): bigint {
  if (p.hex) {
    let s = p.body.slice(2);
    let exp = 0;
    const pi = s.search(/[pP]/);
    if (pi >= 0) {
      exp = parseInt(s.slice(pi + 1), 10);
      s = s.slice(0, pi);
    }
    const dot = s.indexOf('.');
    if (dot >= 0) {
      exp -= 4 * (s.length - dot - 1);
      s = s.slice(0, dot) + s.slice(dot + 1);
    }
    const m = s === '' ? 0n : BigInt('0x' + s);
    if (m === 0n) return 0n;
    if (!Number.isFinite(exp) || exp > 100000) return roundBinary(1n, 100000, false, f);
    if (exp < -100000) return 0n;
    return roundBinary(m, exp, false, f);
  }
  let s = p.body;
  let exp = 0;
  const ei = s.search(/[eE]/);
  if (ei >= 0) {
    exp = parseInt(s.slice(ei + 1), 10);
    s = s.slice(0, ei);
  }
  const dot = s.indexOf('.');
  if (dot >= 0) {
    exp -= s.length - dot - 1;
    s = s.slice(0, dot) + s.slice(dot + 1);
  }
  s = s.replace(/^0+/, '');
  if (s === '') return 0n;
  const digits = s.length;
  // far below the smallest subnormal / far above the largest finite value
  if (digits + exp < -400) return 0n;
  if (digits + exp > 400) return roundBinary(1n, 100000, false, f);
  const d = BigInt(s);
  if (exp >= 0) return roundBinary(d * 10n ** BigInt(exp), 0, false, f);
  const den = 10n ** BigInt(-exp);
  const shift = Math.max(0, f.p + 3 + bitLength(den) - bitLength(d));
  const num = d << BigInt(shift);
  const q = num / den;
  return roundBinary(q, -shift, num % den !== 0n, f);
}

/** The bits of an f32 literal (an unsigned 32-bit number). */
export function f32Bits(text: string, start: number, end: number): number {
  const p = parse(text, start, end);
  const sign = p.neg ? 0x80000000 : 0;
  if (p.kind === 'inf') return (sign | 0x7f800000) >>> 0;
  if (p.kind === 'nan') return (sign | 0x7f800000 | (p.payload !== undefined ? Number(p.payload & 0x7fffffn) : 0x400000)) >>> 0;
  if (!p.hex && p.body.length < 40) {
    const d = parseFloat(p.body);
    const r = Math.fround(d);
    if (r === d || !isTie32(d, r)) {
      view.setFloat32(0, p.neg ? -r : r, true);
      return view.getUint32(0, true);
    }
  } else if (p.hex) {
    const v = hexFast(p.body);
    if (v !== undefined) {
      view.setFloat32(0, p.neg ? -v : v, true);
      return view.getUint32(0, true);
    }
  }
  return (sign | Number(exactBits(p, F32))) >>> 0;
}

/** Is d exactly halfway between r (its f32 rounding) and r's neighbour on d's side? */
function isTie32(d: number, r: number): boolean {
  if (!Number.isFinite(r)) return false;
  view.setFloat32(0, r, true);
  const bits = view.getUint32(0, true);
  const away = d > r === r >= 0;
  view.setUint32(0, away ? bits + 1 : bits - 1, true);
  const g = view.getFloat32(0, true);
  return (r + g) / 2 === d;
}

/** A hex float computed exactly in a double, or undefined. */
function hexFast(body: string): number | undefined {
  let s = body.slice(2);
  let exp = 0;
  const pi = s.search(/[pP]/);
  if (pi >= 0) {
    exp = parseInt(s.slice(pi + 1), 10);
    s = s.slice(0, pi);
  }
  const dot = s.indexOf('.');
  if (dot >= 0) {
    exp -= 4 * (s.length - dot - 1);
    s = s.slice(0, dot) + s.slice(dot + 1);
  }
  s = s.replace(/^0+/, '');
  if (s.length > 13) return undefined;
  const m = s === '' ? 0 : parseInt(s, 16);
  if (m === 0) return 0;
  if (exp < -1022 || exp > 960) return undefined;
  const v = m * 2 ** exp;
  // exact when normal in a double
  return v >= 2 ** -1022 && Number.isFinite(v) ? v : undefined;
}

/** Writes the 8 bytes of an f64 literal. */
export function writeF64(w: ByteWriter, text: string, start: number, end: number): void {
  const p = parse(text, start, end);
  if (p.kind === 'num' && !p.hex) {
    const d = parseFloat(p.body);
    w.f64(p.neg ? -d : d);
    return;
  }
  if (p.kind === 'num') {
    const v = hexFast(p.body);
    if (v !== undefined) {
      w.f64(p.neg ? -v : v);
      return;
    }
  }
  let bits: bigint;
  if (p.kind === 'inf') bits = 0x7ffn << 52n;
  else if (p.kind === 'nan') bits = (0x7ffn << 52n) | (p.payload !== undefined ? p.payload & ((1n << 52n) - 1n) : 1n << 51n);
  else bits = exactBits(p, F64);
  if (p.neg) bits |= 1n << 63n;
  w.u32le(Number(bits & 0xffffffffn));
  w.u32le(Number(bits >> 32n));
}

export function writeF32(w: ByteWriter, text: string, start: number, end: number): void {
  w.u32le(f32Bits(text, start, end));
}
