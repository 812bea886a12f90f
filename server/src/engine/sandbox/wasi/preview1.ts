/**
 * Our own WASI preview1 implementation over an FsView (see fsview.ts). It never hands a host path
 * to the guest and never relies on node:wasi. Preopens are exactly the mounts, as fds 3, 4, ...
 *
 * Denials (documented in docs/sandbox.md):
 * - writes on a read-only mount, escapes, absolute paths, escaping symlinks, links across mounts,
 *   writing through (or changing the metadata of) a file with several hard links -> ENOTCAPABLE (76)
 *   + a violation; writes on a descriptor opened read-only -> EBADF + a `read-only` violation; a NUL byte
 *   in a path -> EINVAL + a `nul-in-path` violation;
 * - growing files in the mounts beyond `maxWriteBytes` in all -> EDQUOT (19) + one `write-limit` violation;
 * - sockets -> ENOTSUP (58) + a `socket` violation; proc_raise -> ENOSYS (52).
 * Every guest-controlled number is checked before use: 64-bit offsets, sizes, cookies and timestamps
 * arrive as signed bigints and are taken as the u64 they are, and nothing the guest passes makes host
 * code throw anything but a WasiError (or a DataView RangeError, which is EFAULT).
 */
import { SANDBOX_LIMITS } from '../limits';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  CLOCK, ERRNO, EVENTTYPE, FDFLAGS, FILETYPE, FSTFLAGS, LOOKUP_SYMLINK_FOLLOW, NODE_ERRNO, OFLAGS,
  PREVIEW1_FUNCTIONS, RIGHTS, RIGHTS_ALL, RIGHTS_WRITE, SUBCLOCK_ABSTIME, WHENCE,
} from './constants';
import { FsView, Mount, MountSpec, Resolved, WasiError } from './fsview';
import type { WasmMemory } from '../wasm-api';

/** Thrown by proc_exit; the runner catches it. */
export class ProcExit {
  constructor(readonly code: number) {}
}

export interface OutputSink {
  /** returns false when the sink refuses more output (cap reached) */
  write(bytes: Uint8Array): void;
}

export interface WasiHostOptions {
  args: string[];
  env: Record<string, string>;
  mounts: MountSpec[];
  stdinFile?: string;
  stdout: OutputSink;
  stderr: OutputSink;
  onViolation(kind: string, detail: string): void;
  /** where to count the bytes read and written (e.g. the runner's shared statistics) */
  io?: IoCounters;
  /** bytes the run may add to files in the mounts, all writes together (default DEFAULT_MAX_WRITE) */
  maxWriteBytes?: number;
}

/** Default write quota of a run: 64 MiB added to the files of its mounts (docs/sandbox.md). */
export const DEFAULT_MAX_WRITE = SANDBOX_LIMITS.maxWriteBytes.default!;
/**
 * What a new name in the mounts (a created file, directory, symlink or hard link) costs the write quota
 * besides its own length: about an inode and a directory entry. Without it, a guest making empty
 * directories or files in a loop filled the disk past any quota (100 MB in 2 s under a 1 MiB quota).
 */
export const ENTRY_QUOTA_BYTES = 256;
/** What a new directory or symlink costs the write quota on top of its name: the block it takes. */
export const BLOCK_QUOTA_BYTES = 4096;

export interface IoCounters {
  bytesRead: number;
  bytesWritten: number;
}

type FdEntry =
  | { kind: 'stdio'; which: 0 | 1 | 2; flags: number }
  | { kind: 'dir'; mount: Mount; rel: string[]; preopen: boolean; flags: number }
  | {
      kind: 'file'; mount: Mount; rel: string[]; hostFd: number; pos: number; readable: boolean;
      writable: boolean; flags: number;
    };

const enc = new TextEncoder();
const dec = new TextDecoder();
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const hrtimeNs = process.hrtime.bigint;
/** performance.now without the `performance` global's getter on every call (bound on first use, see monitor.ts) */
let boundNow: (() => number) | undefined;
const perfNow = (): number => (boundNow ??= performance.now.bind(performance))();
const TWO32 = 4294967296;
/** largest file offset or size we handle: JavaScript numbers are exact up to 2^53 - 1 */
const MAX_OFFSET = BigInt(Number.MAX_SAFE_INTEGER);
/** largest value of a signed 64-bit file offset (off_t): a u64 above it is negative to the kernel */
const MAX_OFF_T = (1n << 63n) - 1n;
/** at most this many iovecs in one read or write (Linux's IOV_MAX) */
const IOV_MAX = 1024;
/** at most this many subscriptions in one poll_oneoff */
const MAX_SUBSCRIPTIONS = 65536;
/** random_get fills in chunks (randomFillSync refuses sizes from 2^31 on) */
const RANDOM_CHUNK = 65536;

/** An i64 argument (a signed bigint in JavaScript) as the u64 that preview1 declares. */
function u64(x: bigint | number): bigint {
  return BigInt.asUintN(64, BigInt(x));
}

/** A u64 file offset or size as a number: EINVAL when negative to the kernel, EFBIG beyond 2^53 - 1. */
function offsetArg(x: bigint | number): number {
  const v = u64(x);
  if (v > MAX_OFF_T) throw new WasiError(ERRNO.INVAL);
  if (v > MAX_OFFSET) throw new WasiError(ERRNO.FBIG);
  return Number(v);
}

/** The wall clock in whole microseconds (the resolution clock_res_get reports for it). */
function realtimeMicros(): number {
  return Math.round((performance.timeOrigin + perfNow()) * 1e3);
}

function filetype(st: fs.Stats | fs.BigIntStats): number {
  if (st.isFile()) return FILETYPE.REGULAR_FILE;
  if (st.isDirectory()) return FILETYPE.DIRECTORY;
  if (st.isSymbolicLink()) return FILETYPE.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return FILETYPE.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return FILETYPE.BLOCK_DEVICE;
  if (st.isSocket()) return FILETYPE.SOCKET_STREAM;
  return FILETYPE.UNKNOWN;
}

/** The function with every number argument taken as a u32 (bigints, the i64 arguments, pass as they are). */
function unsignedArgs(fn: (...a: any[]) => number): (...a: any[]) => number {
  const u = (x: unknown) => (typeof x === 'number' ? x >>> 0 : x);
  return (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown, h?: unknown, k?: unknown) =>
    fn(u(a), u(b), u(c), u(d), u(e), u(f), u(g), u(h), u(k));
}

export class WasiPreview1 {
  readonly fs: FsView;
  readonly io: IoCounters;
  private memory?: WasmMemory;
  private buf?: ArrayBuffer;
  private shared = false;
  private dv!: DataView;
  private u8!: Uint8Array;
  /** the memory as u64s and u32s, for aligned stores (clock_time_get); empty until the first mem() */
  private u64 = new BigUint64Array(0);
  private u32 = new Uint32Array(0);
  private readonly fds = new Map<number, FdEntry>();
  private readonly args: Uint8Array[];
  private readonly env: Uint8Array[];
  private stdinFd?: number;
  private stdinPos = 0;
  /** bytes added to files of the mounts so far (the write quota), and whether its violation was raised */
  private added = 0;
  private quotaReported = false;
  /** files this run created (`dev:ino`): their extra hard links can only be the guest's own, in the mounts */
  private readonly ownFiles = new Set<string>();
  private readonly maxWrite: number;

  constructor(private readonly opts: WasiHostOptions) {
    this.io = opts.io ?? { bytesRead: 0, bytesWritten: 0 };
    // anything but a byte count (NaN would compare false and lift the quota) means the default
    const q = opts.maxWriteBytes;
    this.maxWrite = typeof q === 'number' && q >= 0 && Number.isFinite(q) ? q : DEFAULT_MAX_WRITE;
    this.fs = new FsView(opts.mounts, opts.onViolation);
    this.args = opts.args.map((a) => enc.encode(a + '\0'));
    this.env = Object.entries(opts.env).map(([k, v]) => enc.encode(`${k}=${v}\0`));
    this.fds.set(0, { kind: 'stdio', which: 0, flags: 0 as number });
    this.fds.set(1, { kind: 'stdio', which: 1, flags: FDFLAGS.APPEND });
    this.fds.set(2, { kind: 'stdio', which: 2, flags: FDFLAGS.APPEND });
    this.fs.mounts.forEach((mount, i) => this.fds.set(3 + i, { kind: 'dir', mount, rel: [], preopen: true, flags: 0 }));
    if (opts.stdinFile) this.stdinFd = fs.openSync(opts.stdinFile, 'r');
    // preview1's i32 parameters are all unsigned (addresses, lengths, descriptors, flags), but wasm passes
    // an i32 to JavaScript as a signed number: from 2 GiB on, an address arrives negative. Every function
    // sees them as u32. clock_time_get does so itself (its hot path); proc_exit keeps its code as given.
    for (const name of Object.keys(this.functions) as (keyof typeof this.functions)[]) {
      if (name !== 'clock_time_get' && name !== 'proc_exit') this.functions[name] = unsignedArgs(this.functions[name]);
    }
  }

  /** Must be called once the instance exists (memory is usually an export). */
  setMemory(memory: WasmMemory): void {
    this.memory = memory;
    this.buf = undefined;
    this.u64 = new BigUint64Array(0);
    this.u32 = new Uint32Array(0);
    this.shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  }

  /** Closes every host descriptor. */
  dispose(): void {
    for (const e of this.fds.values()) if (e.kind === 'file') try { fs.closeSync(e.hostFd); } catch { /* already */ }
    this.fds.clear();
    if (this.stdinFd !== undefined) try { fs.closeSync(this.stdinFd); } catch { /* already */ }
  }

  // ---- memory helpers ----
  private mem(): DataView {
    // a grown (non-shared) memory detaches its old buffer: byteLength 0 means "refresh"
    if (!this.shared && this.buf !== undefined && this.buf.byteLength !== 0) return this.dv;
    const b = this.memory?.buffer;
    if (!b) throw new WasiError(ERRNO.FAULT, 'guest has no memory');
    if (b !== this.buf) {
      this.buf = b as ArrayBuffer;
      this.dv = new DataView(b);
      this.u8 = new Uint8Array(b);
      this.u64 = new BigUint64Array(b, 0, Math.floor(b.byteLength / 8));
      this.u32 = new Uint32Array(b, 0, Math.floor(b.byteLength / 4));
    }
    return this.dv;
  }
  /**
   * Stores a u64 at `ptr` (little-endian, as the guest reads it). An aligned address inside the memory is
   * one BigUint64Array store; anything else goes through mem(): a grown memory detaches the old view
   * (length 0), so the first store after a grow takes that path and refreshes the views, and an address
   * outside the memory throws the DataView's RangeError (EFAULT) without writing anything. Addresses are
   * u32 (wasm passes them as i32: above 2 GiB they arrive negative).
   */
  private putU64(ptr: number, v: bigint): void {
    if ((ptr & 7) === 0 && ptr >>> 3 < this.u64.length) this.u64[ptr >>> 3] = v;
    else this.mem().setBigUint64(ptr >>> 0, v, true);
  }
  /** putU64 of hi * 2^32 + lo (both in [0, 2^32)), without a bigint. */
  private putU64Parts(ptr: number, lo: number, hi: number): void {
    if ((ptr & 7) === 0 && ptr >>> 3 < this.u64.length) {
      const i = ptr >>> 2;
      this.u32[i] = lo;
      this.u32[i + 1] = hi;
      return;
    }
    const dv = this.mem();
    const p = ptr >>> 0;
    if (p + 8 > dv.byteLength) throw new WasiError(ERRNO.FAULT);
    dv.setUint32(p, lo, true);
    dv.setUint32(p + 4, hi, true);
  }
  private bytes(ptr: number, len: number): Uint8Array {
    this.mem();
    if (ptr < 0 || len < 0 || ptr + len > this.u8.length) throw new WasiError(ERRNO.FAULT);
    return this.u8.subarray(ptr, ptr + len);
  }
  private str(ptr: number, len: number): string {
    return dec.decode(this.bytes(ptr >>> 0, len >>> 0));
  }
  private iovs(ptr: number, n: number): Uint8Array[] {
    if (n > IOV_MAX) throw new WasiError(ERRNO.INVAL);
    this.bytes(ptr, n * 8);
    const dv = this.mem();
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const p = dv.getUint32(ptr + i * 8, true);
      const l = dv.getUint32(ptr + i * 8 + 4, true);
      out.push(this.bytes(p, l));
    }
    return out;
  }

  // ---- fd helpers ----
  private fd(fd: number): FdEntry {
    const e = this.fds.get(fd);
    if (!e) throw new WasiError(ERRNO.BADF);
    return e;
  }
  private dirFd(fd: number): Extract<FdEntry, { kind: 'dir' }> {
    const e = this.fd(fd);
    if (e.kind !== 'dir') throw new WasiError(ERRNO.NOTDIR);
    return e;
  }
  private fileFd(fd: number): Extract<FdEntry, { kind: 'file' }> {
    const e = this.fd(fd);
    if (e.kind === 'dir') throw new WasiError(ERRNO.ISDIR);
    if (e.kind !== 'file') throw new WasiError(ERRNO.SPIPE);
    return e;
  }
  private resolveAt(fd: number, p: number, len: number, follow: boolean): Resolved {
    const d = this.dirFd(fd);
    return this.fs.resolve(d.mount, d.rel, this.str(p, len), follow);
  }
  /** host path of a directory descriptor, re-resolved from its mount root */
  private dirHost(e: { mount: Mount; rel: string[] }): string {
    return this.fs.resolve(e.mount, [], e.rel.length ? e.rel.join('/') : '.', true).host;
  }
  private nextFd(): number {
    let n = 3;
    while (this.fds.has(n)) n++;
    return n;
  }
  private writeFilestat(ptr: number, st: fs.BigIntStats): void {
    const dv = this.mem();
    this.bytes(ptr, 64);
    dv.setBigUint64(ptr, st.dev, true);
    dv.setBigUint64(ptr + 8, st.ino, true);
    dv.setUint8(ptr + 16, filetype(st));
    dv.setBigUint64(ptr + 24, st.nlink, true);
    dv.setBigUint64(ptr + 32, st.size, true);
    dv.setBigUint64(ptr + 40, st.atimeNs, true);
    dv.setBigUint64(ptr + 48, st.mtimeNs, true);
    dv.setBigUint64(ptr + 56, st.ctimeNs, true);
  }
  private readFrom(e: FdEntry, bufs: Uint8Array[], position: number | null): number {
    let total = 0;
    if (e.kind === 'stdio') {
      if (e.which !== 0) throw new WasiError(ERRNO.BADF);
      if (this.stdinFd === undefined) return 0;
      for (const b of bufs) {
        const n = fs.readSync(this.stdinFd, b, 0, b.length, this.stdinPos);
        this.stdinPos += n;
        total += n;
        if (n < b.length) break;
      }
    } else if (e.kind === 'file') {
      if (!e.readable) throw new WasiError(ERRNO.BADF);
      let pos = position ?? e.pos;
      for (const b of bufs) {
        const n = fs.readSync(e.hostFd, b, 0, b.length, pos);
        pos += n;
        total += n;
        if (n < b.length) break;
      }
      if (position === null) e.pos = pos;
    } else throw new WasiError(ERRNO.ISDIR);
    this.io.bytesRead += total;
    return total;
  }
  private writeTo(e: FdEntry, bufs: Uint8Array[], position: number | null, op: string): number {
    let total = 0;
    if (e.kind === 'stdio') {
      if (e.which === 0) this.fs.deny('read-only', `${op} on stdin`, ERRNO.BADF);
      const sink = e.which === 1 ? this.opts.stdout : this.opts.stderr;
      for (const b of bufs) {
        sink.write(b);
        total += b.length;
      }
    } else if (e.kind === 'file') {
      if (!e.writable) this.fs.deny('read-only', `${op} on ${this.fs.guestPath(e.mount, e.rel)}, opened read-only`, ERRNO.BADF);
      const st = fs.fstatSync(e.hostFd);
      let pos = position ?? (e.flags & FDFLAGS.APPEND ? st.size : e.pos);
      const length = bufs.reduce((n, b) => n + b.length, 0);
      if (pos + length > Number.MAX_SAFE_INTEGER) throw new WasiError(ERRNO.FBIG);
      if (st.isFile()) this.grow(e, st.size, pos + length, op);
      for (const b of bufs) {
        const n = fs.writeSync(e.hostFd, b, 0, b.length, pos);
        pos += n;
        total += n;
      }
      if (position === null) e.pos = pos;
    } else throw new WasiError(ERRNO.ISDIR);
    this.io.bytesWritten += total;
    return total;
  }
  /**
   * The write quota: a file of the mounts grows from `size` to `end` bytes (a write past the end, a hole
   * made by a write after a seek, fd_allocate, fd_filestat_set_size). Growth beyond what the run may still
   * add fails with EDQUOT before anything is written; the first refusal is reported (`write-limit`).
   */
  private grow(e: { mount: Mount; rel: string[] }, size: number, end: number, op: string): void {
    if (end <= size) return;
    this.requireQuota(end - size, `${op} on ${this.fs.guestPath(e.mount, e.rel)}`);
    this.added += end - size;
  }
  /**
   * EDQUOT (and, the first time, a `write-limit` violation) when adding `add` bytes would pass the
   * quota; the caller adds them to `added` once it has done what they pay for.
   */
  private requireQuota(add: number, what: string): void {
    if (this.added + add <= this.maxWrite) return;
    if (!this.quotaReported) {
      this.quotaReported = true;
      this.opts.onViolation('write-limit', `${what} would add ${add} bytes; the run may add ${this.maxWrite} bytes to its mounts and has added ${this.added}`);
    }
    throw new WasiError(ERRNO.DQUOT);
  }
  /** The quota cost of a new name `r` (ENTRY_QUOTA_BYTES plus its length, plus BLOCK_QUOTA_BYTES for a directory or symlink). */
  private entryCost(r: { rel: string[] }, block: boolean): number {
    return ENTRY_QUOTA_BYTES + Buffer.byteLength(r.rel[r.rel.length - 1] ?? '') + (block ? BLOCK_QUOTA_BYTES : 0);
  }
  /** Makes a new name `r` in the mounts (`make`), within the write quota: refused before, counted after. */
  private newEntry<T>(r: { mount: Mount; rel: string[] }, op: string, block: boolean, make: () => T): T {
    const cost = this.entryCost(r, block);
    this.requireQuota(cost, `${op} ${this.fs.guestPath(r.mount, r.rel)}`);
    const made = make();
    this.added += cost;
    return made;
  }
  /**
   * true for a file with several hard links that this run did not create: one of its names may be outside
   * every mount (planted), so writing or changing it is refused. A file the guest created itself (and then
   * linked, inside the mounts) is its own.
   */
  private linkedFromElsewhere(st: fs.Stats): boolean {
    return !st.isDirectory() && st.nlink > 1 && !this.ownFiles.has(`${st.dev}:${st.ino}`);
  }
  /** Metadata changes (times, size) through a file with several hard links are refused, like writes. */
  private requireSingleLink(st: fs.Stats, r: { mount: Mount; rel: string[] }, op: string): void {
    if (this.linkedFromElsewhere(st)) {
      this.fs.deny('hardlink-write', `${op} ${this.fs.guestPath(r.mount, r.rel)}: it has ${st.nlink} links; changing it refused`);
    }
  }
  /** A writable file descriptor, else EBADF and a `read-only` violation (a write attempt). */
  private writableFd(fd: number, op: string): Extract<FdEntry, { kind: 'file' }> {
    const e = this.fileFd(fd);
    if (!e.writable) this.fs.deny('read-only', `${op} on ${this.fs.guestPath(e.mount, e.rel)}, opened read-only`, ERRNO.BADF);
    return e;
  }
  /** host path of the directory holding `r` */
  private parentHost(r: { mount: Mount; rel: string[] }): string {
    return this.fs.hostPath(r.mount, r.rel.slice(0, -1));
  }
  private list(fdEntry: Extract<FdEntry, { kind: 'dir' }>): { name: string; ino: bigint; type: number }[] {
    const host = this.dirHost(fdEntry);
    const self = fs.lstatSync(host, { bigint: true });
    const out: { name: string; ino: bigint; type: number }[] = [{ name: '.', ino: self.ino, type: FILETYPE.DIRECTORY }, { name: '..', ino: 0n, type: FILETYPE.DIRECTORY }];
    for (const name of fs.readdirSync(host).sort()) {
      try {
        const st = fs.lstatSync(path.join(host, name), { bigint: true });
        out.push({ name, ino: st.ino, type: filetype(st) });
      } catch { /* vanished */ }
    }
    return out;
  }

  // ---- the preview1 functions ----
  /** The raw implementations, keyed by preview1 name; all return an errno (or throw). */
  readonly functions: Record<(typeof PREVIEW1_FUNCTIONS)[number], (...a: any[]) => number> = {
    args_get: (argv: number, buf: number) => this.putList(this.args, argv, buf),
    args_sizes_get: (countPtr: number, sizePtr: number) => this.putSizes(this.args, countPtr, sizePtr),
    environ_get: (envp: number, buf: number) => this.putList(this.env, envp, buf),
    environ_sizes_get: (countPtr: number, sizePtr: number) => this.putSizes(this.env, countPtr, sizePtr),
    clock_res_get: (id: number, out: number) => {
      if (id < 0 || id > 3) return ERRNO.INVAL;
      this.mem().setBigUint64(out, id === CLOCK.REALTIME ? 1000n : 1n, true);
      return 0;
    },
    clock_time_get: (id: number, _precision: bigint | number, out: number) => {
      // _precision: a bigint, or 0 through clock-adapter.ts; our clocks ignore it
      if (id === CLOCK.MONOTONIC) {
        this.putU64(out, hrtimeNs());
        return 0;
      }
      if (id === CLOCK.REALTIME) {
        // microseconds since the epoch (< 2^53), times 1000 in two 32-bit halves
        const us = realtimeMicros();
        const usLo = us >>> 0;
        const nsLo = usLo * 1000;
        const lo = nsLo >>> 0;
        this.putU64Parts(out, lo, ((us - usLo) / TWO32) * 1000 + (nsLo - lo) / TWO32);
        return 0;
      }
      this.putU64(out, this.now(id));
      return 0;
    },
    fd_advise: (fd: number) => (this.fileFd(fd), 0),
    fd_allocate: (fd: number, offset: bigint, len: bigint) => {
      const e = this.writableFd(fd, 'fd_allocate');
      const want = offsetArg(offset) + offsetArg(len);
      if (want > Number.MAX_SAFE_INTEGER) return ERRNO.FBIG;
      const st = fs.fstatSync(e.hostFd);
      this.requireSingleLink(st, e, 'fd_allocate');
      if (st.size < want) {
        this.grow(e, st.size, want, 'fd_allocate');
        fs.ftruncateSync(e.hostFd, want);
      }
      return 0;
    },
    fd_close: (fd: number) => {
      const e = this.fd(fd);
      if (e.kind === 'dir' && e.preopen) return ERRNO.NOTSUP;
      if (e.kind === 'file') fs.closeSync(e.hostFd);
      this.fds.delete(fd);
      return 0;
    },
    fd_datasync: (fd: number) => (fs.fdatasyncSync(this.fileFd(fd).hostFd), 0),
    fd_sync: (fd: number) => (fs.fsyncSync(this.fileFd(fd).hostFd), 0),
    fd_fdstat_get: (fd: number, out: number) => {
      const e = this.fd(fd);
      const dv = this.mem();
      this.bytes(out, 24);
      let type: number = FILETYPE.CHARACTER_DEVICE;
      let base = RIGHTS.FD_READ | RIGHTS.FD_WRITE | RIGHTS.POLL_FD_READWRITE | RIGHTS.FD_FDSTAT_SET_FLAGS | RIGHTS.FD_FILESTAT_GET;
      let inheriting = 0n;
      if (e.kind === 'dir') {
        type = FILETYPE.DIRECTORY;
        base = RIGHTS_ALL;
        inheriting = RIGHTS_ALL;
      } else if (e.kind === 'file') {
        type = FILETYPE.REGULAR_FILE;
        base = RIGHTS_ALL & ~(e.writable ? 0n : RIGHTS_WRITE) & ~(e.readable ? 0n : RIGHTS.FD_READ);
      }
      dv.setUint8(out, type);
      dv.setUint16(out + 2, e.flags, true);
      dv.setBigUint64(out + 8, base, true);
      dv.setBigUint64(out + 16, inheriting, true);
      return 0;
    },
    fd_fdstat_set_flags: (fd: number, flags: number) => {
      const e = this.fd(fd);
      e.flags = flags & (FDFLAGS.APPEND | FDFLAGS.NONBLOCK);
      return 0;
    },
    fd_fdstat_set_rights: (fd: number) => (this.fd(fd), 0),
    fd_filestat_get: (fd: number, out: number) => {
      const e = this.fd(fd);
      if (e.kind === 'file') this.writeFilestat(out, fs.fstatSync(e.hostFd, { bigint: true }));
      else if (e.kind === 'dir') this.writeFilestat(out, fs.statSync(this.dirHost(e), { bigint: true }));
      else {
        this.bytes(out, 64).fill(0);
        this.mem().setUint8(out + 16, FILETYPE.CHARACTER_DEVICE);
      }
      return 0;
    },
    fd_filestat_set_size: (fd: number, size: bigint) => {
      const e = this.writableFd(fd, 'fd_filestat_set_size');
      const want = offsetArg(size);
      const st = fs.fstatSync(e.hostFd);
      this.requireSingleLink(st, e, 'fd_filestat_set_size');
      this.grow(e, st.size, want, 'fd_filestat_set_size');
      fs.ftruncateSync(e.hostFd, want);
      return 0;
    },
    fd_filestat_set_times: (fd: number, atim: bigint, mtim: bigint, fst: number) => {
      const e = this.fileFd(fd);
      if (!e.writable) this.fs.requireWritable(e, 'fd_filestat_set_times');
      const st = fs.fstatSync(e.hostFd);
      this.requireSingleLink(st, e, 'fd_filestat_set_times');
      const [a, m] = this.times(st, atim, mtim, fst);
      fs.futimesSync(e.hostFd, a, m);
      return 0;
    },
    fd_pread: (fd: number, iovs: number, n: number, offset: bigint, out: number) => {
      const e = this.fileFd(fd);
      const bufs = this.iovs(iovs, n);
      const at = u64(offset);
      if (at > MAX_OFF_T) return ERRNO.INVAL;
      // past 2^53 - 1 is past the end of any file we can hold: nothing to read
      const got = at > MAX_OFFSET ? 0 : this.readFrom(e, bufs, Number(at));
      this.mem().setUint32(out, got, true);
      return 0;
    },
    fd_pwrite: (fd: number, iovs: number, n: number, offset: bigint, out: number) => {
      const e = this.fileFd(fd);
      const bufs = this.iovs(iovs, n);
      const put = this.writeTo(e, bufs, offsetArg(offset), 'fd_pwrite');
      this.mem().setUint32(out, put, true);
      return 0;
    },
    fd_prestat_get: (fd: number, out: number) => {
      const e = this.fds.get(fd);
      if (!e || e.kind !== 'dir' || !e.preopen) return ERRNO.BADF;
      const dv = this.mem();
      dv.setUint32(out, 0, true);
      dv.setUint32(out + 4, enc.encode(e.mount.guest).length, true);
      return 0;
    },
    fd_prestat_dir_name: (fd: number, p: number, len: number) => {
      const e = this.fds.get(fd);
      if (!e || e.kind !== 'dir' || !e.preopen) return ERRNO.BADF;
      const name = enc.encode(e.mount.guest);
      if (len < name.length) return ERRNO.NAMETOOLONG;
      this.bytes(p, name.length).set(name);
      return 0;
    },
    fd_read: (fd: number, iovs: number, n: number, out: number) => {
      const got = this.readFrom(this.fd(fd), this.iovs(iovs, n), null);
      this.mem().setUint32(out, got, true);
      return 0;
    },
    fd_write: (fd: number, iovs: number, n: number, out: number) => {
      const put = this.writeTo(this.fd(fd), this.iovs(iovs, n), null, 'fd_write');
      this.mem().setUint32(out, put, true);
      return 0;
    },
    fd_readdir: (fd: number, buf: number, bufLen: number, cookie: bigint, out: number) => {
      const entries = this.list(this.dirFd(fd));
      const target = this.bytes(buf, bufLen);
      const dv = this.mem();
      let used = 0;
      // the cookie is a u64 the guest may forge (-1, 2^64 - 1...): past the end there is nothing more
      const start = u64(cookie);
      for (let i = start < BigInt(entries.length) ? Number(start) : entries.length; i < entries.length && used < bufLen; i++) {
        const name = enc.encode(entries[i].name);
        const rec = new Uint8Array(24 + name.length);
        const rv = new DataView(rec.buffer);
        rv.setBigUint64(0, BigInt(i + 1), true);
        rv.setBigUint64(8, entries[i].ino, true);
        rv.setUint32(16, name.length, true);
        rv.setUint8(20, entries[i].type);
        rec.set(name, 24);
        const n = Math.min(rec.length, bufLen - used);
        target.set(rec.subarray(0, n), used);
        used += n;
      }
      dv.setUint32(out, used, true);
      return 0;
    },
    fd_renumber: (from: number, to: number) => {
      const e = this.fd(from);
      const old = this.fd(to);
      if (from === to) return 0; // dup2(fd, fd): nothing to do (closing `to` would close `from`)
      if ((old.kind === 'dir' && old.preopen) || (e.kind === 'dir' && e.preopen)) return ERRNO.NOTSUP;
      if (old.kind === 'file') fs.closeSync(old.hostFd);
      this.fds.set(to, e);
      this.fds.delete(from);
      return 0;
    },
    fd_seek: (fd: number, offset: bigint, whence: number, out: number) => {
      const e = this.fileFd(fd);
      let base: number;
      if (whence === WHENCE.SET) base = 0;
      else if (whence === WHENCE.CUR) base = e.pos;
      else if (whence === WHENCE.END) base = fs.fstatSync(e.hostFd).size;
      else return ERRNO.INVAL;
      // offset is a signed i64 (a bigint); past 2^53 - 1 is past any file we can hold (lseek says EINVAL)
      const next = BigInt(base) + BigInt.asIntN(64, BigInt(offset));
      if (next < 0n || next > MAX_OFFSET) return ERRNO.INVAL;
      this.bytes(out, 8);
      e.pos = Number(next);
      this.mem().setBigUint64(out, next, true);
      return 0;
    },
    fd_tell: (fd: number, out: number) => {
      this.mem().setBigUint64(out, BigInt(this.fileFd(fd).pos), true);
      return 0;
    },
    path_create_directory: (fd: number, p: number, len: number) => {
      const r = this.resolveAt(fd, p, len, false);
      this.fs.requireWritable(r, 'path_create_directory');
      this.newEntry(r, 'path_create_directory', true, () => fs.mkdirSync(r.host));
      return 0;
    },
    path_filestat_get: (fd: number, flags: number, p: number, len: number, out: number) => {
      const r = this.resolveAt(fd, p, len, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      this.writeFilestat(out, fs.lstatSync(r.host, { bigint: true }));
      return 0;
    },
    path_filestat_set_times: (fd: number, flags: number, p: number, len: number, atim: bigint, mtim: bigint, fst: number) => {
      const r = this.resolveAt(fd, p, len, (flags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      this.fs.requireWritable(r, 'path_filestat_set_times');
      const st = fs.lstatSync(r.host);
      this.requireSingleLink(st, r, 'path_filestat_set_times');
      const [a, m] = this.times(st, atim, mtim, fst);
      fs.lutimesSync(r.host, a, m);
      return 0;
    },
    path_link: (oldFd: number, oldFlags: number, op: number, ol: number, newFd: number, np: number, nl: number) => {
      const from = this.resolveAt(oldFd, op, ol, (oldFlags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const to = this.resolveAt(newFd, np, nl, false);
      if (from.mount !== to.mount) this.fs.deny('cross-mount-link', `${this.fs.guestPath(from.mount, from.rel)} -> ${this.fs.guestPath(to.mount, to.rel)}`, ERRNO.XDEV);
      this.fs.requireWritable(to, 'path_link');
      const st = fs.lstatSync(from.host);
      if (st.isDirectory()) return ERRNO.PERM;
      // link(2) does not follow a final symlink: the new name is another copy of the link itself
      if (st.isSymbolicLink()) this.fs.checkSymlinkTarget(this.parentHost(to), fs.readlinkSync(from.host), `path_link ${this.fs.guestPath(to.mount, to.rel)}`);
      // a link changes the file (its link count and ctime): not a file that may have a name outside the mounts
      else this.requireSingleLink(st, from, 'path_link');
      this.newEntry(to, 'path_link', false, () => fs.linkSync(from.host, to.host));
      // a file that had one name (in the mounts) now has two, both the guest's: it stays writable
      if (st.isFile() && st.nlink === 1) this.ownFiles.add(`${st.dev}:${st.ino}`);
      return 0;
    },
    path_open: (fd: number, dirflags: number, p: number, len: number, oflags: number, base: bigint, _inh: bigint, fdflags: number, out: number) => {
      this.bytes(out, 4); // EFAULT before anything is opened or created, not after
      const r = this.resolveAt(fd, p, len, (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0);
      const wantsWrite = (base & RIGHTS_WRITE) !== 0n || (oflags & (OFLAGS.CREAT | OFLAGS.TRUNC)) !== 0 || (fdflags & FDFLAGS.APPEND) !== 0;
      const wantsRead = (base & (RIGHTS.FD_READ | RIGHTS.FD_READDIR)) !== 0n || !wantsWrite;
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(r.host);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !(oflags & OFLAGS.CREAT)) throw e;
      }
      if (st?.isDirectory()) {
        if (oflags & (OFLAGS.CREAT | OFLAGS.EXCL) && oflags & OFLAGS.EXCL) return ERRNO.EXIST;
        if ((base & RIGHTS.FD_WRITE) !== 0n && !(oflags & OFLAGS.DIRECTORY)) return ERRNO.ISDIR;
        const n = this.nextFd();
        this.fds.set(n, { kind: 'dir', mount: r.mount, rel: r.rel, preopen: false, flags: 0 });
        this.mem().setUint32(out, n, true);
        return 0;
      }
      if (oflags & OFLAGS.DIRECTORY) return st ? ERRNO.NOTDIR : ERRNO.NOENT;
      if (wantsWrite) this.fs.requireWritable(r, 'path_open for writing');
      if (st && oflags & OFLAGS.CREAT && oflags & OFLAGS.EXCL) return ERRNO.EXIST;
      const C = fs.constants;
      let flags = C.O_NOFOLLOW | (wantsWrite ? (wantsRead ? C.O_RDWR : C.O_WRONLY) : C.O_RDONLY);
      // a file is only ever created exclusively, so we know it is ours and can remove it if refused below
      const create = !st && (oflags & OFLAGS.CREAT) !== 0;
      if (create) flags |= C.O_CREAT | C.O_EXCL;
      // O_TRUNC is applied with ftruncate after the checks below, never by open itself
      if (C.O_NONBLOCK) flags |= C.O_NONBLOCK; // never block on a FIFO planted in a mount
      const hostFd = create ? this.newEntry(r, 'path_open (create)', false, () => fs.openSync(r.host, flags, 0o644)) : fs.openSync(r.host, flags, 0o644);
      this.fs.checkOpened(hostFd, r, create);
      const fst = fs.fstatSync(hostFd);
      if (create) this.ownFiles.add(`${fst.dev}:${fst.ino}`);
      if (wantsWrite && fst.isFile() && this.linkedFromElsewhere(fst)) {
        fs.closeSync(hostFd);
        this.fs.deny('hardlink-write', `${this.fs.guestPath(r.mount, r.rel)} has ${fst.nlink} links; writing refused`);
      }
      if (oflags & OFLAGS.TRUNC && fst.isFile()) fs.ftruncateSync(hostFd, 0);
      const n = this.nextFd();
      this.fds.set(n, { kind: 'file', mount: r.mount, rel: r.rel, hostFd, pos: 0, readable: wantsRead, writable: wantsWrite, flags: fdflags & (FDFLAGS.APPEND | FDFLAGS.NONBLOCK) });
      this.mem().setUint32(out, n, true);
      return 0;
    },
    path_readlink: (fd: number, p: number, len: number, buf: number, bufLen: number, out: number) => {
      const r = this.resolveAt(fd, p, len, false);
      const target = enc.encode(fs.readlinkSync(r.host));
      const n = Math.min(target.length, bufLen);
      this.bytes(buf, n).set(target.subarray(0, n));
      this.mem().setUint32(out, n, true);
      return 0;
    },
    path_remove_directory: (fd: number, p: number, len: number) => {
      const r = this.resolveAt(fd, p, len, false);
      if (r.rel.length === 0) return ERRNO.BUSY;
      this.fs.requireWritable(r, 'path_remove_directory');
      fs.rmdirSync(r.host);
      return 0;
    },
    path_rename: (fd: number, op: number, ol: number, newFd: number, np: number, nl: number) => {
      const from = this.resolveAt(fd, op, ol, false);
      const to = this.resolveAt(newFd, np, nl, false);
      if (from.mount !== to.mount) this.fs.deny('cross-mount-rename', `${this.fs.guestPath(from.mount, from.rel)} -> ${this.fs.guestPath(to.mount, to.rel)}`, ERRNO.XDEV);
      this.fs.requireWritable(from, 'path_rename');
      if (from.rel.length === 0 || to.rel.length === 0) return ERRNO.BUSY;
      // what moves must not become a way out: a symlink is checked at its new place, and so is every
      // symlink inside a directory that moves somewhere shallower (or into another mount's folder)
      const st = fs.lstatSync(from.host);
      const what = `path_rename ${this.fs.guestPath(from.mount, from.rel)} -> ${this.fs.guestPath(to.mount, to.rel)}`;
      if (st.isSymbolicLink()) this.fs.checkSymlinkTarget(this.parentHost(to), fs.readlinkSync(from.host), what);
      else if (st.isDirectory()) this.fs.checkMovedTree(from.host, to.host, what);
      fs.renameSync(from.host, to.host);
      return 0;
    },
    path_symlink: (op: number, ol: number, fd: number, np: number, nl: number) => {
      const target = this.str(op, ol);
      const at = this.resolveAt(fd, np, nl, false);
      this.fs.requireWritable(at, 'path_symlink');
      if (target === '') return ERRNO.NOENT;
      this.fs.checkSymlinkTarget(this.parentHost(at), target, `symlink ${this.fs.guestPath(at.mount, at.rel)}`);
      this.newEntry(at, 'path_symlink', true, () => fs.symlinkSync(target, at.host));
      return 0;
    },
    path_unlink_file: (fd: number, p: number, len: number) => {
      const r = this.resolveAt(fd, p, len, false);
      this.fs.requireWritable(r, 'path_unlink_file');
      if (fs.lstatSync(r.host).isDirectory()) return ERRNO.ISDIR;
      fs.unlinkSync(r.host);
      return 0;
    },
    poll_oneoff: (inPtr: number, outPtr: number, n: number, neventsPtr: number) => this.poll(inPtr, outPtr, n, neventsPtr),
    proc_exit: (code: number) => {
      throw new ProcExit(code);
    },
    proc_raise: () => {
      this.opts.onViolation('denied-capability', 'proc_raise');
      return ERRNO.NOSYS;
    },
    sched_yield: () => 0,
    random_get: (buf: number, len: number) => {
      const out = this.bytes(buf, len);
      for (let at = 0; at < out.length; at += RANDOM_CHUNK) crypto.randomFillSync(out.subarray(at, at + RANDOM_CHUNK));
      return 0;
    },
    sock_accept: () => this.noSockets('sock_accept'),
    sock_recv: () => this.noSockets('sock_recv'),
    sock_send: () => this.noSockets('sock_send'),
    sock_shutdown: () => this.noSockets('sock_shutdown'),
  };

  private noSockets(name: string): number {
    this.opts.onViolation('socket', `${name} refused: no sockets in the sandbox`);
    return ERRNO.NOTSUP;
  }

  private putList(items: Uint8Array[], ptrs: number, buf: number): number {
    const dv = this.mem();
    let off = buf;
    items.forEach((item, i) => {
      dv.setUint32(ptrs + i * 4, off, true);
      this.bytes(off, item.length).set(item);
      off += item.length;
    });
    return 0;
  }
  private putSizes(items: Uint8Array[], countPtr: number, sizePtr: number): number {
    const dv = this.mem();
    dv.setUint32(countPtr, items.length, true);
    dv.setUint32(sizePtr, items.reduce((s, i) => s + i.length, 0), true);
    return 0;
  }

  private now(id: number): bigint {
    switch (id) {
      case CLOCK.REALTIME:
        return BigInt(realtimeMicros()) * 1000n;
      case CLOCK.MONOTONIC:
        return hrtimeNs();
      case CLOCK.PROCESS_CPUTIME:
      case CLOCK.THREAD_CPUTIME: {
        const u = process.cpuUsage();
        return BigInt(u.user + u.system) * 1000n;
      }
      default:
        throw new WasiError(ERRNO.INVAL);
    }
  }

  private times(st: fs.Stats, atim: bigint, mtim: bigint, fst: number): [number, number] {
    const nowS = Date.now() / 1000;
    // timestamps are u64 nanoseconds (they arrive as signed bigints)
    const a = fst & FSTFLAGS.ATIM_NOW ? nowS : fst & FSTFLAGS.ATIM ? Number(u64(atim)) / 1e9 : st.atimeMs / 1000;
    const m = fst & FSTFLAGS.MTIM_NOW ? nowS : fst & FSTFLAGS.MTIM ? Number(u64(mtim)) / 1e9 : st.mtimeMs / 1000;
    return [a, m];
  }

  /** Clock subscriptions sleep (Atomics.wait) until the earliest deadline; fd subscriptions are always ready. */
  private poll(inPtr: number, outPtr: number, n: number, neventsPtr: number): number {
    if (n === 0 || n > MAX_SUBSCRIPTIONS) return ERRNO.INVAL;
    const dv = this.mem();
    this.bytes(inPtr, n * 48);
    this.bytes(outPtr, n * 32);
    type Sub = { userdata: bigint; tag: number; fd?: number; deadline?: bigint; clockId?: number };
    const subs: Sub[] = [];
    for (let i = 0; i < n; i++) {
      const p = inPtr + i * 48;
      const userdata = dv.getBigUint64(p, true);
      const tag = dv.getUint8(p + 8);
      if (tag === EVENTTYPE.CLOCK) {
        const clockId = dv.getUint32(p + 16, true);
        const timeout = dv.getBigUint64(p + 24, true);
        const flags = dv.getUint16(p + 40, true);
        const now = this.now(clockId);
        const deadline = flags & SUBCLOCK_ABSTIME ? timeout : now + timeout;
        subs.push({ userdata, tag, deadline, clockId });
      } else subs.push({ userdata, tag, fd: dv.getUint32(p + 16, true) });
    }
    const events: { userdata: bigint; error: number; type: number }[] = [];
    for (const s of subs) {
      if (s.tag === EVENTTYPE.FD_READ || s.tag === EVENTTYPE.FD_WRITE) {
        events.push({ userdata: s.userdata, error: this.fds.has(s.fd!) ? 0 : ERRNO.BADF, type: s.tag });
      } else if (s.tag !== EVENTTYPE.CLOCK) events.push({ userdata: s.userdata, error: ERRNO.INVAL, type: s.tag });
    }
    if (events.length === 0) {
      const clocks = subs.filter((s) => s.tag === EVENTTYPE.CLOCK);
      let waitNs = clocks.reduce((m, s) => {
        const left = s.deadline! - this.now(s.clockId!);
        return left < m ? left : m;
      }, 1n << 62n);
      if (waitNs > 0n) Atomics.wait(sleepCell, 0, 0, Number(waitNs) / 1e6);
      for (const s of clocks) if (this.now(s.clockId!) >= s.deadline!) events.push({ userdata: s.userdata, error: 0, type: EVENTTYPE.CLOCK });
      if (events.length === 0 && clocks.length) events.push({ userdata: clocks[0].userdata, error: 0, type: EVENTTYPE.CLOCK });
    }
    const dv2 = this.mem();
    events.forEach((ev, i) => {
      const p = outPtr + i * 32;
      this.bytes(p, 32).fill(0);
      dv2.setBigUint64(p, ev.userdata, true);
      dv2.setUint16(p + 8, ev.error, true);
      dv2.setUint8(p + 10, ev.type);
    });
    dv2.setUint32(neventsPtr, events.length, true);
    return 0;
  }
}

/** Maps an exception raised inside a WASI function to an errno; rethrows what is not an I/O failure. */
export function toErrno(e: unknown): number {
  if (e instanceof WasiError) return e.errno;
  if (e instanceof ProcExit) throw e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string') return NODE_ERRNO[code] ?? ERRNO.IO;
  if (e instanceof RangeError && !/call stack/i.test(e.message)) return ERRNO.FAULT; // DataView out of bounds
  throw e;
}
