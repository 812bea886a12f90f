/**
 * What a signature covers: every byte a changed file could hide data in must be hashed or refused.
 * Detached signatures cover every byte after the preamble (wasmsign2 hashes the whole rest of the file,
 * a `signature` section included); embedded ones every section after the single leading `signature` section.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { attachSignature, detachSignature, generateKeyPair, listSignatures, signModule, verifyModule } from '../../../server/src/engine/signing';
import { handCustomSection, handEncodePayload, handSections, sampleModule } from './helpers';

const PREAMBLE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
/** 1 MiB of data nobody signed (random, so no compression or pattern can be relied on). */
const unsigned = () => new Uint8Array(crypto.randomBytes(1024 * 1024));

test('detached: 1 MiB in a leading section named "signature" (or "x") does not verify against the original signature', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  const { signature } = signModule(wasm, secretKey, { detached: true });
  assert.equal(verifyModule(wasm, [publicKey], { detachedSignature: signature }).valid, true);
  for (const name of ['signature', 'x']) {
    const changed = cat(PREAMBLE, handCustomSection(name, unsigned()), wasm.subarray(8));
    const r = verifyModule(changed, [publicKey], { detachedSignature: signature });
    assert.equal(r.valid, false, `section "${name}" verified`);
    assert.equal(r.reason, 'tampered', `${name}: ${r.message}`);
    assert.equal(r.offset, 8, 'the signed bytes start right after the preamble');
    if (name === 'signature') assert.match(r.message, /detached signature covers every byte after the preamble, including the module's "signature" section at byte 8/);
    // by parts too
    assert.equal(verifyModule(changed, [publicKey], { detachedSignature: signature, splitParts: true }).valid, false, `${name} by parts`);
  }
  // the same section appended at the end, or a "signature" section anywhere in between, is caught as well
  const secs = handSections(wasm);
  const middle = secs[Math.floor(secs.length / 2)].offset;
  for (const changed of [
    cat(wasm, handCustomSection('signature', unsigned())),
    cat(wasm.subarray(0, middle), handCustomSection('signature', new Uint8Array(16)), wasm.subarray(middle)),
  ]) {
    assert.equal(verifyModule(changed, [publicKey], { detachedSignature: signature }).reason, 'tampered');
  }
});

test('detached: a module that also carries an embedded signature is hashed whole, by our signer and our verifier alike', async () => {
  const wasm = await sampleModule();
  const a = generateKeyPair();
  const b = generateKeyPair();
  const embedded = signModule(wasm, a.secretKey).bytes!;
  // a detached signature of the embedded-signed file covers its signature section too
  const { signature, hashes } = signModule(embedded, b.secretKey, { detached: true });
  assert.equal(Buffer.from(hashes[0]).toString('hex'), crypto.createHash('sha256').update(embedded.subarray(8)).digest('hex'));
  assert.equal(verifyModule(embedded, [b.publicKey], { detachedSignature: signature }).valid, true);
  // and changing the embedded signature section (e.g. swapping it for another) breaks the detached one
  const resigned = signModule(wasm, generateKeyPair().secretKey).bytes!;
  assert.equal(verifyModule(resigned, [b.publicKey], { detachedSignature: signature }).reason, 'tampered');
  // the embedded signature still verifies on its own
  assert.equal(verifyModule(embedded, [a.publicKey]).valid, true);
  // detach / attach round trip keeps the embedded form verifying
  const d = detachSignature(embedded);
  assert.equal(verifyModule(d.bytes, [a.publicKey], { detachedSignature: d.signature }).valid, true);
  assert.equal(verifyModule(attachSignature(d.bytes, d.signature), [a.publicKey]).valid, true);
});

test('embedded: a second signature section, one not first, trailing data, and garbage inside the section are refused', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  const signed = signModule(wasm, secretKey).bytes!;
  const sec = handSections(signed)[0];
  const payload = signed.subarray(sec.contentStart!, sec.end);
  const rest = signed.subarray(sec.end);
  assert.equal(verifyModule(signed, [publicKey]).valid, true);

  // two signature sections: the copy after the first is refused, wherever it is
  for (const changed of [
    cat(signed.subarray(0, sec.end), handCustomSection('signature', payload), rest),
    cat(signed, handCustomSection('signature', payload)),
    cat(signed, handCustomSection('signature', unsigned())),
  ]) {
    const r = verifyModule(changed, [publicKey]);
    assert.equal(r.reason, 'signature-not-first', r.message);
    assert.match(r.message, /a second "signature" section/);
    assert.ok(r.offset! > sec.offset);
  }
  // the signature section moved after the first section: not this format
  const first = handSections(wasm)[0];
  const moved = cat(PREAMBLE, wasm.subarray(8, first.end), handCustomSection('signature', payload), wasm.subarray(first.end));
  assert.equal(verifyModule(moved, [publicKey]).reason, 'signature-not-first');
  assert.equal(listSignatures(moved).error?.reason, 'signature-not-first');
  // 1 MiB of data appended as a section, or as bytes that are not a section
  assert.equal(verifyModule(cat(signed, handCustomSection('x', unsigned())), [publicKey]).reason, 'tampered');
  for (const tail of [Uint8Array.of(0), Uint8Array.of(0, 0x80), unsigned()]) {
    const r = verifyModule(cat(signed, tail), [publicKey]);
    assert.equal(r.valid, false);
    assert.ok(r.reason === 'malformed' || r.reason === 'tampered', `${tail.length} bytes: ${r.reason}`);
  }
  // garbage after the signature data, inside the section: malformed, whatever its size
  for (const garbage of [Uint8Array.of(0), unsigned()]) {
    const r = verifyModule(cat(PREAMBLE, handCustomSection('signature', cat(payload, garbage)), rest), [publicKey]);
    assert.equal(r.reason, 'malformed', r.message);
    assert.match(r.message, /unexpected bytes after the signature data|at most 4194304/);
  }
  // a signature section whose signatures are all made over other hashes, next to the real module: wrong key / tampered
  const forged = handEncodePayload([{ hashes: [new Uint8Array(32)], sigs: [{ keyId: new Uint8Array(0), sig: new Uint8Array(64) }] }]);
  assert.equal(verifyModule(cat(PREAMBLE, handCustomSection('signature', forged), rest), [publicKey]).reason, 'wrong-key');
});

test('changing any single byte after the preamble fails detached verification (a real module, every byte)', async () => {
  const wasm = await sampleModule();
  const { secretKey, publicKey } = generateKeyPair();
  const embedded = signModule(wasm, secretKey).bytes!;
  const { signature } = signModule(embedded, secretKey, { detached: true });
  const buf = Uint8Array.from(embedded);
  // every byte of the embedded signature section (which the detached signature covers) and a sample of the rest
  const sec = handSections(embedded)[0];
  for (let i = 8; i < buf.length; i += i < sec.end ? 1 : 7) {
    const orig = buf[i];
    buf[i] = orig ^ 0x10;
    assert.equal(verifyModule(buf, [publicKey], { detachedSignature: signature }).valid, false, `byte ${i}`);
    buf[i] = orig;
  }
  assert.equal(verifyModule(buf, [publicKey], { detachedSignature: signature }).valid, true);
});
