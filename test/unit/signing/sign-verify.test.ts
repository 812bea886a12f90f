import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import {
  attachSignature,
  decodeSignatureData,
  detachSignature,
  generateKeyPair,
  insertDelimiters,
  listSignatures,
  signModule,
  SigningError,
  verifyModule,
  walkSections,
} from '../../../server/src/engine/signing';
import { handCustomSection, handDecodePayload, handSections, sampleModule } from './helpers';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

test('embedded round trip: signature section first, rest of the module byte-identical, verifies', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  const { bytes, signature } = signModule(wasm, secretKey);
  assert.ok(bytes);
  const secs = handSections(bytes);
  assert.equal(secs[0].name, 'signature');
  assert.deepEqual(bytes.subarray(secs[0].end), wasm.subarray(8));
  assert.deepEqual(bytes.subarray(secs[0].contentStart!, secs[0].end), signature);
  const r = verifyModule(bytes, [publicKey]);
  assert.equal(r.valid, true, r.message);
  assert.deepEqual(r.validKeyIndices, [0]);
  assert.equal(r.moduleHash, sha256(wasm.subarray(8)));
  // the payload parses with the hand-written decoder, key id = default key id
  const d = handDecodePayload(signature);
  assert.deepEqual(d.header, [1, 1, 1]);
  assert.equal(d.entries.length, 1);
  assert.deepEqual(d.entries[0].hashes, [sha256(wasm.subarray(8))]);
  assert.equal(d.entries[0].sigs[0].keyId, hex(publicKey.keyId));
  assert.equal(d.entries[0].sigs[0].alg, 1);
  assert.equal(d.entries[0].sigs[0].sig.length, 64);
});

test('detached round trip; attach/detach convert between the two', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  const { bytes, signature } = signModule(wasm, secretKey, { detached: true });
  assert.equal(bytes, undefined);
  assert.equal(verifyModule(wasm, [publicKey], { detachedSignature: signature }).valid, true);
  assert.equal(verifyModule(wasm, [publicKey]).reason, 'no-signature');
  const attached = attachSignature(wasm, signature);
  assert.equal(verifyModule(attached, [publicKey]).valid, true);
  const back = detachSignature(attached);
  assert.deepEqual(back.bytes, wasm);
  assert.deepEqual(back.signature, signature);
  const tampered = Uint8Array.from(wasm);
  tampered[tampered.length - 1] ^= 0x20;
  assert.equal(verifyModule(tampered, [publicKey], { detachedSignature: signature }).reason, 'tampered');
});

test('multiple signers: same hashes append to the entry, different hashes add an entry', async () => {
  const wasm = await sampleModule();
  const a = generateKeyPair();
  const b = generateKeyPair();
  const c = generateKeyPair();
  const s1 = signModule(wasm, a.secretKey).bytes!;
  const s2 = signModule(s1, b.secretKey).bytes!;
  const secs = handSections(s2);
  const d = handDecodePayload(s2.subarray(secs[0].contentStart!, secs[0].end));
  assert.equal(d.entries.length, 1);
  assert.deepEqual(d.entries[0].sigs.map((s) => s.keyId), [hex(a.publicKey.keyId), hex(b.publicKey.keyId)]);
  assert.deepEqual(s2.subarray(secs[0].end), wasm.subarray(8));
  const r = verifyModule(s2, [c.publicKey, b.publicKey, a.publicKey]);
  assert.equal(r.valid, true);
  assert.deepEqual(r.validKeyIndices, [1, 2]);
  assert.equal(r.message, 'signature valid (keys 2, 3)', 'keys numbered from 1, as the signatures listing names them');
  assert.deepEqual(listSignatures(s2, [c.publicKey, b.publicKey, a.publicKey]).entries[0].signatures.map((x) => x.trustedKeyIndices), [[2], [1]]);
  assert.throws(() => signModule(s2, a.secretKey), (e: unknown) => e instanceof SigningError && e.code === 'duplicate-signature');

  // a custom section appended after signing: new hashes -> a second entry; the old signers no longer cover the module
  const extended = new Uint8Array([...s2, ...handCustomSection('extra', Uint8Array.of(1, 2, 3))]);
  const s3 = signModule(extended, c.secretKey).bytes!;
  const secs3 = handSections(s3);
  const d3 = handDecodePayload(s3.subarray(secs3[0].contentStart!, secs3[0].end));
  assert.equal(d3.entries.length, 2);
  assert.equal(d3.entries[1].sigs.length, 1);
  assert.equal(verifyModule(s3, [c.publicKey]).valid, true);
  const onlyOld = verifyModule(s3, [a.publicKey]);
  assert.equal(onlyOld.reason, 'tampered');
  assert.equal(onlyOld.signatures.length, 1); // a's signature is valid, over other hashes

  // detached multi-signer
  const d1 = signModule(wasm, a.secretKey, { detached: true }).signature;
  const d2 = signModule(wasm, b.secretKey, { detached: true, existingSignature: d1 }).signature;
  assert.equal(handDecodePayload(d2).entries[0].sigs.length, 2);
  assert.deepEqual(verifyModule(wasm, [a.publicKey, b.publicKey], { detachedSignature: d2 }).validKeyIndices, [0, 1]);
});

test('key id option: custom and empty key ids', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  for (const keyId of [Uint8Array.of(9, 8, 7), null]) {
    const { bytes, signature } = signModule(wasm, secretKey, { keyId });
    assert.equal(handDecodePayload(signature).entries[0].sigs[0].keyId, keyId ? '090807' : '');
    assert.equal(verifyModule(bytes!, [publicKey]).valid, true);
  }
});

test('delimiters: parts recorded per delimiter; a stripped last part still verifies by parts', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  const nSections = walkSections(wasm).sections.length;
  const { bytes, hashes } = signModule(wasm, secretKey, { delimiters: 'each' });
  const secs = handSections(bytes!);
  const delims = secs.filter((s) => s.name === 'signature_delimiter');
  assert.equal(delims.length, nSections);
  for (const d of delims) assert.equal(d.end - d.contentStart!, 16);
  assert.equal(new Set(delims.map((d) => hex(bytes!.subarray(d.contentStart!, d.end)))).size, delims.length);
  // each recorded hash is the running hash up to and including a delimiter
  assert.deepEqual(
    hashes.map(hex),
    delims.map((d) => sha256(bytes!.subarray(secs[0].end, d.end))),
  );
  assert.equal(verifyModule(bytes!, [publicKey]).valid, true);

  const lastPartStart = delims[delims.length - 2].end;
  const stripped = bytes!.subarray(0, lastPartStart);
  const full = verifyModule(stripped, [publicKey]);
  assert.equal(full.valid, true, 'the prefix hash is itself signed'); // prefix ends on a delimiter whose hash was signed
  const byParts = verifyModule(stripped, [publicKey], { splitParts: true });
  assert.equal(byParts.valid, true, byParts.message);
  assert.equal(byParts.parts.length, nSections - 1);

  // sections appended after the last delimiter: only split verification accepts, and says what is not covered
  const appended = new Uint8Array([...stripped, ...handCustomSection('added', Uint8Array.of(1))]);
  assert.equal(verifyModule(appended, [publicKey]).reason, 'tampered');
  const split = verifyModule(appended, [publicKey], { splitParts: true });
  assert.equal(split.valid, true);
  assert.equal(split.parts.at(-1)!.verified, false);
  assert.match(split.message, /not covered/);

  // a modified middle part fails even by parts
  const mid = Uint8Array.from(bytes!);
  const codeLike = secs[3];
  mid[codeLike.end - 1] ^= 1;
  assert.equal(verifyModule(mid, [publicKey], { splitParts: true }).reason, 'tampered');

  // delimiters after chosen sections only; a trailing delimiter is always added
  const chosen = insertDelimiters(wasm, [1]);
  const cs = handSections(chosen);
  assert.deepEqual(cs.map((s, i) => (s.name === 'signature_delimiter' ? i : -1)).filter((i) => i >= 0), [2, cs.length - 1]);
});

test('failure reasons: no-signature, signature-not-first, wrong-key, tampered, unknown-format, malformed', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  const other = generateKeyPair();
  const signed = signModule(wasm, secretKey).bytes!;
  const secs = handSections(signed);
  const payloadStart = secs[0].contentStart!;

  assert.equal(verifyModule(wasm, [publicKey]).reason, 'no-signature');

  // the older wasm-sign layout: a 68-byte `signature` section at the end (u32 alg_id = 2, 64-byte signature)
  const atEnd = new Uint8Array([...wasm, ...handCustomSection('signature', Uint8Array.of(2, 0, 0, 0, ...new Uint8Array(64)))]);
  const nf = verifyModule(atEnd, [publicKey]);
  assert.equal(nf.reason, 'signature-not-first');
  assert.equal(nf.offset, wasm.length);
  assert.throws(() => signModule(atEnd, secretKey), (e: unknown) => e instanceof SigningError && e.code === 'signature-not-first');

  const wk = verifyModule(signed, [other.publicKey]);
  assert.equal(wk.reason, 'wrong-key');
  assert.equal(verifyModule(signed, []).reason, 'wrong-key');

  const t = Uint8Array.from(signed);
  t[t.length - 5] ^= 0xff;
  assert.equal(verifyModule(t, [publicKey]).reason, 'tampered');

  for (const [i, name] of [[0, 'spec version'], [1, 'content type'], [2, 'hash function']] as const) {
    const u = Uint8Array.from(signed);
    u[payloadStart + i] = 2;
    const r = verifyModule(u, [publicKey]);
    assert.equal(r.reason, 'unknown-format', name);
    assert.equal(r.offset, payloadStart + i);
    assert.match(r.message, new RegExp(name));
  }

  const m = Uint8Array.from(signed);
  m[payloadStart + 3] = 2; // two entries announced, one present
  const mr = verifyModule(m, [publicKey]);
  assert.equal(mr.reason, 'malformed');
  assert.equal(typeof mr.offset, 'number');

  assert.equal(decodeSignatureData(signed.subarray(payloadStart, secs[0].end)).signedHashes[0].signatures[0].algId, 1);
  assert.equal(verifyModule(signed.subarray(0, 7), [publicKey]).reason, 'malformed');
  assert.equal(verifyModule(new Uint8Array(0), [publicKey]).reason, 'malformed');
});

test('listSignatures: entries, key ids, algorithm, matching against trusted keys', async () => {
  const wasm = await sampleModule();
  const a = generateKeyPair();
  const b = generateKeyPair();
  const s = signModule(signModule(wasm, a.secretKey).bytes!, b.secretKey, { keyId: null }).bytes!;
  const l = listSignatures(s, [b.publicKey]);
  assert.equal(l.present, true);
  assert.equal(l.embedded, true);
  assert.equal(l.entries.length, 1);
  assert.equal(l.entries[0].hashCount, 1);
  assert.deepEqual(
    l.entries[0].signatures.map((x) => [x.keyId, x.alg, x.trustedKeyIndices]),
    [
      [hex(a.publicKey.keyId), 'ed25519', []],
      ['', 'ed25519', [0]],
    ],
  );
  assert.deepEqual(listSignatures(wasm), { present: false, embedded: false, entries: [] });
  const bad = Uint8Array.from(s);
  bad[handSections(s)[0].contentStart!] = 9;
  assert.equal(listSignatures(bad).error?.reason, 'unknown-format');
});

test('signing bad input gives clear errors', async () => {
  const wasm = await sampleModule();
  const { secretKey } = generateKeyPair();
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof SigningError, String(e));
      return `${e.code}: ${e.message}`;
    }
    return 'no error';
  };
  assert.match(code(() => signModule(Uint8Array.of(1, 2, 3), secretKey)), /^malformed: not a WebAssembly binary/);
  assert.match(code(() => signModule(wasm.subarray(0, wasm.length - 3), secretKey)), /^malformed: section \d+ \(\w+\) declares \d+ bytes/);
  const badSig = new Uint8Array([...wasm.subarray(0, 8), ...handCustomSection('signature', Uint8Array.of(1, 1, 1, 65)), ...wasm.subarray(8)]);
  assert.match(code(() => signModule(badSig, secretKey)), /^malformed: 65 signed-hashes entries, at most 64/);
  const signed = signModule(wasm, secretKey).bytes!;
  assert.match(code(() => attachSignature(signed, signModule(wasm, secretKey, { detached: true }).signature)), /^bad-argument: .*already has/);
  assert.match(code(() => detachSignature(wasm)), /^no-signature/);
  assert.match(code(() => signModule(wasm, secretKey, { detached: true, existingSignature: Uint8Array.of(2, 1, 1, 0) })), /^unknown-format/);
});
