/**
 * One signature assessment of a module against a set of trusted key files, shared by the policy rules
 * (signature-missing / -invalid / -untrusted) and cached per byte array, so a check verifies once.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SigningError } from './errors';
import { readPublicKeyFile, type PublicKey } from './keys';
import { isSignatureSection, walkSections } from './sections';
import { listSignatures, verifyModule, type VerifyResult } from './verify';

export type SignatureState =
  /** no wasmsign2 signature (possibly another tool's `signature` section, see `foreignSignatureAt`) */
  | 'absent'
  /** malformed, unknown format, or signed by a trusted key over other content (tampered) */
  | 'invalid'
  /** well-formed, but no signature verifies with a trusted key */
  | 'untrusted'
  /** verified by at least one trusted key */
  | 'trusted';

export interface KeyLoadProblem {
  keyPath: string;
  message: string;
}

export interface SignatureAssessment {
  state: SignatureState;
  /** the verification result (absent when the module has no signature) */
  result?: VerifyResult;
  /** byte range of the embedded signature section, or of the problem */
  range: { start: number; end: number };
  /** trusted key paths, as given, that verified the module */
  trustedBy: string[];
  /** hex key ids found in the signature (for messages) */
  keyIds: string[];
  /** offset of a `signature` section that is not first (another tool's format) */
  foreignSignatureAt?: number;
  keyProblems: KeyLoadProblem[];
  trustedKeyCount: number;
}

interface CachedKey {
  mtimeMs: number;
  size: number;
  key?: PublicKey;
  error?: string;
}
const keyCache = new Map<string, CachedKey>();

/** Loads trusted public keys (paths relative to `policyDir`), with per-file problems instead of exceptions. */
export function loadTrustedKeys(keyPaths: readonly string[], policyDir?: string): { keys: PublicKey[]; paths: string[]; problems: KeyLoadProblem[] } {
  const keys: PublicKey[] = [];
  const paths: string[] = [];
  const problems: KeyLoadProblem[] = [];
  for (const keyPath of keyPaths) {
    if (!path.isAbsolute(keyPath) && policyDir === undefined) {
      problems.push({ keyPath, message: 'relative key path but the policy folder is unknown' });
      continue;
    }
    const full = path.resolve(policyDir ?? '', keyPath);
    let st: fs.Stats;
    try {
      st = fs.statSync(full);
    } catch {
      problems.push({ keyPath, message: 'key file not found' });
      continue;
    }
    let cached = keyCache.get(full);
    if (!cached || cached.mtimeMs !== st.mtimeMs || cached.size !== st.size) {
      try {
        cached = { mtimeMs: st.mtimeMs, size: st.size, key: readPublicKeyFile(full) };
      } catch (e) {
        cached = { mtimeMs: st.mtimeMs, size: st.size, error: e instanceof SigningError ? e.message : 'unreadable key file' };
      }
      keyCache.set(full, cached);
    }
    if (cached.key) {
      keys.push(cached.key);
      paths.push(keyPath);
    } else {
      problems.push({ keyPath, message: cached.error ?? 'unreadable key file' });
    }
  }
  return { keys, paths, problems };
}

const cache = new WeakMap<Uint8Array, Map<string, SignatureAssessment>>();

export function assessSignature(bytes: Uint8Array, trustedKeyPaths: readonly string[], policyDir?: string): SignatureAssessment {
  const { keys, paths, problems } = loadTrustedKeys(trustedKeyPaths, policyDir);
  const cacheKey = JSON.stringify([policyDir ?? null, paths, keys.map((k) => Buffer.from(k.raw).toString('hex'))]);
  let perBytes = cache.get(bytes);
  const hit = perBytes?.get(cacheKey);
  if (hit) return { ...hit, keyProblems: problems };

  const head = { start: 0, end: Math.min(bytes.length, 8) };
  let range = head;
  let foreignSignatureAt: number | undefined;
  try {
    const { sections } = walkSections(bytes);
    const first = sections[0];
    if (first && isSignatureSection(first)) range = { start: first.offset, end: first.end };
    const foreign = sections.find((s, i) => i > 0 && isSignatureSection(s));
    foreignSignatureAt = foreign?.offset;
  } catch {
    /* verifyModule reports it */
  }
  const result = verifyModule(bytes, keys);
  let state: SignatureState;
  if (result.valid) state = 'trusted';
  else if (result.reason === 'no-signature' || result.reason === 'signature-not-first') state = 'absent';
  else if (result.reason === 'wrong-key') state = 'untrusted';
  else state = 'invalid';
  if (state === 'invalid' && result.offset !== undefined && result.reason !== 'tampered') {
    range = { start: result.offset, end: Math.min(bytes.length, result.offset + 1) };
  }
  const listing = state === 'absent' ? undefined : listSignatures(bytes);
  const keyIds = [...new Set(listing?.entries.flatMap((e) => e.signatures.map((s) => s.keyId)).filter((k) => k) ?? [])];
  const assessment: SignatureAssessment = {
    state,
    result: state === 'absent' ? undefined : result,
    range,
    trustedBy: result.validKeyIndices.map((i) => paths[i]),
    keyIds,
    foreignSignatureAt,
    keyProblems: problems,
    trustedKeyCount: keys.length,
  };
  if (!perBytes) cache.set(bytes, (perBytes = new Map()));
  perBytes.set(cacheKey, assessment);
  return assessment;
}

export function sha256Hex(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
