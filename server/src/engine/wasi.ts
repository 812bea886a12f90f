/**
 * The WASI catalog: every preview1 function (`wasi_snapshot_preview1`, and its older name `wasi_unstable`)
 * with the capability group it belongs to and a one-line description, plus a mapping of component-model
 * interfaces (`wasi:filesystem/types@0.2.0` ..., the catalog in component/wasi-catalog.ts) to the same groups.
 *
 * Policy rules decide on groups, not on individual functions: "may this module write files?".
 */

import { FILESYSTEM_WRITE_WORDS, WASI_COMPONENT_INTERFACES, WASI_COMPONENT_PACKAGES } from './component/wasi-catalog';

/** Capability groups, from least to most sensitive-ish (the http ones concern components only). */
export const WASI_CAPABILITIES = [
  'args-env',
  'clock',
  'random',
  'process',
  'scheduling',
  'polling',
  'sockets',
  'fd-io',
  'preopens',
  'filesystem-read',
  'filesystem-write',
  'http-outgoing',
  'http-incoming',
] as const;

export type WasiCapability = (typeof WASI_CAPABILITIES)[number];

/** One-line descriptions of the groups (used in messages, docs and the policy schema). */
export const WASI_CAPABILITY_DOCS: Record<WasiCapability, string> = {
  'args-env': 'read the command-line arguments and environment variables',
  clock: 'read clocks (wall-clock and monotonic time)',
  random: 'read random bytes',
  process: 'exit the process or raise a signal',
  scheduling: 'yield the CPU',
  polling: 'wait for clock or file-descriptor events',
  sockets: 'use network sockets',
  'fd-io': 'read and write already-open file descriptors (including stdin, stdout, stderr)',
  preopens: 'discover the pre-opened directories',
  'filesystem-read': 'open files and read files, directories and metadata',
  'filesystem-write': 'create, modify, rename or delete files and directories',
  'http-outgoing': 'send HTTP requests (components: wasi:http/outgoing-handler)',
  'http-incoming': 'handle incoming HTTP requests (components: wasi:http/types, exporting wasi:http/incoming-handler)',
};

/** The module names under which preview1 is imported. */
export const WASI_PREVIEW1_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'] as const;

export interface WasiFunctionInfo {
  capability: WasiCapability;
  doc: string;
}

/** The 46 functions of wasi_snapshot_preview1. */
export const WASI_PREVIEW1_FUNCTIONS: Readonly<Record<string, WasiFunctionInfo>> = {
  args_get: { capability: 'args-env', doc: 'Read the command-line arguments.' },
  args_sizes_get: { capability: 'args-env', doc: 'Return the number and total size of the command-line arguments.' },
  environ_get: { capability: 'args-env', doc: 'Read the environment variables.' },
  environ_sizes_get: { capability: 'args-env', doc: 'Return the number and total size of the environment variables.' },
  clock_res_get: { capability: 'clock', doc: 'Return the resolution of a clock.' },
  clock_time_get: { capability: 'clock', doc: 'Return the time value of a clock.' },
  random_get: { capability: 'random', doc: 'Fill a buffer with random bytes.' },
  proc_exit: { capability: 'process', doc: 'Terminate the process with an exit code.' },
  proc_raise: { capability: 'process', doc: 'Send a signal to the process.' },
  sched_yield: { capability: 'scheduling', doc: 'Yield the CPU to other threads.' },
  poll_oneoff: { capability: 'polling', doc: 'Wait for clock or file-descriptor events.' },
  sock_accept: { capability: 'sockets', doc: 'Accept a connection on an already-open listening socket.' },
  sock_recv: { capability: 'sockets', doc: 'Receive data from a socket.' },
  sock_send: { capability: 'sockets', doc: 'Send data on a socket.' },
  sock_shutdown: { capability: 'sockets', doc: 'Shut down the send and/or receive side of a socket.' },
  fd_read: { capability: 'fd-io', doc: 'Read from a file descriptor.' },
  fd_write: { capability: 'fd-io', doc: 'Write to a file descriptor.' },
  fd_close: { capability: 'fd-io', doc: 'Close a file descriptor.' },
  fd_seek: { capability: 'fd-io', doc: 'Move the offset of a file descriptor.' },
  fd_tell: { capability: 'fd-io', doc: 'Return the current offset of a file descriptor.' },
  fd_fdstat_get: { capability: 'fd-io', doc: 'Return the attributes (type, flags, rights) of a file descriptor.' },
  fd_fdstat_set_flags: { capability: 'fd-io', doc: 'Change the flags of a file descriptor.' },
  fd_fdstat_set_rights: { capability: 'fd-io', doc: 'Drop rights of a file descriptor.' },
  fd_sync: { capability: 'fd-io', doc: 'Flush the data and metadata of a file descriptor to disk.' },
  fd_datasync: { capability: 'fd-io', doc: 'Flush the data of a file descriptor to disk.' },
  fd_renumber: { capability: 'fd-io', doc: 'Atomically replace one file descriptor by another.' },
  fd_prestat_get: { capability: 'preopens', doc: 'Describe a pre-opened directory.' },
  fd_prestat_dir_name: { capability: 'preopens', doc: 'Return the path of a pre-opened directory.' },
  path_open: {
    capability: 'filesystem-read',
    doc: 'Open a file or directory (it writes when its flags ask for create/truncate or write rights).',
  },
  path_filestat_get: { capability: 'filesystem-read', doc: 'Return the attributes of a file or directory by path.' },
  path_readlink: { capability: 'filesystem-read', doc: 'Read the target of a symbolic link.' },
  fd_readdir: { capability: 'filesystem-read', doc: 'Read directory entries.' },
  fd_pread: { capability: 'filesystem-read', doc: 'Read from a file descriptor at an offset.' },
  fd_filestat_get: { capability: 'filesystem-read', doc: 'Return the attributes of an open file.' },
  fd_advise: { capability: 'filesystem-read', doc: 'Advise the system about the intended access pattern of a file.' },
  path_create_directory: { capability: 'filesystem-write', doc: 'Create a directory.' },
  path_remove_directory: { capability: 'filesystem-write', doc: 'Remove an empty directory.' },
  path_rename: { capability: 'filesystem-write', doc: 'Rename a file or directory.' },
  path_link: { capability: 'filesystem-write', doc: 'Create a hard link.' },
  path_symlink: { capability: 'filesystem-write', doc: 'Create a symbolic link.' },
  path_unlink_file: { capability: 'filesystem-write', doc: 'Delete a file.' },
  path_filestat_set_times: { capability: 'filesystem-write', doc: 'Change the timestamps of a file by path.' },
  fd_pwrite: { capability: 'filesystem-write', doc: 'Write to a file descriptor at an offset.' },
  fd_allocate: { capability: 'filesystem-write', doc: 'Reserve space in a file.' },
  fd_filestat_set_size: { capability: 'filesystem-write', doc: 'Truncate or extend an open file.' },
  fd_filestat_set_times: { capability: 'filesystem-write', doc: 'Change the timestamps of an open file.' },
};

export interface WasiImportInfo {
  /** the module name looks like WASI (`wasi_*`, `wasi:*`) */
  wasi: boolean;
  /** the function is in the catalog */
  known: boolean;
  capability?: WasiCapability;
  doc?: string;
}

/** Is this module name a WASI one (preview1 names, other `wasi_*` modules, or `wasi:` interfaces)? */
export function isWasiModule(module: string): boolean {
  return module.startsWith('wasi');
}

const NOT_WASI: Readonly<WasiImportInfo> = Object.freeze({ wasi: false, known: false });
const UNKNOWN_WASI: Readonly<WasiImportInfo> = Object.freeze({ wasi: true, known: false });

/** The descriptions of the preview1 functions, made once (policy checks describe every WASI import). */
const PREVIEW1_INFO: ReadonlyMap<string, Readonly<WasiImportInfo>> = new Map(
  Object.entries(WASI_PREVIEW1_FUNCTIONS).map(([name, f]) => [name, Object.freeze({ wasi: true, known: true, capability: f.capability, doc: f.doc })]),
);

/** What a WASI import is, by its module and field names. Non-WASI imports give `{ wasi: false, known: false }`. */
export function describeImport(module: string, name: string): Readonly<WasiImportInfo> {
  if (!isWasiModule(module)) return NOT_WASI;
  if ((WASI_PREVIEW1_MODULES as readonly string[]).includes(module)) return PREVIEW1_INFO.get(name) ?? UNKNOWN_WASI;
  const m = /^wasi:([a-z0-9-]+)\/([a-z0-9-]+)(@.*)?$/.exec(module);
  if (m) {
    const [, pkg, iface] = m;
    const whole = WASI_COMPONENT_PACKAGES[pkg];
    if (whole) return { wasi: true, known: true, capability: whole, doc: `WASI ${pkg} interface ${iface}.` };
    const mapped = WASI_COMPONENT_INTERFACES[`${pkg}/${iface}`];
    if (mapped === 'filesystem') {
      const capability: WasiCapability = FILESYSTEM_WRITE_WORDS.test(name) ? 'filesystem-write' : 'filesystem-read';
      return { wasi: true, known: true, capability, doc: `WASI filesystem function ${name}.` };
    }
    if (mapped) return { wasi: true, known: true, capability: mapped, doc: `WASI ${pkg} interface ${iface}.` };
  }
  return UNKNOWN_WASI;
}
