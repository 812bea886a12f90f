/**
 * Key ids are not covered by the signature (wasmsign2's format): changing one still verifies. The user
 * must not be misled: a key that declares a key id refuses a signature carrying another one, and without
 * a declared id every result says the key id is unverified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, listSignatures, signModule, verifyModule, withDeclaredKeyId, parseKeyIdText, SigningError } from '../../../server/src/engine/signing';
import { handSections, sampleModule } from './helpers';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** Three different changes of each key id byte: 12 bytes x 3 = 36 positions per form. */
const MASKS = [0x01, 0x80, 0xff];

/** Where the key id of the only signature lies in a payload (the bytes right after its length 12). */
function keyIdOffset(payload: Uint8Array, keyId: Uint8Array): number {
  const at = Buffer.from(payload).indexOf(Buffer.from(keyId));
  assert.ok(at > 0 && payload[at - 1] === keyId.length, 'key id found after its length byte');
  return at;
}

test('every changed key id byte (36 positions, embedded and detached): verifies only as "unverified", refused when the key declares its id', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  const declared = withDeclaredKeyId(publicKey, publicKey.keyId);
  const embedded = signModule(wasm, secretKey).bytes!;
  const sec = handSections(embedded)[0];
  const { signature } = signModule(wasm, secretKey, { detached: true });
  const forms = [
    { name: 'embedded', bytes: embedded, start: sec.contentStart!, detached: undefined as Uint8Array | undefined },
    { name: 'detached', bytes: wasm, start: 0, detached: signature },
  ];
  // unchanged: valid both ways; with the declared id the key id is verified
  for (const f of forms) {
    const plain = verifyModule(f.bytes, [publicKey], { detachedSignature: f.detached });
    assert.equal(plain.valid, true);
    assert.deepEqual(plain.accepted.map((s) => s.keyIdStatus), ['unverified']);
    assert.equal(plain.message, 'signature valid (key 1)', 'the note is its own field: the verdict stays as it was');
    assert.match(plain.keyIdNote ?? '', new RegExp(`key id ${hex(publicKey.keyId)} is unverified: key ids are not covered by the signature`));
    const strict = verifyModule(f.bytes, [declared], { detachedSignature: f.detached });
    assert.equal(strict.valid, true);
    assert.deepEqual(strict.accepted.map((s) => s.keyIdStatus), ['verified']);
    assert.equal(strict.keyIdNote, undefined);
  }
  let positions = 0;
  for (const f of forms) {
    const carrier = Uint8Array.from(f.detached ?? f.bytes);
    const at = keyIdOffset(carrier.subarray(f.start), publicKey.keyId) + f.start;
    for (let i = 0; i < 12; i++) {
      for (const mask of MASKS) {
        carrier[at + i] ^= mask;
        const bytes = f.detached ? f.bytes : carrier;
        const detachedSignature = f.detached ? carrier : undefined;
        const changedId = hex(carrier.subarray(at, at + 12));
        const where = `${f.name} byte ${i} ^ ${mask}`;
        // without a declared id: still valid (the format does not sign key ids), and said to be unverified
        const plain = verifyModule(bytes, [publicKey], { detachedSignature });
        assert.equal(plain.valid, true, where);
        assert.deepEqual(plain.accepted.map((s) => [s.keyId, s.keyIdStatus]), [[changedId, 'unverified']], where);
        assert.match(plain.keyIdNote ?? '', new RegExp(`key id ${changedId} is unverified`), where);
        const listed = listSignatures(bytes, [publicKey], detachedSignature).entries[0].signatures[0];
        assert.deepEqual([listed.keyId, listed.keyIdStatus, listed.trustedKeyIndices], [changedId, 'unverified', [0]], where);
        // the key declares its id: refused, with both ids named
        const strict = verifyModule(bytes, [declared], { detachedSignature });
        assert.equal(strict.valid, false, where);
        assert.equal(strict.reason, 'key-id-mismatch', where);
        assert.match(strict.message, new RegExp(`carries key id ${changedId} where the key declares ${hex(publicKey.keyId)}: refused`), where);
        assert.deepEqual(strict.refused.map((s) => s.keyIdStatus), ['mismatch'], where);
        assert.deepEqual(strict.validKeyIndices, [], where);
        const strictListed = listSignatures(bytes, [declared], detachedSignature).entries[0].signatures[0];
        assert.deepEqual([strictListed.keyIdStatus, strictListed.trustedKeyIndices], ['mismatch', []], where);
        carrier[at + i] ^= mask;
        positions++;
      }
    }
  }
  assert.equal(positions, 72);
});

test('declared key ids: a signature without a key id is accepted (as wasmsign2 does), one with another key is still wrong-key', async () => {
  const wasm = await sampleModule();
  const a = generateKeyPair();
  const b = generateKeyPair();
  const noId = signModule(wasm, a.secretKey, { keyId: null }).bytes!;
  const r = verifyModule(noId, [withDeclaredKeyId(a.publicKey, a.publicKey.keyId)]);
  assert.equal(r.valid, true);
  assert.deepEqual(r.accepted.map((s) => s.keyIdStatus), ['none']);
  assert.equal(r.keyIdNote, undefined);
  // a custom key id, declared: verified; undeclared: unverified
  const custom = signModule(wasm, a.secretKey, { keyId: parseKeyIdText('release-2026') }).bytes!;
  assert.deepEqual(verifyModule(custom, [withDeclaredKeyId(a.publicKey, parseKeyIdText('release-2026'))]).accepted.map((s) => s.keyIdStatus), ['verified']);
  assert.deepEqual(verifyModule(custom, [a.publicKey]).accepted.map((s) => s.keyIdStatus), ['unverified']);
  // another key's signature is not a key id question
  const other = verifyModule(signModule(wasm, b.secretKey).bytes!, [withDeclaredKeyId(a.publicKey, b.publicKey.keyId)]);
  assert.equal(other.reason, 'wrong-key');
  // two keys: the one whose declared id matches verifies; the refused one does not turn the result invalid
  const both = verifyModule(custom, [withDeclaredKeyId(b.publicKey, parseKeyIdText('release-2026')), withDeclaredKeyId(a.publicKey, a.publicKey.keyId), a.publicKey]);
  assert.equal(both.valid, true);
  assert.deepEqual(both.validKeyIndices, [2]);
  assert.deepEqual(both.accepted.map((s) => s.keyIdStatus), ['unverified']);
});

test('key id text: hex: must be hex, text is UTF-8, a declared id cannot be empty', () => {
  assert.equal(hex(parseKeyIdText('hex:0aFF')), '0aff');
  assert.equal(hex(parseKeyIdText('ké')), '6bc3a9');
  for (const bad of ['hex:0', 'hex:zz', 'hex:0a0']) assert.throws(() => parseKeyIdText(bad), (e: unknown) => e instanceof SigningError && e.code === 'bad-argument');
  assert.throws(() => withDeclaredKeyId(generateKeyPair().publicKey, new Uint8Array(0)), /cannot be empty/);
});
