import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { emptyModel } from '../../../server/src/engine/model';
import { checkModel } from '../../../server/src/engine/policy/check';
import type { Policy } from '../../../server/src/engine/policy/definition';
import { effectivePolicy } from '../../../server/src/engine/policy/load';
import { encodePublicKey, generateKeyPair, signModule } from '../../../server/src/engine/signing';
import { handCustomSection, sampleModule } from './helpers';

const CODES = ['signature-missing', 'signature-invalid', 'signature-untrusted', 'integrity-mismatch'];

function run(bytes: Uint8Array, policy: Policy, policyDir: string, filePath = 'mods/a.wasm') {
  const { model } = readWasm(bytes);
  return checkModel(model, effectivePolicy(policy, filePath), { bytes, filePath, policyDir }).filter((d) => CODES.includes(d.code));
}

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-sigpol-'));
  fs.mkdirSync(path.join(dir, 'keys'));
  const trusted = generateKeyPair();
  const stranger = generateKeyPair();
  fs.writeFileSync(path.join(dir, 'keys/trusted.pk'), encodePublicKey(trusted.publicKey, 'raw'));
  fs.writeFileSync(path.join(dir, 'keys/trusted.pem'), encodePublicKey(trusted.publicKey, 'pem'));
  fs.writeFileSync(path.join(dir, 'keys/rsa.pem'), crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }));
  const wasm = await sampleModule();
  return { dir, trusted, stranger, wasm, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('signature rules: missing, trusted, untrusted, invalid (tampered, malformed), foreign signature section', async () => {
  const { dir, trusted, stranger, wasm, cleanup } = await setup();
  try {
    const policy: Policy = { signature: { required: true, trustedKeys: ['keys/trusted.pk'] } };
    const codes = (b: Uint8Array, p: Policy = policy) => run(b, p, dir).map((d) => d.code);

    const missing = run(wasm, policy, dir);
    assert.deepEqual(missing.map((d) => d.code), ['signature-missing']);
    assert.deepEqual(missing[0].span, { start: 0, end: 8 });
    assert.deepEqual(codes(wasm, {}), [], 'not required: nothing to say');

    const good = signModule(wasm, trusted.secretKey).bytes!;
    assert.deepEqual(codes(good), []);
    assert.deepEqual(codes(good, { signature: { required: true, trustedKeys: ['keys/trusted.pem'] } }), []);

    const foreignSigned = signModule(wasm, stranger.secretKey).bytes!;
    const untrusted = run(foreignSigned, policy, dir);
    assert.deepEqual(untrusted.map((d) => d.code), ['signature-untrusted']);
    assert.match(untrusted[0].message, new RegExp(`key ids in the signature, unverified since the signature does not cover them: ${Buffer.from(stranger.publicKey.keyId).toString('hex')}`));
    assert.equal(untrusted[0].data?.keyIdsVerified, false);
    assert.deepEqual(codes(foreignSigned, {}), [], 'no keys, not required: signed modules are not flagged');

    const tampered = Uint8Array.from(good);
    tampered[tampered.length - 3] ^= 1;
    const inv = run(tampered, policy, dir);
    assert.deepEqual(inv.map((d) => d.code), ['signature-invalid']);
    assert.equal(inv[0].data?.reason, 'tampered');

    const m2 = new Uint8Array([...wasm.subarray(0, 8), ...handCustomSection('signature', Uint8Array.of(1, 1, 1, 65)), ...wasm.subarray(8)]);
    const mal = run(m2, policy, dir);
    assert.deepEqual(mal.map((d) => d.code), ['signature-invalid']);
    assert.equal(mal[0].data?.reason, 'malformed');
    assert.equal(mal[0].span.start, mal[0].data?.offset);

    const atEnd = new Uint8Array([...wasm, ...handCustomSection('signature', new Uint8Array(65))]);
    const foreign = run(atEnd, policy, dir);
    assert.deepEqual(foreign.map((d) => d.code), ['signature-missing']);
    assert.match(foreign[0].message, /another tool/);
    assert.equal(foreign[0].span.start, wasm.length);
    // a valid signature followed by a second "signature" section: invalid, pointing at the second one
    const twice = new Uint8Array([...good, ...handCustomSection('signature', new Uint8Array(1024).fill(9))]);
    const second = run(twice, policy, dir);
    assert.deepEqual(second.map((d) => d.code), ['signature-invalid']);
    assert.match(second[0].message, /a second "signature" section/);
    assert.equal(second[0].span.start, good.length);

    // unreadable trusted keys are reported, without hiding a valid signature by a good key
    const withBad: Policy = { signature: { required: true, trustedKeys: ['keys/trusted.pk', 'keys/rsa.pem', 'keys/nope.pk'] } };
    const kp = run(good, withBad, dir);
    assert.deepEqual(kp.map((d) => d.code), ['signature-untrusted']);
    assert.match(kp[0].message, /keys\/rsa\.pem \(.*rsa.*Ed25519.*\).*keys\/nope\.pk \(key file not found\)/);

    // WAT-origin models: the rules do nothing
    const wat = emptyModel('wat', { start: 0, end: 10 });
    assert.deepEqual(checkModel(wat, effectivePolicy(policy, 'a.wat'), { policyDir: dir }).filter((d) => CODES.includes(d.code)), []);
  } finally {
    cleanup();
  }
});

test('integrity-mismatch: first matching glob decides; digest of the whole file', async () => {
  const { dir, wasm, cleanup } = await setup();
  try {
    const digest = crypto.createHash('sha256').update(wasm).digest('hex');
    const other = '0'.repeat(64);
    assert.deepEqual(run(wasm, { integrity: { 'mods/*.wasm': [other, digest.toUpperCase()] } }, dir), []);
    const d = run(wasm, { integrity: { 'mods/a.wasm': [other], 'mods/*.wasm': [digest] } }, dir);
    assert.deepEqual(d.map((x) => x.code), ['integrity-mismatch']);
    assert.deepEqual(d[0].data, { glob: 'mods/a.wasm', digest, allowed: [other], allowedCount: 1 });
    assert.deepEqual(run(wasm, { integrity: { 'other/**': [other] } }, dir), []);
    const changed = Uint8Array.from(wasm);
    changed[changed.length - 1] ^= 1;
    assert.deepEqual(run(changed, { integrity: { '**/*.wasm': [digest] } }, dir).map((x) => x.code), ['integrity-mismatch']);
  } finally {
    cleanup();
  }
});
