/**
 * Sandbox rows: runSandboxed (the bundled runner, as the extension and CLI ship it) against a bare
 * node:wasi run of the same module in a forked process (bare-wasi.cjs), both receiving the module over
 * IPC. The guest is a small C program built with Debian's clang --target=wasm32-wasi into the cache:
 * `loop N` calls clock_gettime (WASI clock_time_get) N times and prints one line.
 */
import { fork, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE, ROOT, log, nativeCommand } from './util';

const GUEST_C = `#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 0;
  struct timespec ts;
  long long acc = 0;
  for (long i = 0; i < n; i++) { clock_gettime(CLOCK_MONOTONIC, &ts); acc += ts.tv_nsec & 1; }
  printf("calls %ld %lld\\n", n, acc);
  return 0;
}
`;

/** Builds the guest (once); undefined when clang for wasm32-wasi is not available. */
export function ensureGuest(): string | undefined {
  const dir = path.join(CACHE, 'sandbox');
  const out = path.join(dir, 'clock-loop.wasm');
  if (fs.existsSync(out)) return out;
  const clang = nativeCommand('clang');
  if (!clang) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'clock-loop.c'), GUEST_C);
  const r = spawnSync(clang, ['--target=wasm32-wasi', '-O2', path.join(dir, 'clock-loop.c'), '-o', out + '.tmp'], { encoding: 'utf8' });
  if (r.status !== 0) {
    log(`clang --target=wasm32-wasi failed: ${r.stderr.slice(0, 300)}`);
    return undefined;
  }
  fs.renameSync(out + '.tmp', out);
  return out;
}

type RunSandboxed = typeof import('../../server/src/engine/sandbox/runner').runSandboxed;

/** Bundles runSandboxed into the cache beside a copy of dist/sandbox-runner.js, so it forks the shipped runner. */
export async function loadBundledRunner(): Promise<RunSandboxed> {
  const dir = path.join(CACHE, 'sandbox', 'bundle');
  fs.mkdirSync(dir, { recursive: true });
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'server', 'src', 'engine', 'sandbox', 'runner.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: path.join(dir, 'run-sandboxed.js'),
    logLevel: 'error',
  });
  fs.copyFileSync(path.join(ROOT, 'dist', 'sandbox-runner.js'), path.join(dir, 'sandbox-runner.js'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(dir, 'run-sandboxed.js')).runSandboxed;
}

export interface RunTiming {
  startupMs: number;
  totalMs: number;
  ok: boolean;
  detail?: string;
}

export function bareRun(module: Uint8Array, args: string[]): Promise<RunTiming> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let startupMs = NaN;
    const child = fork(path.join(__dirname, 'bare-wasi.cjs'), [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    let done = false;
    child.on('message', (m: { type: string; code?: number }) => {
      if (m.type === 'started') startupMs = performance.now() - t0;
      if (m.type === 'done') {
        done = true;
        resolve({ startupMs, totalMs: performance.now() - t0, ok: m.code === 0 });
      }
    });
    child.on('exit', (code) => {
      if (!done) resolve({ startupMs, totalMs: performance.now() - t0, ok: false, detail: `bare node:wasi exited ${code}` });
    });
    child.send({ module, args });
  });
}

export async function sandboxRun(run: RunSandboxed, module: Uint8Array, args: string[]): Promise<RunTiming> {
  const t0 = performance.now();
  const r = await run(module, { dirs: [], env: {}, args, timeoutMs: 120_000 });
  const totalMs = performance.now() - t0;
  return { startupMs: r.startupMs, totalMs, ok: r.outcome === 'exit' && r.exitCode === 0, detail: r.outcome === 'exit' ? undefined : `${r.outcome}: ${r.message ?? ''}` };
}
