/**
 * The `rollback` operation: put the last approved version of a module back in place, from the content
 * store beside the lock file. The stored bytes are checked before anything is written: their SHA-256
 * and size must be the approved ones (a corrupted entry is refused, never restored), and when the
 * approval recorded signers verified by a trusted key, those signatures must verify on them. The
 * current file is never lost: it is copied to a backup beside it (`<file>.<digest12>.bak`) first.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readStored, sha256, StoreError } from '../approvals/approval-store';
import { approvedModule, lockKey, type ApprovedVersion } from '../approvals/lock';
import { publicKeyFromRaw, verifyModule } from '../signing';
import type { PolicyStore } from '../policy/store';
import { ApprovalError, lockFileFor, readLockFor } from './approve';
import { alongsidePath, writeOutput } from './output';

export interface RollbackReport {
  file: string;
  lockFile: string;
  /** the version put back (or already in place), its number among the kept versions, and how many there are */
  version: ApprovedVersion;
  versionNumber: number;
  versions: number;
  restored: boolean;
  /** the file already was this version: nothing written */
  alreadyApproved?: boolean;
  /** where the replaced file was kept */
  backup?: string;
  /** SHA-256 of the file that was replaced */
  replacedSha256?: string;
  /** the signers whose signatures were verified on the restored bytes */
  verifiedSigners: string[];
}

/** The last approved version's bytes from the store, checked (digest, size, recorded signers) as rollback checks them. */
export function approvedBytes(file: string, store: Pick<PolicyStore, 'policyFor'>): { bytes: Uint8Array; version: ApprovedVersion; versionNumber: number } {
  const lockFile = lockFileFor(file, store);
  if (!fs.existsSync(lockFile)) throw new ApprovalError(`no approved versions: ${lockFile} does not exist (approve a version first)`, 'no-lock');
  const key = lockKey(lockFile, file);
  const versions = approvedModule(readLockFor(lockFile), key)?.versions ?? [];
  const version = versions[versions.length - 1];
  if (!version) throw new ApprovalError(`no approved version of ${key} in ${path.basename(lockFile)}`, 'not-approved');
  const bytes = storedCopy(lockFile, version, versions.length, file);
  verifySigners(bytes, version, file);
  return { bytes, version, versionNumber: versions.length };
}

function storedCopy(lockFile: string, version: ApprovedVersion, versionNumber: number, file: string): Uint8Array {
  const digest = version.sha256.toLowerCase();
  try {
    return readStored(path.dirname(lockFile), digest, version.size);
  } catch (err) {
    if (err instanceof StoreError) throw new ApprovalError(`cannot restore approved version ${versionNumber} (SHA-256 ${digest}): ${err.message}; ${file} was left as it is`, 'store');
    throw err;
  }
}

export function rollbackFile(file: string, store: Pick<PolicyStore, 'policyFor'>): RollbackReport {
  const lockFile = lockFileFor(file, store);
  if (!fs.existsSync(lockFile)) throw new ApprovalError(`no approved versions: ${lockFile} does not exist (approve a version first)`, 'no-lock');
  const lock = readLockFor(lockFile);
  const key = lockKey(lockFile, file);
  const versions = approvedModule(lock, key)?.versions ?? [];
  const version = versions[versions.length - 1];
  if (!version) throw new ApprovalError(`no approved version of ${key} in ${path.basename(lockFile)}`, 'not-approved');
  const digest = version.sha256.toLowerCase();
  const base = { file, lockFile, version, versionNumber: versions.length, versions: versions.length, verifiedSigners: [] as string[] };

  const current = readCurrent(file);
  const currentDigest = current && sha256(current);
  if (currentDigest === digest) return { ...base, restored: false, alreadyApproved: true };

  const bytes = storedCopy(lockFile, version, versions.length, file);
  const verifiedSigners = verifySigners(bytes, version, file);

  let backup: string | undefined;
  if (current) {
    backup = backupPath(file, currentDigest!);
    if (!fs.existsSync(backup)) {
      const w = writeOutput(backup, current, false);
      if (!w.written) throw new ApprovalError(`cannot keep the current file as ${backup}; nothing was restored`, 'backup');
    }
  }
  writeOutput(file, bytes, true);
  return { ...base, restored: true, backup, replacedSha256: currentDigest, verifiedSigners };
}

function readCurrent(file: string): Uint8Array | undefined {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return undefined; // deleted: restored without a backup
  if (!st.isFile()) throw new ApprovalError(`${file} is not a file: nothing was restored`, 'not-a-module');
  return new Uint8Array(fs.readFileSync(file));
}

/** `<file>.<first 12 digits of its digest>.bak`; a different file of that name already there: a free name beside it. */
function backupPath(file: string, digest: string): string {
  const preferred = `${file}.${digest.slice(0, 12)}.bak`;
  const st = fs.lstatSync(preferred, { throwIfNoEntry: false });
  if (!st) return preferred;
  if (st.isFile() && sha256(new Uint8Array(fs.readFileSync(preferred))) === digest) return preferred; // already backed up
  return alongsidePath(preferred);
}

/** Each signer the approval recorded with a trusted public key must verify the restored bytes. */
function verifySigners(bytes: Uint8Array, version: ApprovedVersion, file: string): string[] {
  const verified: string[] = [];
  for (const signer of version.signers ?? []) {
    if (!signer.publicKey) continue;
    const who = signer.trustedKey ?? `key id ${signer.keyId}`;
    if (!/^[0-9a-fA-F]{64}$/.test(signer.publicKey)) {
      throw new ApprovalError(`the approval of ${file} records a public key for ${who} that is not 32 bytes of hex: refused, nothing was restored`, 'signature');
    }
    const result = verifyModule(bytes, [publicKeyFromRaw(new Uint8Array(Buffer.from(signer.publicKey, 'hex')))]);
    if (!result.valid) {
      throw new ApprovalError(`the stored copy's signature by ${who} does not verify (${result.message}): refused, nothing was restored`, 'signature');
    }
    verified.push(who);
  }
  return verified;
}
