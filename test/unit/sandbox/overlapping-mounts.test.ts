/**
 * The outside attack suite's escapes as whole guests in the sandbox process: the overlapping-mount attack
 * from C (the suite's own language for it), the 2 TiB sparse file and metadata through a planted hard
 * link from WAT. Each must be refused, recorded as a violation, and leave the host as it was.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSandboxed, SandboxOptions } from '../../../server/src/engine/sandbox/runner';
import { rmrf, tempDir, wat2wasm } from './helpers';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'sandbox');
const T = { timeout: 120_000 };
const SECRET = 'outside secret, never read or changed\n';
const REFUSED = 'Capabilities insufficient'; // wasi-libc's strerror(ENOTCAPABLE)

let root: string;

/** path -> content or link target, for every file and link under `dir` */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = 'dir';
        walk(p);
      } else out[rel] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function buildC(name: string): Uint8Array {
  const out = path.join(root, `${name}.wasm`);
  try {
    execFileSync('clang', ['--target=wasm32-wasi', '-O2', path.join(FIXTURES, `${name}.c`), '-o', out], { stdio: 'pipe', timeout: 60_000 });
  } catch (e) {
    // clang with wasi-libc is part of the test setup; say so plainly instead of a confusing failure
    throw new Error(`clang cannot build the WASI guest ${name}.c (install clang, lld and wasi-libc): ${(e as Error).message.split('\n')[0]}`);
  }
  return fs.readFileSync(out);
}

describe('the outside suite\'s escapes, as guests', () => {
  before(() => {
    root = tempDir('attack');
  });
  after(() => rmrf(root));

  it('overlapping mounts: the inner mount\'s folder moved away and replaced cannot lead out; every attempt is a violation', T, async () => {
    const work = path.join(root, 'work');
    const app = path.join(work, 'app');
    fs.mkdirSync(path.join(app, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(app, 'assets', 'logo.txt'), 'logo\n');
    // where `assets -> ../..` (from d/e) and `assets -> ..` would lead
    fs.writeFileSync(path.join(root, 'secret.txt'), SECRET);
    fs.writeFileSync(path.join(work, 'secret.txt'), SECRET);
    const wasm = buildC('overlap-attack');
    const outsideBefore = { root: fs.readdirSync(root).sort(), work: tree(work) };
    delete outsideBefore.work['app'];
    const options: SandboxOptions = {
      dirs: [{ host: app, guest: '/app', readOnly: false }, { host: path.join(app, 'assets'), guest: '/assets', readOnly: true }],
      env: {}, args: ['attack'], timeoutMs: 30_000,
    };
    const r = await runSandboxed(wasm, options);
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.stdout, [
      'move /app/assets away: ok',
      'symlink /app/d/e/l -> ../..: ok', // d/e/../.. is /app itself
      `move it to /app/assets: ${REFUSED}`,
      `hard-link it to /app/assets: ${REFUSED}`,
      `move its folder to /app/e: ${REFUSED}`,
      'symlink /app/x -> .: ok',
      `symlink /app/assets -> x/..: ${REFUSED}`,
      `symlink /app/assets -> ..: ${REFUSED}`,
      `symlink /app/assets -> /: ${REFUSED}`,
      `symlink /app/assets -> /tmp: ${REFUSED}`,
      'symlink /app/assets -> d: ok', // inside /app: allowed, but /assets's root is no longer its folder
      `read /assets/secret.txt: ${REFUSED}`,
      `overwrite /assets/secret.txt: ${REFUSED}`,
      `delete /assets/secret.txt: ${REFUSED}`,
      `create /assets/pwned.txt: ${REFUSED}`,
      `list /assets: ${REFUSED}`,
      `stat /assets/etc/shadow: ${REFUSED}`,
      `mkdir /assets/dir: ${REFUSED}`,
      '',
    ].join('\n'));
    assert.deepEqual(r.violations.map((v) => v.kind), [
      ...Array(7).fill('symlink-escape'),
      ...Array(7).fill('path-escape'),
    ]);
    assert.ok(r.violations.slice(7).every((v) => /\/assets: the mount's host folder was moved, removed or replaced/.test(v.detail)));
    // nothing outside changed; no link in the writable mount leads out
    assert.deepEqual(fs.readdirSync(root).sort(), outsideBefore.root);
    const workNow = tree(work);
    assert.equal(workNow['secret.txt'], SECRET);
    assert.equal(fs.readFileSync(path.join(root, 'secret.txt'), 'utf8'), SECRET);
    assert.deepEqual(Object.entries(workNow).filter(([k, v]) => v.startsWith('-> ') && k.startsWith('app')), [
      ['app/assets', '-> d'],
      ['app/d/e/l', '-> ../..'],
      ['app/x', '-> .'],
    ]);
  });

  it('write quota: a 2 TiB sparse file is refused (EDQUOT) under the default quota, and the option is honoured', T, async () => {
    const rw = path.join(root, 'quota');
    fs.mkdirSync(rw);
    const guest = (offset: bigint, len: number) => wat2wasm(`(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_pwrite" (func $pwrite (param i32 i32 i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "big.bin")
      (func (export "_start") (local $e i32)
        (local.set $e (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 7) (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 100)))
        (if (local.get $e) (then (call $exit (i32.add (i32.const 200) (local.get $e)))))
        (i32.store (i32.const 200) (i32.const 1024))
        (i32.store (i32.const 204) (i32.const ${len}))
        (call $exit (call $pwrite (i32.load (i32.const 100)) (i32.const 200) (i32.const 1) (i64.const ${offset}) (i32.const 300)))))`);
    const options = (extra: Partial<SandboxOptions> = {}): SandboxOptions => ({
      dirs: [{ host: rw, guest: '/out', readOnly: false }], env: {}, args: ['q'], timeoutMs: 30_000, ...extra,
    });
    const sparse = await runSandboxed(await guest(2n ** 41n, 1), options());
    assert.equal(sparse.exitCode, 19, 'EDQUOT');
    assert.deepEqual(sparse.violations.map((v) => v.kind), ['write-limit']);
    assert.match(sparse.violations[0].detail, /fd_pwrite on \/out\/big\.bin would add 2199023255553 bytes; the run may add 67108864 bytes/);
    assert.equal(fs.statSync(path.join(rw, 'big.bin')).size, 0);
    const small = await runSandboxed(await guest(0n, 1000), options({ maxWriteBytes: 999 }));
    assert.equal(small.exitCode, 19);
    assert.equal(fs.statSync(path.join(rw, 'big.bin')).size, 0);
    const fits = await runSandboxed(await guest(0n, 1000), options({ maxWriteBytes: 1000 }));
    assert.equal(fits.exitCode, 0);
    assert.deepEqual(fits.violations, []);
    assert.equal(fs.statSync(path.join(rw, 'big.bin')).size, 1000);
  });

  it('guest numbers that used to make host code throw: readdir cookie -1, fd_renumber(fd, fd), pwrite at -1 and 2^53', T, async () => {
    const rw = path.join(root, 'numbers');
    fs.mkdirSync(rw);
    fs.writeFileSync(path.join(rw, 'f.txt'), 'hello');
    // each result is printed as two digits
    const wasm = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_pwrite" (func $pwrite (param i32 i32 i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "f.txt")
      (data (i32.const 16) ".")
      (func $num (param $at i32) (param $v i32)
        (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.div_u (local.get $v) (i32.const 10))))
        (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
        (i32.store8 (i32.add (local.get $at) (i32.const 2)) (i32.const 32)))
      (func (export "_start") (local $dir i32) (local $f i32)
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 2) (i64.const 16384) (i64.const 0) (i32.const 0) (i32.const 100)))
        (local.set $dir (i32.load (i32.const 100)))
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 0) (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 100)))
        (local.set $f (i32.load (i32.const 100)))
        (i32.store (i32.const 104) (i32.const 99))
        (call $num (i32.const 1000) (call $readdir (local.get $dir) (i32.const 2000) (i32.const 256) (i64.const -1) (i32.const 104)))
        (call $num (i32.const 1003) (i32.load (i32.const 104)))
        (call $num (i32.const 1006) (call $renumber (local.get $f) (local.get $f)))
        (i32.store (i32.const 200) (i32.const 0)) (i32.store (i32.const 204) (i32.const 3))
        (call $num (i32.const 1009) (call $pwrite (local.get $f) (i32.const 200) (i32.const 1) (i64.const -1) (i32.const 208)))
        (call $num (i32.const 1012) (call $pwrite (local.get $f) (i32.const 200) (i32.const 1) (i64.const 9007199254740992) (i32.const 208)))
        (i32.store (i32.const 200) (i32.const 3000)) (i32.store (i32.const 204) (i32.const 5))
        (call $num (i32.const 1015) (call $read (local.get $f) (i32.const 200) (i32.const 1) (i32.const 208)))
        (i32.store (i32.const 200) (i32.const 1000)) (i32.store (i32.const 204) (i32.const 18))
        (drop (call $write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 208)))
        (i32.store (i32.const 200) (i32.const 3000)) (i32.store (i32.const 204) (i32.const 5))
        (drop (call $write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 208)))))`);
    const r = await runSandboxed(wasm, { dirs: [{ host: rw, guest: '/n', readOnly: false }], env: {}, args: ['n'], timeoutMs: 30_000 });
    assert.equal(r.outcome, 'exit', JSON.stringify(r.trap ?? r.message));
    // readdir: 0 (nothing past the end, 0 bytes); renumber: 0 and the file still reads; pwrite: EINVAL, EFBIG
    assert.equal(r.stdout, '00 00 00 28 22 00 hello');
    assert.equal(fs.readFileSync(path.join(rw, 'f.txt'), 'utf8'), 'hello');
  });

  it('metadata through a planted hard link: set-times refused, the outside file\'s times unchanged', T, async () => {
    const rw = path.join(root, 'hl');
    fs.mkdirSync(rw);
    const outside = path.join(root, 'outside.txt');
    fs.writeFileSync(outside, SECRET);
    fs.linkSync(outside, path.join(rw, 'hard.txt'));
    const mtime = fs.statSync(outside).mtimeMs;
    const wasm = await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_filestat_set_times" (func $pset (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func $fset (param i32 i64 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "hard.txt")
      (func (export "_start")
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 8) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100)))
        (call $exit (i32.or
          (i32.shl (call $pset (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 8) (i64.const 1000000000000) (i64.const 1000000000000) (i32.const 5)) (i32.const 8))
          (call $fset (i32.load (i32.const 100)) (i64.const 0) (i64.const 0) (i32.const 10))))))`);
    const r = await runSandboxed(wasm, { dirs: [{ host: rw, guest: '/rw', readOnly: false }], env: {}, args: ['hl'], timeoutMs: 30_000 });
    assert.equal(r.exitCode, (76 << 8) | 76);
    assert.deepEqual(r.violations.map((v) => v.kind), ['hardlink-write', 'hardlink-write']);
    assert.equal(fs.statSync(outside).mtimeMs, mtime);
  });
});
