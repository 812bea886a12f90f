/** Hostile guests against the filesystem view: every escape is refused, reported, and leaves the host untouched. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSandboxed, RunReport, SandboxOptions } from '../../../server/src/engine/sandbox/runner';
import { OpenGuest, openGuestWat, rmrf, tempDir, wat2wasm } from './helpers';

const ENOTCAPABLE = 76;
const EXDEV = 75;
const T = { timeout: 30_000 };

let root: string;
let ro: string; // read-only mount, guest /ro
let rw: string; // read-write mount, guest /rw
let outside: string; // never mounted: holds the sentinel
let sentinel: string;
const SENTINEL_TEXT = 'host secret, must never change or leak\n';

function opts(extra: Partial<SandboxOptions> = {}): SandboxOptions {
  return {
    dirs: [
      { host: ro, guest: '/ro', readOnly: true },
      { host: rw, guest: '/rw', readOnly: false },
    ],
    env: {},
    args: ['guest'],
    timeoutMs: 10_000,
    ...extra,
  };
}

async function run(g: OpenGuest, extra?: Partial<SandboxOptions>): Promise<RunReport> {
  return runSandboxed(await wat2wasm(openGuestWat(g)), opts(extra));
}

function assertSentinelIntact(): void {
  assert.equal(fs.readFileSync(sentinel, 'utf8'), SENTINEL_TEXT);
  assert.deepEqual(fs.readdirSync(outside).sort(), ['dir', 'secret.txt']);
  assert.deepEqual(fs.readdirSync(path.join(outside, 'dir')), ['inner.txt']);
}

describe('sandbox filesystem view', () => {
  before(() => {
    root = tempDir('fs');
    ro = path.join(root, 'mnt', 'ro');
    rw = path.join(root, 'mnt', 'rw');
    outside = path.join(root, 'outside');
    fs.mkdirSync(ro, { recursive: true });
    fs.mkdirSync(rw, { recursive: true });
    fs.mkdirSync(path.join(outside, 'dir'), { recursive: true });
    sentinel = path.join(outside, 'secret.txt');
    fs.writeFileSync(sentinel, SENTINEL_TEXT);
    fs.writeFileSync(path.join(outside, 'dir', 'inner.txt'), 'inner secret\n');
    fs.writeFileSync(path.join(ro, 'input.txt'), 'read-only input\n');
    fs.mkdirSync(path.join(ro, 'sub'));
    fs.writeFileSync(path.join(ro, 'sub', 'deep.txt'), 'deep\n');
    // host-made escapes planted inside the mounts
    fs.symlinkSync(sentinel, path.join(ro, 'abs-link'));
    fs.symlinkSync('../../../outside/secret.txt', path.join(ro, 'rel-link'));
    fs.symlinkSync(path.join(outside, 'dir'), path.join(ro, 'dir-link'));
    fs.symlinkSync('sub/deep.txt', path.join(ro, 'ok-link'));
    fs.linkSync(sentinel, path.join(rw, 'hardlink.txt'));
  });
  after(() => {
    assertSentinelIntact();
    rmrf(root);
  });

  it('reads a file of a read-only mount (control)', T, async () => {
    const r = await run({ path: 'input.txt' });
    assert.equal(r.outcome, 'exit');
    assert.equal(r.exitCode, 0, r.message);
    assert.equal(r.stdout, 'read-only input\n');
    assert.deepEqual(r.violations, []);
    assert.equal(r.bytesRead, 'read-only input\n'.length);
  });

  it('follows a symlink that stays inside the mount (control)', T, async () => {
    const r = await run({ path: 'ok-link' });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, 'deep\n');
  });

  for (const p of ['../../outside/secret.txt', '../../../../../../etc/passwd', 'sub/../../outside/secret.txt', './sub/../..']) {
    it(`refuses traversal ${p}`, T, async () => {
      const r = await run({ path: p });
      assert.equal(r.exitCode, ENOTCAPABLE);
      assert.equal(r.stdout, '');
      assert.equal(r.violations[0]?.kind, 'path-escape');
      assert.match(r.violations[0].detail, /climbs above \/ro/);
    });
  }

  it('refuses absolute paths', T, async () => {
    const r = await run({ path: sentinel });
    assert.equal(r.exitCode, ENOTCAPABLE);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.violations.map((v) => v.kind), ['absolute-path']);
    assert.equal(r.violations[0].detail, sentinel);
  });

  for (const [name, kind] of [['abs-link', 'symlink-escape'], ['rel-link', 'symlink-escape'], ['dir-link/inner.txt', 'symlink-escape']]) {
    it(`refuses the host-planted symlink ${name}`, T, async () => {
      const r = await run({ path: name });
      assert.equal(r.exitCode, ENOTCAPABLE);
      assert.equal(r.stdout, '');
      assert.equal(r.violations[0]?.kind, kind);
    });
  }

  it('does not follow a final symlink without symlink_follow (ELOOP), and never reads the target', T, async () => {
    const r = await run({ path: 'abs-link', follow: false });
    assert.notEqual(r.exitCode, 0);
    assert.equal(r.stdout, '');
  });

  it('refuses a guest-made symlink to outside, and opening it', T, async () => {
    for (const target of ['../../outside/secret.txt', sentinel, 'a/../../x']) {
      const r = await run({ path: 'escape', dirFd: 4, symlink: { target, link: 'escape' } });
      assert.equal(r.exitCode, 100 + ENOTCAPABLE, target);
      assert.equal(r.violations[0]?.kind, 'symlink-escape');
      assert.equal(fs.existsSync(path.join(rw, 'escape')), false);
    }
    // a link the sandbox would refuse to create, planted by the host in the rw mount, is refused at open
    fs.symlinkSync('../../outside/secret.txt', path.join(rw, 'planted'));
    const r = await run({ path: 'planted', dirFd: 4 });
    assert.equal(r.exitCode, ENOTCAPABLE);
    assert.equal(r.stdout, '');
    fs.unlinkSync(path.join(rw, 'planted'));
  });

  it('allows a guest-made symlink inside the rw mount (control)', T, async () => {
    fs.writeFileSync(path.join(rw, 'target.txt'), 'inside\n');
    const r = await run({ path: 'in-link', dirFd: 4, symlink: { target: 'target.txt', link: 'in-link' } });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, 'inside\n');
    assert.equal(fs.readlinkSync(path.join(rw, 'in-link')), 'target.txt');
  });

  it('refuses writes on a read-only mount', T, async () => {
    const before = fs.readdirSync(ro).sort();
    for (const p of ['new.txt', 'input.txt']) {
      const r = await run({ path: p, write: 'overwritten' });
      assert.equal(r.exitCode, ENOTCAPABLE);
      assert.equal(r.violations[0]?.kind, 'read-only');
      assert.match(r.violations[0].detail, new RegExp(`/ro/${p}`));
    }
    assert.deepEqual(fs.readdirSync(ro).sort(), before);
    assert.equal(fs.readFileSync(path.join(ro, 'input.txt'), 'utf8'), 'read-only input\n');
  });

  it('writes on a read-write mount (control)', T, async () => {
    const r = await run({ path: 'out.txt', dirFd: 4, write: 'written by the guest' });
    assert.equal(r.exitCode, 0);
    assert.equal(fs.readFileSync(path.join(rw, 'out.txt'), 'utf8'), 'written by the guest');
    assert.equal(r.bytesWritten, 'written by the guest'.length);
  });

  it('refuses to write through a hard link (nlink > 1) planted in a rw mount', T, async () => {
    const r = await run({ path: 'hardlink.txt', dirFd: 4, write: 'pwned' });
    assert.equal(r.exitCode, ENOTCAPABLE);
    assert.equal(r.violations[0]?.kind, 'hardlink-write');
    assert.equal(fs.readFileSync(sentinel, 'utf8'), SENTINEL_TEXT);
  });

  it('refuses renames and links between mounts', T, async () => {
    fs.writeFileSync(path.join(rw, 'move-me.txt'), 'x');
    const wasm = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_link" (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1) (data (i32.const 0) "move-me.txt") (data (i32.const 32) "input.txt")
      (func (export "_start")
        (call $exit (i32.or (i32.shl (call $rename (i32.const 4) (i32.const 0) (i32.const 11) (i32.const 3) (i32.const 0) (i32.const 11)) (i32.const 8))
                            (call $link (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 9) (i32.const 4) (i32.const 32) (i32.const 9))))))`);
    const r = await runSandboxed(wasm, opts());
    assert.equal(r.exitCode, (EXDEV << 8) | EXDEV);
    assert.deepEqual(r.violations.map((v) => v.kind), ['cross-mount-rename', 'cross-mount-link']);
    assert.ok(fs.existsSync(path.join(rw, 'move-me.txt')));
    assert.equal(fs.existsSync(path.join(ro, 'move-me.txt')), false);
    assert.equal(fs.existsSync(path.join(rw, 'input.txt')), false);
  });

  it('refuses to build a symlink chain that leads out once its links are combined', T, async () => {
    // a -> '.', b -> 'a/..' and sub -> 'b' each look harmless, but together 'sub' is the mount's parent:
    // `..` after a name is refused at creation (the host-planted chain is in confinement.test.ts)
    const victim = path.join(rw, '..', 'victim.txt');
    fs.writeFileSync(victim, 'victim');
    const str = (s: string, at: number) => `(data (i32.const ${at}) "${s}")`;
    const wasm = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      ${str('sub', 0)} ${str('sub2', 16)} ${str('.', 32)} ${str('a', 48)} ${str('a/..', 64)} ${str('b', 80)} ${str('victim.txt', 96)}
      (func $ok (param i32) (if (local.get 0) (then (call $exit (i32.add (i32.const 200) (local.get 0))))))
      (func (export "_start") (local $fd i32)
        (call $ok (call $mkdir (i32.const 4) (i32.const 0) (i32.const 3)))
        (call $ok (call $open (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 3) (i32.const 2) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 500)))
        (local.set $fd (i32.load (i32.const 500)))
        (call $ok (call $rename (i32.const 4) (i32.const 0) (i32.const 3) (i32.const 4) (i32.const 16) (i32.const 4)))
        (call $ok (call $symlink (i32.const 32) (i32.const 1) (i32.const 4) (i32.const 48) (i32.const 1)))
        (call $ok (call $symlink (i32.const 64) (i32.const 4) (i32.const 4) (i32.const 80) (i32.const 1)))
        (call $ok (call $symlink (i32.const 80) (i32.const 1) (i32.const 4) (i32.const 0) (i32.const 3)))
        (call $exit (i32.or (i32.shl (call $stat (local.get $fd) (i32.const 0) (i32.const 96) (i32.const 10) (i32.const 600)) (i32.const 8))
                            (call $unlink (local.get $fd) (i32.const 96) (i32.const 10))))))`);
    const r = await runSandboxed(wasm, opts());
    assert.equal(fs.readFileSync(victim, 'utf8'), 'victim');
    assert.equal(r.exitCode, 200 + ENOTCAPABLE, 'the second symlink (b -> a/..) is refused');
    assert.deepEqual(r.violations.map((v) => v.kind), ['symlink-escape']);
    assert.match(r.violations[0].detail, /b -> a\/\.\.: `\.\.` after a name/);
    assert.equal(fs.existsSync(path.join(rw, 'b')), false);
    fs.unlinkSync(victim);
    for (const f of ['a', 'sub2']) fs.rmSync(path.join(rw, f), { recursive: true });
  });

  it('a mount of / opens files (no false path-escape)', T, async () => {
    const r = await runSandboxed(await wat2wasm(openGuestWat({ path: path.relative('/', path.join(ro, 'input.txt')) })), {
      dirs: [{ host: '/', guest: '/', readOnly: true }], env: {}, args: ['guest'], timeoutMs: 10_000,
    });
    assert.equal(r.exitCode, 0, JSON.stringify(r.violations));
    assert.equal(r.stdout, 'read-only input\n');
    assert.deepEqual(r.violations, []);
  });

  it('refuses sockets with ENOTSUP and reports them', T, async () => {
    const wasm = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "sock_accept" (func $acc (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (call $acc (i32.const 3) (i32.const 0) (i32.const 0)))))`);
    const r = await runSandboxed(wasm, opts());
    assert.equal(r.exitCode, 58);
    assert.equal(r.violations[0]?.kind, 'socket');
  });
});
