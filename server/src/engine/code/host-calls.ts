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

const WASI_P1 = /^wasi_(?:snapshot_preview1|unstable)$/;

/** What an import lets a module do, for the combination checks (undefined: none of the roles). */
export function capabilityRole(imp: ImportEntry): CapabilityRole['role'] | undefined {
  if (imp.kind !== 'func') return undefined;
  const { module, name } = imp;
  if (WASI_P1.test(module)) {
    if (name === 'fd_readdir') return 'enumerate';
    if (name === 'path_rename' || name === 'path_unlink_file' || name === 'path_remove_directory') return 'destroy';
    if (name === 'random_get') return 'random';
    if (name === 'path_open') return 'read-files';
    if (name.startsWith('sock_')) return 'sockets';
    return undefined;
  }
  if (module.startsWith('wasi:filesystem/')) {
    if (/read-directory/.test(name)) return 'enumerate';
    if (/(rename|unlink-file|remove-directory)-at/.test(name)) return 'destroy';
    if (/open-at/.test(name)) return 'read-files';
    return undefined;
  }
  if (module.startsWith('wasi:random/')) return 'random';
  if (module.startsWith('wasi:sockets/')) return 'sockets';
  if (module.startsWith('wasi')) return /^sock_/.test(name) ? 'sockets' : undefined; // WasmEdge's sock_open...
  // Emscripten's libc: syscalls are imports of `env`
  if (/^__syscall_getdents64$/.test(name)) return 'enumerate';
  if (/^__syscall_(?:renameat2?|unlinkat|rmdir)$/.test(name)) return 'destroy';
  if (/^__syscall_getrandom$|^getentropy$/.test(name)) return 'random';
  if (/^__syscall_openat$/.test(name)) return 'read-files';
  if (/^__syscall_(?:socket|connect|sendto|sendmsg)$/.test(name)) return 'sockets';
  return undefined;
}

export interface CapabilityCombination {
  kind: 'ransomware' | 'exfiltration';
  description: string;
  imports: ImportEntry[];
}

/** The combinations present: ransomware (enumerate + rename/unlink + random), exfiltration (open files + sockets). */
export function capabilityCombinations(model: ModuleModel): CapabilityCombination[] {
  const by = new Map<CapabilityRole['role'], ImportEntry[]>();
  for (const imp of model.imports) {
    const role = capabilityRole(imp);
    if (role) by.set(role, [...(by.get(role) ?? []), imp]);
  }
  const out: CapabilityCombination[] = [];
  const pick = (...roles: CapabilityRole['role'][]) => roles.flatMap((r) => by.get(r) ?? []);
  if (by.has('enumerate') && by.has('destroy') && by.has('random')) {
    out.push({
      kind: 'ransomware',
      description: 'enumerates directories, renames or deletes files, and draws random bytes (the "ransom triad": list, encrypt with a random key, replace)',
      imports: pick('enumerate', 'destroy', 'random'),
    });
  }
  if (by.has('read-files') && by.has('sockets')) {
    out.push({ kind: 'exfiltration', description: 'opens files and uses network sockets (what it reads can leave the machine)', imports: pick('read-files', 'sockets') });
  }
  return out;
}
