/**
 * The WASI 0.2 / 0.3 capability catalog for components: each `wasi:<package>/<interface>` mapped to the
 * same capability groups the core rules use for preview1 (wasi.ts), so `imports.wasi.sockets: false`
 * denies `wasi:sockets/tcp@0.2.3` in a component as it denies `sock_send` in a core module.
 *
 * `wasi:filesystem/types` holds reads and writes: a component importing it needs filesystem-read, and
 * filesystem-write too when its instance type lists a function that changes files.
 */
import type { WasiCapability } from '../wasi';
import type { ComponentExtern } from './model';
import { parseExternName } from './names';

/** `package/interface` -> group (`filesystem`: read or write, by the functions imported). */
export const WASI_COMPONENT_INTERFACES: Readonly<Record<string, WasiCapability | 'filesystem'>> = {
  'cli/environment': 'args-env',
  'cli/exit': 'process',
  'cli/run': 'process',
  'cli/stdin': 'fd-io',
  'cli/stdout': 'fd-io',
  'cli/stderr': 'fd-io',
  'cli/types': 'fd-io',
  'cli/terminal-input': 'fd-io',
  'cli/terminal-output': 'fd-io',
  'cli/terminal-stdin': 'fd-io',
  'cli/terminal-stdout': 'fd-io',
  'cli/terminal-stderr': 'fd-io',
  'clocks/monotonic-clock': 'clock',
  'clocks/wall-clock': 'clock',
  'clocks/system-clock': 'clock',
  'clocks/timezone': 'clock',
  'clocks/types': 'clock',
  'random/random': 'random',
  'random/insecure': 'random',
  'random/insecure-seed': 'random',
  'io/poll': 'polling',
  'io/streams': 'fd-io',
  'io/error': 'fd-io',
  'filesystem/preopens': 'preopens',
  'filesystem/types': 'filesystem',
  // HTTP: sending requests is the outgoing handler (0.2) or the client / imported handler (0.3); the
  // request and response types serve both directions and are the incoming side's whole need
  'http/outgoing-handler': 'http-outgoing',
  'http/client': 'http-outgoing',
  'http/handler': 'http-outgoing',
  'http/types': 'http-incoming',
  'http/incoming-handler': 'http-incoming',
};

/** Packages whose every interface maps to one group. */
export const WASI_COMPONENT_PACKAGES: Readonly<Record<string, WasiCapability>> = {
  sockets: 'sockets',
};

/** Interfaces a component exports that the host then calls with a capability of its own (serving HTTP). */
const EXPORTED_CAPABILITIES: Readonly<Record<string, WasiCapability>> = {
  'http/incoming-handler': 'http-incoming',
  'http/handler': 'http-incoming',
};

/** Words in a `wasi:filesystem/types` function name that mean it changes the filesystem. */
export const FILESYSTEM_WRITE_WORDS = /(write|create|remove|rename|unlink|symlink|link-at|set-size|set-times|sync|append|truncate|allocate)/;

/**
 * Packages toolchains import whatever the program calls: the WASI preview1 adapter and Rust's
 * `wasm32-wasip2` standard library (through wasi-libc) bring in wasi:cli, wasi:io, wasi:clocks,
 * wasi:filesystem and wasi:random.
 */
const TOOLCHAIN_PACKAGES = new Set(['cli', 'io', 'clocks', 'filesystem', 'random']);

export interface ComponentImportInfo {
  /** the name is a `wasi:` interface */
  wasi: boolean;
  /** the interface is in the catalog */
  known: boolean;
  /** the groups it needs (filesystem/types may need two) */
  capabilities: WasiCapability[];
  /** toolchains commonly add this interface whether or not the program uses it */
  toolchain: boolean;
}

const NOT_WASI: ComponentImportInfo = Object.freeze({ wasi: false, known: false, capabilities: [], toolchain: false }) as ComponentImportInfo;

/** The functions an imported interface declares (names from its instance type). */
export function interfaceFunctions(ext: ComponentExtern): string[] {
  const t = ext.type?.k === 'named' ? ext.type.of : ext.type;
  if (t?.k !== 'instance') return [];
  return t.exports.filter((d) => d.sort === 'func').map((d) => d.name);
}

/**
 * What a component import (or, `exported`, an export) needs of the WASI capabilities. Worked out once
 * per extern and kept with it (three import rules and the baseline ask for every import of a check; a
 * filesystem interface resolves its type's functions): treat the answer as read-only.
 */
export function describeComponentExtern(ext: ComponentExtern, exported = false): ComponentImportInfo {
  const cache = exported ? describedExports : describedImports;
  let info = cache.get(ext);
  if (info === undefined) {
    info = describe(ext, exported);
    cache.set(ext, info);
  }
  return info;
}
const describedImports = new WeakMap<ComponentExtern, ComponentImportInfo>();
const describedExports = new WeakMap<ComponentExtern, ComponentImportInfo>();

function describe(ext: ComponentExtern, exported: boolean): ComponentImportInfo {
  const p = ext.parsed;
  if (p.form !== 'interface' || p.namespace !== 'wasi') return NOT_WASI;
  const key = `${p.package}/${p.interface}`;
  const toolchain = TOOLCHAIN_PACKAGES.has(p.package!);
  if (exported) {
    const group = EXPORTED_CAPABILITIES[key];
    return { wasi: true, known: true, capabilities: group ? [group] : [], toolchain: false };
  }
  const whole = WASI_COMPONENT_PACKAGES[p.package!];
  if (whole) return { wasi: true, known: true, capabilities: [whole], toolchain };
  const mapped = WASI_COMPONENT_INTERFACES[key];
  if (mapped === undefined) return { wasi: true, known: false, capabilities: [], toolchain };
  if (mapped !== 'filesystem') return { wasi: true, known: true, capabilities: [mapped], toolchain };
  const writes = interfaceFunctions(ext).some((f) => FILESYSTEM_WRITE_WORDS.test(f));
  return { wasi: true, known: true, capabilities: writes ? ['filesystem-read', 'filesystem-write'] : ['filesystem-read'], toolchain };
}

/** The sentence findings on a toolchain-added interface end with. */
export function toolchainNote(name: string): string {
  const p = parseExternName(name);
  return (
    ` Toolchains add ${p.namespace}:${p.package} interfaces to a component whatever the program calls ` +
    '(the WASI preview1 adapter and Rust\'s wasm32-wasip2 standard library import wasi:cli, wasi:io, wasi:clocks, wasi:filesystem and wasi:random): ' +
    'the import alone does not show the program uses it.'
  );
}
