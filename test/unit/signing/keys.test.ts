import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import {
  defaultKeyId,
  encodePublicKey,
  encodeSecretKey,
  generateKeyPair,
  parsePublicKey,
  parseSecretKey,
  readPublicKeyFile,
  readSecretKeyFile,
  secretKeyFileExposure,
  SigningError,
  writeKeyPair,
} from '../../../server/src/engine/signing';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('the public test key from the format description yields its documented key id', () => {
  const file = Buffer.from('012cb24519cf5c9e6d063611e1a761de772b7d57e5203264c5b8315a4fbf450e28', 'hex');
  const pk = parsePublicKey(file);
  assert.equal(hex(pk.raw), '2cb24519cf5c9e6d063611e1a761de772b7d57e5203264c5b8315a4fbf450e28');
  assert.equal(hex(pk.keyId), '27471a5671d92ce0794665bf');
  assert.equal(hex(defaultKeyId(pk.raw)), '27471a5671d92ce0794665bf');
  assert.deepEqual(encodePublicKey(pk, 'raw'), new Uint8Array(file));
  // the same key as a wasmsign2 key file
  const fromFile = readPublicKeyFile(path.join(__dirname, '../../fixtures/signing/proxy-wasm-test.pk'));
  assert.equal(hex(fromFile.keyId), '27471a5671d92ce0794665bf');
});

test('raw wasmsign2 key files: layout and round trip', () => {
  const { secretKey, publicKey } = generateKeyPair();
  const skFile = encodeSecretKey(secretKey, 'raw');
  const pkFile = encodePublicKey(publicKey, 'raw');
  assert.equal(skFile.length, 65);
  assert.equal(skFile[0], 0x81);
  assert.deepEqual(skFile.subarray(33), publicKey.raw);
  assert.equal(pkFile.length, 33);
  assert.equal(pkFile[0], 0x01);
  const sk2 = parseSecretKey(skFile);
  assert.deepEqual(sk2.publicKey.raw, publicKey.raw);
  assert.deepEqual(parsePublicKey(pkFile).raw, publicKey.raw);
  // the seed/public halves agree with Node's own derivation
  const derived = crypto.createPublicKey(secretKey.keyObject).export({ format: 'der', type: 'spki' });
  assert.equal(hex(derived.subarray(12)), hex(publicKey.raw));
});

test('new key pairs come from random seeds, never from crypto.generateKeyPairSync (its job finalizer can deadlock a JWK export in Node 20)', () => {
  // the module object itself (an import namespace is read-only): the engine's import reads through to it
  const mutable = require('node:crypto') as { generateKeyPairSync: unknown };
  const original = mutable.generateKeyPairSync;
  mutable.generateKeyPairSync = () => {
    throw new Error('generateKeyPairSync was called');
  };
  try {
    const seeds = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { secretKey, publicKey } = generateKeyPair();
      seeds.add(hex(secretKey.seed));
      // a working pair: Node signs with the secret key object and verifies with the raw public key
      const message = Buffer.from(`message ${i}`);
      const signature = crypto.sign(null, message, secretKey.keyObject);
      const spki = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey.raw]), format: 'der', type: 'spki' });
      assert.ok(crypto.verify(null, message, spki, signature), `pair ${i}`);
    }
    assert.equal(seeds.size, 200);
  } finally {
    mutable.generateKeyPairSync = original;
  }
});

test('a secret key object does not show its seed when logged or serialised', () => {
  const { secretKey } = generateKeyPair();
  const seedHex = hex(secretKey.seed);
  assert.equal(secretKey.seed.length, 32);
  assert.ok(!inspect(secretKey, { depth: 5 }).includes('seed'));
  assert.ok(!JSON.stringify(secretKey).includes(seedHex));
  assert.ok(!('seed' in JSON.parse(JSON.stringify(secretKey))));
  assert.ok(!Object.keys(secretKey).includes('seed'));
});

test('PEM, DER and OpenSSH formats round trip and are auto-detected', () => {
  const { secretKey, publicKey } = generateKeyPair();
  for (const f of ['pem', 'der'] as const) {
    assert.deepEqual(parseSecretKey(encodeSecretKey(secretKey, f)).publicKey.raw, publicKey.raw, f);
  }
  for (const f of ['pem', 'der', 'openssh'] as const) {
    assert.deepEqual(parsePublicKey(encodePublicKey(publicKey, f)).raw, publicKey.raw, f);
  }
  // keys produced by Node itself
  const { privateKey, publicKey: nodePub } = crypto.generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const spki = nodePub.export({ format: 'pem', type: 'spki' }) as string;
  assert.equal(hex(parseSecretKey(pem).publicKey.raw), hex(parsePublicKey(spki).raw));
  // DER prefixes from the format description
  const der = encodeSecretKey(secretKey, 'der');
  assert.equal(hex(der.subarray(0, 16)), '302e020100300506032b657004220420');
  assert.equal(hex(encodePublicKey(publicKey, 'der').subarray(0, 12)), '302a300506032b6570032100');
  // an OpenSSH public key line with a comment
  const line = Buffer.from(encodePublicKey(publicKey, 'openssh')).toString().trim() + ' someone@host';
  assert.deepEqual(parsePublicKey(line).raw, publicKey.raw);
});

function sshString(b: Uint8Array | string): Buffer {
  const body = Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

test('unencrypted OpenSSH private keys are read (hand-encoded openssh-key-v1)', () => {
  const { secretKey, publicKey } = generateKeyPair();
  const pubBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(publicKey.raw)]);
  const check = Buffer.from('01020304', 'hex');
  let priv = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(publicKey.raw),
    sshString(Buffer.concat([secretKey.seed, publicKey.raw])),
    sshString('comment'),
  ]);
  const pad = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const build = (cipher: string, kdf: string) => {
    const body = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), sshString(cipher), sshString(kdf), sshString(''), Buffer.from([0, 0, 0, 1]), sshString(pubBlob), sshString(priv)]);
    return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString('base64').replace(/.{70}/g, '$&\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
  };
  const text = build('none', 'none');
  assert.deepEqual(parseSecretKey(text).publicKey.raw, publicKey.raw);
  assert.deepEqual(parsePublicKey(text).raw, publicKey.raw);
  assert.throws(() => parseSecretKey(build('aes256-ctr', 'bcrypt')), /encrypted OpenSSH private keys are not supported/);
  assert.throws(() => parseSecretKey(text.slice(0, 120) + '\n-----END OPENSSH PRIVATE KEY-----\n'), /truncated OpenSSH key|not an OpenSSH/);
});

function expectKeyError(fn: () => unknown, pattern: RegExp, secret?: Uint8Array) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SigningError, String(e));
    assert.equal(e.code, 'bad-key');
    assert.match(e.message, pattern);
    if (secret) assert.ok(!e.message.includes(hex(secret)) && !e.message.includes(Buffer.from(secret).toString('base64')));
    return true;
  });
}

test('wrong key types and sizes give clear errors without key bytes', () => {
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  expectKeyError(() => parseSecretKey(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), /rsa.*Ed25519/);
  expectKeyError(() => parsePublicKey(ec.publicKey.export({ format: 'pem', type: 'spki' }) as string), /ec.*Ed25519/);
  expectKeyError(() => parseSecretKey(rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string), /RSA PRIVATE KEY/);
  expectKeyError(() => parsePublicKey(Uint8Array.of(0x01, ...new Uint8Array(31))), /unrecognised public key file \(32 bytes\)/);
  expectKeyError(() => parseSecretKey(new Uint8Array(64)), /unrecognised secret key file \(64 bytes\)/);
  const { secretKey } = generateKeyPair();
  const sk = encodeSecretKey(secretKey, 'raw');
  expectKeyError(() => parsePublicKey(sk), /secret key file/, secretKey.seed);
  const broken = Uint8Array.from(sk);
  broken[40] ^= 1;
  expectKeyError(() => parseSecretKey(broken), /inconsistent/, secretKey.seed);
  expectKeyError(() => parsePublicKey('ssh-rsa AAAAB3NzaC1yc2E= x'), /ssh-rsa/);
  expectKeyError(() => parsePublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'), /unreadable PEM/);
});

test('key files: keygen writes raw by default with mode 0600; exposure helper reports mode bits', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-keys-'));
  try {
    const sk = path.join(dir, 'k.sk');
    const pk = path.join(dir, 'k.pk');
    const { publicKey } = writeKeyPair(sk, pk);
    assert.equal(fs.readFileSync(sk).length, 65);
    assert.deepEqual(readPublicKeyFile(pk).raw, publicKey.raw);
    assert.deepEqual(readSecretKeyFile(sk).publicKey.raw, publicKey.raw);
    assert.throws(() => writeKeyPair(sk, pk), /EEXIST/);
    if (process.platform !== 'win32') {
      assert.equal(secretKeyFileExposure(sk)?.exposed, false);
      fs.chmodSync(sk, 0o644);
      const e = secretKeyFileExposure(sk);
      assert.equal(e?.exposed, true);
      assert.equal(e?.othersReadable, true);
      fs.chmodSync(sk, 0o640);
      assert.deepEqual({ ...secretKeyFileExposure(sk) }, { mode: 0o640, groupReadable: true, othersReadable: false, exposed: true });
    }
    const skPem = path.join(dir, 'p.sk');
    const pkPem = path.join(dir, 'p.pk');
    writeKeyPair(skPem, pkPem, 'pem');
    assert.match(fs.readFileSync(skPem, 'utf8'), /BEGIN PRIVATE KEY/);
    assert.deepEqual(readSecretKeyFile(skPem).publicKey.raw, readPublicKeyFile(pkPem).raw);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
