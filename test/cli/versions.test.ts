/**
 * `wasm-warden diff`, `approve` and `rollback`, end to end: the real executable on temp folders.
 * Run: node --import tsx --test test/cli/versions.test.ts
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { build, cli, rm, ROOT, wat2wasm } from './helpers';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-versions-'));
  dirs.push(d);
  return d;
}
before(() => build());
after(() => dirs.forEach(rm));

const V1 = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory 1 2)
  (func (export "f") (result i32) i32.const 1))`;
/** V1 plus a socket import (group "sockets", denied by default), a larger memory and one more export */
const V2 = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32)))
  (memory 1 16)
  (func (export "f") (result i32) i32.const 1)
  (func (export "g") (result i32) i32.const 2))`;
/** V1 with different code only */
const V1_CODE = V1.replace('i32.const 1', 'i32.const 7');

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

async function folder(files: Record<string, string | Uint8Array>, policy?: object): Promise<string> {
  const d = tempDir();
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(d, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, typeof content === 'string' && name.endsWith('.wasm') ? await wat2wasm(content) : content);
  }
  if (policy) fs.writeFileSync(path.join(d, 'wasm-warden.policy.json'), JSON.stringify(policy));
  return d;
}

interface JsonDiff {
  identical: boolean;
  moreCapabilities: boolean;
  capabilities: { what: string; change: string; subject: string; more: boolean }[];
  exports: { change: string; subject: string }[];
  signers: { change: string; subject: string }[];
  sections: { name: string; before?: number; after?: number }[];
  findings: { new: { rule: string; severity: string }[]; resolved: { rule: string }[] };
  gate?: { failOn: string; failed: boolean; reasons: string[] };
  old: { sha256: string; byteLength: number };
  new: { sha256: string; byteLength: number };
}

describe('wasm-warden diff', { concurrency: true }, () => {
  test('lists imports with their groups, limits, exports, sizes per section and the new findings; informational without --fail-on', async () => {
    const d = await folder({ 'v1.wasm': V1, 'v2.wasm': V2 });
    const [text, json] = await Promise.all([cli(['diff', 'v1.wasm', 'v2.wasm'], d), cli(['diff', 'v1.wasm', 'v2.wasm', '--format', 'json'], d)]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(json.code, 0, json.stderr);
    const r: JsonDiff = JSON.parse(json.stdout);
    const v1 = fs.readFileSync(path.join(d, 'v1.wasm'));
    const v2 = fs.readFileSync(path.join(d, 'v2.wasm'));
    assert.equal(r.old.sha256, sha(v1));
    assert.equal(r.new.byteLength, v2.length);
    assert.equal(r.identical, false);
    assert.equal(r.moreCapabilities, true);
    const caps = r.capabilities.map((c) => `${c.what} ${c.change} ${c.subject} ${c.more}`);
    assert.deepEqual(caps.sort(), [
      'import added wasi_snapshot_preview1.sock_accept true',
      'memory changed memory 0 true',
      'wasi added sockets true',
    ]);
    assert.deepEqual(r.exports, [{ change: 'added', subject: 'g (func)', text: '+ export g (func)' }]);
    const imports = r.sections.find((s) => s.name === 'import')!;
    assert.ok(imports.before! < imports.after!, JSON.stringify(imports));
    assert.deepEqual(r.findings.new.map((f) => `${f.rule} ${f.severity}`), ['wasi-capability-denied error']);
    assert.deepEqual(r.findings.resolved, []);
    assert.match(text.stdout, /^ {2}\+ import wasi_snapshot_preview1\.sock_accept \(sockets\) {2}\(more\)$/m);
    assert.match(text.stdout, /~ memory 0: min 1, max 2 -> min 1, max 16 {2}\(more\)/);
    assert.match(text.stdout, /^ {2}import +35 -> 72 \(\+37\)$/m);
    assert.match(text.stdout, /v2\.wasm:1:1: error \[wasi-capability-denied\]/);
  });

  test('--fail-on more-capabilities trips on an update that asks for more, not on one that asks for less', async () => {
    const d = await folder({ 'v1.wasm': V1, 'v2.wasm': V2 });
    const [up, down] = await Promise.all([
      cli(['diff', 'v1.wasm', 'v2.wasm', '--fail-on', 'more-capabilities', '--format', 'json'], d),
      cli(['diff', 'v2.wasm', 'v1.wasm', '--fail-on', 'more-capabilities', '--format', 'json'], d),
    ]);
    assert.equal(up.code, 1, up.stderr);
    const g = (JSON.parse(up.stdout) as JsonDiff).gate!;
    assert.equal(g.failed, true);
    assert.ok(g.reasons.includes('+ capability group sockets'), g.reasons.join('\n'));
    assert.match(up.stderr, /gate --fail-on more-capabilities failed/);
    assert.equal(down.code, 0, down.stderr);
    const back: JsonDiff = JSON.parse(down.stdout);
    assert.equal(back.moreCapabilities, false);
    assert.deepEqual(back.findings.resolved.map((f) => f.rule), ['wasi-capability-denied']);
  });

  test('--fail-on policy trips on a new error finding; a policy that allows it makes the same update pass', async () => {
    const d = await folder({ 'v1.wasm': V1, 'v2.wasm': V2 });
    const allowing = path.join(d, 'allow.policy.json');
    fs.writeFileSync(allowing, JSON.stringify({ imports: { wasi: { sockets: true } } }));
    const [denied, allowed] = await Promise.all([
      cli(['diff', 'v1.wasm', 'v2.wasm', '--fail-on', 'policy'], d),
      cli(['diff', 'v1.wasm', 'v2.wasm', '--fail-on', 'policy', '--policy', allowing], d),
    ]);
    assert.equal(denied.code, 1, denied.stdout);
    assert.match(denied.stdout, /gate --fail-on policy: FAILED \(1 reason\)/);
    assert.equal(allowed.code, 0, allowed.stdout);
    assert.match(allowed.stdout, /gate --fail-on policy: passed/);
  });

  test('--fail-on any: identical files pass, a code-only change fails and is said to be one', async () => {
    const d = await folder({ 'v1.wasm': V1, 'copy.wasm': V1, 'code.wasm': V1_CODE });
    const [same, code] = await Promise.all([
      cli(['diff', 'v1.wasm', 'copy.wasm', '--fail-on', 'any'], d),
      cli(['diff', 'v1.wasm', 'code.wasm', '--fail-on', 'any', '--format', 'json'], d),
    ]);
    assert.equal(same.code, 0, same.stdout);
    assert.match(same.stdout, /^diff v1\.wasm -> copy\.wasm: identical$/m);
    assert.equal(code.code, 1, code.stdout);
    const r: JsonDiff = JSON.parse(code.stdout);
    assert.deepEqual(r.capabilities, []);
    assert.equal(r.gate!.reasons.length, 1);
    assert.match(r.gate!.reasons[0], /^the bytes differ \(SHA-256 [0-9a-f]{64} -> [0-9a-f]{64}\)$/);
  });

  test('SARIF: the capability increases and the new findings, on the new version', async () => {
    const d = await folder({ 'v1.wasm': V1, 'v2.wasm': V2 });
    const r = await cli(['diff', 'v1.wasm', 'v2.wasm', '--format', 'sarif', '--fail-on', 'more-capabilities'], d);
    assert.equal(r.code, 1, r.stderr);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    const results = log.runs[0].results as { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    assert.deepEqual(results.map((x) => `${x.ruleId} ${x.level}`).sort(), [
      'more-capabilities error',
      'more-capabilities error',
      'more-capabilities error',
      'wasi-capability-denied error',
    ]);
    for (const x of results) assert.equal(x.locations[0].physicalLocation.artifactLocation.uri, 'v2.wasm');
  });

  test('signers added and removed, with the trusted key that verifies them', async () => {
    const d = await folder({ 'v1.wasm': V1 });
    assert.equal((await cli(['keygen', '-k', 'k.key', '-K', 'k.pub'], d)).code, 0);
    fs.writeFileSync(path.join(d, 'wasm-warden.policy.json'), JSON.stringify({ signature: { trustedKeys: ['k.pub'] } }));
    const s = await cli(['sign', 'v1.wasm', '-k', 'k.key', '-o', 'signed.wasm'], d);
    assert.equal(s.code, 0, s.stderr);
    const r = await cli(['diff', 'v1.wasm', 'signed.wasm', '--format', 'json'], d);
    assert.equal(r.code, 0, r.stderr);
    const diff: JsonDiff = JSON.parse(r.stdout);
    assert.equal(diff.signers.length, 1);
    assert.equal(diff.signers[0].change, 'added');
    assert.match(diff.signers[0].subject, /^key id [0-9a-f]+ \(ed25519, trusted key k\.pub\)$/);
    const back: JsonDiff = JSON.parse((await cli(['diff', 'signed.wasm', 'v1.wasm', '--format', 'json'], d)).stdout);
    assert.deepEqual(back.signers.map((x) => x.change), ['removed']);
  });

  test('input errors exit 2: a missing file, a file that is not a module, one argument, an unknown gate', async () => {
    const d = await folder({ 'v1.wasm': V1, 'junk.wasm': new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff]) });
    const [missing, junk, one, gate] = await Promise.all([
      cli(['diff', 'v1.wasm', 'nope.wasm'], d),
      cli(['diff', 'v1.wasm', 'junk.wasm'], d),
      cli(['diff', 'v1.wasm'], d),
      cli(['diff', 'v1.wasm', 'v1.wasm', '--fail-on', 'more'], d),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.wasm: no such file or directory/);
    assert.equal(junk.code, 2, junk.stderr);
    assert.match(junk.stderr, /junk\.wasm: not a valid WebAssembly module/);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /expected two modules/);
    assert.equal(gate.code, 2);
    assert.match(gate.stderr, /--fail-on must be one of more-capabilities, policy, any/);
    for (const r of [missing, junk, one, gate]) assert.equal(r.stdout, '');
  });
});

interface Lock {
  modules: Record<string, { versions: { sha256: string; size: number; note?: string; signers?: { keyId: string; publicKey?: string }[]; capabilities: { imports: string[]; wasi: string[] } }[] }>;
}
const readLock = (d: string): Lock => JSON.parse(fs.readFileSync(path.join(d, 'wasm-warden.lock.json'), 'utf8'));
const storeEntry = (d: string, digest: string) => path.join(d, '.wasm-warden', 'store', 'sha256', digest);
const ALLOW_SOCKETS = { imports: { wasi: { sockets: true } } };

describe('wasm-warden approve and check', { concurrency: true }, () => {
  test('approve records digest, size and capability summary (valid against dist/lock.schema.json) and stores a copy', async () => {
    const d = await folder({ 'app.wasm': V1 }, ALLOW_SOCKETS);
    const r = await cli(['approve', 'app.wasm', '--note', 'reviewed'], d);
    assert.equal(r.code, 0, r.stderr);
    const bytes = fs.readFileSync(path.join(d, 'app.wasm'));
    assert.match(r.stdout, new RegExp(`^approved app\\.wasm as version 1 in wasm-warden\\.lock\\.json\\n {2}sha256 ${sha(bytes)}, ${bytes.length} bytes`));
    const lock = readLock(d);
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'lock.schema.json'), 'utf8'));
    const ajv = new Ajv({ strict: false });
    assert.ok(ajv.validate(schema, lock), JSON.stringify(ajv.errors));
    const [v] = lock.modules['app.wasm'].versions;
    assert.equal(v.sha256, sha(bytes));
    assert.equal(v.size, bytes.length);
    assert.equal(v.note, 'reviewed');
    assert.deepEqual(v.capabilities.imports, ['wasi_snapshot_preview1.fd_write']);
    assert.deepEqual(v.capabilities.wasi, ['fd-io']);
    assert.deepEqual(fs.readFileSync(storeEntry(d, v.sha256)), bytes);
    const again = await cli(['approve', 'app.wasm'], d);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already approved: version 1/);
    assert.equal(readLock(d).modules['app.wasm'].versions.length, 1);
  });

  test('check: off without a lock file; with one, a version that is not approved is flagged with what changed since', async () => {
    const d = await folder({ 'app.wasm': V1, 'v2.wasm': V2 }, ALLOW_SOCKETS);
    const before = await cli(['check', 'app.wasm', '--format', 'json'], d);
    assert.deepEqual(JSON.parse(before.stdout).files[0].findings, []);
    assert.equal((await cli(['approve', 'app.wasm'], d)).code, 0);
    assert.deepEqual(JSON.parse((await cli(['check', 'app.wasm', '--format', 'json'], d)).stdout).files[0].findings, []);
    fs.copyFileSync(path.join(d, 'v2.wasm'), path.join(d, 'app.wasm'));
    const after = await cli(['check', 'app.wasm', '--format', 'json', '--fail-on', 'warning'], d);
    assert.equal(after.code, 1);
    const [f] = JSON.parse(after.stdout).files[0].findings;
    assert.equal(f.rule, 'module-not-approved');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /is not approved\. Since the last approved version 1 \(approved \d{4}-\d\d-\d\d\)/);
    assert.match(f.message, /\+ import wasi_snapshot_preview1\.sock_accept \(sockets\); \+ capability group sockets; ~ memory 0: min 1, max 2 -> min 1, max 16\. It asks for more/);
    // another module under the same lock that was never approved
    const other = JSON.parse((await cli(['check', 'v2.wasm', '--format', 'json'], d)).stdout).files[0].findings;
    assert.deepEqual(other.map((x: { rule: string }) => x.rule), ['module-not-approved']);
    assert.match(other[0].message, /has no approved version/);
  });

  test('a policy that asks for the rule without a lock file flags every binary; approve refuses without a policy', async () => {
    const d = await folder({ 'app.wasm': V1 }, { rules: { 'module-not-approved': 'error' } });
    const r = await cli(['check', 'app.wasm'], d);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error \[module-not-approved\] No version of this module is approved: there is no wasm-warden\.lock\.json/);
    const bare = await folder({ 'app.wasm': V1 });
    const refused = await cli(['approve', 'app.wasm'], bare);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /no wasm-warden\.policy\.json governs .*app\.wasm/);
    assert.equal(fs.existsSync(path.join(bare, 'wasm-warden.lock.json')), false);
    assert.equal(fs.existsSync(path.join(bare, '.wasm-warden')), false);
  });

  test('approve refuses a module with error findings unless --force', async () => {
    const d = await folder({ 'app.wasm': V2 }, {});
    const r = await cli(['approve', 'app.wasm'], d);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error \[wasi-capability-denied\][\s\S]*not approved: app\.wasm has 1 error finding \(approve anyway with --force\)/);
    assert.equal(fs.existsSync(path.join(d, 'wasm-warden.lock.json')), false);
    const forced = await cli(['approve', 'app.wasm', '--force'], d);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readLock(d).modules['app.wasm'].versions.length, 1);
  });

  test('an invalid lock file: check says so, approve refuses and leaves it as it is', async () => {
    const d = await folder({ 'app.wasm': V1 }, ALLOW_SOCKETS);
    const bad = JSON.stringify({ modules: { 'app.wasm': { versions: [{ sha256: '../../../etc/passwd', size: 1 }] } } });
    fs.writeFileSync(path.join(d, 'wasm-warden.lock.json'), bad);
    const c = await cli(['check', 'app.wasm'], d);
    assert.match(c.stdout, /warning \[module-not-approved\] The approved versions cannot be checked: wasm-warden\.lock\.json is not a valid lock file: .*SHA-256 digest/);
    const a = await cli(['approve', 'app.wasm'], d);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /not a valid lock file.*fix or remove it \(nothing was changed\)/);
    assert.equal(fs.readFileSync(path.join(d, 'wasm-warden.lock.json'), 'utf8'), bad);
    const rb = await cli(['rollback', 'app.wasm'], d);
    assert.equal(rb.code, 2);
  });

  test('at most 10 versions per module are kept, and the store holds only the copies they refer to', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`v${i}.wasm`] = V1.replace('(export "f")', `(export "f${i}")`);
    const d = await folder({ ...files }, ALLOW_SOCKETS);
    for (let i = 0; i < 12; i++) {
      fs.copyFileSync(path.join(d, `v${i}.wasm`), path.join(d, 'app.wasm'));
      const r = await cli(['approve', 'app.wasm'], d);
      assert.equal(r.code, 0, r.stderr);
    }
    const versions = readLock(d).modules['app.wasm'].versions;
    assert.equal(versions.length, 10);
    assert.equal(versions[9].sha256, sha(fs.readFileSync(path.join(d, 'v11.wasm'))));
    assert.equal(versions[0].sha256, sha(fs.readFileSync(path.join(d, 'v2.wasm'))));
    assert.deepEqual(fs.readdirSync(path.join(d, '.wasm-warden', 'store', 'sha256')).sort(), versions.map((v) => v.sha256).sort());
  });
});

describe('wasm-warden rollback', { concurrency: true }, () => {
  async function approvedThenChanged(): Promise<{ d: string; approved: Buffer; changed: Buffer; digest: string }> {
    const d = await folder({ 'app.wasm': V1, 'v2.wasm': V2 }, ALLOW_SOCKETS);
    assert.equal((await cli(['approve', 'app.wasm', '--note', 'release 1'], d)).code, 0);
    const approved = fs.readFileSync(path.join(d, 'app.wasm'));
    fs.copyFileSync(path.join(d, 'v2.wasm'), path.join(d, 'app.wasm'));
    return { d, approved, changed: fs.readFileSync(path.join(d, 'app.wasm')), digest: sha(approved) };
  }

  test('restores the last approved bytes, says which version, and keeps the replaced file as a backup', async () => {
    const { d, approved, changed, digest } = await approvedThenChanged();
    const r = await cli(['rollback', 'app.wasm'], d);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^restored app\\.wasm to the approved version 1 of 1 \\(SHA-256 ${digest}, ${approved.length} bytes, approved [^)]*: release 1\\)`));
    assert.deepEqual(fs.readFileSync(path.join(d, 'app.wasm')), approved);
    const backup = path.join(d, `app.wasm.${sha(changed).slice(0, 12)}.bak`);
    assert.deepEqual(fs.readFileSync(backup), changed);
    assert.match(r.stdout, /is kept as app\.wasm\.[0-9a-f]{12}\.bak/);
    const again = await cli(['rollback', 'app.wasm'], d);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already is the approved version 1 of 1.*nothing restored/);
  });

  test('diff --approved compares the module with its last approved version (the verified stored copy)', async () => {
    const { d, digest } = await approvedThenChanged();
    const r = await cli(['diff', '--approved', 'app.wasm', '--fail-on', 'more-capabilities'], d);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^diff app\.wasm \(approved version 1\) -> app\.wasm$/m);
    assert.match(r.stdout, /\+ capability group sockets {2}\(more\)/);
    fs.writeFileSync(storeEntry(d, digest), 'corrupted');
    const bad = await cli(['diff', '--approved', 'app.wasm'], d);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /corrupted, refused/);
  });

  test('a corrupted store entry is refused, never restored, and the current file is left as it is', async () => {
    const { d, changed, digest } = await approvedThenChanged();
    const entry = storeEntry(d, digest);
    const corrupt = fs.readFileSync(entry);
    corrupt[corrupt.length - 1] ^= 0xff; // same size, one bit pattern flipped
    fs.writeFileSync(entry, corrupt);
    const r = await cli(['rollback', 'app.wasm'], d);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`cannot restore approved version 1 \\(SHA-256 ${digest}\\): the stored copy .* has SHA-256 [0-9a-f]{64}, not the approved ${digest}: corrupted, refused`));
    assert.deepEqual(fs.readFileSync(path.join(d, 'app.wasm')), changed);
    assert.deepEqual(fs.readdirSync(d).filter((f) => f.endsWith('.bak')), []);
    // a truncated one too
    fs.writeFileSync(entry, corrupt.subarray(0, 10));
    const t = await cli(['rollback', 'app.wasm'], d);
    assert.equal(t.code, 2);
    assert.match(t.stderr, /has 10 bytes, the approved version \d+: corrupted, refused/);
    assert.deepEqual(fs.readFileSync(path.join(d, 'app.wasm')), changed);
  });

  test('a store entry or store folder that is a symbolic link is refused (nothing outside the store is read)', async () => {
    const { d, approved, changed, digest } = await approvedThenChanged();
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, digest), approved);
    const entry = storeEntry(d, digest);
    fs.rmSync(entry);
    fs.symlinkSync(path.join(outside, digest), entry);
    const r = await cli(['rollback', 'app.wasm'], d);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a symbolic link: refused/);
    assert.deepEqual(fs.readFileSync(path.join(d, 'app.wasm')), changed);
    // the whole sha256 folder as a link to a folder holding the right bytes
    const storeFolder = path.dirname(entry);
    fs.rmSync(storeFolder, { recursive: true });
    fs.symlinkSync(outside, storeFolder);
    const f = await cli(['rollback', 'app.wasm'], d);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /sha256 is a symbolic link: the store of approved versions does not follow links/);
    assert.deepEqual(fs.readFileSync(path.join(d, 'app.wasm')), changed);
    // and approve does not write through it either
    const a = await cli(['approve', 'app.wasm'], d);
    assert.equal(a.code, 2);
    assert.deepEqual(fs.readdirSync(outside), [digest]);
  });

  test('a missing store entry is refused; a deleted module is restored', async () => {
    const { d, approved, digest } = await approvedThenChanged();
    fs.rmSync(path.join(d, 'app.wasm'));
    const r = await cli(['rollback', 'app.wasm'], d);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readFileSync(path.join(d, 'app.wasm')), approved);
    fs.rmSync(storeEntry(d, digest));
    fs.writeFileSync(path.join(d, 'app.wasm'), 'changed');
    const m = await cli(['rollback', 'app.wasm'], d);
    assert.equal(m.code, 2);
    assert.match(m.stderr, /no stored copy of [0-9a-f]{64}/);
    assert.equal(fs.readFileSync(path.join(d, 'app.wasm'), 'utf8'), 'changed');
  });

  test('signatures recorded with a trusted key are verified on the stored copy before it is restored', async () => {
    const d = await folder({ 'unsigned.wasm': V1, 'v2.wasm': V2 });
    assert.equal((await cli(['keygen', '-k', 'k.key', '-K', 'k.pub'], d)).code, 0);
    assert.equal((await cli(['keygen', '-k', 'other.key', '-K', 'other.pub'], d)).code, 0);
    fs.writeFileSync(path.join(d, 'wasm-warden.policy.json'), JSON.stringify({ ...ALLOW_SOCKETS, signature: { trustedKeys: ['k.pub'] } }));
    assert.equal((await cli(['sign', 'unsigned.wasm', '-k', 'k.key', '-o', 'app.wasm'], d)).code, 0);
    const a = await cli(['approve', 'app.wasm'], d);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    const lock = readLock(d);
    const [signer] = lock.modules['app.wasm'].versions[0].signers!;
    assert.match(signer.publicKey!, /^[0-9a-f]{64}$/);
    fs.copyFileSync(path.join(d, 'v2.wasm'), path.join(d, 'app.wasm'));
    const ok = await cli(['rollback', 'app.wasm'], d);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /signatures verified: k\.pub/);
    // the lock names another key for that signer: the stored bytes are right, the signature does not verify with it
    fs.copyFileSync(path.join(d, 'v2.wasm'), path.join(d, 'app.wasm'));
    const otherRaw = fs.readFileSync(path.join(d, 'other.pub'));
    signer.publicKey = otherRaw.subarray(otherRaw.length - 32).toString('hex');
    fs.writeFileSync(path.join(d, 'wasm-warden.lock.json'), JSON.stringify(lock));
    const bad = await cli(['rollback', 'app.wasm'], d);
    assert.equal(bad.code, 2, bad.stdout);
    assert.match(bad.stderr, /signature by k\.pub does not verify .*refused, nothing was restored/);
    assert.deepEqual(fs.readFileSync(path.join(d, 'app.wasm')), fs.readFileSync(path.join(d, 'v2.wasm')));
  });
});
