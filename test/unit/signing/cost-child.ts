/**
 * One hostile signing input, generated and processed in its own process: `cost-child.ts SCENARIO DIR`.
 * Prints one JSON line: `{ ms, peakDeltaMB, result }`. The input is built first (into preallocated
 * buffers or files under DIR); the peak RSS is then taken as the baseline, and `peakDeltaMB` is how much
 * the peak rose while the operation ran (RSS measured by the OS for this process, not a JS estimate).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emptyModel, type ModuleModel } from '../../../server/src/engine/model';
import { checkModel } from '../../../server/src/engine/policy/check';
import { effectivePolicy } from '../../../server/src/engine/policy/load';
import type { Policy } from '../../../server/src/engine/policy/definition';
import { encodePublicKey, generateKeyPair, listSignatures, signModule, verifyModule, insertDelimiters } from '../../../server/src/engine/signing';
import { handCustomSection, handEncodePayload } from './helpers';

const [scenario, dir] = process.argv.slice(2);
const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const MiB = 1024 * 1024;
const maxRssMB = () => process.resourceUsage().maxRSS / 1024;

/** A module of `size` bytes made of one repeated section (`unit`), after the preamble. */
function repeated(size: number, unit: number[]): Uint8Array {
  const n = Math.floor((size - 8) / unit.length);
  const b = new Uint8Array(8 + n * unit.length);
  b.set(PREAMBLE);
  for (let i = 0; i < n; i++) b.set(unit, 8 + i * unit.length);
  return b;
}

/**
 * The signature and integrity rules over the module's bytes. The model is a stand-in that says the module
 * carries a "signature" section (so every signature rule runs): reading the model of these files is the
 * binary reader's cost, measured with the binary inputs, not here.
 */
function policyCheck(bytes: Uint8Array, policy: Policy, policyDir: string, file = 'mod.wasm') {
  const model = { ...emptyModel('binary', { start: 0, end: 8 }), customSections: [{ name: 'signature', span: { start: 8, end: 9 }, size: 0 }] } as ModuleModel;
  const codes = ['signature-missing', 'signature-invalid', 'signature-untrusted', 'integrity-mismatch'];
  return checkModel(model, effectivePolicy(policy, file), { bytes, filePath: file, policyDir })
    .filter((d) => codes.includes(d.code))
    .map((d) => ({ code: d.code, message: d.message.slice(0, 4000), dataKeys: Object.keys(d.data ?? {}), allowedShown: (d.data as { allowed?: unknown[] })?.allowed?.length }));
}

function keyFile(name: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, encodePublicKey(generateKeyPair().publicKey, 'raw'));
  return name;
}

type Run = () => unknown;
const scenarios: Record<string, () => Run> = {
  /** 16 MiB of 3-byte custom sections (5.6 million): verify, list, and the policy rules with signature.required */
  'tiny-sections': () => {
    const bytes = repeated(16 * MiB, [0, 1, 0]);
    const pk = generateKeyPair().publicKey;
    keyFile('k.pub');
    return () => ({
      verify: verifyModule(bytes, [pk]).reason,
      detached: verifyModule(bytes, [pk], { detachedSignature: Uint8Array.of(1, 1, 1, 0) }).reason,
      list: listSignatures(bytes).present,
      policy: policyCheck(bytes, { signature: { required: true, trustedKeys: ['k.pub'] } }, dir),
    });
  },
  /** the same 16 MiB, signed: verification hashes it in one pass */
  'tiny-sections-signed': () => {
    const { secretKey, publicKey } = generateKeyPair();
    const bytes = signModule(repeated(16 * MiB, [0, 1, 0]), secretKey).bytes!;
    fs.writeFileSync(path.join(dir, 'k.pub'), encodePublicKey(publicKey, 'raw'));
    return () => ({ verify: verifyModule(bytes, [publicKey]).valid, policy: policyCheck(bytes, { signature: { required: true, trustedKeys: ['k.pub'] } }, dir) });
  },
  /** 16 MiB of signature_delimiter sections (441,505 of them) after a signed prefix */
  delimiters: () => {
    const { secretKey, publicKey } = generateKeyPair();
    const delimiter = Array.from(handCustomSection('signature_delimiter', new Uint8Array(16).fill(7)));
    const signed = signModule(Uint8Array.from([...PREAMBLE, ...handCustomSection('x', new Uint8Array(8))]), secretKey, { delimiters: 'each' }).bytes!;
    const tail = repeated(16 * MiB, delimiter).subarray(8);
    const bytes = new Uint8Array(signed.length + tail.length);
    bytes.set(signed);
    bytes.set(tail, signed.length);
    const plain = repeated(16 * MiB, [1, 0]);
    return () => {
      const full = verifyModule(bytes, [publicKey]);
      const parts = verifyModule(bytes, [publicKey], { splitParts: true });
      let sign: string;
      try {
        signModule(plain, secretKey, { delimiters: 'each' });
        sign = 'signed';
      } catch (e) {
        sign = (e as Error).message;
      }
      let insert: string;
      try {
        insertDelimiters(plain, 'each');
        insert = 'inserted';
      } catch (e) {
        insert = (e as Error).message;
      }
      return { full: [full.reason, full.parts.length], parts: [parts.reason, parts.message], sign, insert };
    };
  },
  /** the format's largest counts: 64 entries x 64 hashes x 256 Ed25519 signatures (about 1.3 MB) */
  'max-counts': () => {
    const sigs = Array.from({ length: 256 }, () => ({ keyId: new Uint8Array(0), sig: new Uint8Array(64).fill(3) }));
    const payload = handEncodePayload(Array.from({ length: 64 }, (_, e) => ({ hashes: Array.from({ length: 64 }, () => new Uint8Array(32).fill(e)), sigs })));
    const bytes = Uint8Array.from([...PREAMBLE, ...handCustomSection('signature', payload)]);
    const keys = [generateKeyPair().publicKey, generateKeyPair().publicKey];
    return () => {
      const r = verifyModule(bytes, keys);
      const l = listSignatures(bytes, keys);
      return { payloadBytes: payload.length, verify: [r.reason, r.message], list: [l.entries.length, l.entries[0].signatures.length, l.error?.message] };
    };
  },
  /** 16,384 signatures with key ids, each checked with one key (ids matching no key fall back to every key) */
  'many-key-ids': () => {
    const sigs = Array.from({ length: 256 }, (_, i) => ({ keyId: new Uint8Array(12).fill(i), sig: new Uint8Array(64).fill(3) }));
    const payload = handEncodePayload(Array.from({ length: 64 }, () => ({ hashes: [new Uint8Array(32)], sigs })));
    const bytes = Uint8Array.from([...PREAMBLE, ...handCustomSection('signature', payload)]);
    const keys = Array.from({ length: 256 }, () => generateKeyPair().publicKey);
    return () => {
      const r = verifyModule(bytes, keys);
      return { verify: [r.reason, r.message] };
    };
  },
  /** signature payloads at and past the 4 MiB limit: one signature with a key id of almost 4 MiB, then 4 MiB + 1 byte */
  'big-payload': () => {
    const keyId = new Uint8Array(4 * MiB - 200).fill(0xab);
    const fits = handEncodePayload([{ hashes: [new Uint8Array(32)], sigs: [{ keyId, sig: new Uint8Array(64) }] }]);
    const over = new Uint8Array(4 * MiB + 1);
    over.set([1, 1, 1, 0]);
    const bytes = Uint8Array.from([...PREAMBLE, ...handCustomSection('signature', fits)]);
    const overBytes = new Uint8Array([...PREAMBLE, ...handCustomSection('signature', over)]);
    fs.writeFileSync(path.join(dir, 'over.sig'), over);
    const pk = generateKeyPair().publicKey;
    return () => {
      const r = verifyModule(bytes, [pk]);
      const l = listSignatures(bytes, [pk]);
      const o = verifyModule(overBytes, [pk]);
      const d = verifyModule(Uint8Array.from(PREAMBLE), [pk], { detachedSignature: over });
      return { fitsBytes: fits.length, fits: [r.reason, r.keyIds, l.entries[0].signatures[0].keyId.length], over: [o.reason, o.message], overDetached: [d.reason, d.inDetached] };
    };
  },
  /** a policy naming 10,000 trusted key files (2,000 distinct files, each named 5 times), then 100 more modules under it */
  'trusted-keys': () => {
    fs.mkdirSync(path.join(dir, 'keys'));
    const names: string[] = [];
    for (let i = 0; i < 2000; i++) names.push(keyFile(`keys/${i}.pub`));
    const trustedKeys = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? names[i % 2000] : `./${names[i % 2000]}`));
    const { secretKey } = generateKeyPair();
    const modules = Array.from({ length: 101 }, (_, i) => signModule(Uint8Array.from([...PREAMBLE, ...handCustomSection('x', Uint8Array.of(i))]), secretKey).bytes!);
    const policy: Policy = { signature: { required: true, trustedKeys } };
    return () => {
      const first = policyCheck(modules[0], policy, dir);
      const t = performance.now();
      for (const m of modules.slice(1)) policyCheck(m, policy, dir);
      return { policy: first, nextModulesMs: Math.round((performance.now() - t) / 100 * 100) / 100 };
    };
  },
  /** trusted key paths that are hostile: a 2 GiB sparse file, a FIFO, a directory, /dev/zero, a 1 MB path */
  'hostile-key-paths': () => {
    fs.closeSync(fs.openSync(path.join(dir, 'huge.pub'), 'w'));
    fs.truncateSync(path.join(dir, 'huge.pub'), 2 * 1024 ** 3);
    require('node:child_process').execFileSync('mkfifo', [path.join(dir, 'fifo.pub')]);
    fs.mkdirSync(path.join(dir, 'dir.pub'));
    const { secretKey } = generateKeyPair();
    const bytes = signModule(Uint8Array.from([...PREAMBLE, ...handCustomSection('x', new Uint8Array(8))]), secretKey).bytes!;
    const trustedKeys = ['huge.pub', 'fifo.pub', 'dir.pub', '/dev/zero', 'a/'.repeat(500_000) + 'k.pub'];
    return () => ({ policy: policyCheck(bytes, { signature: { required: true, trustedKeys } }, dir) });
  },
  /** integrity pins: 300,000 digests for one glob, 200 modules checked against them */
  pins: () => {
    const digests = Array.from({ length: 300_000 }, (_, i) => i.toString(16).padStart(64, '0'));
    const policy: Policy = { integrity: { '**/*.wasm': digests } };
    const modules = Array.from({ length: 200 }, (_, i) => Uint8Array.from([...PREAMBLE, ...handCustomSection('x', Uint8Array.of(i))]));
    return () => {
      const out = modules.map((m, i) => policyCheck(m, policy, dir, `m/${i}.wasm`));
      return { findings: out.filter((f) => f.length === 1).length, first: out[0][0] };
    };
  },
};

const make = scenarios[scenario];
if (!make) throw new Error(`unknown scenario ${scenario}`);
const run = make();
(globalThis as { gc?: () => void }).gc?.();
const base = maxRssMB();
const t0 = performance.now();
const result = run();
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms: Math.round(ms), peakDeltaMB: Math.round(maxRssMB() - base), baseMB: Math.round(base), result }) + '\n');
