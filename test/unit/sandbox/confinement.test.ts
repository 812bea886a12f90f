/**
 * Filesystem confinement, call by call, through our preview1 in this process (wasi-driver.ts): mount roots
 * swapped behind our back (what a guest can do through an overlapping mount), symlinks that would lead out
 * once created or moved, metadata through planted hard links, the write quota, and guest-controlled
 * numbers that used to make host code throw. The same attacks as whole guests are in overlapping-mounts.test.ts.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ERRNO, OFLAGS, RIGHTS, WasiDriver } from './wasi-driver';
import { BLOCK_QUOTA_BYTES, ENTRY_QUOTA_BYTES } from '../../../server/src/engine/sandbox/wasi/preview1';
import { rmrf, tempDir } from './helpers';

const SECRET = 'outside secret 5f0c\n';

let root: string;
let outside: string;
let drivers: WasiDriver[] = [];

/** A snapshot of a folder tree: path -> type, size, mtime, content or link target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isSymbolicLink()) out[rel] = `link ${fs.readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${st.mtimeMs}`;
        walk(p);
      } else out[rel] = `file ${st.size} ${st.mtimeMs} ${fs.readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

function driver(mounts: { host: string; guest: string; readOnly?: boolean }[], o: { maxWriteBytes?: number } = {}): WasiDriver {
  const d = new WasiDriver(mounts.map((m) => ({ readOnly: false, ...m })), o);
  drivers.push(d);
  return d;
}

describe('filesystem confinement (preview1 in-process)', () => {
  beforeEach(() => {
    root = tempDir('confine');
    outside = path.join(root, 'outside');
    fs.mkdirSync(path.join(outside, 'dir'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'secret.txt'), SECRET);
    fs.writeFileSync(path.join(outside, 'dir', 'inner.txt'), SECRET);
  });
  afterEach(() => {
    for (const d of drivers) d.dispose();
    drivers = [];
    rmrf(root);
  });

  it('refuses every call on a mount whose folder was replaced by a symlink to outside, before any side effect', () => {
    const app = path.join(root, 'app');
    const assets = path.join(app, 'assets');
    fs.mkdirSync(assets, { recursive: true });
    fs.writeFileSync(path.join(assets, 'a.txt'), 'asset\n');
    const d = driver([{ host: app, guest: '/app' }, { host: assets, guest: '/assets' }]);
    assert.equal(d.readFile(4, 'a.txt').data, 'asset\n', 'control: the inner mount works');
    const dirFd = d.open(4, '.', { oflags: OFLAGS.DIRECTORY });
    assert.equal(dirFd.errno, 0);
    // the state a guest reaches through /app: the inner mount's folder moved away, a link in its place
    fs.renameSync(assets, path.join(app, 'moved'));
    fs.symlinkSync(outside, assets);
    const before = snapshot(root);
    const tmpBefore = fs.readdirSync(path.dirname(root)).filter((n) => n.startsWith('zq-')).length;
    for (const base of [4, dirFd.fd]) {
      const attempts: [string, () => number][] = [
        ['read', () => d.readFile(base, 'secret.txt').errno],
        ['overwrite', () => d.create(base, 'secret.txt', 'pwned')],
        ['create', () => d.create(base, 'zq-created.txt', 'x')],
        ['create above', () => d.create(base, '../zq-created.txt', 'x')],
        ['delete', () => d.unlink(base, 'secret.txt')],
        ['mkdir', () => d.mkdir(base, 'zq-dir')],
        ['rmdir', () => d.rmdir(base, 'dir')],
        ['rename', () => d.rename(base, 'secret.txt', base, 'renamed.txt')],
        ['symlink', () => d.symlink('secret.txt', base, 'zq-link')],
        ['link', () => d.link(base, 'secret.txt', base, 'zq-hard')],
        ['stat', () => d.stat(base, 'secret.txt').errno],
        ['stat the root', () => d.stat(base, '.').errno],
        ['readlink', () => d.readlink(base, 'secret.txt').errno],
        ['set times', () => d.setTimes(base, 'secret.txt', 1000)],
        ['readdir', () => d.readdir(base).errno],
        ['fd_filestat_get', () => d.call('fd_filestat_get', base, 512)],
      ];
      for (const [what, attempt] of attempts) {
        const n = d.violations.length;
        assert.equal(attempt(), ERRNO.NOTCAPABLE, `${what} through fd ${base}`);
        assert.equal(d.violations.length, n + 1, `${what}: one violation`);
        assert.equal(d.violations[n].kind, 'path-escape');
        assert.match(d.violations[n].detail, /\/assets: the mount's host folder was moved, removed or replaced/);
      }
    }
    assert.deepEqual(snapshot(root), before, 'nothing changed on the host');
    assert.equal(fs.readdirSync(path.dirname(root)).filter((n) => n.startsWith('zq-')).length, tmpBefore, 'nothing created in the host tmp folder');
    assert.ok(!Buffer.from(d.bytes).includes(Buffer.from(SECRET)), 'no outside content in guest memory');
    // the outer mount still works, and the inner one again once its folder is back
    assert.equal(d.readFile(3, 'moved/a.txt').data, 'asset\n');
    fs.unlinkSync(assets);
    fs.renameSync(path.join(app, 'moved'), assets);
    assert.equal(d.readFile(4, 'a.txt').data, 'asset\n');
  });

  it('refuses a mount whose folder was removed or replaced by another folder elsewhere', () => {
    const a = path.join(root, 'a');
    fs.mkdirSync(path.join(a, 'inner'), { recursive: true });
    const d = driver([{ host: a, guest: '/a' }, { host: path.join(a, 'inner'), guest: '/inner' }]);
    fs.rmdirSync(path.join(a, 'inner'));
    assert.equal(d.stat(4, 'x').errno, ERRNO.NOTCAPABLE);
    // a parent of the mount folder turned into a link (the folder's real path moved)
    fs.renameSync(a, path.join(root, 'a2'));
    fs.mkdirSync(path.join(root, 'a2', 'inner'));
    fs.symlinkSync('a2', a);
    assert.equal(d.stat(3, '.').errno, ERRNO.NOTCAPABLE);
    assert.equal(d.create(4, 'x', 'x'), ERRNO.NOTCAPABLE);
    assert.equal(fs.existsSync(path.join(root, 'a2', 'inner', 'x')), false);
    assert.deepEqual(d.violations.map((v) => v.kind), ['path-escape', 'path-escape', 'path-escape']);
  });

  it('re-checks a directory descriptor whose directory the host swapped for a symlink chain', () => {
    const rw = path.join(root, 'rw');
    fs.mkdirSync(path.join(rw, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'victim.txt'), 'victim');
    const d = driver([{ host: rw, guest: '/rw' }]);
    const sub = d.open(3, 'sub', { oflags: OFLAGS.DIRECTORY });
    assert.equal(sub.errno, 0);
    // a -> '.', b -> 'a/..' and sub -> 'b': together 'sub' is the mount's parent (the guest cannot make b)
    fs.renameSync(path.join(rw, 'sub'), path.join(rw, 'sub2'));
    fs.symlinkSync('.', path.join(rw, 'a'));
    fs.symlinkSync('a/..', path.join(rw, 'b'));
    fs.symlinkSync('b', path.join(rw, 'sub'));
    assert.equal(d.stat(sub.fd, 'victim.txt').errno, ERRNO.NOTCAPABLE);
    assert.equal(d.unlink(sub.fd, 'victim.txt'), ERRNO.NOTCAPABLE);
    assert.equal(fs.readFileSync(path.join(root, 'victim.txt'), 'utf8'), 'victim');
    assert.deepEqual(d.violations.map((v) => v.kind), ['path-escape', 'path-escape']);
  });

  it('never leaves a symlink that leads out of a writable mount: creation, rename and link are all checked', () => {
    const rw = path.join(root, 'rw');
    fs.mkdirSync(rw);
    const d = driver([{ host: rw, guest: '/rw' }]);
    assert.equal(d.mkdir(3, 'd'), 0);
    assert.equal(d.mkdir(3, 'd/e'), 0);
    assert.equal(d.symlink('../..', 3, 'd/e/l'), 0, 'd/e/l -> ../.. is the mount root: allowed');
    assert.equal(d.symlink('../f', 3, 'd/e/ok'), 0);
    const refused: [string, () => number][] = [
      ['moving the link to the root', () => d.rename(3, 'd/e/l', 3, 'l')],
      ['moving the link one level up', () => d.rename(3, 'd/e/l', 3, 'd/l')],
      ['moving its folder to the root', () => d.rename(3, 'd/e', 3, 'e')],
      ['moving its grandparent into a shallower place... of the same depth (allowed) then the folder up', () => d.rename(3, 'd/e', 3, 'e2')],
      ['hard-linking the link to the root', () => d.link(3, 'd/e/l', 3, 'l')],
      ['an absolute target', () => d.symlink(root, 3, 'abs')],
      ['a target that climbs out', () => d.symlink('../../outside', 3, 'd/up')],
      ['`..` after a name', () => d.symlink('e/../..', 3, 'd/x')],
      ['`..` after a name that stays inside for now', () => d.symlink('e/..', 3, 'd/y')],
    ];
    for (const [what, attempt] of refused) {
      const n = d.violations.length;
      assert.equal(attempt(), ERRNO.NOTCAPABLE, what);
      assert.equal(d.violations[n]?.kind, 'symlink-escape', what);
    }
    // allowed moves: deeper, or the same depth
    assert.equal(d.mkdir(3, 'd/e/f'), 0);
    assert.equal(d.rename(3, 'd/e/ok', 3, 'd/e/f/ok'), 0);
    assert.equal(d.rename(3, 'd', 3, 'g'), 0, 'same depth: the links inside still stay inside');
    assert.equal(d.mkdir(3, 'h'), 0);
    assert.equal(d.rename(3, 'g', 3, 'h/g'), 0, 'deeper');
    // no symlink anywhere in the mount leads out
    const check = (dir: string, depth: number) => {
      for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, ent.name);
        if (ent.isSymbolicLink()) assert.ok(path.resolve(dir, fs.readlinkSync(p)).startsWith(rw), `${p} stays inside`);
        else if (ent.isDirectory()) check(p, depth + 1);
      }
    };
    check(rw, 0);
    assert.equal(fs.existsSync(path.join(rw, 'l')), false);
  });

  it('checks symlinks against every mount that holds them (overlapping mounts)', () => {
    const app = path.join(root, 'app');
    fs.mkdirSync(path.join(app, 'assets', 'sub'), { recursive: true });
    fs.mkdirSync(path.join(app, 'x', 'y'), { recursive: true });
    const d = driver([{ host: app, guest: '/app' }, { host: path.join(app, 'assets'), guest: '/assets' }]);
    // inside /app, `../x` from assets/ is fine, but inside /assets it climbs out
    assert.equal(d.symlink('../x', 3, 'assets/l'), ERRNO.NOTCAPABLE);
    assert.equal(d.symlink('../x', 3, 'assets/sub/l'), 0, 'assets/sub/../x is assets/x: inside both');
    // a folder with a link that is fine where it is, moved into the inner mount's folder
    assert.equal(d.symlink('../..', 3, 'x/y/l'), 0);
    assert.equal(d.rename(3, 'x', 3, 'assets/x'), 0, 'assets/x/y/../.. is /assets: fine');
    assert.equal(d.rename(3, 'assets/x/y', 3, 'assets/y'), ERRNO.NOTCAPABLE, 'assets/y/../.. is not');
    assert.equal(d.rename(3, 'assets/x', 3, 'x'), 0);
    assert.equal(d.rename(3, 'x/y', 3, 'assets/y'), ERRNO.NOTCAPABLE, 'nor from outside the inner mount');
    assert.deepEqual(d.violations.map((v) => v.kind), ['symlink-escape', 'symlink-escape', 'symlink-escape']);
    assert.match(d.violations[2].detail, /link l -> \.\.\/\.\. would leave \/assets/);
  });

  it('checks the links of a folder that becomes (or brings) an inner mount\'s root', () => {
    const app = path.join(root, 'app');
    fs.mkdirSync(path.join(app, 'assets'), { recursive: true });
    fs.mkdirSync(path.join(app, 's', 'deep'), { recursive: true });
    const d = driver([{ host: app, guest: '/app' }, { host: path.join(app, 'assets'), guest: '/assets' }, { host: path.join(app, 's', 'deep'), guest: '/deep' }]);
    // a folder with `l -> ..` (its parent: the root of /app), moved to where /assets's root is
    assert.equal(d.rename(3, 'assets', 3, 'assets-old'), 0);
    assert.equal(d.mkdir(3, 'q'), 0);
    assert.equal(d.symlink('..', 3, 'q/l'), 0);
    assert.equal(d.rename(3, 'q', 3, 'assets'), ERRNO.NOTCAPABLE, 'assets/l -> .. would leave /assets');
    // a folder holding `inner/l -> ../..`, moved so that its `inner` lands on /deep's root (s/deep)
    assert.equal(d.mkdir(3, 'r'), 0);
    assert.equal(d.mkdir(3, 'r/deep'), 0);
    assert.equal(d.symlink('../..', 3, 'r/deep/l'), 0);
    assert.equal(d.rename(3, 's', 3, 's-old'), 0);
    assert.equal(d.rename(3, 'r', 3, 's'), ERRNO.NOTCAPABLE, 's/deep/l -> ../.. would leave /deep');
    assert.deepEqual(d.violations.map((v) => v.kind), ['symlink-escape', 'symlink-escape']);
    assert.equal(fs.existsSync(path.join(app, 'assets')), false);
    assert.equal(fs.existsSync(path.join(app, 's')), false);
  });

  it('refuses metadata changes through a planted hard link (times, size), as writes', () => {
    const rw = path.join(root, 'rw');
    fs.mkdirSync(rw);
    const secret = path.join(outside, 'secret.txt');
    fs.linkSync(secret, path.join(rw, 'hard.txt'));
    const old = fs.statSync(secret);
    const d = driver([{ host: rw, guest: '/rw' }]);
    assert.equal(d.setTimes(3, 'hard.txt', 1000), ERRNO.NOTCAPABLE);
    assert.equal(d.setTimes(3, 'hard.txt', 1000, false), ERRNO.NOTCAPABLE);
    const fd = d.open(3, 'hard.txt');
    assert.equal(fd.errno, 0, 'reading it is allowed');
    assert.equal(d.call('fd_filestat_set_times', fd.fd, 1_000_000_000_000n, 1_000_000_000_000n, 1 | 4), ERRNO.NOTCAPABLE);
    assert.equal(d.call('fd_filestat_set_times', fd.fd, 0n, 0n, 2 | 8), ERRNO.NOTCAPABLE, 'times set to now');
    assert.equal(d.call('fd_filestat_set_size', fd.fd, 0n), ERRNO.BADF, 'read-only descriptor');
    assert.equal(d.open(3, 'hard.txt', { rights: RIGHTS.FD_WRITE }).errno, ERRNO.NOTCAPABLE);
    assert.deepEqual(d.violations.map((v) => v.kind), ['hardlink-write', 'hardlink-write', 'hardlink-write', 'hardlink-write', 'read-only', 'hardlink-write']);
    const now = fs.statSync(secret);
    assert.equal(now.mtimeMs, old.mtimeMs);
    assert.equal(now.size, old.size);
    // a file of the mount with one link (control), and a directory (always several links)
    fs.writeFileSync(path.join(rw, 'own.txt'), 'x');
    fs.mkdirSync(path.join(rw, 'dir'));
    assert.equal(d.setTimes(3, 'own.txt', 1000), 0);
    assert.equal(d.setTimes(3, 'dir', 1000), 0);
    assert.equal(fs.statSync(path.join(rw, 'own.txt')).mtimeMs, 1_000_000);
    // a file the guest created and then linked itself stays its own to write and change
    assert.equal(d.create(3, 'made.txt', 'mine'), 0);
    assert.equal(d.link(3, 'made.txt', 3, 'made-too.txt'), 0);
    assert.equal(d.setTimes(3, 'made-too.txt', 1000), 0);
    assert.equal(d.create(3, 'made-too.txt', 'still mine'), 0);
    assert.equal(fs.readFileSync(path.join(rw, 'made.txt'), 'utf8'), 'still mine');
    assert.equal(d.violations.length, 6);
  });

  it('refuses a new hard link to a planted hard link (it changed the outside file\'s link count and ctime); a file of the mount with one link may be linked and stays writable', () => {
    const rw = path.join(root, 'rw');
    fs.mkdirSync(rw);
    const secret = path.join(outside, 'secret.txt');
    fs.linkSync(secret, path.join(rw, 'hard.txt'));
    fs.writeFileSync(path.join(rw, 'one.txt'), 'one');
    const old = fs.statSync(secret);
    const d = driver([{ host: rw, guest: '/rw' }]);
    assert.equal(d.link(3, 'hard.txt', 3, 'again.txt'), ERRNO.NOTCAPABLE);
    assert.equal(fs.existsSync(path.join(rw, 'again.txt')), false);
    const now = fs.statSync(secret);
    assert.deepEqual([now.nlink, now.ctimeMs], [old.nlink, old.ctimeMs], 'the outside file is as it was');
    assert.deepEqual(d.violations.map((v) => v.kind), ['hardlink-write']);
    assert.match(d.violations[0].detail, /^path_link \/rw\/hard\.txt: it has 2 links/);
    // one.txt's only name was in the mount: both names are the guest's now, it may write through either
    assert.equal(d.link(3, 'one.txt', 3, 'two.txt'), 0);
    assert.equal(d.create(3, 'two.txt', 'written'), 0);
    assert.equal(fs.readFileSync(path.join(rw, 'one.txt'), 'utf8'), 'written');
    assert.equal(d.violations.length, 1);
  });

  it('records write attempts on read-only descriptors and NUL bytes in paths as violations', () => {
    const rw = path.join(root, 'rw');
    fs.mkdirSync(rw);
    fs.writeFileSync(path.join(rw, 'f.txt'), 'data');
    const d = driver([{ host: rw, guest: '/rw' }]);
    const fd = d.open(3, 'f.txt');
    assert.equal(d.write(fd.fd, 'x').errno, ERRNO.BADF);
    assert.equal(d.pwrite(fd.fd, 'x', 0n), ERRNO.BADF);
    assert.equal(d.call('fd_allocate', fd.fd, 0n, 100n), ERRNO.BADF);
    assert.equal(d.write(0, 'x').errno, ERRNO.BADF, 'stdin');
    assert.equal(d.open(3, 'f.txt\0../../outside/secret.txt').errno, ERRNO.INVAL);
    assert.equal(d.symlink('f.txt\0x', 3, 'l'), ERRNO.INVAL);
    assert.deepEqual(d.violations.map((v) => v.kind), ['read-only', 'read-only', 'read-only', 'read-only', 'nul-in-path', 'nul-in-path']);
    assert.match(d.violations[0].detail, /fd_write on \/rw\/f\.txt, opened read-only/);
    assert.equal(fs.readFileSync(path.join(rw, 'f.txt'), 'utf8'), 'data');
    assert.equal(fs.existsSync(path.join(rw, 'l')), false);
  });

  it('a mount of / works (no false path-escape), read-only and read-write', () => {
    const here = path.join(root, 'here');
    fs.mkdirSync(here);
    fs.writeFileSync(path.join(here, 'f.txt'), 'found\n');
    const rel = path.relative('/', here);
    const d = driver([{ host: '/', guest: '/', readOnly: true }]);
    assert.equal(d.readFile(3, `${rel}/f.txt`).data, 'found\n');
    assert.equal(d.stat(3, rel).errno, 0);
    assert.equal(d.create(3, `${rel}/new.txt`, 'x'), ERRNO.NOTCAPABLE, 'read-only');
    assert.equal(fs.existsSync(path.join(here, 'new.txt')), false);
    const w = driver([{ host: '/', guest: '/' }]);
    assert.equal(w.create(3, `${rel}/new.txt`, 'written'), 0);
    assert.equal(fs.readFileSync(path.join(here, 'new.txt'), 'utf8'), 'written');
    assert.equal(w.symlink('f.txt', 3, `${rel}/l`), 0);
    assert.equal(w.readFile(3, `${rel}/l`).data, 'found\n');
    assert.deepEqual(w.violations, []);
  });

  it('write quota: growth of files in the mounts past maxWriteBytes fails with EDQUOT, reported once', () => {
    const rw = path.join(root, 'rw');
    fs.mkdirSync(rw);
    fs.writeFileSync(path.join(rw, 'old.txt'), 'x'.repeat(100));
    // creating `big` costs a name's share of the quota (ENTRY_QUOTA_BYTES + 3); 1000 bytes are left for data
    const named = ENTRY_QUOTA_BYTES + 3;
    const d = driver([{ host: rw, guest: '/rw' }], { maxWriteBytes: 1000 + named });
    const f = d.open(3, 'big', { oflags: OFLAGS.CREAT, rights: RIGHTS.FD_WRITE | RIGHTS.FD_READ });
    assert.equal(d.write(f.fd, 'a'.repeat(600)).n, 600);
    assert.equal(d.write(f.fd, 'b'.repeat(600)).errno, ERRNO.DQUOT, 'would add 600 more');
    assert.equal(d.pwrite(f.fd, 'c'.repeat(100), 0n), 0, 'overwriting inside the file adds nothing');
    assert.equal(d.pwrite(f.fd, 'z', 2n ** 41n), ERRNO.DQUOT, 'a sparse 2 TiB file');
    assert.equal(d.call('fd_allocate', f.fd, 0n, 2n ** 30n), ERRNO.DQUOT);
    assert.equal(d.call('fd_filestat_set_size', f.fd, 2n ** 30n), ERRNO.DQUOT);
    assert.equal(d.call('fd_seek', f.fd, 2n ** 40n, 0, 512), 0, 'seeking past the end adds nothing...');
    assert.equal(d.write(f.fd, 'd').errno, ERRNO.DQUOT, '...writing there would');
    assert.equal(d.call('fd_filestat_set_size', f.fd, 10n), 0, 'shrinking is free');
    assert.equal(d.call('fd_filestat_set_size', f.fd, 400n), 0, '390 more: 990 in all');
    const old = d.open(3, 'old.txt', { rights: RIGHTS.FD_WRITE });
    assert.equal(d.pwrite(old.fd, 'y'.repeat(20), 95n), ERRNO.DQUOT, 'growing an existing file by 15 counts too');
    assert.equal(d.pwrite(old.fd, 'y'.repeat(10), 90n), 0, 'not growing it is fine');
    assert.equal(d.pwrite(old.fd, 'y'.repeat(10), 100n), 0, '10 more: exactly the quota');
    assert.equal(d.pwrite(old.fd, 'y', 110n), ERRNO.DQUOT, 'one byte past it');
    assert.equal(fs.statSync(path.join(rw, 'big')).size, 400);
    assert.equal(fs.statSync(path.join(rw, 'old.txt')).size, 110);
    assert.deepEqual(d.violations.map((v) => v.kind), ['write-limit']);
    assert.equal(d.violations[0].detail, `fd_write on /rw/big would add 600 bytes; the run may add ${1000 + named} bytes to its mounts and has added ${600 + named}`);
  });

  it('write quota: new names count too (directories, symlinks, files, hard links), so empty entries cannot fill the disk', () => {
    const rw = path.join(root, 'rw');
    fs.mkdirSync(rw);
    const quota = 64 * 1024;
    const d = driver([{ host: rw, guest: '/rw' }], { maxWriteBytes: quota });
    // a directory loop made 100 MB of directories in 2 s under a 1 MiB quota before
    let dirs = 0;
    for (;;) {
      const [p, l] = d.put(`d${dirs}`);
      const errno = d.call('path_create_directory', 3, p, l);
      if (errno) {
        assert.equal(errno, ERRNO.DQUOT);
        break;
      }
      dirs++;
      assert.ok(dirs < 1000, 'the quota never stopped the directories');
    }
    const perDir = ENTRY_QUOTA_BYTES + BLOCK_QUOTA_BYTES + 2;
    assert.ok(dirs >= Math.floor(quota / (perDir + 1)) && dirs <= Math.ceil(quota / perDir), `${dirs} directories`);
    assert.equal(fs.readdirSync(rw).length, dirs, 'the refused one was not made');
    // once the quota is spent, no kind of new name gets through
    const [tp, tl] = d.put('d0');
    const [np, nl] = d.put('link');
    assert.equal(d.call('path_symlink', tp, tl, 3, np, nl), ERRNO.DQUOT);
    assert.equal(d.open(3, 'file', { oflags: OFLAGS.CREAT, rights: RIGHTS.FD_WRITE }).errno, ERRNO.DQUOT);
    assert.deepEqual(fs.readdirSync(rw).sort(), Array.from({ length: dirs }, (_, i) => `d${i}`).sort());
    assert.deepEqual(d.violations.map((v) => v.kind), ['write-limit'], 'one violation for the whole run');
    assert.match(d.violations[0].detail, /^path_create_directory \/rw\/d\d+ would add \d+ bytes/);
  });

  it('write quota: files and hard links are charged their names, so a create-and-delete loop is bounded', () => {
    const rw = path.join(root, 'rw');
    fs.mkdirSync(rw);
    const d = driver([{ host: rw, guest: '/rw' }], { maxWriteBytes: 10 * (ENTRY_QUOTA_BYTES + 2) });
    assert.equal(d.create(3, 'f0'), 0);
    const [op, ol] = d.put('f0');
    const [np, nl] = d.put('f1');
    assert.equal(d.call('path_link', 3, 0, op, ol, 3, np, nl), 0);
    let made = 2;
    for (; made < 20; made++) {
      const name = `t${made % 10}`;
      const errno = d.create(3, name);
      if (errno) {
        assert.equal(errno, ERRNO.DQUOT);
        break;
      }
      const [p, l] = d.put(name);
      assert.equal(d.call('path_unlink_file', 3, p, l), 0);
    }
    assert.equal(made, 10, 'ten names in all, then EDQUOT (deleting gives nothing back)');
  });

  it('guest-controlled numbers never make host code throw: cookies, offsets, sizes, counts, fd_renumber(fd, fd)', () => {
    const rw = path.join(root, 'rw');
    fs.mkdirSync(rw);
    fs.writeFileSync(path.join(rw, 'f.txt'), 'hello');
    const d = driver([{ host: rw, guest: '/rw' }]);
    const dir = d.open(3, '.', { oflags: OFLAGS.DIRECTORY });
    assert.deepEqual(d.readdir(dir.fd).names, ['.', '..', 'f.txt']);
    for (const cookie of [-1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 53n, 3n, 1000n]) {
      assert.deepEqual(d.readdir(dir.fd, cookie), { errno: 0, names: [], used: 0 }, `cookie ${cookie}`);
    }
    assert.deepEqual(d.readdir(dir.fd, 2n).names, ['f.txt']);
    const f = d.open(3, 'f.txt', { rights: RIGHTS.FD_READ | RIGHTS.FD_WRITE });
    assert.equal(d.call('fd_renumber', f.fd, f.fd), 0);
    assert.equal(d.read(f.fd).data, 'hello', 'still open after fd_renumber(fd, fd)');
    assert.equal(d.call('fd_renumber', 3, 3), 0);
    assert.equal(d.call('fd_renumber', 99, 99), ERRNO.BADF);
    for (const [offset, errno] of [[2n ** 53n, ERRNO.FBIG], [2n ** 62n, ERRNO.FBIG], [-1n, ERRNO.INVAL], [2n ** 63n, ERRNO.INVAL], [2n ** 53n - 2n, ERRNO.FBIG]] as const) {
      assert.equal(d.pwrite(f.fd, 'XYZ', offset), errno, `pwrite at ${offset}`);
    }
    assert.equal(d.pread(f.fd, -1n).errno, ERRNO.INVAL);
    assert.deepEqual(d.pread(f.fd, 2n ** 60n), { errno: 0, n: 0 }, 'past the end of any file: nothing');
    assert.deepEqual(d.pread(f.fd, 1n), { errno: 0, n: 4 });
    assert.equal(d.call('fd_seek', f.fd, 2n ** 62n, 0, 512), ERRNO.INVAL);
    assert.equal(d.call('fd_seek', f.fd, -1n, 0, 512), ERRNO.INVAL);
    assert.equal(d.call('fd_seek', f.fd, 2n ** 53n, 1, 512), ERRNO.INVAL);
    assert.equal(d.call('fd_seek', f.fd, 0n, 1, 70000), 21, 'EFAULT, and the position unchanged');
    assert.equal(d.call('fd_tell', f.fd, 512), 0);
    assert.equal(d.u64(512), 5n, 'the read moved it to 5; the refused seeks did not');
    assert.equal(d.call('fd_allocate', f.fd, -1n, 1n), ERRNO.INVAL);
    assert.equal(d.call('fd_allocate', f.fd, 2n ** 52n, 2n ** 52n), ERRNO.FBIG);
    assert.equal(d.call('fd_filestat_set_size', f.fd, -1n), ERRNO.INVAL);
    assert.equal(d.call('path_filestat_set_times', 3, 0, ...d.put('f.txt'), -1n, -1n, 1 | 4), 0, 'u64 max nanoseconds is a time');
    assert.equal(d.call('fd_write', f.fd, 512, 2 ** 20, 520), ERRNO.INVAL, 'a million iovecs');
    assert.equal(d.call('fd_write', f.fd, 512, -1, 520), ERRNO.INVAL, '2^32 - 1 iovecs');
    assert.equal(d.call('fd_read', f.fd, 65530, 1, 520), 21, 'iovec array past the memory: EFAULT');
    assert.equal(d.call('poll_oneoff', 0, 4096, 2 ** 30, 520), ERRNO.INVAL);
    assert.equal(d.call('poll_oneoff', 0, 4096, -1, 520), ERRNO.INVAL);
    assert.equal(d.call('random_get', 0, 65536), 0);
    assert.equal(d.call('random_get', 0, -1), 21);
    assert.equal(d.call('path_open', 3, 0, ...d.put('new.txt'), OFLAGS.CREAT, RIGHTS.FD_WRITE, 0n, 0, 65534), 21, 'result address past the memory');
    assert.equal(fs.existsSync(path.join(rw, 'new.txt')), false, 'EFAULT before the file is created');
    assert.equal(fs.readFileSync(path.join(rw, 'f.txt'), 'utf8'), 'hello', 'no write landed anywhere');
  });
});
