/**
 * Real WebAssembly modules from npm packages, installed into a cache folder outside the repo (never
 * committed): the benchmark's peers folder, `~/.cache/wasm-warden/bench/peers` (or under
 * $XDG_CACHE_HOME). The benchmark installs all of its packages there at once (test/bench/util.ts,
 * `ensurePeers`); a test layer that needs one module installs just that package, the same way
 * (`npm install --prefix`), so a bare CI machine downloads one package, not the bench's dozen.
 *
 *   node --import tsx test/real-modules.ts z3     # installs what the named modules need (test/e2e/setup.sh)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'wasm-warden', 'bench');
export const PEERS_DIR = path.join(CACHE, 'peers');
export const NM = path.join(PEERS_DIR, 'node_modules');

/** A module shipped in an npm package: the pinned package, and the file's path under node_modules. */
export interface NpmModule {
  spec: string;
  file: string;
}

/** Real modules the tests and the bench share, by a short name. */
export const REAL_MODULES = {
  /** C++ compiled by emscripten, 33 MB, with a name section (38,000 named functions) */
  z3: { spec: 'z3-solver@4.15.4', file: 'z3-solver/build/z3-built.wasm' },
  /** C compiled by emscripten, 0.47 MB */
  onig: { spec: 'vscode-oniguruma@2.0.1', file: 'vscode-oniguruma/release/onig.wasm' },
  /** Rust, 0.18 MB */
  png: { spec: '@jsquash/png@3.1.1', file: '@jsquash/png/codec/pkg/squoosh_png_bg.wasm' },
  /** Rust, 1 MB */
  brotli: { spec: 'brotli-wasm@3.0.1', file: 'brotli-wasm/pkg.node/brotli_wasm_bg.wasm' },
} satisfies Record<string, NpmModule>;

/** `npm install --prefix` the packages into the cache folder (throws when npm fails). */
export function npmInstallIntoCache(packages: string[], log: (m: string) => void = (m) => process.stderr.write(`${m}\n`)): void {
  fs.mkdirSync(PEERS_DIR, { recursive: true });
  if (!fs.existsSync(path.join(PEERS_DIR, 'package.json'))) fs.writeFileSync(path.join(PEERS_DIR, 'package.json'), '{"private":true}\n');
  log(`installing ${packages.join(', ')} into ${PEERS_DIR} (npm install --prefix)`);
  const r = spawnSync('npm', ['install', '--prefix', PEERS_DIR, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...packages], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`npm install of ${packages.join(', ')} into ${PEERS_DIR} failed`);
}

/** The module's path in the cache, or undefined when it is not installed. */
export function installedModule(m: NpmModule): string | undefined {
  const file = path.join(NM, m.file);
  return fs.existsSync(file) ? file : undefined;
}

/** The module's path in the cache; its package is installed first when the file is not there. */
export function ensureModule(m: NpmModule, log?: (m: string) => void): string {
  const present = installedModule(m);
  if (present) return present;
  npmInstallIntoCache([m.spec], log);
  const file = installedModule(m);
  if (!file) throw new Error(`${m.spec} installed, but ${m.file} is not in it`);
  return file;
}

// run as a script (`node --import tsx test/real-modules.ts NAME...`); not when bundled into another
// program, such as the bench's child, where `require.main === module` holds too
if (require.main === module && /real-modules\.ts$/.test(process.argv[1] ?? '')) {
  const names = process.argv.slice(2);
  for (const name of names) {
    const m = (REAL_MODULES as Record<string, NpmModule>)[name];
    if (!m) {
      process.stderr.write(`unknown module "${name}"; known: ${Object.keys(REAL_MODULES).join(', ')}\n`);
      process.exit(2);
    }
    const file = ensureModule(m);
    process.stdout.write(`${name}: ${file} (${fs.statSync(file).size} bytes)\n`);
  }
}
