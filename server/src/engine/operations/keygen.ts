/** The `keygen` operation: a new Ed25519 key pair, in wasmsign2's raw format unless PEM is asked for. */
import * as fs from 'fs';
import { encodePublicKey, encodeSecretKey, generateKeyPair } from '../signing';
import { toHex } from '../signing/format';
import { writeOutput, type WriteResult } from './output';

export interface KeygenResult {
  secretKey: WriteResult;
  publicKey: WriteResult;
  /** hex default key id of the new key (wasmsign2's derivation) */
  keyId?: string;
  /** one of the files exists and `overwrite` was not set: nothing was written */
  exists?: boolean;
  file?: string;
}

export function keygenFiles(options: { secretKey: string; publicKey: string; format?: 'raw' | 'pem'; overwrite?: boolean }): KeygenResult {
  const format = options.format ?? 'raw';
  for (const f of [options.secretKey, options.publicKey]) {
    if (!options.overwrite && fs.existsSync(f)) {
      return { secretKey: { file: options.secretKey, written: false }, publicKey: { file: options.publicKey, written: false }, exists: true, file: f };
    }
  }
  const { secretKey, publicKey } = generateKeyPair();
  // the secret key is readable by its owner only
  const sk = writeOutput(options.secretKey, encodeSecretKey(secretKey, format), true, 0o600);
  fs.chmodSync(options.secretKey, 0o600);
  const pk = writeOutput(options.publicKey, encodePublicKey(publicKey, format), true, 0o644);
  return { secretKey: sk, publicKey: pk, keyId: toHex(publicKey.keyId) };
}
