import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSignatureData, generateKeyPair, listSignatures, signModule, SigningError, verifyModule } from '../../../server/src/engine/signing';
import { handCustomSection, handEncodePayload, handSections, leb, sampleModule } from './helpers';

const PREAMBLE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

function withSignaturePayload(rest: Uint8Array, payload: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([PREAMBLE, handCustomSection('signature', payload), rest]));
}

test('a signature payload truncated at every byte is reported malformed with an offset, embedded and detached', async () => {
  const wasm = await sampleModule();
  const a = generateKeyPair();
  const b = generateKeyPair();
  const signed = signModule(signModule(wasm, a.secretKey, { delimiters: [0, 2] }).bytes!, b.secretKey).bytes!;
  const sec = handSections(signed)[0];
  const payload = signed.subarray(sec.contentStart!, sec.end);
  const rest = signed.subarray(sec.end);
  assert.equal(verifyModule(signed, [a.publicKey, b.publicKey]).valid, true);
  for (let k = 0; k < payload.length; k++) {
    const cut = payload.subarray(0, k);
    const mod = withSignaturePayload(rest, cut);
    const cs = handSections(mod)[0].contentStart!;
    const emb = verifyModule(mod, [a.publicKey, b.publicKey]);
    assert.equal(emb.valid, false, `cut at ${k}`);
    assert.equal(emb.reason, 'malformed', `cut at ${k}: ${emb.message}`);
    assert.ok(typeof emb.offset === 'number' && emb.offset >= cs && emb.offset <= cs + k, `offset at ${k}`);
    const det = verifyModule(rest.length ? new Uint8Array([...PREAMBLE, ...rest]) : PREAMBLE, [a.publicKey], { detachedSignature: cut });
    assert.equal(det.reason, 'malformed', `detached cut at ${k}`);
    assert.equal(det.inDetached, true);
    assert.throws(() => decodeSignatureData(cut), (e: unknown) => e instanceof SigningError && e.code === 'malformed');
  }
  // the file itself cut inside the signature section: the section runs past the end
  for (let k = 9; k < sec.end; k++) {
    const r = verifyModule(signed.subarray(0, k), [a.publicKey]);
    assert.equal(r.reason, 'malformed', `file cut at ${k}`);
  }
});

test('counts past the limits (64 entries, 64 hashes, 256 signatures) and huge lengths are refused early', () => {
  const rest = handCustomSection('x', new Uint8Array(4));
  const pk = generateKeyPair().publicKey;
  const cases: [string, number[], RegExp][] = [
    ['65 signed-hashes entries', [1, 1, 1, ...leb(65)], /65 signed-hashes entries, at most 64/],
    ['65 hashes', [1, 1, 1, 1, ...leb(2 + 65 * 32), 65, 0x01, ...new Array(65 * 32).fill(7)], /65 hashes in entry 0, at most 64/],
    ['257 signatures', [1, 1, 1, 1, ...leb(3), 0, ...leb(257)], /257 signatures in entry 0, at most 256/],
    ['entry length 2^32-1', [1, 1, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0], /declares 4294967295 bytes/],
    ['entry length past 32 bits', [1, 1, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x7f, 0], /truncated or oversized/],
    ['6-byte LEB', [1, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], /truncated or oversized/],
    ['signature length huge', [1, 1, 1, 1, 4, 0, 1, 0xff, 0x0f], /declares 2047 bytes/],
    ['key id past its entry', [1, 1, 1, 1, 6, 0, 1, 3, 0x7f, 1, 1], /key id of signature 0 of entry 0 runs past/],
    ['Ed25519 signature of 3 bytes', [1, 1, 1, 1, 9, 0, 1, 6, 0, 1, 3, 1, 2, 3], /has 3 bytes, expected 64/],
    ['trailing bytes', [1, 1, 1, 0, 0], /1 unexpected bytes after/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const r = verifyModule(withSignaturePayload(rest, Uint8Array.from(bytes)), [pk]);
    assert.equal(r.reason, 'malformed', name);
    assert.match(r.message, pattern, name);
    assert.equal(typeof r.offset, 'number', name);
    assert.equal(listSignatures(withSignaturePayload(rest, Uint8Array.from(bytes))).error?.reason, 'malformed', name);
  }
  // a section size far past the end of the file
  const huge = new Uint8Array([...PREAMBLE, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 9]);
  const r = verifyModule(huge, [pk]);
  assert.equal(r.reason, 'malformed');
  assert.equal(r.offset, 8);
  assert.match(r.message, /declares 4294967295 bytes/);
});

test('changing any single byte after the signature section makes verification fail (every byte of a real module)', async () => {
  const wasm = await sampleModule();
  assert.ok(wasm.length > 2000, `module is ${wasm.length} bytes`);
  const { secretKey, publicKey } = generateKeyPair();
  const signed = signModule(wasm, secretKey).bytes!;
  const start = handSections(signed)[0].end;
  const buf = Uint8Array.from(signed);
  const reasons = new Set<string>();
  for (let i = start; i < buf.length; i++) {
    const orig = buf[i];
    buf[i] = orig ^ (i % 2 ? 0x01 : 0x80);
    const r = verifyModule(buf, [publicKey]);
    assert.equal(r.valid, false, `byte ${i} changed and still valid`);
    reasons.add(r.reason!);
    buf[i] = orig;
  }
  assert.ok(reasons.has('tampered'));
  assert.equal(verifyModule(buf, [publicKey]).valid, true);
});

test('changing any byte of the signature payload fails, except key id bytes (the key id is not signed)', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  const signed = signModule(wasm, secretKey).bytes!;
  const sec = handSections(signed)[0];
  const p = sec.contentStart!;
  const keyIdStart = p + Buffer.from(signed.subarray(p, sec.end)).indexOf(Buffer.from(publicKey.keyId));
  assert.ok(keyIdStart > p);
  assert.equal(signed[keyIdStart - 1], 12);
  const buf = Uint8Array.from(signed);
  for (let i = p; i < sec.end; i++) {
    const orig = buf[i];
    buf[i] = orig ^ 0x04;
    const r = verifyModule(buf, [publicKey]);
    const inKeyId = i >= keyIdStart && i < keyIdStart + 12;
    assert.equal(r.valid, inKeyId, `payload byte ${i - p}: ${r.message}`);
    // ...and then the result says the (changed) key id is unverified
    if (inKeyId) assert.match(r.keyIdNote ?? '', /key id [0-9a-f]{24} is unverified: key ids are not covered by the signature/);
    buf[i] = orig;
  }
});

test('a hostile payload with 64 x 256 unknown-algorithm signatures is processed quickly', () => {
  const sigs = Array.from({ length: 256 }, () => ({ keyId: new Uint8Array(0), alg: 0x7e, sig: new Uint8Array(64) }));
  const payload = handEncodePayload(Array.from({ length: 64 }, () => ({ hashes: [new Uint8Array(32)], sigs })));
  const pk = generateKeyPair().publicKey;
  const r = verifyModule(withSignaturePayload(new Uint8Array(0), payload), [pk]);
  assert.equal(r.reason, 'wrong-key');
  assert.match(r.message, /16384 signature/);
  // Ed25519 signatures: the number of checks is capped, the refusal is immediate and says why
  const ed = handEncodePayload(Array.from({ length: 64 }, () => ({ hashes: [new Uint8Array(32)], sigs: sigs.map((x) => ({ ...x, alg: 1 })) })));
  const started = process.hrtime.bigint();
  const r2 = verifyModule(withSignaturePayload(new Uint8Array(0), ed), [pk, generateKeyPair().publicKey]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(r2.reason, 'malformed');
  assert.match(r2.message, /more than 1024 signature checks/);
  assert.ok(ms < 2000, `took ${ms} ms`);
  assert.equal(listSignatures(withSignaturePayload(new Uint8Array(0), ed), [pk]).error?.reason, 'malformed');
});
