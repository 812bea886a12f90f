/**
 * Interoperability, checked against the documented layout with code independent of the engine:
 * hand-built signatures must verify, and the engine's output must parse and verify by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { generateKeyPair, listSignatures, parsePublicKey, signModule, verifyModule } from '../../../server/src/engine/signing';
import { handCustomSection, handDecodePayload, handEncodePayload, handSections, sampleModule, wat2wasm } from './helpers';

const PREAMBLE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
const WA = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<unknown> } }).WebAssembly;
const sha256 = (b: Uint8Array) => new Uint8Array(crypto.createHash('sha256').update(b).digest());
const message = (hashes: Uint8Array[]) => Buffer.concat([Buffer.from('wasmsig', 'ascii'), Buffer.from([1, 1, 1]), ...hashes]);
const HMAC_KEY_ID = (pk: Uint8Array) => crypto.createHmac('sha256', pk).update('key_id').digest().subarray(0, 12);

function nodeKeys() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  // a wasmsign2 public key file: 0x01 || 32 bytes
  return { privateKey, raw, file: Uint8Array.of(0x01, ...raw) };
}

test('a hand-built wasmsign2 signature section verifies', async () => {
  const wasm = await sampleModule();
  const k = nodeKeys();
  const rest = wasm.subarray(8);
  const h = sha256(rest);
  const sig = crypto.sign(null, message([h]), k.privateKey);
  const payload = handEncodePayload([{ hashes: [h], sigs: [{ keyId: HMAC_KEY_ID(k.raw), sig }] }]);
  const signed = new Uint8Array([...PREAMBLE, ...handCustomSection('signature', payload), ...rest]);
  const pk = parsePublicKey(k.file);
  const r = verifyModule(signed, [pk]);
  assert.equal(r.valid, true, r.message);
  assert.deepEqual(r.validKeyIndices, [0]);
  // the same payload, detached
  assert.equal(verifyModule(wasm, [pk], { detachedSignature: payload }).valid, true);
  // and a signature over another message is rejected
  const bad = handEncodePayload([{ hashes: [h], sigs: [{ keyId: new Uint8Array(0), sig: crypto.sign(null, Buffer.concat([message([h]), Buffer.of(0)]), k.privateKey) }] }]);
  assert.equal(verifyModule(wasm, [pk], { detachedSignature: bad }).reason, 'wrong-key');
});

test('unknown-algorithm signatures are skipped; a valid Ed25519 one next to them still verifies', async () => {
  const wasm = await sampleModule();
  const k = nodeKeys();
  const h = sha256(wasm.subarray(8));
  const payload = handEncodePayload([
    {
      hashes: [h],
      sigs: [
        { keyId: Uint8Array.of(1), alg: 0x02, sig: new Uint8Array(96) },
        { keyId: new Uint8Array(0), sig: crypto.sign(null, message([h]), k.privateKey) },
      ],
    },
  ]);
  const signed = new Uint8Array([...PREAMBLE, ...handCustomSection('signature', payload), ...wasm.subarray(8)]);
  assert.equal(verifyModule(signed, [parsePublicKey(k.file)]).valid, true);
  const l = listSignatures(signed, [parsePublicKey(k.file)]);
  assert.deepEqual(l.entries[0].signatures.map((s) => [s.alg, s.algId, s.trustedKeyIndices]), [['unknown', 2, []], ['ed25519', 1, [0]]]);
});

test('hand-built delimited parts: running hash recorded at each delimiter verifies, also by parts', async () => {
  const wasm = await sampleModule();
  const k = nodeKeys();
  const secs = handSections(wasm);
  const delim = () => handCustomSection('signature_delimiter', new Uint8Array(crypto.randomBytes(16)));
  // delimiters after section 1 and at the end
  const body = new Uint8Array([...wasm.subarray(8, secs[1].end), ...delim(), ...wasm.subarray(secs[1].end), ...delim()]);
  const bsecs = handSections(new Uint8Array([...PREAMBLE, ...body])).filter((s) => s.name === 'signature_delimiter');
  const hashes = bsecs.map((s) => sha256(body.subarray(0, s.end - 8)));
  const payload = handEncodePayload([{ hashes, sigs: [{ keyId: new Uint8Array(0), sig: crypto.sign(null, message(hashes), k.privateKey) }] }]);
  const signed = new Uint8Array([...PREAMBLE, ...handCustomSection('signature', payload), ...body]);
  const pk = parsePublicKey(k.file);
  assert.equal(verifyModule(signed, [pk]).valid, true);
  const split = verifyModule(signed, [pk], { splitParts: true });
  assert.equal(split.valid, true);
  assert.deepEqual(split.parts.map((p) => p.verified), [true, true]);
});

test('the engine signature parses with a hand-written decoder and verifies by hand', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  for (const delimiters of [undefined, 'each' as const]) {
    const { bytes } = signModule(wasm, secretKey, { delimiters });
    const secs = handSections(bytes!);
    assert.equal(secs[0].name, 'signature');
    const d = handDecodePayload(bytes!.subarray(secs[0].contentStart!, secs[0].end));
    assert.deepEqual(d.header, [1, 1, 1]);
    const signedStart = secs[0].end;
    const checkpoints = delimiters ? secs.filter((s) => s.name === 'signature_delimiter').map((s) => s.end) : [bytes!.length];
    const expected = checkpoints.map((end) => Buffer.from(sha256(bytes!.subarray(signedStart, end))).toString('hex'));
    assert.deepEqual(d.entries[0].hashes, expected);
    const msg = message(d.entries[0].hashes.map((h) => Buffer.from(h, 'hex')));
    const spki = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey.raw]), format: 'der', type: 'spki' });
    assert.equal(crypto.verify(null, msg, spki, d.entries[0].sigs[0].sig), true);
    assert.equal(d.entries[0].sigs[0].keyId, HMAC_KEY_ID(publicKey.raw).toString('hex'));
  }
});

test('LEB pitfall: non-minimal section sizes are kept byte for byte, hashed as they are in the file', async () => {
  const wasm = await wat2wasm('(module (func (export "f") (result i32) i32.const 42))');
  const secs = handSections(wasm);
  // re-encode every section size as a padded 5-byte LEB
  const parts: number[] = [...PREAMBLE];
  for (const s of secs) {
    const id = wasm[s.offset];
    let p = s.offset + 1;
    while (wasm[p] & 0x80) p++;
    const size = s.end - (p + 1);
    parts.push(id, (size & 0x7f) | 0x80, 0x80, 0x80, 0x80, 0x00, ...wasm.subarray(p + 1, s.end));
  }
  const padded = Uint8Array.from(parts);
  await WA.compile(padded); // still a valid module
  const { secretKey, publicKey } = generateKeyPair();
  const { bytes } = signModule(padded, secretKey);
  const sig = handSections(bytes!)[0];
  assert.deepEqual(bytes!.subarray(sig.end), padded.subarray(8));
  const d = handDecodePayload(bytes!.subarray(sig.contentStart!, sig.end));
  assert.equal(d.entries[0].hashes[0], Buffer.from(sha256(padded.subarray(8))).toString('hex'));
  assert.equal(verifyModule(bytes!, [publicKey]).valid, true);
  await WA.compile(bytes!);
});

test('component preamble is accepted', () => {
  const comp = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, ...handCustomSection('x', Uint8Array.of(5)));
  const { secretKey, publicKey } = generateKeyPair();
  const { bytes } = signModule(comp, secretKey);
  assert.deepEqual(bytes!.subarray(0, 8), comp.subarray(0, 8));
  assert.equal(verifyModule(bytes!, [publicKey]).valid, true);
});
