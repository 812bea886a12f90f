/**
 * The core-wasm types of the 46 wasi_snapshot_preview1 functions (from the preview1 witx, as wasi-libc
 * declares them), and the link-time check of a guest's WASI imports against them. A JavaScript host
 * function links with any type, so without this check an import declared with other types (`fd_write`
 * with f64 parameters, `proc_exit(f64)`) reaches our code with values of the wrong kind (a float code,
 * a BigInt where a number is expected) and fails inside the host.
 */
import { HEADER_READ_OPTIONS } from '../../binary/file-reader';
import { readWasm } from '../../binary/reader';
import { type Preview1Function, WASI_MODULE } from './constants';

export interface WasiSignature {
  params: readonly string[];
  results: readonly string[];
}

const sig = (params: string, results = 'i32'): WasiSignature => ({
  params: params ? params.split(' ') : [],
  results: results ? results.split(' ') : [],
});

export const PREVIEW1_SIGNATURES: { readonly [F in Preview1Function]: WasiSignature } = {
  args_get: sig('i32 i32'),
  args_sizes_get: sig('i32 i32'),
  environ_get: sig('i32 i32'),
  environ_sizes_get: sig('i32 i32'),
  clock_res_get: sig('i32 i32'),
  clock_time_get: sig('i32 i64 i32'),
  fd_advise: sig('i32 i64 i64 i32'),
  fd_allocate: sig('i32 i64 i64'),
  fd_close: sig('i32'),
  fd_datasync: sig('i32'),
  fd_fdstat_get: sig('i32 i32'),
  fd_fdstat_set_flags: sig('i32 i32'),
  fd_fdstat_set_rights: sig('i32 i64 i64'),
  fd_filestat_get: sig('i32 i32'),
  fd_filestat_set_size: sig('i32 i64'),
  fd_filestat_set_times: sig('i32 i64 i64 i32'),
  fd_pread: sig('i32 i32 i32 i64 i32'),
  fd_prestat_get: sig('i32 i32'),
  fd_prestat_dir_name: sig('i32 i32 i32'),
  fd_pwrite: sig('i32 i32 i32 i64 i32'),
  fd_read: sig('i32 i32 i32 i32'),
  fd_readdir: sig('i32 i32 i32 i64 i32'),
  fd_renumber: sig('i32 i32'),
  fd_seek: sig('i32 i64 i32 i32'),
  fd_sync: sig('i32'),
  fd_tell: sig('i32 i32'),
  fd_write: sig('i32 i32 i32 i32'),
  path_create_directory: sig('i32 i32 i32'),
  path_filestat_get: sig('i32 i32 i32 i32 i32'),
  path_filestat_set_times: sig('i32 i32 i32 i32 i64 i64 i32'),
  path_link: sig('i32 i32 i32 i32 i32 i32 i32'),
  path_open: sig('i32 i32 i32 i32 i32 i64 i64 i32 i32'),
  path_readlink: sig('i32 i32 i32 i32 i32 i32'),
  path_remove_directory: sig('i32 i32 i32'),
  path_rename: sig('i32 i32 i32 i32 i32 i32'),
  path_symlink: sig('i32 i32 i32 i32 i32'),
  path_unlink_file: sig('i32 i32 i32'),
  poll_oneoff: sig('i32 i32 i32 i32'),
  proc_exit: sig('i32', ''),
  proc_raise: sig('i32'),
  sched_yield: sig(''),
  random_get: sig('i32 i32'),
  sock_accept: sig('i32 i32 i32'),
  sock_recv: sig('i32 i32 i32 i32 i32 i32'),
  sock_send: sig('i32 i32 i32 i32 i32'),
  sock_shutdown: sig('i32 i32'),
};

export function formatSignature(s: WasiSignature | undefined): string {
  if (!s) return '(unknown type)';
  return `(${s.params.join(', ')}) -> ${s.results.length ? s.results.join(', ') : '()'}`;
}

export interface MistypedImport {
  name: string;
  expected: string;
  actual: string;
}

/**
 * The module's imports of preview1 functions whose type is not preview1's (`kind` other than a
 * function counts too). Imports of unknown names are not judged here (the linker refuses them). A
 * module whose declarations cannot be read is left to the compiler, which refuses it.
 */
export function mistypedWasiImports(bytes: Uint8Array): MistypedImport[] {
  const { model, diagnostics } = readWasm(bytes, HEADER_READ_OPTIONS);
  if (model.kind !== 'module' || diagnostics.some((d) => d.severity === 'error')) return [];
  void model.features; // reading it decodes the type section, which fills in the imports' signatures
  const out: MistypedImport[] = [];
  for (const imp of model.imports) {
    if (imp.module !== WASI_MODULE || !Object.hasOwn(PREVIEW1_SIGNATURES, imp.name)) continue;
    const expected = PREVIEW1_SIGNATURES[imp.name as Preview1Function];
    const actual = imp.kind === 'func' ? imp.sig : undefined;
    const same = !!actual && actual.params.join() === expected.params.join() && actual.results.join() === expected.results.join();
    if (!same) {
      out.push({ name: imp.name, expected: formatSignature(expected), actual: imp.kind === 'func' ? formatSignature(actual) : `a ${imp.kind}, not a function` });
    }
  }
  return out;
}
