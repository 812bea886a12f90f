/**
 * Imports that hand the host code to run, and combinations of imports that together read as ransomware
 * or data exfiltration. By import names alone (no code needed): WASI preview1 and component names, and
 * the syscall imports of Emscripten's libc.
 */
import type { ImportEntry, ModuleModel } from '../model';

/**
 * Imports that run code the host is given as data: Emscripten's `emscripten_run_script*` (JavaScript
 * `eval`), wasm-bindgen's `js_sys::eval` and `Function::new_with_args` shims, and eval-, exec- and
 * system-like names. (`__wbg_newnoargs_*`, `Function::new_no_args`, is not listed: js-sys calls it with a
 * fixed string to find the global object, so nearly every wasm-bindgen module imports it.)
 */
const CODE_RUNNING = /^(?:emscripten_(?:async_)?run_script(?:_int|_string)?|_?eval|js_eval|eval_?js|evaluate_?script|run_?script|new_?function|__wbg_eval_[0-9a-f]+|__wbg_newwithargs_[0-9a-f]+|popen|system|exec[lv]p?e?|posix_spawnp?|child_process_\w+)$/i;

export function runsHostCode(imp: { kind: string; name: string }): boolean {
  return imp.kind === 'func' && CODE_RUNNING.test(imp.name);
}

export function codeRunningImports(model: ModuleModel): ImportEntry[] {
  return model.imports.filter(runsHostCode);
}

export interface CapabilityRole {
  role: 'enumerate' | 'destroy' | 'random' | 'read-files' | 'sockets';
  imp: ImportEntry;
}

/** WASI preview1 functions with a role (`sock_*` are sockets). */
const WASI_P1_ROLES: ReadonlyMap<string, CapabilityRole['role']> = new Map([
  ['fd_readdir', 'enumerate'],
  ['path_rename', 'destroy'],
  ['path_unlink_file', 'destroy'],
  ['path_remove_directory', 'destroy'],
  ['random_get', 'random'],
  ['path_open', 'read-files'],
]);

/** Emscripten's libc: syscalls are imports (of `env`), looked up by name (all `__syscall_*` but getentropy). */
const EMSCRIPTEN_ROLES: ReadonlyMap<string, CapabilityRole['role']> = new Map([
  ['__syscall_getdents64', 'enumerate'],
  ['__syscall_renameat', 'destroy'],
  ['__syscall_renameat2', 'destroy'],
  ['__syscall_unlinkat', 'destroy'],
  ['__syscall_rmdir', 'destroy'],
  ['__syscall_getrandom', 'random'],
  ['getentropy', 'random'],
  ['__syscall_openat', 'read-files'],
  ['__syscall_socket', 'sockets'],
  ['__syscall_connect', 'sockets'],
  ['__syscall_sendto', 'sockets'],
  ['__syscall_sendmsg', 'sockets'],
]);

/**
 * What an import lets a module do, for the combination checks (undefined: none of the roles). Every
 * check runs this over every import: comparisons and prefix tests first, a table lookup only for the
 * names that can be in it (the names of a fresh read are fresh strings: a lookup hashes each one), no
 * regular expressions.
 */
export function capabilityRole(imp: ImportEntry): CapabilityRole['role'] | undefined {
  if (imp.kind !== 'func') return undefined;
  const { module, name } = imp;
  if (module === 'wasi_snapshot_preview1' || module === 'wasi_unstable') return WASI_P1_ROLES.get(name) ?? (name.startsWith('sock_') ? 'sockets' : undefined);
  if (module.startsWith('wasi')) {
    if (module.startsWith('wasi:filesystem/')) {
      if (name.includes('read-directory')) return 'enumerate';
      if (name.includes('rename-at') || name.includes('unlink-file-at') || name.includes('remove-directory-at')) return 'destroy';
      if (name.includes('open-at')) return 'read-files';
      return undefined;
    }
    if (module.startsWith('wasi:random/')) return 'random';
    if (module.startsWith('wasi:sockets/')) return 'sockets';
    return name.startsWith('sock_') ? 'sockets' : undefined; // WasmEdge's sock_open...
  }
  return name.startsWith('__syscall_') || name === 'getentropy' ? EMSCRIPTEN_ROLES.get(name) : undefined;
}

export interface CapabilityCombination {
  kind: 'ransomware' | 'exfiltration';
  description: string;
  imports: ImportEntry[];
}

/** The order a combination lists its imports in: by role, then as imported. */
const ROLE_ORDER: readonly CapabilityRole['role'][] = ['enumerate', 'destroy', 'random', 'read-files', 'sockets'];

/** The combinations present: ransomware (enumerate + rename/unlink + random), exfiltration (open files + sockets). */
export function capabilityCombinations(model: ModuleModel): CapabilityCombination[] {
  // most modules have no import with a role: nothing is allocated for them
  let by: Map<CapabilityRole['role'], ImportEntry[]> | undefined;
  for (const imp of model.imports) {
    const role = capabilityRole(imp);
    if (role === undefined) continue;
    by ??= new Map();
    const list = by.get(role);
    if (list) list.push(imp);
    else by.set(role, [imp]);
  }
  if (by === undefined) return [];
  const out: CapabilityCombination[] = [];
  if (by.has('enumerate') && by.has('destroy') && by.has('random')) {
    out.push({
      kind: 'ransomware',
      description: 'enumerates directories, renames or deletes files, and draws random bytes (the "ransom triad": list, encrypt with a random key, replace)',
      imports: importsOf(by, ROLE_ORDER.slice(0, 3)),
    });
  }
  if (by.has('read-files') && by.has('sockets')) {
    out.push({ kind: 'exfiltration', description: 'opens files and uses network sockets (what it reads can leave the machine)', imports: importsOf(by, ROLE_ORDER.slice(3)) });
  }
  return out;
}

function importsOf(by: ReadonlyMap<CapabilityRole['role'], ImportEntry[]>, roles: readonly CapabilityRole['role'][]): ImportEntry[] {
  const out: ImportEntry[] = [];
  for (const r of roles) for (const imp of by.get(r) ?? []) out.push(imp);
  return out;
}
