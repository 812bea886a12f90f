/**
 * The constants that give hash and cipher kernels away: round constants and initial values of SHA-1,
 * SHA-256, SHA-512, MD5, Keccak (SHA-3), the BLAKE2 IVs (those of SHA-256 and SHA-512), ChaCha's
 * "expand 32-byte k" and AES's S-box and T-tables (CryptoNight's scratchpad rounds are AES rounds).
 *
 * Two uses: constants in code (`i32.const`/`i64.const` immediates of an unrolled round function), looked
 * up per instruction in maps built once; and tables in data segments, searched as byte patterns (the
 * table's first entries as little-endian words, as a compiler lays them out).
 *
 * The SHA-2 and MD5 tables are computed from their definitions (cube and square roots of primes, the
 * sine) rather than typed in; the unit tests check them against published values.
 */

export type HashAlgorithm = 'sha256' | 'sha512' | 'sha2-iv' | 'keccak' | 'aes' | 'md5' | 'sha1' | 'chacha';

export const HASH_ALGORITHM_NAMES: Record<HashAlgorithm, string> = {
  sha256: 'SHA-256 round constants',
  sha512: 'SHA-512 round constants',
  'sha2-iv': 'SHA-2/BLAKE2 initial values',
  keccak: 'SHA-3/Keccak round constants',
  aes: 'AES tables',
  md5: 'MD5 constants',
  sha1: 'SHA-1 constants',
  chacha: 'ChaCha/Salsa constants',
};

export const HASH_ALGORITHMS = Object.keys(HASH_ALGORITHM_NAMES) as HashAlgorithm[];

/** Distinct constants of one algorithm one function must hold to count as a match in code. */
export const CODE_MATCH_THRESHOLD: Record<HashAlgorithm, number> = {
  sha256: 8,
  sha512: 8,
  'sha2-iv': 4,
  keccak: 6,
  aes: 8,
  md5: 8,
  sha1: 4,
  chacha: 4,
};

const M32 = (1n << 32n) - 1n;
const M64 = (1n << 64n) - 1n;

function primes(n: number): number[] {
  const out: number[] = [];
  for (let c = 2; out.length < n; c++) if (out.every((p) => c % p !== 0)) out.push(c);
  return out;
}

/** floor(x^(1/k)) of a BigInt, by Newton's method. */
function iroot(x: bigint, k: bigint): bigint {
  if (x < 2n) return x;
  let r = 1n << BigInt(Math.ceil(x.toString(2).length / Number(k)));
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (next >= r) return r;
    r = next;
  }
}

/** The first `bits` bits of the fractional part of p^(1/k). */
function fracRoot(p: number, k: bigint, bits: bigint): bigint {
  return iroot(BigInt(p) << (bits * k), k) & ((1n << bits) - 1n);
}

export const SHA256_K: readonly number[] = primes(64).map((p) => Number(fracRoot(p, 3n, 32n)));
export const SHA256_IV: readonly number[] = primes(8).map((p) => Number(fracRoot(p, 2n, 32n)));
export const SHA512_K: readonly bigint[] = primes(80).map((p) => fracRoot(p, 3n, 64n));
export const SHA512_IV: readonly bigint[] = primes(8).map((p) => fracRoot(p, 2n, 64n));
export const MD5_T: readonly number[] = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);
export const SHA1_K: readonly number[] = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6];
export const CHACHA_SIGMA: readonly number[] = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
export const KECCAK_RC: readonly bigint[] = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n, 0x000000000000808bn, 0x0000000080000001n,
  0x8000000080008081n, 0x8000000000008009n, 0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n,
  0x000000000000800an, 0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];

/** AES's S-box, from its definition (multiplicative inverse in GF(2^8), then the affine map). */
export const AES_SBOX: Uint8Array = (() => {
  const sbox = new Uint8Array(256);
  let p = 1;
  let q = 1;
  do {
    p = p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0); // p * 3
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09; // q / 3
    const rot = (x: number, s: number) => ((x << s) | (x >>> (8 - s))) & 0xff;
    sbox[p] = q ^ rot(q, 1) ^ rot(q, 2) ^ rot(q, 3) ^ rot(q, 4) ^ 0x63;
  } while (p !== 1);
  sbox[0] = 0x63;
  return sbox;
})();

const xtime = (b: number) => ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;
/** The first T-table of table-driven AES (OpenSSL's Te0): bytes 2s, s, s, 3s as a big-endian word. */
export const AES_TE0: readonly number[] = Array.from(AES_SBOX, (s) => ((xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s)) >>> 0);

// ---------------------------------------------------------------------------------------------
// Code: constants by value

/** One constant's algorithm and its index among the algorithm's constants (for counting distinct ones). */
export interface ConstantHit {
  algorithm: HashAlgorithm;
  index: number;
  /** an index over all constants (for a "seen" bitmap) */
  id: number;
}

let nextId = 0;
/** 32-bit constants, by their unsigned value. Only values that are not also small or common. */
export const CONSTANTS_32 = new Map<number, ConstantHit>();
/** 64-bit constants: low 32 bits (unsigned) -> [high 32 bits (unsigned), hit] pairs. */
export const CONSTANTS_64 = new Map<number, [number, ConstantHit][]>();

function add32(algorithm: HashAlgorithm, values: readonly number[]): void {
  values.forEach((v, index) => {
    if (v < 0x10000 || CONSTANTS_32.has(v)) return; // small values are everywhere; the first table keeps a shared value
    CONSTANTS_32.set(v >>> 0, { algorithm, index, id: nextId++ });
  });
}
function add64(algorithm: HashAlgorithm, values: readonly bigint[]): void {
  values.forEach((v, index) => {
    if (v < 0x100000000n) return; // fits in 32 bits: as common as small constants
    const lo = Number(v & M32);
    const hi = Number((v >> 32n) & M32);
    const list = CONSTANTS_64.get(lo) ?? [];
    list.push([hi, { algorithm, index, id: nextId++ }]);
    CONSTANTS_64.set(lo, list);
  });
}

add32('sha256', SHA256_K);
add32('sha2-iv', SHA256_IV);
add32('md5', MD5_T);
add32('sha1', SHA1_K);
add32('chacha', CHACHA_SIGMA);
add32('aes', AES_TE0);
add64('sha512', SHA512_K);
add64('sha2-iv', SHA512_IV);
add64('keccak', KECCAK_RC);

/** How many constant ids there are (size of a "seen" bitmap). */
export const CONSTANT_COUNT = nextId;

// ---------------------------------------------------------------------------------------------
// Data: tables by their first bytes

export interface TablePattern {
  algorithm: HashAlgorithm;
  /** what the table is, for messages */
  label: string;
  bytes: Uint8Array;
}

function le32(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v, true));
  return out;
}
function be32(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v, false));
  return out;
}
function le64(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigUint64(i * 8, v & M64, true));
  return out;
}

/** The tables looked for in data segments: 16 to 24 bytes each, specific enough never to occur by chance. */
export const TABLE_PATTERNS: readonly TablePattern[] = [
  { algorithm: 'sha256', label: 'SHA-256 round constant table (K)', bytes: le32(SHA256_K.slice(0, 4)) },
  { algorithm: 'sha256', label: 'SHA-256 round constant table (K, big-endian)', bytes: be32(SHA256_K.slice(0, 4)) },
  { algorithm: 'sha512', label: 'SHA-512 round constant table (K)', bytes: le64(SHA512_K.slice(0, 2)) },
  { algorithm: 'sha2-iv', label: 'SHA-256/BLAKE2s initial values', bytes: le32(SHA256_IV.slice(0, 4)) },
  { algorithm: 'sha2-iv', label: 'SHA-512/BLAKE2b initial values', bytes: le64(SHA512_IV.slice(0, 2)) },
  { algorithm: 'keccak', label: 'Keccak round constant table', bytes: le64(KECCAK_RC.slice(0, 3)) },
  { algorithm: 'aes', label: 'AES S-box', bytes: AES_SBOX.slice(0, 24) },
  { algorithm: 'aes', label: 'AES T-table (Te0)', bytes: le32(AES_TE0.slice(0, 4)) },
  { algorithm: 'aes', label: 'AES T-table (Te0, byte-swapped)', bytes: be32(AES_TE0.slice(0, 4)) },
  { algorithm: 'md5', label: 'MD5 sine table', bytes: le32(MD5_T.slice(0, 4)) },
  { algorithm: 'chacha', label: 'ChaCha/Salsa "expand 32-byte k"', bytes: new TextEncoder().encode('expand 32-byte k') },
];
