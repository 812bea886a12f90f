/**
 * Ed25519 keys: generation, wasmsign2 raw files, PEM/DER (PKCS#8, SPKI) and OpenSSH, default key ids.
 * Error messages describe the problem (type, size) and never contain key bytes.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { SigningError } from './errors';
import { bytesEqual } from './format';
import { readKeyFileBytes } from './files';

export const RAW_PUBLIC_PREFIX = 0x01;
export const RAW_SECRET_PREFIX = 0x81;
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface PublicKey {
  /** the 32-byte Ed25519 public key */
  raw: Uint8Array;
  /** the key id written into signatures and used to pick keys (default: defaultKeyId(raw)); a hint only */
  keyId: Uint8Array;
  /**
   * The key id this key carries, when the user declared one (`verify --key-id`): a signature that carries
   * a different key id is refused. Without it a signature's key id is unverified: the format does not sign it.
   */
  declaredKeyId?: Uint8Array;
  keyObject: crypto.KeyObject;
}

export interface SecretKey {
  /** never log this */
  readonly seed: Uint8Array;
  publicKey: PublicKey;
  keyObject: crypto.KeyObject;
}

export type PublicKeyFormat = 'raw' | 'pem' | 'der' | 'openssh';
export type SecretKeyFormat = 'raw' | 'pem' | 'der' | 'openssh';

/** First 12 bytes of HMAC-SHA256(key = public key, message = "key_id"). */
export function defaultKeyId(publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.createHmac('sha256', publicKey).update('key_id').digest().subarray(0, 12));
}

export function publicKeyFromRaw(raw: Uint8Array): PublicKey {
  if (raw.length !== 32) throw new SigningError('bad-key', `an Ed25519 public key has 32 bytes, got ${raw.length}`);
  let keyObject: crypto.KeyObject;
  try {
    keyObject = crypto.createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    throw new SigningError('bad-key', 'not a valid Ed25519 public key');
  }
  const copy = new Uint8Array(raw);
  return { raw: copy, keyId: defaultKeyId(copy), keyObject };
}

/** The key carrying a declared key id (see PublicKey.declaredKeyId). */
export function withDeclaredKeyId(key: PublicKey, keyId: Uint8Array): PublicKey {
  if (keyId.length === 0) throw new SigningError('bad-argument', 'a declared key id cannot be empty');
  return { ...key, declaredKeyId: new Uint8Array(keyId) };
}

/** A key id as users write it: `hex:` followed by hex digits, or text (its UTF-8 bytes). */
export function parseKeyIdText(text: string): Uint8Array {
  if (!text.startsWith('hex:')) return new Uint8Array(Buffer.from(text, 'utf8'));
  const digits = text.slice(4);
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) throw new SigningError('bad-argument', `key id "${text.length > 80 ? text.slice(0, 80) + '...' : text}" is not hex: an even number of hex digits after "hex:"`);
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

export function secretKeyFromSeed(seed: Uint8Array): SecretKey {
  if (seed.length !== 32) throw new SigningError('bad-key', `an Ed25519 secret key seed has 32 bytes, got ${seed.length}`);
  const keyObject = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const pub = rawFromKeyObject(crypto.createPublicKey(keyObject), 'x');
  const sk = { publicKey: publicKeyFromRaw(pub), keyObject } as SecretKey;
  // not enumerable: JSON.stringify, console.log and spreads do not show the secret
  Object.defineProperty(sk, 'seed', { value: new Uint8Array(seed), enumerable: false });
  return sk;
}

function rawFromKeyObject(key: crypto.KeyObject, field: 'x' | 'd'): Uint8Array {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningError('bad-key', `the key is ${key.asymmetricKeyType ?? 'of an unknown type'}, an Ed25519 key is needed`);
  }
  const jwk = key.export({ format: 'jwk' }) as { x?: string; d?: string };
  const v = jwk[field];
  if (!v) throw new SigningError('bad-key', 'the key lacks its Ed25519 material');
  return new Uint8Array(Buffer.from(v, 'base64url'));
}

/**
 * A new key pair: an Ed25519 secret key is 32 random bytes (RFC 8032 5.1.5), taken from OpenSSL's CSPRNG.
 * Not crypto.generateKeyPairSync: in Node 20 the key generation job it leaves for the garbage collector
 * locks its key's mutex when it is finalized, and a collection during a JWK export of that key (which
 * holds the same mutex while it allocates) deadlocks the process. Measured here: a loop of
 * generateKeyPairSync + export({ format: 'jwk' }) hung within 20,000 keys in 5 runs of 5.
 */
export function generateKeyPair(): { secretKey: SecretKey; publicKey: PublicKey } {
  const seed = crypto.randomBytes(32);
  try {
    const sk = secretKeyFromSeed(seed);
    return { secretKey: sk, publicKey: sk.publicKey };
  } finally {
    seed.fill(0);
  }
}

function asText(data: Uint8Array | string): string | undefined {
  const s = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const t = s.trimStart();
  return t.startsWith('-----BEGIN') || t.startsWith('ssh-') ? s.trim() : undefined;
}

function pemLabel(text: string): string {
  return /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1] ?? '';
}

/** SSH wire strings: u32 big-endian length then bytes, bounds-checked. */
class SshReader {
  private p = 0;
  constructor(private readonly b: Buffer) {}
  u32(): number {
    if (this.p + 4 > this.b.length) throw new SigningError('bad-key', 'truncated OpenSSH key');
    const v = this.b.readUInt32BE(this.p);
    this.p += 4;
    return v;
  }
  bytes(): Buffer {
    const n = this.u32();
    if (n > this.b.length - this.p) throw new SigningError('bad-key', 'truncated OpenSSH key');
    const v = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return v;
  }
  raw(n: number): Buffer {
    if (n > this.b.length - this.p) throw new SigningError('bad-key', 'truncated OpenSSH key');
    const v = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return v;
  }
}

function sshString(b: Uint8Array | string): Buffer {
  const body = Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function parseOpenSshPublic(line: string): Uint8Array {
  const parts = line.split(/\s+/);
  if (parts[0] !== 'ssh-ed25519') throw new SigningError('bad-key', `OpenSSH key of type ${parts[0]}, an ssh-ed25519 key is needed`);
  const r = new SshReader(Buffer.from(parts[1] ?? '', 'base64'));
  const type = r.bytes().toString('latin1');
  if (type !== 'ssh-ed25519') throw new SigningError('bad-key', `OpenSSH key blob of type ${type}, ssh-ed25519 is needed`);
  const pk = r.bytes();
  if (pk.length !== 32) throw new SigningError('bad-key', `OpenSSH Ed25519 public key has ${pk.length} bytes, expected 32`);
  return new Uint8Array(pk);
}

function parseOpenSshPrivate(text: string): { seed: Uint8Array; pk: Uint8Array } {
  const b64 = text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  const magic = 'openssh-key-v1\0';
  if (buf.subarray(0, magic.length).toString('latin1') !== magic) throw new SigningError('bad-key', 'not an OpenSSH private key');
  const r = new SshReader(buf.subarray(magic.length));
  const cipher = r.bytes().toString('latin1');
  const kdf = r.bytes().toString('latin1');
  r.bytes();
  if (cipher !== 'none' || kdf !== 'none') throw new SigningError('bad-key', 'encrypted OpenSSH private keys are not supported; decrypt it or export a PEM key');
  const n = r.u32();
  if (n !== 1) throw new SigningError('bad-key', `OpenSSH file holds ${n} keys, expected 1`);
  r.bytes();
  const priv = new SshReader(r.bytes());
  if (priv.u32() !== priv.u32()) throw new SigningError('bad-key', 'corrupt OpenSSH private key (check bytes differ)');
  const type = priv.bytes().toString('latin1');
  if (type !== 'ssh-ed25519') throw new SigningError('bad-key', `OpenSSH key of type ${type}, an ssh-ed25519 key is needed`);
  const pk = priv.bytes();
  const sk = priv.bytes();
  if (pk.length !== 32 || sk.length !== 64) throw new SigningError('bad-key', 'OpenSSH Ed25519 key has unexpected sizes');
  return { seed: new Uint8Array(sk.subarray(0, 32)), pk: new Uint8Array(pk) };
}

/** Detects the format of a public key file's content. */
export function detectPublicKeyFormat(data: Uint8Array | string): PublicKeyFormat {
  const text = asText(data);
  if (text !== undefined) return text.startsWith('ssh-') ? 'openssh' : 'pem';
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  if (b.length === 33 && b[0] === RAW_PUBLIC_PREFIX) return 'raw';
  if (b[0] === 0x30) return 'der';
  if (b.length === 65 && b[0] === RAW_SECRET_PREFIX) throw new SigningError('bad-key', 'this is a wasmsign2 secret key file, a public key is expected');
  throw new SigningError('bad-key', `unrecognised public key file (${b.length} bytes): expected a wasmsign2 raw key (33 bytes, 0x01 prefix), PEM, DER or OpenSSH`);
}

/** Parses a public key in any supported format (auto-detected). A private key yields its public key. */
export function parsePublicKey(data: Uint8Array | string): PublicKey {
  const text = asText(data);
  if (text !== undefined) {
    if (text.startsWith('ssh-')) return publicKeyFromRaw(parseOpenSshPublic(text));
    const label = pemLabel(text);
    if (label === 'OPENSSH PRIVATE KEY') return publicKeyFromRaw(parseOpenSshPrivate(text).pk);
    if (!['PUBLIC KEY', 'PRIVATE KEY'].includes(label)) {
      throw new SigningError('bad-key', `PEM block "${label || 'unknown'}" is not an Ed25519 key (expected PUBLIC KEY or PRIVATE KEY)`);
    }
    let key: crypto.KeyObject;
    try {
      key = crypto.createPublicKey(text);
    } catch {
      throw new SigningError('bad-key', 'unreadable PEM key');
    }
    return publicKeyFromRaw(rawFromKeyObject(key, 'x'));
  }
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const format = detectPublicKeyFormat(b);
  if (format === 'raw') return publicKeyFromRaw(b.subarray(1));
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: Buffer.from(b), format: 'der', type: 'spki' });
  } catch {
    throw new SigningError('bad-key', `unreadable DER public key (${b.length} bytes)`);
  }
  return publicKeyFromRaw(rawFromKeyObject(key, 'x'));
}

export function detectSecretKeyFormat(data: Uint8Array | string): SecretKeyFormat {
  const text = asText(data);
  if (text !== undefined) return pemLabel(text) === 'OPENSSH PRIVATE KEY' ? 'openssh' : 'pem';
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  if (b.length === 65 && b[0] === RAW_SECRET_PREFIX) return 'raw';
  if (b[0] === 0x30) return 'der';
  throw new SigningError('bad-key', `unrecognised secret key file (${b.length} bytes): expected a wasmsign2 raw key (65 bytes, 0x81 prefix), PEM, DER or OpenSSH`);
}

/** Parses a secret key in any supported format (auto-detected). */
export function parseSecretKey(data: Uint8Array | string): SecretKey {
  const format = detectSecretKeyFormat(data);
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
  if (format === 'raw') {
    const sk = secretKeyFromSeed(b.subarray(1, 33));
    if (!bytesEqual(sk.publicKey.raw, b.subarray(33, 65))) {
      throw new SigningError('bad-key', 'inconsistent wasmsign2 secret key: the stored public key does not match the seed');
    }
    return sk;
  }
  if (format === 'openssh') {
    const { seed, pk } = parseOpenSshPrivate(b.toString('latin1'));
    const sk = secretKeyFromSeed(seed);
    if (!bytesEqual(sk.publicKey.raw, pk)) throw new SigningError('bad-key', 'inconsistent OpenSSH key: public key does not match');
    return sk;
  }
  let key: crypto.KeyObject;
  if (format === 'pem') {
    const label = pemLabel(b.toString('latin1').trim());
    if (label !== 'PRIVATE KEY') {
      throw new SigningError('bad-key', `PEM block "${label || 'unknown'}" is not an unencrypted PKCS#8 Ed25519 private key`);
    }
    try {
      key = crypto.createPrivateKey(b.toString('latin1'));
    } catch {
      throw new SigningError('bad-key', 'unreadable PEM private key');
    }
  } else {
    try {
      key = crypto.createPrivateKey({ key: b, format: 'der', type: 'pkcs8' });
    } catch {
      throw new SigningError('bad-key', `unreadable DER private key (${b.length} bytes)`);
    }
  }
  return secretKeyFromSeed(rawFromKeyObject(key, 'd'));
}

export function encodePublicKey(pk: PublicKey, format: 'raw' | 'pem' | 'der' | 'openssh' = 'raw'): Uint8Array {
  switch (format) {
    case 'raw':
      return Uint8Array.of(RAW_PUBLIC_PREFIX, ...pk.raw);
    case 'der':
      return new Uint8Array(Buffer.concat([SPKI_PREFIX, pk.raw]));
    case 'pem':
      return new Uint8Array(Buffer.from(pk.keyObject.export({ format: 'pem', type: 'spki' }) as string));
    case 'openssh': {
      const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(pk.raw)]);
      return new Uint8Array(Buffer.from(`ssh-ed25519 ${blob.toString('base64')}\n`));
    }
  }
}

export function encodeSecretKey(sk: SecretKey, format: 'raw' | 'pem' | 'der' = 'raw'): Uint8Array {
  switch (format) {
    case 'raw':
      return new Uint8Array(Buffer.concat([Buffer.of(RAW_SECRET_PREFIX), sk.seed, sk.publicKey.raw]));
    case 'der':
      return new Uint8Array(Buffer.concat([PKCS8_PREFIX, sk.seed]));
    case 'pem':
      return new Uint8Array(Buffer.from(sk.keyObject.export({ format: 'pem', type: 'pkcs8' }) as string));
  }
}

export function readPublicKeyFile(path: string): PublicKey {
  return parsePublicKey(readKeyFileBytes(path));
}

export function readSecretKeyFile(path: string): SecretKey {
  return parseSecretKey(readKeyFileBytes(path));
}

/**
 * Generates a key pair and writes it (wasmsign2 raw format unless PEM is asked for). The secret key file
 * is created with mode 0600 and never overwritten.
 */
export function writeKeyPair(secretKeyPath: string, publicKeyPath: string, format: 'raw' | 'pem' = 'raw'): { publicKey: PublicKey } {
  const { secretKey, publicKey } = generateKeyPair();
  fs.writeFileSync(secretKeyPath, encodeSecretKey(secretKey, format), { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(publicKeyPath, encodePublicKey(publicKey, format), { flag: 'wx' });
  return { publicKey };
}

export interface KeyFileExposure {
  mode: number;
  groupReadable: boolean;
  othersReadable: boolean;
  /** true when group or others can read the file */
  exposed: boolean;
}

/** Whether a secret key file is readable by group/others (POSIX mode bits). Undefined on Windows. */
export function secretKeyFileExposure(path: string): KeyFileExposure | undefined {
  if (process.platform === 'win32') return undefined;
  const mode = fs.statSync(path).mode & 0o777;
  const groupReadable = (mode & 0o040) !== 0;
  const othersReadable = (mode & 0o004) !== 0;
  return { mode, groupReadable, othersReadable, exposed: groupReadable || othersReadable };
}
