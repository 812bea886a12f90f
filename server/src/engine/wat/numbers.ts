/**
 * Numeric literals of the text format: classification (int / float / malformed) straight from char
 * codes, and the range checks the immediates of `i32.const`, `f32.const`, lane indexes... need.
 */

export const enum NumberClass {
  Invalid = 0,
  Int = 1,
  Float = 2,
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Scan `digit ('_'? digit)*` from i; returns the end, or -1 when malformed, i when empty. */
function scanDigits(text: string, i: number, end: number, hex: boolean): number {
  const ok = hex ? isHexDigit : isDigit;
  if (i >= end || !ok(text.charCodeAt(i))) return i;
  i++;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (ok(c)) i++;
    else if (c === 95) {
      if (i + 1 < end && ok(text.charCodeAt(i + 1))) i += 2;
      else return -1;
    } else break;
  }
  return i;
}

/** Classify text[start, end) as an integer literal, a float literal, or neither. */
export function classifyNumber(text: string, start: number, end: number): NumberClass {
  let i = start;
  const c0 = text.charCodeAt(i);
  if (c0 === 43 || c0 === 45) i++;
  if (i >= end) return NumberClass.Invalid;
  if (text.startsWith('inf', i) && i + 3 === end) return NumberClass.Float;
  if (text.startsWith('nan', i)) {
    if (i + 3 === end) return NumberClass.Float;
    if (text.startsWith(':0x', i + 3)) {
      const e = scanDigits(text, i + 6, end, true);
      return e === end && e > i + 6 ? NumberClass.Float : NumberClass.Invalid;
    }
    return NumberClass.Invalid;
  }
  let hex = false;
  if (text.charCodeAt(i) === 48 && (text.charCodeAt(i + 1) === 120) && i + 2 <= end) {
    hex = true;
    i += 2;
  }
  const m = scanDigits(text, i, end, hex);
  if (m <= i) return NumberClass.Invalid;
  i = m;
  if (i === end) return NumberClass.Int;
  let float = false;
  if (text.charCodeAt(i) === 46) {
    float = true;
    i++;
    const f = scanDigits(text, i, end, hex);
    if (f < 0) return NumberClass.Invalid;
    i = f;
    if (i === end) return NumberClass.Float;
  }
  const e = text.charCodeAt(i) | 32;
  if ((hex && e === 112) || (!hex && e === 101)) {
    i++;
    const s = text.charCodeAt(i);
    if (s === 43 || s === 45) i++;
    const x = scanDigits(text, i, end, false);
    if (x <= i || x !== end) return NumberClass.Invalid;
    return NumberClass.Float;
  }
  return float && i === end ? NumberClass.Float : NumberClass.Invalid;
}

function digitsOf(text: string, start: number, end: number): { neg: boolean; signed: boolean; hex: boolean; digits: string } {
  let i = start;
  const c0 = text.charCodeAt(i);
  const signed = c0 === 43 || c0 === 45;
  if (signed) i++;
  let hex = false;
  if (text.charCodeAt(i) === 48 && text.charCodeAt(i + 1) === 120) {
    hex = true;
    i += 2;
  }
  let digits = '';
  for (let j = i; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c !== 95) digits += text[j];
  }
  return { neg: c0 === 45, signed, hex, digits };
}

/** Value of an unsigned/integer literal as a BigInt (the token must be an Int). */
export function intValue(text: string, start: number, end: number): bigint {
  const d = digitsOf(text, start, end);
  const v = BigInt((d.hex ? '0x' : '') + d.digits);
  return d.neg ? -v : v;
}

/** Plain number value of an Int token (exact up to 2^53). */
export function intNumber(text: string, start: number, end: number): number {
  if (end - start <= 15) {
    // fast path: decimal without separators
    let v = 0;
    let i = start;
    const c0 = text.charCodeAt(i);
    if (c0 === 43 || c0 === 45) i++;
    let plain = text.charCodeAt(i + 1) !== 120;
    for (let j = i; plain && j < end; j++) {
      const c = text.charCodeAt(j);
      if (c < 48 || c > 57) plain = false;
      else v = v * 10 + (c - 48);
    }
    if (plain) return c0 === 45 ? -v : v;
  }
  return Number(intValue(text, start, end));
}

/**
 * Is the Int token a valid literal for an integer of `bits` bits (i32/i64 constants accept
 * -2^(n-1) .. 2^n - 1; unsigned immediates such as indexes and offsets take `unsigned`)?
 */
export function intInRange(text: string, start: number, end: number, bits: number, unsigned = false): boolean {
  const c0 = text.charCodeAt(start);
  if (unsigned && (c0 === 43 || c0 === 45)) return false;
  if (end - start <= 9 && bits >= 32) {
    // at most 8 hex digits or 9 decimal digits: always fits 32 bits once the sign is settled
    const v = intNumber(text, start, end);
    if (Number.isFinite(v)) {
      if (v >= 0) return v <= 2 ** bits - 1;
      return v >= -(2 ** (bits - 1));
    }
  }
  const v = intValue(text, start, end);
  const b = BigInt(bits);
  if (v >= 0n) return v <= (1n << b) - 1n;
  return v >= -(1n << (b - 1n));
}

/**
 * Is the Float/Int token representable as an f32/f64 literal (finite values must not round to
 * infinity; NaN payloads must be non-zero and fit the significand)?
 */
export function floatInRange(text: string, start: number, end: number, bits: 32 | 64): boolean {
  let i = start;
  const c0 = text.charCodeAt(i);
  if (c0 === 43 || c0 === 45) i++;
  if (text.startsWith('inf', i)) return true;
  if (text.startsWith('nan', i)) {
    if (i + 3 === end) return true;
    const p = intValue(text, i + 4, end);
    return p >= 1n && p < (1n << (bits === 32 ? 23n : 52n));
  }
  const d = digitsOf(text, start, end);
  if (!d.hex) {
    const v = Math.abs(parseFloat(d.digits));
    if (!Number.isFinite(v)) return false;
    return bits === 64 || v < 2 ** 128 - 2 ** 103;
  }
  // hex float: exact comparison against the first value that rounds to infinity
  const body = d.digits.slice(0);
  const pIdx = body.search(/[pP]/);
  const mant = pIdx < 0 ? body : body.slice(0, pIdx);
  let exp = pIdx < 0 ? 0 : parseInt(body.slice(pIdx + 1), 10);
  const dot = mant.indexOf('.');
  let hexDigits = mant;
  if (dot >= 0) {
    hexDigits = mant.slice(0, dot) + mant.slice(dot + 1);
    exp -= 4 * (mant.length - dot - 1);
  }
  hexDigits = hexDigits.replace(/^0+/, '');
  if (hexDigits === '') return true;
  if (!Number.isFinite(exp) || Math.abs(exp) > 100000) return exp < 0;
  const m = BigInt('0x' + hexDigits);
  // value = m * 2^exp ; limit = 2^128 - 2^103 (f32) or 2^1024 - 2^970 (f64)
  const [hi, lo] = bits === 32 ? [128, 103] : [1024, 970];
  // compare m * 2^exp >= 2^lo * (2^(hi-lo) - 1)
  const limitM = (1n << BigInt(hi - lo)) - 1n;
  const shift = exp - lo;
  if (shift >= 0) return !((m << BigInt(shift)) >= limitM);
  return !(m >= limitM << BigInt(-shift));
}
