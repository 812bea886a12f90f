/**
 * Shared helpers of the benchmark: statistics, the cache folder outside the repo (peers and real
 * modules are installed there by the bench itself, never committed), and running a measurement in a
 * child process with a time cap (peers that may hang or blow memory never take the bench down).
 */
import { spawn, spawnSync } from 'child_process';
import { createRequire } from 'module';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE, NM, PEERS_DIR, REAL_MODULES, npmInstallIntoCache } from '../real-modules';

export { CACHE, NM, PEERS_DIR };
export const ROOT = path.resolve(__dirname, '..', '..');

/** npm packages the bench installs into the cache (pinned): parsers to compare with, and real modules. */
export const PEER_PACKAGES = [
  '@webassemblyjs/wasm-parser@1.14.1', // peer: .wasm decoder
  '@webassemblyjs/wast-parser@1.14.1', // peer: WAT parser
  '@biomejs/wasm-nodejs@2.5.14', // Rust (wasm-bindgen), 45 MB
  'esbuild-wasm@0.28.2', // Go, 14 MB
  '@duckdb/duckdb-wasm@1.32.0', // C++ emscripten, 34 MB
  REAL_MODULES.z3.spec, // C++ emscripten, 33 MB (the e2e layer installs it alone, test/real-modules.ts)
  '@yowasp/yosys@0.55.944', // C++ wasi-sdk, 31 MB
  '@jsquash/png@3.1.1', // Rust, 0.18 MB
  'brotli-wasm@3.0.1', // Rust, 1 MB
  'sql.js@1.16.0', // C emscripten, 0.7 MB
  'vscode-oniguruma@2.0.1', // C emscripten, 0.47 MB
  'tree-sitter-wasms@0.1.13', // tree-sitter grammars (emscripten side modules), 36 modules
];

/** Real modules, by role. Paths relative to the cache's node_modules. */
export const LARGE_MODULES: Record<string, string> = {
  'biome (Rust)': '@biomejs/wasm-nodejs/biome_wasm_bg.wasm',
  'duckdb-eh (C++ emcc)': '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm',
  'z3 (C++ emcc)': REAL_MODULES.z3.file,
  'yosys (C++ wasi-sdk)': '@yowasp/yosys/gen/yosys.core.wasm',
  'esbuild (Go)': 'esbuild-wasm/esbuild.wasm',
};
export const SMALL_MODULES: Record<string, string> = {
  'brotli (Rust)': 'brotli-wasm/pkg.node/brotli_wasm_bg.wasm',
  'sql.js (C emcc)': 'sql.js/dist/sql-wasm.wasm',
  'onig (C emcc)': 'vscode-oniguruma/release/onig.wasm',
  'png (Rust)': '@jsquash/png/codec/pkg/squoosh_png_bg.wasm',
};
/** WAT inputs: disassembled with native wasm2wat into the cache. */
export const WAT_LARGE = { name: 'sql.js.wat', from: 'sql.js/dist/sql-wasm.wasm' }; // ~14 MB
export const WAT_LSP = { name: 'onig.wat', from: 'vscode-oniguruma/release/onig.wasm' }; // ~4.7 MB
export const WAT_SMALL: { name: string; from: string }[] = [
  { name: 'tree-sitter-html.wat', from: 'tree-sitter-wasms/out/tree-sitter-html.wasm' }, // ~0.35 MB
  { name: 'tree-sitter-lua.wat', from: 'tree-sitter-wasms/out/tree-sitter-lua.wasm' }, // ~0.39 MB
  { name: 'tree-sitter-vue.wat', from: 'tree-sitter-wasms/out/tree-sitter-vue.wasm' }, // ~0.26 MB
];

/** Real modules whose wasm2wat text the assemble group round-trips (esbuild's 14 MB module is left out: its text is 1.9 GB, past V8's string limit). */
export const ROUND_TRIP: { name: string; from: string }[] = [
  WAT_LARGE,
  { name: 'brotli.wat', from: 'brotli-wasm/pkg.node/brotli_wasm_bg.wasm' }, // Rust, ~7.5 MB of text
  { name: 'tree-sitter-typescript.wat', from: 'tree-sitter-wasms/out/tree-sitter-typescript.wasm' }, // emscripten
  ...WAT_SMALL,
];

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Installs the peer packages into the cache (idempotent: skipped when the marker matches). */
export function ensurePeers(): void {
  const marker = path.join(PEERS_DIR, '.installed');
  const want = PEER_PACKAGES.join('\n');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) return;
  log(`installing peers and real modules into ${PEERS_DIR} (npm install --prefix; once)`);
  npmInstallIntoCache(PEER_PACKAGES, log);
  fs.writeFileSync(marker, want);
}

export const peerRequire = createRequire(path.join(PEERS_DIR, 'package.json'));
export const repoRequire = createRequire(path.join(ROOT, 'package.json'));

/**
 * The native (system) executable `cmd`, or undefined. PATH entries under node_modules are skipped:
 * `npm run` puts node_modules/.bin first, where the wabt and binaryen packages install their
 * JavaScript `wat2wasm`/`wasm-opt` of the same names.
 */
export function nativeCommand(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || dir.includes('node_modules')) continue;
    const f = path.join(dir, cmd);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      if (fs.statSync(f).isFile()) return f;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export function hasCommand(cmd: string): boolean {
  return nativeCommand(cmd) !== undefined;
}

/** Disassembles a module with native wasm2wat into the cache (once). */
export function ensureWat(w: { name: string; from: string }): string | undefined {
  const out = path.join(CACHE, 'wat', w.name);
  if (fs.existsSync(out)) return out;
  const wasm2wat = nativeCommand('wasm2wat');
  if (!wasm2wat) return undefined;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(wasm2wat, ['--enable-all', path.join(NM, w.from), '-o', out + '.tmp']);
  if (r.status !== 0) return undefined;
  fs.renameSync(out + '.tmp', out);
  return out;
}

/**
 * Real components for the policy group (issue 18): a preview1 program of LARGE_MODULES made a component
 * with the WASI preview1 command adapter by jco's componentNew (wasm-tools), into the cache (once).
 * Absolute paths (by name); undefined entries when jco cannot build one.
 */
export async function ensureComponents(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const from: Record<string, string> = { 'yosys component (wasi-sdk + preview1 adapter)': LARGE_MODULES['yosys (C++ wasi-sdk)'] };
  for (const [name, rel] of Object.entries(from)) {
    const file = path.join(CACHE, 'components', path.basename(rel).replace(/\.wasm$/, '.component.wasm'));
    if (!fs.existsSync(file)) {
      try {
        const jco = (await import('@bytecodealliance/jco')) as unknown as {
          componentNew(core: Uint8Array, adapters: [string, Uint8Array][]): Promise<Uint8Array>;
          preview1AdapterCommandPath(): URL;
        };
        const bytes = await jco.componentNew(fs.readFileSync(path.join(NM, rel)), [['wasi_snapshot_preview1', fs.readFileSync(jco.preview1AdapterCommandPath())]]);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file + '.tmp', bytes);
        fs.renameSync(file + '.tmp', file);
      } catch (e) {
        log(`component ${name}: not built (${(e as Error).message.split('\n')[0]})`);
        continue;
      }
    }
    out[name] = file;
  }
  return out;
}

export interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent */
  spreadPct: number;
}

export function stats(xs: number[]): Stats | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { n: s.length, median, min: s[0], max: s[s.length - 1], spreadPct: median > 0 ? ((s[s.length - 1] - s[0]) / median) * 100 : 0 };
}

export interface ChildResult {
  /** ms of each completed run */
  times: number[];
  /** for an operation made of a parse and a check (the WAT validation rows): each counted run's two parts, in ms */
  parts?: { parse: number; check: number }[];
  /** extra peak RSS of the operation over the child's RSS after loading its input (MB) */
  peakDeltaMB?: number;
  /** what one call allocates and holds (heap + external), median of 3 */
  allocMB?: number;
  /** the child's peak RSS (MB) */
  maxRssMB?: number;
  /** the operation failed (input rejected, exception); message */
  failure?: string;
  /** the cap was hit before a run completed (or before all runs completed) */
  capped: boolean;
  capMs: number;
  info?: Record<string, unknown>;
}

/**
 * The child as it is measured: `child.ts` and the engine bundled by esbuild the way `scripts/build.mjs`
 * bundles what ships (one file, imports resolved at build time), written beside it
 * (`test/bench/.child.cjs`, gitignored). Run from the sources instead (tsx transpiles each file on its
 * own: every imported enum member or helper is a getter call until the JIT inlines it), the engine was
 * measured slower than it ships. Falls back to the sources when the bundle cannot be built.
 */
let childArgs = ['--import', 'tsx', path.join(__dirname, 'child.ts')];
export async function buildChild(log: (m: string) => void): Promise<void> {
  const out = path.join(__dirname, '.child.cjs');
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    await esbuild.build({
      entryPoints: [path.join(__dirname, 'child.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      mainFields: ['module', 'main'],
      external: ['vscode', 'wabt', 'binaryen', 'tsx'],
      logLevel: 'error',
    });
    childArgs = [out];
  } catch (e) {
    log(`could not bundle the bench child (${(e as Error).message}); measuring the sources through tsx`);
  }
}

/**
 * Runs `test/bench/child.ts TASK PEER FILE` (bundled: see buildChild) in its own Node process. Each completed run is streamed
 * back as a line, so a run that hits the cap still reports what it finished.
 */
export function runChild(task: string, peer: string, file: string, opts: { repeats: number; budgetMs: number; capMs: number }): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=8192', '--stack-size=8000', ...childArgs, task, peer, file, String(opts.repeats), String(opts.budgetMs)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const res: ChildResult = { times: [], capped: false, capMs: opts.capMs };
    let buf = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.startsWith('{')) continue;
        const m = JSON.parse(line);
        if (typeof m.t === 'number') res.times.push(m.t);
        if (m.parts) (res.parts ??= []).push(m.parts);
        if (m.failure) res.failure = m.failure;
        if (m.peakDeltaMB !== undefined) res.peakDeltaMB = m.peakDeltaMB;
        if (m.allocMB !== undefined) res.allocMB = m.allocMB;
        if (m.maxRssMB !== undefined) res.maxRssMB = m.maxRssMB;
        if (m.info) res.info = { ...res.info, ...m.info };
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4000) err += d.toString();
    });
    const timer = setTimeout(() => {
      res.capped = true;
      child.kill('SIGKILL');
    }, opts.capMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!res.capped && code !== 0 && !res.failure) {
        res.failure = `child exited ${signal ?? code}: ${err.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`;
      }
      resolve(res);
    });
  });
}

export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 1) return ms.toFixed(1);
  if (ms >= 0.01) return ms.toFixed(3);
  return ms.toExponential(1);
}

export function fmtRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '-';
  if (r >= 100) return `${r.toFixed(0)}x`;
  if (r >= 10) return `${r.toFixed(1)}x`;
  return `${r.toFixed(2)}x`;
}

export interface Job {
  key: string;
  task: string;
  peer: string;
  file: string;
  opts: { repeats: number; budgetMs: number; capMs: number };
  /** split the repeats over this many child processes, interleaved with the other jobs' (default 1) */
  rounds?: number;
}

/**
 * Runs the jobs of one input round-robin: round 1 of every job, then round 2, ... so that load from
 * elsewhere on a shared machine drifts over all peers alike instead of landing on one of them.
 * A job that fails or hits its cap runs no further rounds.
 */
export async function runInterleaved(jobs: Job[]): Promise<Record<string, ChildResult>> {
  const out: Record<string, ChildResult> = {};
  const rounds = Math.max(...jobs.map((j) => j.rounds ?? 1));
  for (let r = 0; r < rounds; r++) {
    for (const j of jobs) {
      const n = j.rounds ?? 1;
      if (r >= n) continue;
      const prev = out[j.key];
      if (prev && (prev.failure || prev.capped)) continue;
      const res = await runChild(j.task, j.peer, j.file, { ...j.opts, repeats: Math.ceil(j.opts.repeats / n), budgetMs: j.opts.budgetMs / n });
      if (!prev) out[j.key] = res;
      else {
        prev.times.push(...res.times);
        if (res.parts) (prev.parts ??= []).push(...res.parts);
        prev.failure ??= res.failure;
        prev.capped ||= res.capped;
        prev.peakDeltaMB = Math.max(prev.peakDeltaMB ?? 0, res.peakDeltaMB ?? 0);
        if (res.allocMB !== undefined) prev.allocMB = Math.max(prev.allocMB ?? 0, res.allocMB);
        prev.maxRssMB = Math.max(prev.maxRssMB ?? 0, res.maxRssMB ?? 0);
      }
    }
  }
  return out;
}
