/**
 * The `sign`, `verify` and "show signatures" operations over files: wasmsign2-compatible embedded or
 * detached signatures (engine/signing), reported in one shape for the CLI and the signatures panel.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  listSignatures,
  loadTrustedKeys,
  parseKeyIdText,
  parseSecretKey,
  readPublicKeyFile,
  readSecretKeyFile,
  readSignatureFile,
  secretKeyFileExposure,
  signModule,
  verifyModule,
  withDeclaredKeyId,
  type KeyIdStatus,
  type PublicKey,
} from '../signing';
import type { PolicyStore } from '../policy/store';
import { readBytes, writeOutput, type WriteResult } from './output';

export interface SignatureReport {
  file: string;
  /** sign: where the signed module or the detached signature went */
  output?: WriteResult;
  signed: boolean;
  /** verification outcome when keys were available */
  verified?: boolean;
  /** why verification failed: no-signature, unknown-format, signature-not-first, tampered, wrong-key, key-id-mismatch, malformed, no-keys */
  reason?: string;
  message?: string;
  /** verify: said when the module verified but a key id of the signatures that verified it is not verified
   *  (key ids are not covered by the signature; declare one with keyId / --key-id to require it) */
  keyIdNote?: string;
  /** warnings for the user (e.g. a secret key file readable by others) */
  warnings: string[];
  /** keyIdStatus: 'verified' only when a key that declares this key id verifies the signature (see KeyIdStatus) */
  entries: { hashes: number; signatures: { keyId: string; keyIdStatus?: KeyIdStatus; algorithm: string; trustedKey?: string; valid?: boolean }[] }[];
  /** verify: the key files that verified the module */
  verifiedBy?: string[];
}

export interface SignFileOptions {
  /** path of the secret key (raw wasmsign2, PEM/DER PKCS#8, OpenSSH) */
  secretKeyPath?: string;
  /** the secret key file's contents, e.g. from an editor's secret storage */
  secretKeyData?: Uint8Array;
  /** signed module output (embedded); default: sign in place */
  output?: string;
  /** write a detached signature to this file and leave the module unchanged */
  detached?: string;
  /** key id as text (UTF-8) or `hex:...`; default: wasmsign2's default id */
  keyId?: string;
  overwrite?: boolean;
}

export function signFile(file: string, options: SignFileOptions): SignatureReport {
  const warnings: string[] = [];
  if (options.secretKeyPath) {
    const exposure = secretKeyFileExposure(options.secretKeyPath);
    if (exposure?.exposed) warnings.push(`the secret key file ${options.secretKeyPath} is readable by other users (mode ${exposure.mode.toString(8)}); chmod 600 it`);
  }
  const secretKey = options.secretKeyData ? parseSecretKey(options.secretKeyData) : options.secretKeyPath ? readSecretKeyFile(options.secretKeyPath) : undefined;
  if (!secretKey) throw new Error('signing needs a secret key');
  const bytes = readBytes(file);
  const keyId = options.keyId === undefined ? undefined : parseKeyIdText(options.keyId);
  if (options.detached) {
    const existing = fs.existsSync(options.detached) && options.overwrite ? readSignatureFile(options.detached) : undefined;
    const result = signModule(bytes, secretKey, { detached: true, keyId, existingSignature: existing });
    const output = writeOutput(options.detached, result.signature, options.overwrite);
    return { ...describe(file, bytes, [secretKey.publicKey], result.signature), output, warnings };
  }
  const target = options.output ?? file;
  const inPlace = path.resolve(target) === path.resolve(file);
  const result = signModule(bytes, secretKey, { keyId });
  const output = writeOutput(target, result.bytes!, inPlace || options.overwrite);
  return { ...describe(file, result.bytes!, [secretKey.publicKey]), output, warnings };
}

export interface VerifyFileOptions {
  /** public key files; when empty, the trusted keys of the policy that governs the file */
  publicKeys: string[];
  /** a detached signature file */
  signature?: string;
  store?: PolicyStore;
  /** the key id every key carries (text, or `hex:...`): a signature with another key id is refused */
  keyId?: string;
  /** every key carries its wasmsign2 default key id (as wasmsign2's own `verify` does) */
  defaultKeyId?: boolean;
}

export function verifyFile(file: string, options: VerifyFileOptions): SignatureReport {
  const { keys, paths, problems } = keysFor(file, options);
  const bytes = readBytes(file);
  const detached = options.signature ? readSignatureFile(options.signature) : undefined;
  const report = describe(file, bytes, keys, detached, paths);
  report.warnings.push(...problems);
  if (keys.length === 0) return { ...report, verified: false, reason: 'no-keys', message: 'no public key given and the policy names no trusted keys' };
  const result = verifyModule(bytes, keys, { detachedSignature: detached });
  const keyIdNote = result.keyIdNote;
  // the keys by their files when known, else numbered from 1 (as describe's trustedKey)
  const keyName = (i: number) => paths[i] ?? `key ${i + 1}`;
  const message = result.valid && result.validKeyIndices.length
    ? `signature valid (${result.validKeyIndices.map(keyName).join(', ')})`
    : result.message + (result.offset !== undefined ? ` (at byte 0x${result.offset.toString(16)}${result.inDetached ? ' of the signature file' : ''})` : '');
  return {
    ...report,
    verified: result.valid,
    reason: result.reason,
    message,
    ...(keyIdNote && { keyIdNote }),
    verifiedBy: result.validKeyIndices.map(keyName),
  };
}

/** "Show signatures": the entries and which trusted key (from the policy, or given) matches each. */
export function showSignatures(file: string, options: VerifyFileOptions): SignatureReport {
  const { keys, paths, problems } = keysFor(file, options);
  const report = describe(file, readBytes(file), keys, options.signature ? readSignatureFile(options.signature) : undefined, paths);
  report.warnings.push(...problems);
  return report;
}

function keysFor(file: string, options: VerifyFileOptions): { keys: PublicKey[]; paths: string[]; problems: string[] } {
  const declared = options.keyId !== undefined ? parseKeyIdText(options.keyId) : undefined;
  const declare = (k: PublicKey) => (declared ? withDeclaredKeyId(k, declared) : options.defaultKeyId ? withDeclaredKeyId(k, k.keyId) : k);
  if (options.publicKeys.length) {
    return { keys: options.publicKeys.map((p) => declare(readPublicKeyFile(p))), paths: options.publicKeys, problems: [] };
  }
  const policy = options.store?.policyFor(file);
  const trusted = policy?.effective.signature?.trustedKeys ?? [];
  const loaded = loadTrustedKeys(trusted, policy?.dir);
  return {
    keys: loaded.keys.map(declare),
    paths: loaded.paths,
    problems: loaded.problems.map((p) => (p.keyPath === undefined ? `signature.trustedKeys: ${p.message}` : `${p.keyPath}: ${p.message}`)),
  };
}

function describe(file: string, bytes: Uint8Array, keys: PublicKey[], detached?: Uint8Array, keyPaths: string[] = []): SignatureReport {
  const listing = listSignatures(bytes, keys, detached);
  const report: SignatureReport = {
    file,
    signed: listing.present,
    warnings: [],
    entries: listing.entries.map((e) => ({
      hashes: e.hashCount,
      signatures: e.signatures.map((s) => ({
        keyId: s.keyId,
        keyIdStatus: s.keyIdStatus,
        algorithm: s.alg,
        trustedKey: s.trustedKeyIndices.length ? keyPaths[s.trustedKeyIndices[0]] ?? `key ${s.trustedKeyIndices[0] + 1}` : undefined,
        valid: keys.length ? s.trustedKeyIndices.length > 0 : undefined,
      })),
    })),
  };
  if (listing.error) Object.assign(report, { reason: listing.error.reason, message: listing.error.message });
  return report;
}
