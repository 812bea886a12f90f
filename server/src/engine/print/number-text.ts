/**
 * Constants of a binary in WAT spelling, read straight from their bytes: i64 exactly (a JS number
 * holds 53 bits), floats as the shortest decimal that reads back to the same bits (NaNs with their
 * payload as `nan:0x...`), v128 as four i32 lanes.
 */

const f32View = new Float32Array(1);
const f32Bits = new Uint32Array(f32View.buffer);
const f64View = new Float64Array(1);
const f64Bits = new Uint32Array(f64View.buffer);

function u32At(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** The f32 at `at` (4 little-endian bytes). */
export function f32Text(bytes: Uint8Array, at: number): string {
  const bits = u32At(bytes, at);
  f32Bits[0] = bits;
  const v = f32View[0];
  const sign = bits >>> 31 ? '-' : '';
  if ((bits & 0x7f800000) === 0x7f800000) {
    const payload = bits & 0x7fffff;
    if (payload === 0) return sign + 'inf';
    return payload === 0x400000 ? sign + 'nan' : `${sign}nan:0x${payload.toString(16)}`;
  }
  if (v === 0) return sign + '0';
  // the shortest decimal that rounds to the same f32
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return normalize(s);
  }
  /* c8 ignore next */
  return normalize(v.toPrecision(9));
}

/** The f64 at `at` (8 little-endian bytes). */
export function f64Text(bytes: Uint8Array, at: number): string {
  const lo = u32At(bytes, at);
  const hi = u32At(bytes, at + 4);
  f64Bits[0] = lo;
  f64Bits[1] = hi;
  const v = f64View[0];
  const sign = hi >>> 31 ? '-' : '';
  if ((hi & 0x7ff00000) === 0x7ff00000) {
    const phi = hi & 0xfffff;
    if (phi === 0 && lo === 0) return sign + 'inf';
    if (phi === 0x80000 && lo === 0) return sign + 'nan';
    const payload = (BigInt(phi) << 32n) | BigInt(lo);
    return `${sign}nan:0x${payload.toString(16)}`;
  }
  if (v === 0) return sign + '0';
  return normalize(String(v));
}

/** JS number text to WAT: `1e+21` is fine, `Infinity` never reaches here; drop a `+` exponent sign. */
function normalize(s: string): string {
  return s.indexOf('e+') >= 0 ? s.replace('e+', 'e') : s;
}

/** A signed LEB128 of up to 64 bits at `at`, as decimal text; `end` receives the position after it. */
export function sleb64Text(bytes: Uint8Array, at: number, limit: number): string {
  // fast path: up to 4 bytes (28 bits) in a number
  let result = 0;
  let shift = 0;
  let i = at;
  for (; i < limit && i < at + 4; i++) {
    const b = bytes[i];
    result |= (b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) === 0) {
      if (b & 0x40) result |= -1 << shift;
      return String(result);
    }
  }
  let big = 0n;
  let bshift = 0n;
  for (i = at; i < limit; i++) {
    const b = bytes[i];
    big |= BigInt(b & 0x7f) << bshift;
    bshift += 7n;
    if ((b & 0x80) === 0) {
      if (b & 0x40) big -= 1n << bshift;
      break;
    }
  }
  return BigInt.asIntN(64, big).toString();
}

/** The v128 at `at` as `i32x4 0x... 0x... 0x... 0x...`. */
export function v128Text(bytes: Uint8Array, at: number): string {
  let s = 'i32x4';
  for (let k = 0; k < 4; k++) s += ' 0x' + u32At(bytes, at + 4 * k).toString(16).padStart(8, '0');
  return s;
}
