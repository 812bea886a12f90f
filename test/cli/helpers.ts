/**
 * Helpers of the CLI tests: build the bundle once, run the real executable (`node bin/wasm-warden.js`)
 * as a subprocess, and make fixture folders (WAT sources from test/fixtures/cli, compiled with wabt).
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'wasm-warden.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'cli');

export function build(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `wasm-warden ARGS` in `cwd`; the environment is the test's, without colour or CI settings unless given. */
export function cli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.NO_COLOR;
  delete base.CI;
  delete base.FORCE_COLOR;
  delete base.WASM_WARDEN_PROGRESS_INTERVAL_MS;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: base, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

let wabtP: Promise<{ parseWat(name: string, text: string, features?: object): { toBinary(o: object): { buffer: Uint8Array }; destroy(): void } }> | undefined;

export async function wat2wasm(text: string): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  wabtP ??= require('wabt')();
  const wabt = await wabtP!;
  const mod = wabt.parseWat('fixture.wat', text);
  try {
    return mod.toBinary({ write_debug_names: true }).buffer;
  } finally {
    mod.destroy();
  }
}

/** A fresh temp folder holding the named fixtures: `x.wat` copied, `x.wasm` compiled from test/fixtures/cli/x.wat. */
export async function fixtureDir(files: string[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-'));
  for (const f of files) {
    const name = path.basename(f, path.extname(f));
    const src = fs.readFileSync(path.join(FIXTURES, `${name}.wat`), 'utf8');
    const target = path.join(dir, f);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.endsWith('.wasm') ? await wat2wasm(src) : src);
  }
  return dir;
}

export function rm(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Run a shell command under a pseudo-terminal (util-linux script(1)); stdout and stderr, merged. */
export function inTty(command: string, cwd: string, env: Record<string, string> = {}): Promise<string> {
  const base: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('NO_COLOR' in env)) delete base.NO_COLOR;
  delete base.CI;
  return new Promise((resolve, reject) => {
    execFile('script', ['-qec', command, '/dev/null'], { cwd, env: base }, (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)));
  });
}
