/**
 * The payload of a `signature` custom section (also the whole content of a detached signature file),
 * as wasmsign2 writes it. See the format description: version, content type, hash function, then
 * signed-hashes entries, each length-prefixed, each holding hashes and length-prefixed signatures.
 */
import { SigningError } from './errors';
import { concatBytes, encodeU32, readU32 } from './sections';

export const SPEC_VERSION = 0x01;
export const CONTENT_TYPE_MODULE = 0x01;
export const HASH_SHA256 = 0x01;
export const ALG_ED25519 = 0x01;
export const HASH_LEN = 32;
export const ED25519_SIG_LEN = 64;
export const MAX_HASHES = 64;
export const MAX_SIGNED_HASHES = 64;
export const MAX_SIGNATURES = 256;
/**
 * Largest signature payload read (an embedded `signature` section's content, or a detached signature file):
 * the largest the format's counts allow with 12-byte key ids is about 1.5 MB (64 entries of 64 hashes and
 * 256 signatures), so 4 MiB leaves room for long key ids and refuses a hostile file before it is read.
 */
export const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;
/** Key ids longer than this are shown (hex) cut to this many bytes; wasmsign2's default ids have 12. */
export const MAX_SHOWN_KEY_ID_BYTES = 64;
const DOMAIN = new TextEncoder().encode('wasmsig');

export interface SignatureForHashes {
  /** may be empty */
  keyId: Uint8Array;
  algId: number;
  signature: Uint8Array;
  /** byte offset of this entry's length prefix */
  offset: number;
}

export interface SignedHashes {
  hashes: Uint8Array[];
  signatures: SignatureForHashes[];
  offset: number;
}

export interface SignatureData {
  specVersion: number;
  contentType: number;
  hashFn: number;
  signedHashes: SignedHashes[];
}

/** The message that each Ed25519 signature covers. */
export function signedMessage(hashes: readonly Uint8Array[]): Uint8Array {
  return concatBytes([DOMAIN, Uint8Array.of(SPEC_VERSION, CONTENT_TYPE_MODULE, HASH_SHA256), ...hashes]);
}

/**
 * Decodes a signature payload. `base` is added to every reported offset (the payload's offset in
 * the file). Strict: lengths must match exactly, counts are bounded, nothing is allocated from an
 * unchecked length. Signatures with an unknown algorithm are kept (algId tells) but never verified.
 */
export function decodeSignatureData(payload: Uint8Array, base = 0): SignatureData {
  const len = payload.length;
  const at = (p: number) => base + p;
  if (len > MAX_SIGNATURE_BYTES) {
    throw new SigningError('malformed', `${len} bytes of signature data, at most ${MAX_SIGNATURE_BYTES} (4 MiB) are read`, base);
  }
  const u32 = (p: number, limit: number, what: string) => {
    try {
      return readU32(payload, p, limit, what);
    } catch (e) {
      if (e instanceof SigningError) throw new SigningError('malformed', `truncated or oversized ${what}`, at(p));
      throw e;
    }
  };
  // one byte each, as wasmsign2 reads them (a value of 0x80 or more is not a supported format either)
  const header = (p: number, what: string, expected: number) => {
    if (p >= len) throw new SigningError('malformed', `truncated ${what}`, at(p));
    if (payload[p] !== expected) {
      throw new SigningError('unknown-format', `unsupported ${what} ${payload[p]} (expected ${expected})`, at(p));
    }
    return p + 1;
  };
  let p = header(0, 'signature spec version', SPEC_VERSION);
  p = header(p, 'content type', CONTENT_TYPE_MODULE);
  p = header(p, 'hash function', HASH_SHA256);
  const count = u32(p, len, 'signed hashes count');
  if (count.value > MAX_SIGNED_HASHES) {
    throw new SigningError('malformed', `${count.value} signed-hashes entries, at most ${MAX_SIGNED_HASHES} allowed`, at(p));
  }
  p = count.next;
  const signedHashes: SignedHashes[] = [];
  for (let i = 0; i < count.value; i++) {
    const entryOffset = p;
    const l = u32(p, len, `length of signed-hashes entry ${i}`);
    const end = l.next + l.value;
    if (end > len) throw new SigningError('malformed', `signed-hashes entry ${i} declares ${l.value} bytes, only ${len - l.next} remain`, at(p));
    p = l.next;
    const hc = u32(p, end, `hash count of entry ${i}`);
    if (hc.value > MAX_HASHES) throw new SigningError('malformed', `${hc.value} hashes in entry ${i}, at most ${MAX_HASHES} allowed`, at(p));
    p = hc.next;
    if (p + hc.value * HASH_LEN > end) throw new SigningError('malformed', `entry ${i}: ${hc.value} hashes do not fit in the entry`, at(p));
    const hashes: Uint8Array[] = [];
    for (let h = 0; h < hc.value; h++, p += HASH_LEN) hashes.push(payload.slice(p, p + HASH_LEN));
    const sc = u32(p, end, `signature count of entry ${i}`);
    if (sc.value > MAX_SIGNATURES) throw new SigningError('malformed', `${sc.value} signatures in entry ${i}, at most ${MAX_SIGNATURES} allowed`, at(p));
    p = sc.next;
    const signatures: SignatureForHashes[] = [];
    for (let s = 0; s < sc.value; s++) {
      const sigOffset = p;
      const sl = u32(p, end, `length of signature ${s} of entry ${i}`);
      const sEnd = sl.next + sl.value;
      if (sEnd > end) throw new SigningError('malformed', `signature ${s} of entry ${i} declares ${sl.value} bytes, only ${end - sl.next} remain`, at(p));
      p = sl.next;
      const kl = u32(p, sEnd, `key id length of signature ${s}`);
      p = kl.next;
      if (p + kl.value + 1 > sEnd) throw new SigningError('malformed', `key id of signature ${s} of entry ${i} runs past the signature`, at(p));
      const keyId = payload.slice(p, p + kl.value);
      p += kl.value;
      const algId = payload[p++];
      const gl = u32(p, sEnd, `signature length of signature ${s}`);
      p = gl.next;
      if (p + gl.value !== sEnd) {
        throw new SigningError('malformed', `signature ${s} of entry ${i}: ${gl.value} signature bytes do not match the entry length`, at(p));
      }
      if (algId === ALG_ED25519 && gl.value !== ED25519_SIG_LEN) {
        throw new SigningError('malformed', `Ed25519 signature ${s} of entry ${i} has ${gl.value} bytes, expected 64`, at(p));
      }
      signatures.push({ keyId, algId, signature: payload.slice(p, sEnd), offset: at(sigOffset) });
      p = sEnd;
    }
    if (p !== end) throw new SigningError('malformed', `signed-hashes entry ${i} has ${end - p} unexpected trailing bytes`, at(p));
    signedHashes.push({ hashes, signatures, offset: at(entryOffset) });
  }
  if (p !== len) throw new SigningError('malformed', `${len - p} unexpected bytes after the signature data`, at(p));
  return { specVersion: SPEC_VERSION, contentType: CONTENT_TYPE_MODULE, hashFn: HASH_SHA256, signedHashes };
}

function withLength(bytes: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from(encodeU32(bytes.length)), bytes]);
}

export function encodeSignatureData(data: Pick<SignatureData, 'signedHashes'>): Uint8Array {
  if (data.signedHashes.length > MAX_SIGNED_HASHES) {
    throw new SigningError('malformed', `at most ${MAX_SIGNED_HASHES} signed-hashes entries can be written`);
  }
  const entries = data.signedHashes.map((entry, i) => {
    if (entry.hashes.length > MAX_HASHES) throw new SigningError('malformed', `entry ${i}: at most ${MAX_HASHES} hashes can be written`);
    if (entry.signatures.length > MAX_SIGNATURES) throw new SigningError('malformed', `entry ${i}: at most ${MAX_SIGNATURES} signatures can be written`);
    for (const h of entry.hashes) if (h.length !== HASH_LEN) throw new SigningError('malformed', `entry ${i}: a hash is not 32 bytes`);
    const sigs = entry.signatures.map((s) =>
      withLength(
        concatBytes([
          Uint8Array.from(encodeU32(s.keyId.length)),
          s.keyId,
          Uint8Array.of(s.algId),
          Uint8Array.from(encodeU32(s.signature.length)),
          s.signature,
        ]),
      ),
    );
    return withLength(
      concatBytes([Uint8Array.from(encodeU32(entry.hashes.length)), ...entry.hashes, Uint8Array.from(encodeU32(sigs.length)), ...sigs]),
    );
  });
  return concatBytes([
    Uint8Array.of(SPEC_VERSION, CONTENT_TYPE_MODULE, HASH_SHA256),
    Uint8Array.from(encodeU32(entries.length)),
    ...entries,
  ]);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** A key id as shown to users: hex, cut after MAX_SHOWN_KEY_ID_BYTES bytes with the full length said. */
export function keyIdText(keyId: Uint8Array): string {
  if (keyId.length <= MAX_SHOWN_KEY_ID_BYTES) return toHex(keyId);
  return `${toHex(keyId.subarray(0, MAX_SHOWN_KEY_ID_BYTES))}... (${keyId.length} bytes)`;
}
