/**
 * The `approve` operation: record that a person reviewed this version of a module. The lock file of
 * approved versions beside the policy (`wasm-warden.lock.json`) gets its digest, size, signers and
 * capability summary, and the content store beside it (`.wasm-warden/store/sha256/<digest>`) a copy of
 * its bytes, which `rollback` restores. At most MAX_VERSIONS_PER_MODULE versions are kept per module;
 * stored copies no version refers to any more are removed.
 */
import * as os from 'os';
import * as path from 'path';
import { capabilitySummary, compareCapabilities, completeSummary, type CapabilityChange } from '../approvals/capabilities';
import { pruneStore, sha256, storeBytes, StoreError } from '../approvals/approval-store';
import {
  approvedModule,
  forgetLock,
  lockKey,
  lockText,
  MAX_VERSIONS_PER_MODULE,
  readLock,
  type ApprovalLock,
  type ApprovedSigner,
  type ApprovedVersion,
} from '../approvals/lock';
import { listSignatures, loadTrustedKeys } from '../signing';
import type { PolicyStore } from '../policy/store';
import { checkFile, sourceKindOf } from './check';
import { locateFindings, type Finding } from './findings';
import { readBytes, writeOutput } from './output';

/** Why approving or rolling back could not be done: the user's to fix (CLI exit code 2). */
export class ApprovalError extends Error {
  constructor(
    message: string,
    readonly reason: 'no-policy' | 'not-a-module' | 'bad-lock' | 'no-lock' | 'not-approved' | 'store' | 'signature' | 'backup',
  ) {
    super(message);
    this.name = 'ApprovalError';
  }
}

export interface ApproveOptions {
  note?: string;
  /** who approves (default: the user name of this process) */
  by?: string;
  /** approve even though the module has error-severity findings */
  force?: boolean;
  /** the time of the approval (tests) */
  now?: Date;
}

export interface ApproveReport {
  file: string;
  lockFile: string;
  /** the module's key in the lock */
  key: string;
  /** the approved version, and its number (1 = the oldest kept) */
  version?: ApprovedVersion;
  versionNumber?: number;
  /** this version was already the last approved one: nothing changed */
  alreadyApproved?: boolean;
  /** not approved: the module has error-severity findings (approve with `force`) */
  refused?: Finding[];
  /** what changed since the version approved before */
  previous?: ApprovedVersion;
  changes?: CapabilityChange[];
  /** the stored copy */
  stored?: { file: string; written: boolean };
  /** stored copies removed because no kept version refers to them */
  pruned: string[];
  /** dropped versions (over MAX_VERSIONS_PER_MODULE) */
  dropped: number;
}

/** The lock file for a module: beside the policy that governs it. */
export function lockFileFor(file: string, store: Pick<PolicyStore, 'policyFor'>): string {
  const policy = store.policyFor(file);
  if (!policy.file || !policy.lockFile) {
    throw new ApprovalError(
      `no wasm-warden.policy.json governs ${file}: approved versions are kept beside the policy (wasm-warden.lock.json). Write a policy first (\`wasm-warden policy init\`).`,
      'no-policy',
    );
  }
  return policy.lockFile;
}

export function readLockFor(lockFile: string): ApprovalLock {
  const loaded = readLock(lockFile);
  if (loaded?.problem) throw new ApprovalError(`${loaded.problem}; fix or remove it (nothing was changed)`, 'bad-lock');
  return loaded?.lock ?? {};
}

export function approveFile(file: string, store: Pick<PolicyStore, 'policyFor'>, options: ApproveOptions = {}): ApproveReport {
  if (sourceKindOf(file) !== 'wasm') throw new ApprovalError(`${file}: only .wasm modules are approved (their exact bytes)`, 'not-a-module');
  const lockFile = lockFileFor(file, store);
  const lockDir = path.dirname(lockFile);
  const lock = readLockFor(lockFile);
  const bytes = readBytes(file);
  const result = checkFile(file, store, { bytes });
  const model = result.models[0];
  const broken = result.diagnostics.find((d) => d.severity === 'error' && d.source === 'wasm-reader');
  if (!model || model.kind !== 'module' || broken) {
    throw new ApprovalError(`${file}: not a valid WebAssembly module${broken ? `: ${broken.message}` : model?.kind === 'component' ? ' (a component)' : ''}`, 'not-a-module');
  }
  const key = lockKey(lockFile, file);
  const base: ApproveReport = { file, lockFile, key, pruned: [], dropped: 0 };
  const blocking = result.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'module-not-approved');
  if (blocking.length && !options.force) return { ...base, refused: locateFindings(file, blocking) };

  const digest = sha256(bytes);
  const versions = [...(approvedModule(lock, key)?.versions ?? [])];
  const last = versions[versions.length - 1];
  if (last && last.sha256.toLowerCase() === digest) {
    // keep the stored copy whole (it may have been removed or damaged since)
    const stored = storeBytes(lockDir, bytes, digest);
    return { ...base, version: last, versionNumber: versions.length, alreadyApproved: true, stored };
  }
  const policy = store.policyFor(file);
  const trusted = loadTrustedKeys(policy.effective.signature?.trustedKeys ?? [], policy.dir);
  const signers: ApprovedSigner[] = [];
  for (const entry of listSignatures(bytes, trusted.keys).entries) {
    for (const s of entry.signatures) {
      const i = s.trustedKeyIndices[0];
      signers.push({
        keyId: s.keyId,
        algorithm: s.alg,
        ...(i !== undefined && { publicKey: Buffer.from(trusted.keys[i].raw).toString('hex'), trustedKey: trusted.paths[i] }),
      });
    }
  }
  const capabilities = capabilitySummary(model);
  const version: ApprovedVersion = {
    sha256: digest,
    size: bytes.length,
    approvedAt: (options.now ?? new Date()).toISOString(),
    approvedBy: options.by ?? userName(),
    ...(options.note && { note: options.note }),
    ...(signers.length && { signers }),
    capabilities,
  };
  let stored: ApproveReport['stored'];
  try {
    stored = storeBytes(lockDir, bytes, digest);
  } catch (err) {
    if (err instanceof StoreError) throw new ApprovalError(`cannot keep a copy in the store: ${err.message}; nothing was approved`, 'store');
    throw err;
  }
  // approving a version again makes it the last one again (what rollback restores)
  const kept = versions.filter((v) => v.sha256.toLowerCase() !== digest);
  kept.push(version);
  const dropped = Math.max(0, kept.length - MAX_VERSIONS_PER_MODULE);
  const next = kept.slice(dropped);
  const modules = { ...(lock.modules ?? {}), [key]: { versions: next } };
  writeOutput(lockFile, lockText({ ...lock, modules }), true);
  forgetLock(lockFile);
  const referenced = new Set(Object.values(modules).flatMap((m) => m.versions.map((v) => v.sha256.toLowerCase())));
  const pruned = pruneStore(lockDir, referenced);
  return {
    ...base,
    version,
    versionNumber: next.length,
    previous: last,
    changes: last?.capabilities ? compareCapabilities(completeSummary(last.capabilities), capabilities) : undefined,
    stored,
    pruned,
    dropped,
  };
}

/** What a confirmation says before approving or rolling back: the file's digest and its approved versions. */
export function approvalStatus(file: string, store: Pick<PolicyStore, 'policyFor'>): { lockFile: string; key: string; sha256: string; versions: ApprovedVersion[] } {
  const lockFile = lockFileFor(file, store);
  const key = lockKey(lockFile, file);
  let digest = '';
  try {
    digest = sha256(readBytes(file));
  } catch {
    // a deleted module can still be rolled back
  }
  return { lockFile, key, sha256: digest, versions: approvedModule(readLockFor(lockFile), key)?.versions ?? [] };
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
