/**
 * The filesystem view a guest sees: a set of mounts (host directory -> guest path, read-only or
 * read-write). Every guest path is resolved here, component by component, against the mount it is
 * relative to, and confined against the real host path at the time of the call (docs/sandbox.md,
 * "Filesystem confinement"):
 * - the mount root's real path is checked first, on every call: a root that was moved, replaced or
 *   turned into a symlink (e.g. by the guest through another, overlapping mount) makes the mount refuse
 *   everything, before anything below it is looked at;
 * - absolute guest paths are refused (WASI paths are always relative to a directory descriptor);
 * - `..` may not climb above the mount root;
 * - symbolic links are read with lstat/readlink and expanded inside the mount; a link whose target
 *   is absolute or climbs out of the mount is refused;
 * - the real path of the directory that holds the final component is checked to be inside the mount
 *   before the caller does anything with it (no create, link, rename or stat happens elsewhere);
 * - files are opened with O_NOFOLLOW, and the opened descriptor's real path (/proc/self/fd) is checked
 *   to be inside the mount, which closes the race between resolution and open on Linux.
 * Symlinks a guest creates (or moves, or links) must stay inside every mount that holds them, and may
 * only climb (`..`) at the start of their target: see `checkSymlinkTarget`.
 * Refusals raise WasiError(ENOTCAPABLE) and are reported to `onViolation`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ERRNO } from './constants';

export class WasiError extends Error {
  constructor(readonly errno: number, message?: string) {
    super(message ?? `wasi errno ${errno}`);
  }
}

export interface MountSpec {
  host: string;
  guest: string;
  readOnly: boolean;
}

export interface Mount extends MountSpec {
  /** realpath of the host directory */
  hostReal: string;
  index: number;
}

export type ViolationSink = (kind: string, detail: string) => void;

export interface Resolved {
  mount: Mount;
  /** components below the mount root, all symlinks expanded except (maybe) the last */
  rel: string[];
  host: string;
}

const MAX_SYMLINKS = 32;
const HAS_PROC_FD = fs.existsSync('/proc/self/fd');

/** true when the absolute path `p` is `root` or below it (`root` may be `/`) */
export function isWithin(p: string, root: string): boolean {
  if (p === root) return true;
  return p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The real path of an existing host path (realpath(3)); undefined when it is gone. */
function realPath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

export class FsView {
  readonly mounts: Mount[];

  constructor(specs: MountSpec[], private readonly onViolation: ViolationSink) {
    this.mounts = specs.map((m, index) => {
      // realpath(3), as checkRoot uses: the JavaScript realpath keeps the case the user typed, which a
      // case-insensitive file system's realpath(3) would not, and every call would then be refused
      const hostReal = fs.realpathSync.native(m.host);
      if (!fs.statSync(hostReal).isDirectory()) throw new Error(`mount ${m.host} is not a directory`);
      return { ...m, hostReal, index };
    });
  }

  deny(kind: string, detail: string, errno: number = ERRNO.NOTCAPABLE): never {
    this.onViolation(kind, detail);
    throw new WasiError(errno, `${kind}: ${detail}`);
  }

  hostPath(mount: Mount, rel: string[]): string {
    return rel.length ? path.join(mount.hostReal, ...rel) : mount.hostReal;
  }

  guestPath(mount: Mount, rel: string[]): string {
    return path.posix.join(mount.guest, ...rel);
  }

  /** A guest path string: NUL bytes are refused (EINVAL) and reported. */
  checkName(p: string, op: string): void {
    if (p.includes('\0')) this.deny('nul-in-path', `${op}: ${JSON.stringify(p)} contains a NUL byte`, ERRNO.INVAL);
  }

  /**
   * The mount root must still be the real directory it was at start: same real path (no component of it
   * replaced by a symlink, not moved away). Checked before anything below it is touched, so a root that a
   * guest swapped through an overlapping mount never leads anywhere.
   */
  checkRoot(mount: Mount): void {
    const real = realPath(mount.hostReal);
    if (real !== mount.hostReal) {
      this.deny('path-escape', `${mount.guest}: the mount's host folder was moved, removed or replaced by a link; every access refused`);
    }
  }

  /**
   * Resolves `guestPath` relative to the directory `baseRel` of `mount` (both re-checked from the root). `followFinal` expands a
   * symlink in the last component too (WASI lookupflags.symlink_follow). The result is confined: the real
   * path of its parent directory is inside the mount (`confine`), checked now, right before the caller acts.
   */
  resolve(mount: Mount, baseRel: string[], guestPath: string, followFinal: boolean): Resolved {
    this.checkName(guestPath, 'path');
    if (guestPath.startsWith('/')) this.deny('absolute-path', guestPath);
    if (guestPath === '') throw new WasiError(ERRNO.NOENT);
    this.checkRoot(mount);
    // The base directory is re-resolved from the mount root on every call: the guest (or the host) may
    // have replaced one of its components by a symlink since the descriptor was opened.
    let todo = [...baseRel, ...guestPath.split('/').filter((c) => c !== '')];
    const cur: string[] = [];
    let links = 0;
    while (todo.length) {
      const c = todo.shift()!;
      if (c === '.') continue;
      if (c === '..') {
        if (cur.length === 0) this.deny('path-escape', `${guestPath} climbs above ${mount.guest}`);
        cur.pop();
        continue;
      }
      const last = todo.length === 0;
      if (!last || followFinal) {
        const host = path.join(mount.hostReal, ...cur, c);
        let st: fs.Stats | undefined;
        try {
          st = fs.lstatSync(host);
        } catch (e) {
          if (!last) throw e;
        }
        if (st?.isSymbolicLink()) {
          if (++links > MAX_SYMLINKS) throw new WasiError(ERRNO.LOOP);
          const target = fs.readlinkSync(host);
          if (target.startsWith('/')) {
            this.deny('symlink-escape', `${this.guestPath(mount, [...cur, c])} -> ${target} (absolute target)`);
          }
          // the `..` check above refuses a relative target that climbs out of the mount
          const expanded = target.split('/').filter((x) => x !== '');
          if (this.escapes(cur, expanded)) {
            this.deny('symlink-escape', `${this.guestPath(mount, [...cur, c])} -> ${target} leaves ${mount.guest}`);
          }
          todo = [...expanded, ...todo];
          continue;
        }
        if (!last && st && !st.isDirectory()) throw new WasiError(ERRNO.NOTDIR);
      }
      cur.push(c);
    }
    const r = { mount, rel: cur, host: this.hostPath(mount, cur) };
    this.confine(r);
    return r;
  }

  /**
   * The real path of the directory holding `r` (its parent; the root itself for the root) must be inside
   * the mount's real root. One realpath(3): when it equals the path we built, nothing on the way is a
   * symlink and the root is where it was; otherwise the root is re-checked and the real path compared.
   */
  confine(r: { mount: Mount; rel: string[] }): void {
    const dir = this.hostPath(r.mount, r.rel.slice(0, -1));
    const real = realPath(dir);
    if (real === dir) return;
    this.checkRoot(r.mount);
    if (real === undefined) throw new WasiError(ERRNO.NOENT);
    if (!isWithin(real, r.mount.hostReal)) this.deny('path-escape', `${this.guestPath(r.mount, r.rel)} is outside ${r.mount.guest} on the host`);
  }

  /** true when following `components` from directory `dir` (lexically) leaves the mount root */
  escapes(dir: string[], components: string[]): boolean {
    let depth = dir.length;
    for (const c of components) {
      if (c === '..') {
        if (--depth < 0) return true;
      } else if (c !== '.' && c !== '') depth++;
    }
    return false;
  }

  /** The mounts whose root holds the host directory `dirHost`, with the depth of `dirHost` below each. */
  mountsHolding(dirHost: string): { mount: Mount; depth: number }[] {
    const out: { mount: Mount; depth: number }[] = [];
    for (const m of this.mounts) {
      if (!isWithin(dirHost, m.hostReal)) continue;
      const rel = path.relative(m.hostReal, dirHost);
      out.push({ mount: m, depth: rel === '' ? 0 : rel.split(path.sep).length });
    }
    return out;
  }

  /**
   * A symlink with `target` in the host directory `dirHost` (already confined) may be created or moved
   * there only if it cannot lead out of any mount that holds it, whatever happens to its components later:
   * - no absolute target;
   * - `..` only at the start (`../../lib/x`), never after a name: `a/..` means the parent of wherever `a`
   *   leads, and `a` may be (or later become) a symlink, so only leading `..` can be bounded;
   * - no more leading `..` than the link's depth below the root of every mount holding it (overlapping
   *   mounts: the innermost counts).
   * The names after the `..` are then looked up inside the mount, where every link obeys the same rule.
   */
  checkSymlinkTarget(dirHost: string, target: string, what: string): void {
    this.checkName(target, what);
    if (target.startsWith('/')) this.deny('symlink-escape', `${what} -> ${target}: absolute target`);
    const parts = target.split('/').filter((c) => c !== '' && c !== '.');
    let up = 0;
    while (up < parts.length && parts[up] === '..') up++;
    if (parts.slice(up).includes('..')) {
      this.deny('symlink-escape', `${what} -> ${target}: \`..\` after a name could leave the mount once a component is a symlink`);
    }
    for (const { mount, depth } of this.mountsHolding(dirHost)) {
      if (up > depth) this.deny('symlink-escape', `${what} -> ${target} would leave ${mount.guest}`);
    }
  }

  /**
   * Before the directory `fromHost` moves to `toHost`: every symlink inside it must still satisfy
   * checkSymlinkTarget at its new place. Only walked when the move can matter: for some mount holding the
   * new place (the directory may become a mount's root itself), the old place was not in it or was deeper;
   * or a mount's root lies inside the new place (the tree brings a folder to where a mount's root is).
   */
  checkMovedTree(fromHost: string, toHost: string, what: string): void {
    const before = new Map(this.mountsHolding(fromHost).map((x) => [x.mount, x.depth]));
    const after = this.mountsHolding(toHost);
    const bringsRoot = this.mounts.some((m) => isWithin(m.hostReal, toHost));
    if (!bringsRoot && after.every((x) => before.has(x.mount) && before.get(x.mount)! <= x.depth)) return;
    const walk = (dir: string, newDir: string): void => {
      for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
        const child = path.join(dir, ent.name);
        if (ent.isSymbolicLink()) this.checkSymlinkTarget(newDir, fs.readlinkSync(child), `${what}: link ${ent.name}`);
        else if (ent.isDirectory()) walk(child, path.join(newDir, ent.name));
      }
    };
    walk(fromHost, toHost);
  }

  /** Write access check: read-only mounts refuse with ENOTCAPABLE and a `read-only` violation. */
  requireWritable(r: { mount: Mount; rel: string[] }, op: string): void {
    if (r.mount.readOnly) this.deny('read-only', `${op} ${this.guestPath(r.mount, r.rel)} on read-only mount`);
  }

  /**
   * After open: the descriptor's real path must be inside the mount (defeats swapped directories). On a
   * refusal the descriptor is closed, and a file this open created (`created`) is removed again.
   */
  checkOpened(fd: number, r: Resolved, created = false): void {
    if (!HAS_PROC_FD) return;
    let real: string;
    try {
      real = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return;
    }
    if (!isWithin(real, r.mount.hostReal)) {
      fs.closeSync(fd);
      if (created) try { fs.unlinkSync(real); } catch { /* gone already */ }
      this.deny('path-escape', `${this.guestPath(r.mount, r.rel)} opened outside ${r.mount.guest}`);
    }
  }
}
