/**
 * Who provides each import of a module: the runtime or glue code a host must supply for it (WASI, the
 * JavaScript glue of Emscripten or wasm-bindgen, Go's `wasm_exec.js`, AssemblyScript's loader, an Extism
 * host...), recognised by the import's module and field names (and signature where names are shared).
 */
import type { ImportEntry } from '../model';

export type ProviderId =
  | 'wasi-preview1'
  | 'wasi-p2'
  | 'emscripten'
  | 'emscripten-dylink'
  | 'wasm-bindgen'
  | 'go-js'
  | 'assemblyscript'
  | 'extism'
  | 'minified-glue'
  | 'host';

export interface ProviderInfo {
  id: ProviderId;
  name: string;
  /** what a host needs to run the module's imports of this provider */
  description: string;
}

export const PROVIDERS: Record<Exclude<ProviderId, 'host'>, ProviderInfo> = {
  'wasi-preview1': { id: 'wasi-preview1', name: 'WASI preview1', description: 'a WASI preview1 runtime (wasmtime, Node.js node:wasi, a browser shim)' },
  'wasi-p2': { id: 'wasi-p2', name: 'WASI 0.2 interfaces', description: 'a WASI 0.2 component host (wasi:* interfaces)' },
  emscripten: { id: 'emscripten', name: 'Emscripten JS glue', description: "the JavaScript file Emscripten emitted next to the module (its libc's syscalls and library functions)" },
  'emscripten-dylink': { id: 'emscripten-dylink', name: 'Emscripten dynamic linking', description: 'a dynamic linker for the GOT.mem / GOT.func imports (Emscripten MAIN_MODULE/SIDE_MODULE)' },
  'wasm-bindgen': { id: 'wasm-bindgen', name: 'wasm-bindgen JS glue', description: 'the `*_bg.js` file wasm-bindgen generated for this module (Rust)' },
  'go-js': { id: 'go-js', name: 'Go js/wasm runtime', description: "Go's `wasm_exec.js` (GOOS=js GOARCH=wasm)" },
  assemblyscript: { id: 'assemblyscript', name: 'AssemblyScript runtime', description: "AssemblyScript's loader or the host's `env.abort`/`env.trace`/`env.seed`" },
  extism: { id: 'extism', name: 'Extism host', description: 'an Extism host (extism:host/env functions)' },
  'minified-glue': {
    id: 'minified-glue',
    name: 'minified JS glue',
    description: 'the JavaScript file generated with the module, with minified import names (Emscripten with -O2 or more / Closure)',
  },
};

const EMSCRIPTEN_NAME = /^(?:emscripten_|_emscripten_|__syscall_|_abort_js$|_tzset_js$|_localtime_js$|_gmtime_js$|_mktime_js$|_mmap_js$|_munmap_js$|__assert_fail$|invoke_|__cxa_|_embind_|_emval_|__handle_stack_overflow$|segfault$|alignfault$|getTempRet0$|setTempRet0$|_setitimer_js$|__call_sighandler$|_dlopen_js$|_dlsym_js$|environ_get$|environ_sizes_get$|strftime$|proc_exit$|exit$)/;

/** The provider of one import; `host` (named by its module) when none of the known ones. */
export function importProvider(imp: ImportEntry, all: readonly ImportEntry[]): ProviderInfo {
  const { module, name } = imp;
  if (module === 'wasi_snapshot_preview1' || module === 'wasi_unstable') return PROVIDERS['wasi-preview1'];
  if (module.startsWith('wasi:')) return PROVIDERS['wasi-p2'];
  if (module === '__wbindgen_placeholder__' || module === '__wbindgen_externref_xform__' || name.startsWith('__wbg_') || name.startsWith('__wbindgen_')) return PROVIDERS['wasm-bindgen'];
  if (module === 'gojs' || (module === 'go' && /^(?:runtime|syscall\/js)\./.test(name))) return PROVIDERS['go-js'];
  if (module === 'GOT.mem' || module === 'GOT.func') return PROVIDERS['emscripten-dylink'];
  if (module.startsWith('extism:')) return PROVIDERS.extism;
  if (module === 'env') {
    if (name === 'abort' && imp.kind === 'func' && imp.sig?.params.length === 4 && imp.sig.params.every((p) => p === 'i32')) return PROVIDERS.assemblyscript;
    if ((name === 'trace' || name === 'seed') && all.some((i) => i.module === 'env' && i.name === 'abort' && i.sig?.params.length === 4)) return PROVIDERS.assemblyscript;
    if (EMSCRIPTEN_NAME.test(name)) return PROVIDERS.emscripten;
    // a module with Emscripten's imports gets its other `env` imports from the same glue
    if (all.some((i) => i.module === 'env' && /^(?:emscripten_|__syscall_|_emscripten_|invoke_)/.test(i.name))) return PROVIDERS.emscripten;
  }
  // Emscripten's optimised builds rename the imports to `a.a`, `a.b`...: only its own glue can provide them
  if (module.length <= 2 && name.length <= 3 && all.every((i) => i.module === module && i.name.length <= 3)) return PROVIDERS['minified-glue'];
  return { id: 'host', name: `host module "${module}"`, description: `the embedder's own functions under "${module}"` };
}

export interface ProviderGroup {
  provider: ProviderInfo;
  imports: { module: string; name: string; kind: string }[];
}

/** The imports grouped by provider, in the order providers first appear. */
export function groupImportsByProvider(imports: readonly ImportEntry[]): ProviderGroup[] {
  const groups = new Map<string, ProviderGroup>();
  for (const imp of imports) {
    const provider = importProvider(imp, imports);
    const key = provider.id === 'host' ? `host:${imp.module}` : provider.id;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { provider, imports: [] }));
    g.imports.push({ module: imp.module, name: imp.name, kind: imp.kind });
  }
  return [...groups.values()];
}
