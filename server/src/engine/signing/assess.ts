/**
 * One signature assessment of a module against a set of trusted key files, shared by the policy rules
 * (signature-missing / -invalid / -untrusted) and cached per byte array, so a check verifies once.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SigningError } from './errors';
import { readPublicKeyFile, type PublicKey } from './keys';
import { verifyModule, type VerifyResult } from './verify';

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
  /** the key path as written in the policy (cut when very long); absent for a problem of the whole list */
  keyPath?: string;
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
/** Parsed key files by full path (re-read when mtime or size change); at most KEY_CACHE_SIZE, oldest dropped. */
const keyCache = new Map<string, CachedKey>();
const KEY_CACHE_SIZE = 1024;

/**
 * Trusted key files used from one policy: more is a list no one reviews, and a signature whose key id matches
 * no key (or that has none) is checked with every key: 64 keys keep that under 64 Ed25519 checks.
 */
export const MAX_TRUSTED_KEYS = 64;
/** Longest trusted key path used (PATH_MAX on Linux): a longer one cannot name a file. */
export const MAX_KEY_PATH_LENGTH = 4096;

/** A key path as shown in messages: cut after 200 characters. */
export function shownKeyPath(keyPath: string): string {
  return keyPath.length > 200 ? `${keyPath.slice(0, 200)}... (${keyPath.length} characters)` : keyPath;
}

interface ResolvedKeyPaths {
  /** at most MAX_TRUSTED_KEYS distinct files, in the order first named */
  files: { keyPath: string; full: string }[];
  /** problems of the list itself (paths too long, relative without a folder, files past the limit) */
  problems: KeyLoadProblem[];
}

/** Resolved lists of frozen key path arrays (an effective policy's): a scan resolves each list once, not per module. */
const resolvedLists = new WeakMap<readonly string[], Map<string, ResolvedKeyPaths>>();

function resolveKeyPaths(keyPaths: readonly string[], policyDir?: string): ResolvedKeyPaths {
  const frozen = Object.isFrozen(keyPaths);
  const dirKey = policyDir ?? '\0';
  const hit = frozen ? resolvedLists.get(keyPaths)?.get(dirKey) : undefined;
  if (hit) return hit;
  const files: ResolvedKeyPaths['files'] = [];
  const problems: KeyLoadProblem[] = [];
  const seen = new Set<string>();
  const skipped = new Set<string>();
  for (const keyPath of keyPaths) {
    if (keyPath.length > MAX_KEY_PATH_LENGTH) {
      problems.push({ keyPath: shownKeyPath(keyPath), message: `the key path is ${keyPath.length} characters long, at most ${MAX_KEY_PATH_LENGTH} are used` });
      continue;
    }
    if (!path.isAbsolute(keyPath) && policyDir === undefined) {
      problems.push({ keyPath, message: 'relative key path but the policy folder is unknown' });
      continue;
    }
    const full = path.resolve(policyDir ?? '', keyPath);
    if (seen.has(full)) continue;
    if (seen.size >= MAX_TRUSTED_KEYS) {
      skipped.add(full);
      continue;
    }
    seen.add(full);
    files.push({ keyPath, full });
  }
  if (skipped.size > 0) {
    problems.push({
      message: `the policy lists ${MAX_TRUSTED_KEYS + skipped.size} distinct key files; only the first ${MAX_TRUSTED_KEYS} are used (${skipped.size} ignored)`,
    });
  }
  const resolved = { files, problems };
  if (frozen) {
    let byDir = resolvedLists.get(keyPaths);
    if (!byDir) resolvedLists.set(keyPaths, (byDir = new Map()));
    byDir.set(dirKey, resolved);
  }
  return resolved;
}

/**
 * Loads trusted public keys (paths relative to `policyDir`), with per-file problems instead of exceptions.
 * Paths naming the same file are read once; at most MAX_TRUSTED_KEYS files are used, the rest is reported.
 * Each file is stat'ed and re-read only when its mtime or size changed.
 */
export function loadTrustedKeys(keyPaths: readonly string[], policyDir?: string): { keys: PublicKey[]; paths: string[]; problems: KeyLoadProblem[] } {
  const resolved = resolveKeyPaths(keyPaths, policyDir);
  const keys: PublicKey[] = [];
  const paths: string[] = [];
  const problems: KeyLoadProblem[] = [];
  for (const { keyPath, full } of resolved.files) {
    const cached = loadKey(full);
    if (cached.key) {
      keys.push(cached.key);
      paths.push(keyPath);
    } else {
      problems.push({ keyPath, message: cached.error ?? 'unreadable key file' });
    }
  }
  problems.push(...resolved.problems);
  return { keys, paths, problems };
}

function loadKey(full: string): CachedKey {
  let st: fs.Stats;
  try {
    st = fs.statSync(full);
  } catch {
    return { mtimeMs: 0, size: 0, error: 'key file not found' };
  }
  let cached = keyCache.get(full);
  if (!cached || cached.mtimeMs !== st.mtimeMs || cached.size !== st.size) {
    try {
      cached = { mtimeMs: st.mtimeMs, size: st.size, key: readPublicKeyFile(full) };
    } catch (e) {
      cached = { mtimeMs: st.mtimeMs, size: st.size, error: e instanceof SigningError ? e.message.replace(`key file ${full}: `, '') : 'unreadable key file' };
    }
    keyCache.delete(full);
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(full, cached);
  }
  return cached;
}

const cache = new WeakMap<Uint8Array, Map<string, SignatureAssessment>>();

/** Identities of frozen key path lists, so the rules of one check (three of them) load the keys once. */
const listIds = new WeakMap<readonly string[], number>();
let nextListId = 0;

export function assessSignature(bytes: Uint8Array, trustedKeyPaths: readonly string[], policyDir?: string): SignatureAssessment {
  let listKey: string | undefined;
  if (Object.isFrozen(trustedKeyPaths)) {
    let id = listIds.get(trustedKeyPaths);
    if (id === undefined) listIds.set(trustedKeyPaths, (id = nextListId++));
    listKey = `list ${id} ${policyDir ?? ''}`;
    const same = cache.get(bytes)?.get(listKey);
    if (same) return same;
  }
  const { keys, paths, problems } = loadTrustedKeys(trustedKeyPaths, policyDir);
  const cacheKey = JSON.stringify([policyDir ?? null, paths, keys.map((k) => Buffer.from(k.raw).toString('hex'))]);
  let perBytes = cache.get(bytes);
  const hit = perBytes?.get(cacheKey);
  if (hit) return { ...hit, keyProblems: problems };

  const result = verifyModule(bytes, keys);
  let state: SignatureState;
  if (result.valid) state = 'trusted';
  else if (result.reason === 'no-signature' || (result.reason === 'signature-not-first' && !result.signatureSection)) state = 'absent';
  else if (result.reason === 'wrong-key' || result.reason === 'key-id-mismatch') state = 'untrusted';
  else state = 'invalid';
  let range = result.signatureSection ?? { start: 0, end: Math.min(bytes.length, 8) };
  if (state === 'invalid' && result.offset !== undefined && result.reason !== 'tampered') {
    range = { start: result.offset, end: Math.min(bytes.length, result.offset + 1) };
  }
  const assessment: SignatureAssessment = {
    state,
    result: state === 'absent' ? undefined : result,
    range,
    trustedBy: result.validKeyIndices.map((i) => paths[i]),
    keyIds: result.keyIds,
    foreignSignatureAt: result.signatureSection ? undefined : result.otherSignatureAt,
    keyProblems: problems,
    trustedKeyCount: keys.length,
  };
  if (!perBytes) cache.set(bytes, (perBytes = new Map()));
  perBytes.set(cacheKey, assessment);
  if (listKey) perBytes.set(listKey, assessment);
  return assessment;
}

export function sha256Hex(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
