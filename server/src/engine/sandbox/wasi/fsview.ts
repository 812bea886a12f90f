/**
 * The filesystem view a guest sees: a set of mounts (host directory -> guest path, read-only or
 * read-write). Every guest path is resolved here, component by component, against the mount it is
 * relative to; nothing leaves the mount:
 * - absolute guest paths are refused (WASI paths are always relative to a directory descriptor);
 * - `..` may not climb above the mount root;
 * - symbolic links are read with lstat/readlink and expanded inside the mount; a link whose target
 *   is absolute or climbs out of the mount is refused;
 * - files are opened with O_NOFOLLOW, and the opened descriptor's real path (/proc/self/fd) is checked
 *   to be inside the mount, which closes the race between resolution and open on Linux.
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

export class FsView {
  readonly mounts: Mount[];

  constructor(specs: MountSpec[], private readonly onViolation: ViolationSink) {
    this.mounts = specs.map((m, index) => {
      const hostReal = fs.realpathSync(m.host);
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

  /**
   * Resolves `guestPath` relative to the directory `baseRel` of `mount` (both re-checked from the root). `followFinal` expands a
   * symlink in the last component too (WASI lookupflags.symlink_follow).
   */
  resolve(mount: Mount, baseRel: string[], guestPath: string, followFinal: boolean): Resolved {
    if (guestPath.includes('\0')) throw new WasiError(ERRNO.INVAL);
    if (guestPath.startsWith('/')) this.deny('absolute-path', guestPath);
    if (guestPath === '') throw new WasiError(ERRNO.NOENT);
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
    return { mount, rel: cur, host: this.hostPath(mount, cur) };
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

  /** Write access check: read-only mounts refuse with ENOTCAPABLE and a `read-only` violation. */
  requireWritable(r: { mount: Mount; rel: string[] }, op: string): void {
    if (r.mount.readOnly) this.deny('read-only', `${op} ${this.guestPath(r.mount, r.rel)} on read-only mount`);
  }

  /** After open: the descriptor's real path must be inside the mount (defeats swapped directories). */
  checkOpened(fd: number, r: Resolved): void {
    if (!HAS_PROC_FD) return;
    let real: string;
    try {
      real = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return;
    }
    if (real !== r.mount.hostReal && !real.startsWith(r.mount.hostReal + path.sep)) {
      fs.closeSync(fd);
      this.deny('path-escape', `${this.guestPath(r.mount, r.rel)} opened outside ${r.mount.guest}`);
    }
  }
}
