/** Shared helpers of the sandbox tests: WAT -> wasm with wabt, temp dirs, guest snippets. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let wabtPromise: Promise<any> | undefined;

export async function wat2wasm(source: string, features: Record<string, boolean> = {}): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  wabtPromise ??= require('wabt')();
  const wabt = await wabtPromise;
  const mod = wabt.parseWat('guest.wat', source, { bulk_memory: true, mutable_globals: true, ...features });
  try {
    mod.resolveNames();
    mod.validate();
    return new Uint8Array(mod.toBinary({ write_debug_names: true }).buffer);
  } finally {
    mod.destroy();
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `warden-sandbox-${prefix}-`));
}

export function rmrf(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** WAT text of the preview1 imports used by the hostile guests. */
export const WASI_IMPORTS = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
`;

/** Escapes a JS string as WAT data string contents. */
export function watString(s: string): string {
  return [...Buffer.from(s)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

export const RIGHT_FD_READ = 2;
export const RIGHT_FD_WRITE = 64;
export const OFLAG_CREAT = 1;
export const OFLAG_TRUNC = 8;

export interface OpenGuest {
  /** guest path opened relative to `dirFd` (default 3, the first mount) */
  path: string;
  dirFd?: number;
  /** when set: create/truncate the file and write this text into it; else read it and print it */
  write?: string;
  /** first create a symlink `link` -> `target` (relative to dirFd); exit 100+errno if refused */
  symlink?: { target: string; link: string };
  follow?: boolean;
}

/**
 * A guest that opens one path and either prints the file (read) or writes text to it. Its exit code
 * is the errno of the first failing call (0 when all succeeded), so tests see exactly what WASI said.
 */
export function openGuestWat(g: OpenGuest): string {
  const p = Buffer.from(g.path);
  const text = Buffer.from(g.write ?? '');
  const dir = g.dirFd ?? 3;
  const oflags = g.write !== undefined ? OFLAG_CREAT | OFLAG_TRUNC : 0;
  const rights = g.write !== undefined ? RIGHT_FD_WRITE : RIGHT_FD_READ;
  const link = g.symlink ? { t: Buffer.from(g.symlink.target), l: Buffer.from(g.symlink.link) } : undefined;
  return `(module ${WASI_IMPORTS}
  (memory (export "memory") 1)
  (data (i32.const 1024) "${watString(g.path)}")
  (data (i32.const 2048) "${watString(g.write ?? '')}")
  ${link ? `(data (i32.const 3072) "${watString(g.symlink!.target)}") (data (i32.const 3584) "${watString(g.symlink!.link)}")` : ''}
  (func $check (param $e i32) (if (local.get $e) (then (call $proc_exit (local.get $e)))))
  (func $main (export "_start") (local $fd i32)
    ${link ? `(local.set $fd (call $path_symlink (i32.const 3072) (i32.const ${link.t.length}) (i32.const ${dir}) (i32.const 3584) (i32.const ${link.l.length})))
    (if (local.get $fd) (then (call $proc_exit (i32.add (i32.const 100) (local.get $fd)))))` : ''}
    (call $check (call $path_open (i32.const ${dir}) (i32.const ${g.follow === false ? 0 : 1}) (i32.const 1024) (i32.const ${p.length})
      (i32.const ${oflags}) (i64.const ${rights}) (i64.const 0) (i32.const 0) (i32.const 100)))
    (local.set $fd (i32.load (i32.const 100)))
    ${g.write !== undefined
      ? `(i32.store (i32.const 200) (i32.const 2048)) (i32.store (i32.const 204) (i32.const ${text.length}))
    (call $check (call $fd_write (local.get $fd) (i32.const 200) (i32.const 1) (i32.const 208)))`
      : `(i32.store (i32.const 200) (i32.const 4096)) (i32.store (i32.const 204) (i32.const 4096))
    (call $check (call $fd_read (local.get $fd) (i32.const 200) (i32.const 1) (i32.const 208)))
    (i32.store (i32.const 204) (i32.load (i32.const 208)))
    (call $check (call $fd_write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 212)))`}
    (call $proc_exit (i32.const 0))))`;
}
