/**
 * Verification, wasmsign2-compatible, with a stable reason code on failure.
 *
 * Embedded signatures cover every section after the leading `signature` section; detached ones every byte
 * after the preamble (a `signature` section in the module included, as wasmsign2 hashes it). Key ids are
 * not covered by the signature: a key that declares one refuses signatures carrying another, and every
 * verified signature says whether its key id is verified (see KeyIdStatus).
 */
import * as crypto from 'node:crypto';
import { SigningError } from './errors';
import { ALG_ED25519, decodeSignatureData, keyIdText, SignatureData, signedMessage, toHex } from './format';
import { hashModule, misplacedSignatureError, ModuleHashes } from './hashing';
import { type PublicKey } from './keys';
import { leadingSignatureSection } from './sections';

export type VerifyFailureReason = 'no-signature' | 'unknown-format' | 'signature-not-first' | 'tampered' | 'wrong-key' | 'key-id-mismatch' | 'malformed';

/** How far a signature's key id can be relied on: wasmsign2's format does not sign it. */
export type KeyIdStatus =
  /** the key declares a key id and the signature carries the same one */
  | 'verified'
  /** the signature carries a key id but the key declares none: nothing vouches for it */
  | 'unverified'
  /** the signature carries no key id */
  | 'none'
  /** the key declares a key id and the signature carries another one: the signature is refused */
  | 'mismatch';

export interface VerifiedSignature {
  /** index into the publicKeys argument */
  keyIndex: number;
  /** hex key id stored with the signature ('' when none; cut when very long, see keyIdText) */
  keyId: string;
  keyIdStatus: KeyIdStatus;
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
  /** signatures that verify with a key but were refused because the key declares another key id */
  refused: VerifiedSignature[];
  /** the signatures that make the module valid (a subset of `signatures`; empty when not valid) */
  accepted: VerifiedSignature[];
  /** when valid: says which accepted key ids are unverified (see unverifiedKeyIdNote); absent when none is */
  keyIdNote?: string;
  /** per-part hashes and status (computed whenever the module could be hashed) */
  parts: VerifiedPart[];
  /** hex hash of all signed bytes */
  moduleHash?: string;
  /** the embedded (leading) signature section's byte range, when there is one */
  signatureSection?: { start: number; end: number };
  /** offset of a `signature` section that is not the leading one (see ModuleHashes.otherSignatureAt) */
  otherSignatureAt?: number;
  /** the distinct non-empty key ids the signature carries (hex, see keyIdText); hints, never verified by themselves */
  keyIds: string[];
}

export interface VerifyOptions {
  detachedSignature?: Uint8Array;
  /** accept a module whose delimited parts all verify even if sections were added after the last one */
  splitParts?: boolean;
}

function fail(reason: VerifyFailureReason, message: string, extra: Partial<VerifyResult> = {}): VerifyResult {
  return { valid: false, reason, message, validKeyIndices: [], signatures: [], refused: [], accepted: [], parts: [], keyIds: [], ...extra };
}

/** At most this many Ed25519 checks per verification: a hostile section cannot make verification slow. */
export const MAX_SIGNATURE_CHECKS = 1024;

interface PlannedCheck {
  entryIndex: number;
  sigIndex: number;
  keyIndex: number;
  status: KeyIdStatus;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The key/signature pairs to check. A signature without a key id is checked with every key. One with a
 * key id is checked with the keys that declare that id ('verified') and with the keys that declare none
 * ('unverified': the id is a hint, so only those whose default id equals it, or all of them when none
 * does). Keys that declare another id are `refused`: checked after the rest, only to explain a failure.
 * Throws SigningError('malformed') when the checks that can validate exceed MAX_SIGNATURE_CHECKS.
 */
function checkPlan(data: SignatureData, publicKeys: readonly PublicKey[]): { checks: PlannedCheck[]; refused: PlannedCheck[] } {
  const declared = new Map<string, number[]>();
  const byDefaultId = new Map<string, number[]>();
  const undeclared: number[] = [];
  const withDeclared: number[] = [];
  publicKeys.forEach((k, i) => {
    if (k.declaredKeyId) {
      pushTo(declared, toHex(k.declaredKeyId), i);
      withDeclared.push(i);
    } else {
      pushTo(byDefaultId, toHex(k.keyId), i);
      undeclared.push(i);
    }
  });
  const all = publicKeys.map((_, i) => i);
  const checks: PlannedCheck[] = [];
  const refused: PlannedCheck[] = [];
  data.signedHashes.forEach((entry, entryIndex) => {
    entry.signatures.forEach((sig, sigIndex) => {
      if (sig.algId !== ALG_ED25519 || publicKeys.length === 0) return;
      const add = (keys: readonly number[], status: KeyIdStatus, to: PlannedCheck[]) => {
        for (const keyIndex of keys) to.push({ entryIndex, sigIndex, keyIndex, status });
        if (to === checks && checks.length > MAX_SIGNATURE_CHECKS) {
          throw new SigningError('malformed', `the signature section needs more than ${MAX_SIGNATURE_CHECKS} signature checks with ${publicKeys.length} key(s); refusing`, sig.offset);
        }
      };
      if (sig.keyId.length === 0) return add(all, 'none', checks);
      const id = toHex(sig.keyId);
      const declaring = declared.get(id) ?? [];
      add(declaring, 'verified', checks);
      add(byDefaultId.get(id) ?? undeclared, 'unverified', checks);
      if (refused.length < MAX_SIGNATURE_CHECKS) add(declaring.length === withDeclared.length ? [] : withDeclared.filter((k) => !declaring.includes(k)), 'mismatch', refused);
    });
  });
  return { checks, refused };
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

/**
 * Which key/signature pairs verify (see checkPlan for which keys are tried), and which verify but are
 * refused for their key id (checked only while no signature verified, within MAX_SIGNATURE_CHECKS).
 */
export function verifiedSignatures(data: SignatureData, publicKeys: readonly PublicKey[]): { verified: VerifiedSignature[]; refused: VerifiedSignature[] } {
  const messages = data.signedHashes.map((e) => signedMessage(e.hashes));
  const { checks, refused: toExplain } = checkPlan(data, publicKeys);
  const run = (list: PlannedCheck[]) => {
    const out: VerifiedSignature[] = [];
    for (const { entryIndex, sigIndex, keyIndex, status } of list) {
      const entry = data.signedHashes[entryIndex];
      const sig = entry.signatures[sigIndex];
      if (ed25519Verify(messages[entryIndex], publicKeys[keyIndex], sig.signature)) {
        out.push({ keyIndex, keyId: keyIdText(sig.keyId), keyIdStatus: status, entryIndex, signatureIndex: sigIndex, hashes: entry.hashes.map(toHex) });
      }
    }
    return out;
  };
  const verified = run(checks);
  const refused = verified.length === 0 ? run(toExplain.slice(0, MAX_SIGNATURE_CHECKS - checks.length)) : [];
  return { verified, refused };
}

/** "key id X is unverified..." for the accepted signatures whose key id nothing vouches for. */
export function unverifiedKeyIdNote(accepted: readonly VerifiedSignature[]): string | undefined {
  const ids = [...new Set(accepted.filter((s) => s.keyIdStatus === 'unverified').map((s) => s.keyId))];
  if (ids.length === 0) return undefined;
  return `key id${ids.length > 1 ? 's' : ''} ${ids.join(', ')} ${ids.length > 1 ? 'are' : 'is'} unverified: key ids are not covered by the signature (declare the expected key id to require it)`;
}

function refusedMessage(refused: readonly VerifiedSignature[], publicKeys: readonly PublicKey[]): string {
  const r = refused[0];
  const expected = keyIdText(publicKeys[r.keyIndex].declaredKeyId!);
  return (
    `signature ${r.signatureIndex} of entry ${r.entryIndex} verifies with key ${r.keyIndex + 1}, but carries ${r.keyId ? `key id ${r.keyId}` : 'no key id'} ` +
    `where the key declares ${expected}: refused (key ids are not signed, so it was changed after signing or the signer used another id)`
  );
}

export function verifyModule(bytes: Uint8Array, publicKeys: readonly PublicKey[], options: VerifyOptions = {}): VerifyResult {
  const detached = options.detachedSignature;
  let hashed: ModuleHashes;
  try {
    hashed = hashModule(bytes, { detached: !!detached });
  } catch (e) {
    if (e instanceof SigningError) return fail('malformed', e.message, { offset: e.offset });
    throw e;
  }
  const embedded = hashed.signatureSection;
  const layout = {
    ...(embedded && { signatureSection: { start: embedded.offset, end: embedded.end } }),
    ...(hashed.otherSignatureAt !== undefined && { otherSignatureAt: hashed.otherSignatureAt }),
  };
  if (!detached) {
    if (!embedded && hashed.otherSignatureAt !== undefined) {
      return fail('signature-not-first', 'a "signature" section exists but is not the first section: not a wasmsign2 signature (another tool, e.g. wasm-sign, puts one at the end)', {
        offset: hashed.otherSignatureAt,
        ...layout,
      });
    }
    if (!embedded) return fail('no-signature', 'the module has no signature');
    const misplaced = misplacedSignatureError(hashed);
    if (misplaced) return fail('signature-not-first', misplaced.message, { offset: misplaced.offset, ...layout });
  }
  const payload = detached ?? bytes.subarray(embedded!.contentOffset, embedded!.end);
  const base = detached ? 0 : embedded!.contentOffset;
  let data: SignatureData;
  try {
    data = decodeSignatureData(payload, base);
  } catch (e) {
    if (e instanceof SigningError) {
      const reason = e.code === 'unknown-format' ? 'unknown-format' : 'malformed';
      return fail(reason, `${detached ? 'detached signature' : 'signature section'}: ${e.message}`, { offset: e.offset, inDetached: !!detached, ...layout });
    }
    throw e;
  }
  const moduleHash = toHex(hashed.fullHash);
  const keyIdSet = new Set<string>();
  for (const e of data.signedHashes) for (const s of e.signatures) if (s.keyId.length) keyIdSet.add(keyIdText(s.keyId));
  const keyIds = [...keyIdSet];
  let sigs: VerifiedSignature[];
  let refused: VerifiedSignature[];
  try {
    ({ verified: sigs, refused } = verifiedSignatures(data, publicKeys));
  } catch (e) {
    if (e instanceof SigningError) return fail('malformed', e.message, { offset: e.offset, inDetached: !!detached, moduleHash, keyIds, ...layout });
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
  const common = { signatures: sigs, refused, parts, moduleHash, keyIds, ...layout };
  const total = data.signedHashes.reduce((n, e) => n + e.signatures.length, 0);
  if (sigs.length === 0) {
    if (refused.length > 0) return fail('key-id-mismatch', refusedMessage(refused, publicKeys), { ...common, offset: data.signedHashes[refused[0].entryIndex].signatures[refused[0].signatureIndex].offset, inDetached: !!detached });
    const why = publicKeys.length === 0 ? 'no public key was given' : total === 0 ? 'the signature section holds no signatures' : `none of its ${total} signature(s) verifies with the given key(s)`;
    return fail('wrong-key', `signed, but ${why}`, common);
  }
  const withNote = (accepted: VerifiedSignature[]) => {
    const keyIdNote = unverifiedKeyIdNote(accepted);
    return keyIdNote ? { keyIdNote } : {};
  };
  if (!options.splitParts) {
    const keys = [...(hashKeys.get(moduleHash) ?? [])].sort((a, b) => a - b);
    if (keys.length === 0) {
      const hint =
        detached && hashed.otherSignatureAt !== undefined
          ? `; note: a detached signature covers every byte after the preamble, including the module's "signature" section at byte ${hashed.otherSignatureAt}`
          : '';
      return fail('tampered', `the module does not match any signed hash: it was modified after signing${hint}`, { ...common, offset: hashed.signedStart });
    }
    const accepted = sigs.filter((s) => s.hashes.includes(moduleHash));
    // keys are numbered from 1 for people (the signatures listing's "key 1"); validKeyIndices stay indexes
    return { valid: true, message: `signature valid (key${keys.length > 1 ? 's' : ''} ${keys.map((k) => k + 1).join(', ')})`, validKeyIndices: keys, accepted, ...withNote(accepted), ...common };
  }
  if (hashed.partsOmitted > 0) {
    return fail('malformed', `the module has more than ${hashed.parts.length} parts (signature_delimiter sections): a signature records at most ${hashed.parts.length} hashes, it cannot be verified by parts`, { ...common, offset: hashed.parts[hashed.parts.length - 1].end });
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
  const requiredHashes = new Set(required.map((p) => p.hash));
  const accepted = sigs.filter((s) => keys.has(s.keyIndex) && s.hashes.some((h) => requiredHashes.has(h)));
  return {
    valid: true,
    message: `${verifiedCount} of ${parts.length} part(s) verified${verifiedCount < parts.length ? '; bytes after the last signed part are not covered' : ''}`,
    validKeyIndices: [...keys].sort((a, b) => a - b),
    accepted,
    ...withNote(accepted),
    ...common,
  };
}

export interface ListedSignature {
  /** hex key id ('' when none; cut when very long, see keyIdText) */
  keyId: string;
  /**
   * Whether the key id is verified: 'verified' only when a trusted key declaring that id verifies the
   * signature; 'mismatch' when a key verifies it but declares another id; 'none' without a key id;
   * otherwise 'unverified' (the format does not sign key ids).
   */
  keyIdStatus: KeyIdStatus;
  algId: number;
  alg: 'ed25519' | 'unknown';
  /** byte offset of the signature entry (module, or detached file) */
  offset: number;
  /** indices into trustedKeys whose key verifies this signature over its entry's hashes */
  trustedKeyIndices: number[];
  /** index of the trusted key whose key id equals keyId, when any (a hint only) */
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
    const { leading, otherAt } = leadingSignatureSection(bytes);
    if (detachedSignature) {
      payload = detachedSignature;
    } else if (leading) {
      payload = bytes.subarray(leading.contentOffset, leading.end);
      base = leading.contentOffset;
      embedded = true;
    } else {
      return otherAt !== undefined
        ? { present: false, embedded: false, entries: [], error: { reason: 'signature-not-first', message: 'a "signature" section that is not first (not this format)', offset: otherAt } }
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
  const idIndex = new Map<string, number>();
  trustedKeys.forEach((k, i) => {
    const id = toHex(k.declaredKeyId ?? k.keyId);
    if (!idIndex.has(id)) idIndex.set(id, i);
  });
  let verified: VerifiedSignature[] = [];
  let refused: VerifiedSignature[] = [];
  let error: SignatureListing['error'];
  try {
    ({ verified, refused } = verifiedSignatures(data, trustedKeys));
  } catch (e) {
    if (!(e instanceof SigningError)) throw e;
    error = { reason: 'malformed', message: e.message, offset: e.offset };
  }
  const bySignature = new Map<string, VerifiedSignature[]>();
  for (const v of [...verified, ...refused]) pushTo(bySignature, `${v.entryIndex}/${v.signatureIndex}`, v);
  const entries = data.signedHashes.map((entry, entryIndex) => ({
    hashes: entry.hashes.map(toHex),
    hashCount: entry.hashes.length,
    offset: entry.offset,
    signatures: entry.signatures.map((s, signatureIndex) => {
      const matches = bySignature.get(`${entryIndex}/${signatureIndex}`) ?? [];
      const accepted = matches.filter((m) => m.keyIdStatus !== 'mismatch');
      const idx = s.keyId.length ? idIndex.get(toHex(s.keyId)) : undefined;
      const keyIdStatus: KeyIdStatus =
        s.keyId.length === 0
          ? 'none'
          : accepted.some((m) => m.keyIdStatus === 'verified')
            ? 'verified'
            : accepted.length === 0 && matches.length > 0
              ? 'mismatch'
              : 'unverified';
      return {
        keyId: keyIdText(s.keyId),
        keyIdStatus,
        algId: s.algId,
        alg: s.algId === ALG_ED25519 ? ('ed25519' as const) : ('unknown' as const),
        offset: s.offset,
        trustedKeyIndices: accepted.map((v) => v.keyIndex),
        ...(idx !== undefined ? { keyIdMatch: idx } : {}),
      };
    }),
  }));
  if (error) return { present: true, embedded, entries, error };
  return { present: true, embedded, entries };
}
