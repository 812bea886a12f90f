/**
 * Verification, wasmsign2-compatible, with a stable reason code on failure.
 */
import * as crypto from 'node:crypto';
import { SigningError } from './errors';
import { ALG_ED25519, decodeSignatureData, SignatureData, signedMessage, toHex } from './format';
import { hashModule, ModuleHashes } from './hashing';
import { defaultKeyId, type PublicKey } from './keys';
import { isSignatureSection, walkSections } from './sections';

export type VerifyFailureReason = 'no-signature' | 'unknown-format' | 'signature-not-first' | 'tampered' | 'wrong-key' | 'malformed';

export interface VerifiedSignature {
  /** index into the publicKeys argument */
  keyIndex: number;
  /** hex key id stored with the signature ('' when none) */
  keyId: string;
  /** index of the signed-hashes entry */
  entryIndex: number;
  /** index of the signature within its entry */
  signatureIndex: number;
  /** hex hashes this signature covers */
  hashes: string[];
}

export interface VerifiedPart {
  start: number;
  end: number;
  hash: string;
  delimited: boolean;
  verified: boolean;
  /** indices into publicKeys whose signature covers this part */
  keyIndices: number[];
}

export interface VerifyResult {
  valid: boolean;
  reason?: VerifyFailureReason;
  message: string;
  /** byte offset of the problem: into the module, or into the detached signature when `inDetached` */
  offset?: number;
  inDetached?: boolean;
  /** keys (indices into publicKeys) whose signature covers the verified module (or every verified part) */
  validKeyIndices: number[];
  /** every signature that verified against a given key (whether or not its hashes match the module) */
  signatures: VerifiedSignature[];
  /** per-part hashes and status (computed whenever the module could be hashed) */
  parts: VerifiedPart[];
  /** hex hash of all signed bytes */
  moduleHash?: string;
}

export interface VerifyOptions {
  detachedSignature?: Uint8Array;
  /** accept a module whose delimited parts all verify even if sections were added after the last one */
  splitParts?: boolean;
}

function fail(reason: VerifyFailureReason, message: string, extra: Partial<VerifyResult> = {}): VerifyResult {
  return { valid: false, reason, message, validKeyIndices: [], signatures: [], parts: [], ...extra };
}

/** At most this many Ed25519 checks per verification: a hostile section cannot make verification slow. */
export const MAX_SIGNATURE_CHECKS = 1024;

/**
 * The keys each signature is checked with: a signature whose key id equals given keys' ids is checked
 * with those keys only; one without a key id, or with an id no key has, is checked with every key
 * (the key id is only a hint). Throws SigningError('malformed') past MAX_SIGNATURE_CHECKS.
 */
function checkPlan(data: SignatureData, publicKeys: readonly PublicKey[]): { entryIndex: number; sigIndex: number; keyIndices: number[] }[] {
  const ids = publicKeys.map((k) => toHex(k.keyId));
  const all = publicKeys.map((_, i) => i);
  const plan: { entryIndex: number; sigIndex: number; keyIndices: number[] }[] = [];
  let total = 0;
  data.signedHashes.forEach((entry, entryIndex) => {
    entry.signatures.forEach((sig, sigIndex) => {
      if (sig.algId !== ALG_ED25519 || publicKeys.length === 0) return;
      const id = toHex(sig.keyId);
      const matching = id ? all.filter((i) => ids[i] === id) : [];
      const keyIndices = matching.length ? matching : all;
      total += keyIndices.length;
      if (total > MAX_SIGNATURE_CHECKS) {
        throw new SigningError('malformed', `the signature section needs more than ${MAX_SIGNATURE_CHECKS} signature checks with ${publicKeys.length} key(s); refusing`, sig.offset);
      }
      plan.push({ entryIndex, sigIndex, keyIndices });
    });
  });
  return plan;
}

/**
 * Results of Ed25519 checks, keyed by SHA-256(message || signature || public key): an editor re-verifies
 * the same signature section on every change of the module, and the answer depends only on those bytes.
 */
const checkCache = new Map<string, boolean>();
const CHECK_CACHE_SIZE = 2048;

function ed25519Verify(msg: Uint8Array, key: PublicKey, signature: Uint8Array): boolean {
  const id = crypto.createHash('sha256').update(msg).update(signature).update(key.raw).digest('base64');
  const cached = checkCache.get(id);
  if (cached !== undefined) return cached;
  let ok: boolean;
  try {
    ok = crypto.verify(null, msg, key.keyObject, signature);
  } catch {
    ok = false;
  }
  if (checkCache.size >= CHECK_CACHE_SIZE) checkCache.delete(checkCache.keys().next().value!);
  checkCache.set(id, ok);
  return ok;
}

/** Which key/signature pairs verify, per signed-hashes entry (see checkPlan for which keys are tried). */
export function verifiedSignatures(data: SignatureData, publicKeys: readonly PublicKey[]): VerifiedSignature[] {
  const out: VerifiedSignature[] = [];
  const messages = data.signedHashes.map((e) => signedMessage(e.hashes));
  for (const { entryIndex, sigIndex, keyIndices } of checkPlan(data, publicKeys)) {
    const entry = data.signedHashes[entryIndex];
    const sig = entry.signatures[sigIndex];
    for (const keyIndex of keyIndices) {
      if (ed25519Verify(messages[entryIndex], publicKeys[keyIndex], sig.signature)) {
        out.push({ keyIndex, keyId: toHex(sig.keyId), entryIndex, signatureIndex: sigIndex, hashes: entry.hashes.map(toHex) });
      }
    }
  }
  return out;
}

export function verifyModule(bytes: Uint8Array, publicKeys: readonly PublicKey[], options: VerifyOptions = {}): VerifyResult {
  let hashed: ModuleHashes;
  let layout;
  try {
    layout = walkSections(bytes);
  } catch (e) {
    if (e instanceof SigningError) return fail('malformed', e.message, { offset: e.offset });
    throw e;
  }
  const detached = options.detachedSignature;
  const first = layout.sections[0];
  const embedded = first && isSignatureSection(first) ? first : undefined;
  if (!detached && !embedded) {
    const elsewhere = layout.sections.find(isSignatureSection);
    if (elsewhere) {
      return fail('signature-not-first', 'a "signature" section exists but is not the first section: not a wasmsign2 signature (another tool, e.g. wasm-sign, puts one at the end)', { offset: elsewhere.offset });
    }
    return fail('no-signature', 'the module has no signature');
  }
  try {
    hashed = hashModule(bytes, layout);
  } catch (e) {
    if (e instanceof SigningError) return fail(e.code === 'signature-not-first' ? 'signature-not-first' : 'malformed', e.message, { offset: e.offset });
    throw e;
  }
  const payload = detached ?? bytes.subarray(embedded!.contentOffset!, embedded!.end);
  const base = detached ? 0 : embedded!.contentOffset!;
  let data: SignatureData;
  try {
    data = decodeSignatureData(payload, base);
  } catch (e) {
    if (e instanceof SigningError) {
      const reason = e.code === 'unknown-format' ? 'unknown-format' : 'malformed';
      return fail(reason, `${detached ? 'detached signature' : 'signature section'}: ${e.message}`, { offset: e.offset, inDetached: !!detached });
    }
    throw e;
  }
  const moduleHash = toHex(hashed.fullHash);
  let sigs: VerifiedSignature[];
  try {
    sigs = verifiedSignatures(data, publicKeys);
  } catch (e) {
    if (e instanceof SigningError) return fail('malformed', e.message, { offset: e.offset, inDetached: !!detached, moduleHash });
    throw e;
  }
  const hashKeys = new Map<string, Set<number>>();
  for (const s of sigs) {
    for (const h of s.hashes) {
      let set = hashKeys.get(h);
      if (!set) hashKeys.set(h, (set = new Set()));
      set.add(s.keyIndex);
    }
  }
  const parts: VerifiedPart[] = hashed.parts.map((p) => {
    const hash = toHex(p.hash);
    const keys = [...(hashKeys.get(hash) ?? [])].sort((a, b) => a - b);
    return { start: p.start, end: p.end, hash, delimited: p.delimited, verified: keys.length > 0, keyIndices: keys };
  });
  const common = { signatures: sigs, parts, moduleHash };
  const total = data.signedHashes.reduce((n, e) => n + e.signatures.length, 0);
  if (sigs.length === 0) {
    const why = publicKeys.length === 0 ? 'no public key was given' : total === 0 ? 'the signature section holds no signatures' : `none of its ${total} signature(s) verifies with the given key(s)`;
    return fail('wrong-key', `signed, but ${why}`, common);
  }
  if (!options.splitParts) {
    const keys = [...(hashKeys.get(moduleHash) ?? [])].sort((a, b) => a - b);
    if (keys.length === 0) {
      return fail('tampered', 'the module does not match any signed hash: it was modified after signing', { ...common, offset: hashed.signedStart });
    }
    // keys are numbered from 1 for people (the signatures listing's "key 1"); validKeyIndices stay indexes
    return { valid: true, message: `signature valid (key${keys.length > 1 ? 's' : ''} ${keys.map((k) => k + 1).join(', ')})`, validKeyIndices: keys, ...common };
  }
  const delimited = parts.filter((p) => p.delimited);
  const required = delimited.length > 0 ? delimited : parts;
  const bad = required.find((p) => !p.verified);
  if (bad) {
    return fail('tampered', `part [${bad.start}, ${bad.end}) does not match any signed hash`, { ...common, offset: bad.start });
  }
  let keys = new Set(required[0].keyIndices);
  for (const p of required) keys = new Set(p.keyIndices.filter((k) => keys.has(k)));
  const verifiedCount = parts.filter((p) => p.verified).length;
  return {
    valid: true,
    message: `${verifiedCount} of ${parts.length} part(s) verified${verifiedCount < parts.length ? '; bytes after the last signed part are not covered' : ''}`,
    validKeyIndices: [...keys].sort((a, b) => a - b),
    ...common,
  };
}

export interface ListedSignature {
  keyId: string;
  algId: number;
  alg: 'ed25519' | 'unknown';
  /** byte offset of the signature entry (module, or detached file) */
  offset: number;
  /** indices into trustedKeys whose key verifies this signature over its entry's hashes */
  trustedKeyIndices: number[];
  /** index of the trusted key whose default key id equals keyId, when any (a hint only) */
  keyIdMatch?: number;
}

export interface ListedEntry {
  hashes: string[];
  hashCount: number;
  offset: number;
  signatures: ListedSignature[];
}

export interface SignatureListing {
  present: boolean;
  embedded: boolean;
  error?: { reason: VerifyFailureReason; message: string; offset?: number };
  entries: ListedEntry[];
}

/** For a "show signatures" panel: what the signature section holds, matched against trusted keys. */
export function listSignatures(bytes: Uint8Array, trustedKeys: readonly PublicKey[] = [], detachedSignature?: Uint8Array): SignatureListing {
  let payload: Uint8Array;
  let base = 0;
  let embedded = false;
  try {
    const { sections } = walkSections(bytes);
    const first = sections[0];
    if (detachedSignature) {
      payload = detachedSignature;
    } else if (first && isSignatureSection(first)) {
      payload = bytes.subarray(first.contentOffset!, first.end);
      base = first.contentOffset!;
      embedded = true;
    } else {
      const other = sections.find(isSignatureSection);
      return other
        ? { present: false, embedded: false, entries: [], error: { reason: 'signature-not-first', message: 'a "signature" section that is not first (not this format)', offset: other.offset } }
        : { present: false, embedded: false, entries: [] };
    }
  } catch (e) {
    if (e instanceof SigningError) return { present: false, embedded: false, entries: [], error: { reason: 'malformed', message: e.message, offset: e.offset } };
    throw e;
  }
  let data: SignatureData;
  try {
    data = decodeSignatureData(payload, base);
  } catch (e) {
    if (e instanceof SigningError) {
      return { present: true, embedded, entries: [], error: { reason: e.code === 'unknown-format' ? 'unknown-format' : 'malformed', message: e.message, offset: e.offset } };
    }
    throw e;
  }
  const ids = trustedKeys.map((k) => toHex(k.keyId ?? defaultKeyId(k.raw)));
  let verified: VerifiedSignature[] = [];
  let error: SignatureListing['error'];
  try {
    verified = verifiedSignatures(data, trustedKeys);
  } catch (e) {
    if (!(e instanceof SigningError)) throw e;
    error = { reason: 'malformed', message: e.message, offset: e.offset };
  }
  const entries = data.signedHashes.map((entry, entryIndex) => ({
    hashes: entry.hashes.map(toHex),
    hashCount: entry.hashes.length,
    offset: entry.offset,
    signatures: entry.signatures.map((s, signatureIndex) => {
      const keyId = toHex(s.keyId);
      const idx = keyId ? ids.indexOf(keyId) : -1;
      return {
        keyId,
        algId: s.algId,
        alg: s.algId === ALG_ED25519 ? ('ed25519' as const) : ('unknown' as const),
        offset: s.offset,
        trustedKeyIndices: verified.filter((v) => v.entryIndex === entryIndex && v.signatureIndex === signatureIndex).map((v) => v.keyIndex),
        ...(idx >= 0 ? { keyIdMatch: idx } : {}),
      };
    }),
  }));
  if (error) return { present: true, embedded, entries, error };
  return { present: true, embedded, entries };
}
