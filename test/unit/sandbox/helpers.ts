/** Shared helpers of the sandbox tests: WAT -> wasm with wabt, temp dirs, guest snippets. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let wabtPromise: Promise<any> | undefined;

export async function wat2wasm(source: string): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  wabtPromise ??= require('wabt')();
  const wabt = await wabtPromise;
  const mod = wabt.parseWat('guest.wat', source, { bulk_memory: true, mutable_globals: true });
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
