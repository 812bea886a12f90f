/**
 * Property: whatever sequence of path operations a guest makes, across two overlapping writable mounts
 * (`/app` and `/app/inner`'s folder inside it) and two disjoint ones (one read-only), nothing outside the
 * mounts changes and no outside content reaches the guest. Random sequences (seeded: the seed is printed;
 * WARDEN_FS_SEED=<seed> replays one, WARDEN_FS_STEPS=<n> sets the length) of mkdir, rmdir, rename,
 * symlink, link, unlink, open/create/write, read, readlink, stat, set-times and readdir, with paths and
 * link targets drawn from names that include `..`, the inner mount's folder, planted links to outside and
 * absolute paths, run through our preview1 (wasi-driver.ts); after EACH step the host tree around the
 * mounts (a sentinel folder with files, links to it, the mounts' parents) is compared with its snapshot,
 * the host tmp folder is checked for names the guest used, no symlink left in a writable mount leads out
 * of a mount holding it (as the kernel resolves it), and the whole guest memory is searched for
 * the marker that every outside file carries (in its content, and one in its name: the guest cannot
 * guess it, so it may only appear in guest memory if outside data was handed over).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OFLAGS, RIGHTS, WasiDriver } from './wasi-driver';
import { rmrf, tempDir } from './helpers';

const MARKER = 'OUTSIDE-MARKER-q8v3k';
/** every name the guest makes starts with this, so the host tmp folder can be checked for them */
const P = 'zq7';
const T = { timeout: 120_000 };

/** xorshift32: small, seedable, reproducible */
function rng(seed: number): { int(n: number): number; pick<X>(xs: readonly X[]): X } {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

let root: string;
let sentinel: string;
let mounts: { a: string; inner: string; c: string; d: string };

/** path -> type, size, mtime, content or target, for everything under `dir` except the `skip` folders */
function snapshot(dir: string, skip: Set<string>): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (skip.has(p)) continue;
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) out.set(p, `link ${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(p, `dir ${st.mode} ${st.mtimeMs}`);
        walk(p);
      } else out.set(p, `file ${st.mode} ${st.size} ${st.mtimeMs} ${st.nlink} ${fs.readFileSync(p, 'latin1')}`);
    }
  };
  out.set(dir, `dir ${fs.statSync(dir).mtimeMs}`);
  walk(dir);
  return out;
}

function diff(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? '(none)'} -> ${b.get(k) ?? '(none)'}`);
}

function within(p: string, root: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

/**
 * Symlinks left in the writable mounts that lead out (the kernel's resolution, as a host program following
 * them would see it): each must stay inside every mount whose folder holds it.
 */
function escapingLinks(): string[] {
  const out: string[] = [];
  const holders = (p: string) => [mounts.a, mounts.inner, mounts.c].filter((m) => realOrNone(m) === m && within(p, m));
  const walk = (d: string) => {
    let ents: fs.Dirent[];
    try {
      ents = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      if (!e.isSymbolicLink()) continue;
      const real = realOrNone(p);
      if (real === undefined) continue; // dangling (or a loop): leads nowhere now
      for (const m of holders(path.dirname(p))) if (!within(real, m)) out.push(`${p} -> ${fs.readlinkSync(p)} leads to ${real}, outside ${m}`);
    }
  };
  walk(mounts.a);
  walk(mounts.c);
  return out;
}

function realOrNone(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

function tmpNames(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(P));
}

describe('filesystem confinement property', () => {
  before(() => {
    root = tempDir('prop');
    // the sentinel: outside every mount, beside them, with files, a folder and links to it
    sentinel = path.join(root, 'sentinel');
    fs.mkdirSync(path.join(sentinel, 'dir'), { recursive: true });
    fs.writeFileSync(path.join(sentinel, `secret-${MARKER}.txt`), `${MARKER} secret\n`);
    fs.writeFileSync(path.join(sentinel, 'dir', 'inner.txt'), `${MARKER} inner\n`);
    fs.writeFileSync(path.join(sentinel, 'secret.txt'), `${MARKER} named secret\n`);
    fs.symlinkSync('sentinel', path.join(root, 'to-sentinel'));
  });
  after(() => rmrf(root));

  /** fresh mounts for an episode: /app (rw) holding /inner's folder (rw), and /c (rw) and /d (ro) beside them */
  function makeMounts(): void {
    const m = path.join(root, 'm');
    rmrf(m);
    mounts = { a: path.join(m, 'a'), inner: path.join(m, 'a', 'inner'), c: path.join(m, 'c'), d: path.join(m, 'd') };
    for (const dir of Object.values(mounts)) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(mounts.c, 'c.txt'), 'c content\n');
    fs.writeFileSync(path.join(mounts.d, 'd.txt'), 'd content\n');
    fs.writeFileSync(path.join(mounts.inner, 'i.txt'), 'inner content\n');
    // host-planted links to outside (following them must be refused), in the read-only mount: in a writable
    // one the guest could give them new names (a link to a link), which leads where they already lead
    // (docs/sandbox.md) but would blur the check that the guest itself never makes a way out
    fs.symlinkSync('../../sentinel', path.join(mounts.d, 'planted'));
    fs.symlinkSync(sentinel, path.join(mounts.d, 'planted-abs'));
    fs.symlinkSync('../../sentinel/dir', path.join(mounts.d, 'planted-dir'));
    fs.symlinkSync('../to-sentinel', path.join(m, 'beside'));
  }
  after(() => rmrf(root));

  it('random path operations never change or read anything outside the mounts', T, (t) => {
    const seed = Number(process.env.WARDEN_FS_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const steps = Number(process.env.WARDEN_FS_STEPS ?? 4000);
    // several shorter episodes from fresh mounts explore more than one long one (a long one wanders off)
    const episodeSteps = 200;
    t.diagnostic(`seed ${seed} (replay: WARDEN_FS_SEED=${seed}), ${steps} steps in episodes of ${episodeSteps}`);
    const r = rng(seed);
    let drv!: WasiDriver;
    let dirFds: number[] = [];
    const violations: string[] = [];
    const skip = new Set<string>();
    let initial = new Map<string, string>();
    const tmpBefore = tmpNames();
    const marker = Buffer.from(MARKER);
    const newEpisode = () => {
      if (drv) {
        drv.dispose();
        violations.push(...drv.violations.map((v) => v.kind));
      }
      makeMounts();
      drv = new WasiDriver([
        { host: mounts.a, guest: '/app', readOnly: false },
        { host: mounts.inner, guest: '/inner', readOnly: false },
        { host: mounts.c, guest: '/c', readOnly: false },
        { host: mounts.d, guest: '/d', readOnly: true },
      ]);
      dirFds = [3, 4, 5, 6];
      skip.clear();
      for (const d of [mounts.a, mounts.c, mounts.d]) skip.add(d);
      initial = snapshot(root, skip);
    };
    // names: mostly the guest's own (so operations build on each other), then the inner mount's folder,
    // the planted links, the sentinel's names, `..` and `.`
    const own = [`${P}a`, `${P}b`, `${P}c`];
    const other = ['inner', 'planted', 'planted-abs', 'planted-dir', 'sentinel', 'dir', 'secret.txt', 'inner.txt', 'i.txt', 'c.txt', 'd.txt', 'm', 'a'];
    const comp = () => {
      const x = r.int(20);
      return x < 11 ? r.pick(own) : x < 13 ? 'inner' : x < 16 ? r.pick(other) : x < 19 ? '..' : '.';
    };
    const targets = ['..', '../..', '../../..', '../../../..', `${P}a`, `${P}a/..`, `../${P}b`, `../../${P}c`, `${P}a/${P}b`, 'inner', '../inner', 'planted',
      '../sentinel', '../../sentinel', '../../../sentinel', '../../../../sentinel', sentinel, '/', '.', 'inner/../..', `${P}a/../../sentinel`, os.tmpdir()];
    const hostOf = (fd: number): string | undefined => ({ 3: mounts.a, 4: mounts.inner, 5: mounts.c, 6: mounts.d })[fd];
    /** what is in a mount now (seen from the host, links not followed): the paths operations pick most */
    const existing = (dir: string): string[] => {
      const out: string[] = [];
      // only the mount's own folder: when the guest replaced it (inner, through /app), look no further
      if (realOrNone(dir) !== dir) return out;
      const walk = (d: string, rel: string, depth: number) => {
        let ents: fs.Dirent[];
        try {
          ents = fs.readdirSync(d, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of ents) {
          const p = rel ? `${rel}/${e.name}` : e.name;
          out.push(p);
          if (e.isDirectory() && depth < 3) walk(path.join(d, e.name), p, depth + 1);
        }
      };
      walk(dir, '', 0);
      return out.sort();
    };
    const randomPath = () => (r.int(50) === 0 ? '/' : '') + Array.from({ length: 1 + r.int(3) }, comp).join('/');
    /** a base descriptor and a path: half the time something that exists under it, or a new name in it, or its parent */
    const at = (base?: number): [number, string] => {
      const fd = base ?? r.pick(dirFds);
      const host = hostOf(fd);
      if (host && r.int(2) === 0) {
        const list = existing(host);
        if (list.length) {
          const p = r.pick(list);
          const y = r.int(5);
          return [fd, y === 0 ? `${p}/${r.pick(own)}` : y === 1 ? `${p}/..` : p];
        }
      }
      return [fd, randomPath()];
    };
    /** link targets: a fixed list (escapes of every spelling), or `..`s followed by something that exists */
    const target = () => (r.int(2) === 0 ? r.pick(targets) : '../'.repeat(r.int(4)) + (r.int(3) === 0 ? '' : r.pick(existing(mounts.a).concat(own))));
    const counts: Record<string, number> = {};
    const errnos: Record<string, number> = {};
    const ops: [string, number, () => number][] = [
      ['mkdir', 4, () => drv.mkdir(...at())],
      ['rmdir', 1, () => drv.rmdir(...at())],
      ['rename', 5, () => {
        // mostly within one base descriptor (across mounts is refused at once)
        const from = at();
        return drv.rename(...from, ...at(r.int(4) ? from[0] : undefined));
      }],
      // the overlap: move the inner mount's folder away (and back), put a link or something else in its place
      ['move inner', 3, () => (r.int(2) ? drv.rename(3, 'inner', 3, r.pick(own)) : drv.rename(3, r.pick(existing(mounts.a)) ?? own[0], 3, 'inner'))],
      ['link at inner', 3, () => drv.symlink(target(), 3, 'inner')],
      // short links between the guest's own names (`a -> .`, `b -> a/..`): chains whose `..` the kernel
      // applies after following the links
      ['chain', 3, () => drv.symlink(r.pick(['.', '..', `${r.pick(own)}/..`, `${r.pick(own)}/${r.pick(own)}`, r.pick(own)]), ...at(r.int(2) ? 3 : undefined))],
      ['symlink', 5, () => drv.symlink(target(), ...at())],
      ['link', 2, () => {
        const from = at();
        return drv.link(...from, ...at(r.int(4) ? from[0] : undefined), r.int(2) === 0);
      }],
      ['unlink', 2, () => drv.unlink(...at())],
      ['create', 3, () => drv.create(...at(), `guest data ${r.int(1000)}\n`)],
      ['append', 1, () => {
        const o = drv.open(...at(), { rights: RIGHTS.FD_WRITE, fdflags: 1, follow: r.int(2) === 0 });
        if (o.errno) return o.errno;
        const e = drv.write(o.fd, 'appended\n').errno;
        drv.call('fd_close', o.fd);
        return e;
      }],
      ['read', 4, () => drv.readFile(...at(), r.int(2) === 0).errno],
      ['readlink', 2, () => drv.readlink(...at()).errno],
      ['stat', 3, () => drv.stat(...at(), r.int(2) === 0).errno],
      ['set-times', 1, () => drv.setTimes(...at(), 1000 + r.int(1000), r.int(2) === 0)],
      ['truncate', 1, () => {
        const o = drv.open(...at(), { rights: RIGHTS.FD_WRITE, oflags: OFLAGS.TRUNC });
        if (o.errno) return o.errno;
        drv.call('fd_close', o.fd);
        return 0;
      }],
      ['readdir', 2, () => {
        const o = drv.open(...at(), { oflags: OFLAGS.DIRECTORY, follow: r.int(2) === 0 });
        if (o.errno) return o.errno;
        const e = drv.readdir(o.fd).errno;
        // keep some directory descriptors as bases for later operations (re-checked on every use)
        if (dirFds.length < 8 && r.int(3) === 0) dirFds.push(o.fd);
        else drv.call('fd_close', o.fd);
        return e;
      }],
    ];
    const weighted = ops.flatMap((o) => Array<typeof o>(o[1]).fill(o));
    for (let step = 1; step <= steps; step++) {
      if (step % episodeSteps === 1) newEpisode();
      const [name, , op] = r.pick(weighted);
      const errno = op();
      counts[name] = (counts[name] ?? 0) + 1;
      if (errno === 0) errnos[name] = (errnos[name] ?? 0) + 1;
      const where = `seed ${seed}, step ${step} (${name})`;
      const changed = diff(initial, snapshot(root, skip));
      assert.deepEqual(changed, [], `${where}: the host changed outside the mounts`);
      assert.equal(Buffer.from(drv.bytes).indexOf(marker), -1, `${where}: outside content reached the guest`);
      assert.deepEqual(tmpNames(), tmpBefore, `${where}: the guest made a name in the host tmp folder`);
      assert.deepEqual(escapingLinks(), [], `${where}: a symlink that leads out was left in a writable mount`);
    }
    drv.dispose();
    violations.push(...drv.violations.map((v) => v.kind));
    const refused = violations.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});
    t.diagnostic(`operations (succeeded/tried): ${Object.keys(counts).sort().map((k) => `${k} ${errnos[k] ?? 0}/${counts[k]}`).join(', ')}`);
    t.diagnostic(`violations: ${JSON.stringify(refused)}`);
    // the sequences did real work, not only refusals (else the property says little)
    for (const k of ['mkdir', 'rename', 'symlink', 'create', 'read', 'stat']) assert.ok((errnos[k] ?? 0) > 0, `seed ${seed}: some ${k} succeeded`);
    assert.ok((refused['symlink-escape'] ?? 0) > 0 && (refused['path-escape'] ?? 0) > 0, `seed ${seed}: escapes were tried`);
  });
});
