/**
 * Drives our preview1 implementation in this process the way a guest does: arguments go through guest
 * memory (a real WebAssembly.Memory), i32s as wasm passes them (signed) and i64s as signed bigints,
 * and a thrown WasiError becomes its errno, as the runner's monitor maps it. Anything else thrown is
 * host code throwing on guest input (a `host-error` trap in a real run): it propagates, so the test fails.
 */
import { MountSpec } from '../../../server/src/engine/sandbox/wasi/fsview';
import { toErrno, WasiPreview1 } from '../../../server/src/engine/sandbox/wasi/preview1';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const WA = (globalThis as any).WebAssembly;

export const ERRNO = {
  BADF: 8, BUSY: 10, DQUOT: 19, EXIST: 20, FBIG: 22, INVAL: 28, ISDIR: 31, LOOP: 32, NOENT: 44, NOTDIR: 54,
  NOTEMPTY: 55, PERM: 63, XDEV: 75, NOTCAPABLE: 76,
} as const;
export const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
export const RIGHTS = { FD_READ: 2n, FD_WRITE: 64n } as const;

/** scratch area for arguments (reset by every call) and a result area */
const SCRATCH = 1024;
const OUT = 512;
const READ_BUF = 32 * 1024;
const READ_LEN = 16 * 1024;

const enc = new TextEncoder();
const dec = new TextDecoder();

export interface Violation {
  kind: string;
  detail: string;
}

export class WasiDriver {
  readonly wasi: WasiPreview1;
  readonly memory: { buffer: ArrayBuffer };
  readonly violations: Violation[] = [];
  private at = SCRATCH;

  constructor(mounts: MountSpec[], options: { maxWriteBytes?: number } = {}) {
    this.memory = new WA.Memory({ initial: 1 });
    this.wasi = new WasiPreview1({
      args: ['driver'], env: {}, mounts, stdout: { write() {} }, stderr: { write() {} },
      onViolation: (kind, detail) => this.violations.push({ kind, detail }),
      maxWriteBytes: options.maxWriteBytes,
    });
    this.wasi.setMemory(this.memory as never);
  }

  dispose(): void {
    this.wasi.dispose();
  }

  /** The whole guest memory (what the guest could have seen). */
  get bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  private get dv(): DataView {
    return new DataView(this.memory.buffer);
  }

  /** Calls a preview1 function with raw arguments; returns its errno. */
  call(name: keyof WasiPreview1['functions'], ...args: (number | bigint)[]): number {
    const a = args.map((x) => (typeof x === 'number' ? x | 0 : BigInt.asIntN(64, x)));
    try {
      return this.wasi.functions[name](...a);
    } catch (e) {
      return toErrno(e);
    } finally {
      this.at = SCRATCH;
    }
  }

  /** Copies bytes into the scratch area; returns [pointer, length]. */
  put(data: string | Uint8Array): [number, number] {
    const b = typeof data === 'string' ? enc.encode(data) : data;
    const p = this.at;
    this.bytes.set(b, p);
    this.at += b.length + 8;
    return [p, b.length];
  }

  u32(ptr: number): number {
    return this.dv.getUint32(ptr, true);
  }

  u64(ptr: number): bigint {
    return this.dv.getBigUint64(ptr, true);
  }

  open(dir: number, p: string, o: { oflags?: number; rights?: bigint; fdflags?: number; follow?: boolean } = {}): { errno: number; fd: number } {
    const [pp, pl] = this.put(p);
    const errno = this.call('path_open', dir, o.follow === false ? 0 : 1, pp, pl, o.oflags ?? 0, o.rights ?? RIGHTS.FD_READ, 0n, o.fdflags ?? 0, OUT);
    return { errno, fd: errno ? -1 : this.u32(OUT) };
  }

  create(dir: number, p: string, data?: string): number {
    const o = this.open(dir, p, { oflags: OFLAGS.CREAT | OFLAGS.TRUNC, rights: RIGHTS.FD_WRITE | RIGHTS.FD_READ });
    if (o.errno) return o.errno;
    const errno = data === undefined ? 0 : this.write(o.fd, data).errno;
    this.call('fd_close', o.fd);
    return errno;
  }

  /** Reads a file (up to 16 KiB) by path; the data goes through guest memory. */
  readFile(dir: number, p: string, follow = true): { errno: number; data: string } {
    const o = this.open(dir, p, { follow });
    if (o.errno) return { errno: o.errno, data: '' };
    const r = this.read(o.fd);
    this.call('fd_close', o.fd);
    return r;
  }

  read(fd: number): { errno: number; data: string } {
    this.dv.setUint32(OUT, READ_BUF, true);
    this.dv.setUint32(OUT + 4, READ_LEN, true);
    const errno = this.call('fd_read', fd, OUT, 1, OUT + 8);
    return { errno, data: errno ? '' : dec.decode(this.bytes.subarray(READ_BUF, READ_BUF + this.u32(OUT + 8))) };
  }

  write(fd: number, data: string): { errno: number; n: number } {
    const [p, l] = this.put(data);
    this.dv.setUint32(OUT, p, true);
    this.dv.setUint32(OUT + 4, l, true);
    const errno = this.call('fd_write', fd, OUT, 1, OUT + 8);
    return { errno, n: errno ? 0 : this.u32(OUT + 8) };
  }

  pwrite(fd: number, data: string, offset: bigint): number {
    const [p, l] = this.put(data);
    this.dv.setUint32(OUT, p, true);
    this.dv.setUint32(OUT + 4, l, true);
    return this.call('fd_pwrite', fd, OUT, 1, offset, OUT + 8);
  }

  pread(fd: number, offset: bigint): { errno: number; n: number } {
    this.dv.setUint32(OUT, READ_BUF, true);
    this.dv.setUint32(OUT + 4, READ_LEN, true);
    const errno = this.call('fd_pread', fd, OUT, 1, offset, OUT + 8);
    return { errno, n: errno ? 0 : this.u32(OUT + 8) };
  }

  mkdir(dir: number, p: string): number {
    return this.call('path_create_directory', dir, ...this.put(p));
  }

  rmdir(dir: number, p: string): number {
    return this.call('path_remove_directory', dir, ...this.put(p));
  }

  unlink(dir: number, p: string): number {
    return this.call('path_unlink_file', dir, ...this.put(p));
  }

  rename(dir: number, p: string, toDir: number, to: string): number {
    const [a, al] = this.put(p);
    const [b, bl] = this.put(to);
    return this.call('path_rename', dir, a, al, toDir, b, bl);
  }

  symlink(target: string, dir: number, p: string): number {
    const [t, tl] = this.put(target);
    const [a, al] = this.put(p);
    return this.call('path_symlink', t, tl, dir, a, al);
  }

  link(dir: number, p: string, toDir: number, to: string, follow = false): number {
    const [a, al] = this.put(p);
    const [b, bl] = this.put(to);
    return this.call('path_link', dir, follow ? 1 : 0, a, al, toDir, b, bl);
  }

  readlink(dir: number, p: string): { errno: number; target: string } {
    const [a, al] = this.put(p);
    const errno = this.call('path_readlink', dir, a, al, READ_BUF, READ_LEN, OUT);
    return { errno, target: errno ? '' : dec.decode(this.bytes.subarray(READ_BUF, READ_BUF + this.u32(OUT))) };
  }

  /** path_filestat_get: errno, file type and size */
  stat(dir: number, p: string, follow = true): { errno: number; type: number; size: bigint } {
    const [a, al] = this.put(p);
    const errno = this.call('path_filestat_get', dir, follow ? 1 : 0, a, al, OUT);
    return { errno, type: errno ? 0 : this.bytes[OUT + 16], size: errno ? 0n : this.u64(OUT + 32) };
  }

  /** path_filestat_set_times to `sec` seconds (both times) */
  setTimes(dir: number, p: string, sec: number, follow = true): number {
    const [a, al] = this.put(p);
    const ns = BigInt(sec) * 1_000_000_000n;
    return this.call('path_filestat_set_times', dir, follow ? 1 : 0, a, al, ns, ns, 1 | 4);
  }

  /** fd_readdir from `cookie`: the names in the buffer */
  readdir(fd: number, cookie: bigint = 0n): { errno: number; names: string[]; used: number } {
    const errno = this.call('fd_readdir', fd, READ_BUF, READ_LEN, cookie, OUT);
    if (errno) return { errno, names: [], used: 0 };
    const used = this.u32(OUT);
    const names: string[] = [];
    for (let p = READ_BUF; p + 24 <= READ_BUF + used;) {
      const len = this.u32(p + 16);
      names.push(dec.decode(this.bytes.subarray(p + 24, p + 24 + len)));
      p += 24 + len;
    }
    return { errno, names, used };
  }
}
