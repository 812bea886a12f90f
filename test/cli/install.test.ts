/**
 * The CLI installed the way a user installs it: `npm pack` of a copy of this repository (its `prepack`
 * script builds dist/), then `npm install ./wasm-warden-*.tgz` into an empty folder, then `npx wasm-warden`
 * there. Nothing of this checkout's node_modules or dist/ is visible to the installed package.
 * The install resolves the runtime dependencies from npm's cache when they are there (--prefer-offline),
 * else from the registry.
 * Run: node --import tsx --test test/cli/install.test.ts
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, ROOT, wat2wasm } from './helpers';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
/** what this checkout has that a packed copy must not see */
const LEFT_OUT = new Set(['node_modules', 'dist', '.git', '.test-output', '.bench']);
/** cache-friendly: the registry is asked only for what npm's cache lacks */
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/** The test's environment without what `npm run` adds (the package's own settings, its bin folder on PATH). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !/^npm_config_(cache|registry|userconfig|globalconfig)$/i.test(k)) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.startsWith(path.join(ROOT, 'node_modules'))).join(path.delimiter);
  delete env.CI;
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return env;
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: cleanEnv(), timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

let tmp: string;
let app: string;
let tarball: string;
let files: string[];

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-install-'));
  // 1. a copy of the repository without build output or installed packages; node_modules linked so that
  //    prepack's build (esbuild) runs, as it would in a fresh clone after `npm install`
  const src = path.join(tmp, 'src');
  fs.cpSync(ROOT, src, {
    recursive: true,
    filter: (from) => {
      const rel = path.relative(ROOT, from);
      return !LEFT_OUT.has(rel.split(path.sep)[0]) && !rel.endsWith('.tgz');
    },
  });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'), 'dir');
  // 2. npm pack (runs prepack: the production build into the copy's dist/)
  const packed = await exec(NPM, ['pack', '--json', '--pack-destination', tmp, '--loglevel=error'], src, 300_000);
  assert.equal(packed.code, 0, `npm pack failed:\n${packed.stderr}`);
  // prepack's build prints its own lines first; npm's JSON is the rest
  const info = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m)))[0] as { filename: string; files: { path: string }[] };
  tarball = path.join(tmp, info.filename);
  files = info.files.map((f) => f.path);
  // 3. an empty folder, the tarball installed into it, nothing else (as the README's CI section keeps it:
  //    in tools/, a devDependency)
  app = path.join(tmp, 'app');
  fs.mkdirSync(path.join(app, 'tools'), { recursive: true });
  fs.copyFileSync(tarball, path.join(app, 'tools', path.basename(tarball)));
  const installed = await exec(NPM, ['install', '--save-dev', ...NPM_FLAGS, `./tools/${path.basename(tarball)}`], app, 300_000);
  assert.equal(installed.code, 0, `npm install of the tarball failed:\n${installed.stderr}`);
  fs.writeFileSync(path.join(app, 'hi.wat'), fs.readFileSync(path.join(FIXTURES, 'hi.wat')));
  fs.writeFileSync(path.join(app, 'denied.wasm'), await wat2wasm(fs.readFileSync(path.join(FIXTURES, 'denied.wat'), 'utf8')));
  fs.writeFileSync(path.join(app, 'clean.wasm'), await wat2wasm(fs.readFileSync(path.join(FIXTURES, 'clean.wat'), 'utf8')));
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const warden = (args: string[], cwd = app) => exec(NPX, ['--no-install', 'wasm-warden', ...args], cwd);

describe('the CLI installed from its packed tarball into an empty folder', { concurrency: true }, () => {
  test('the tarball carries the built CLI and its processes, not the sources or tests', () => {
    assert.equal(path.basename(tarball), `wasm-warden-${pkg.version}.tgz`);
    for (const f of ['package.json', 'bin/wasm-warden.js', 'dist/cli.js', 'dist/sandbox-runner.js', 'dist/toolchain-worker.js', 'README.md']) {
      assert.ok(files.includes(f), `${f} is in the tarball (${files.join(', ')})`);
    }
    assert.deepEqual(files.filter((f) => /^(server|client|test|scripts|examples)\//.test(f) || f.endsWith('.map')), []);
  });

  test('the only packages installed are wasm-warden and its runtime dependencies', () => {
    const installed = fs.readdirSync(path.join(app, 'node_modules')).filter((n) => !n.startsWith('.')).sort();
    assert.equal(Object.keys(pkg.dependencies).some((d) => d in (pkg.devDependencies ?? {})), false);
    assert.deepEqual(installed, ['wasm-warden', ...Object.keys(pkg.dependencies)].sort());
    assert.ok(fs.existsSync(path.join(app, 'node_modules', '.bin', 'wasm-warden')));
  });

  test("the README's CI pipeline: npm ci installs it again from package.json and the lock file", async () => {
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')).devDependencies, { 'wasm-warden': `file:tools/${path.basename(tarball)}` });
    const ci = path.join(tmp, 'ci');
    fs.mkdirSync(ci);
    for (const f of ['package.json', 'package-lock.json', 'tools']) fs.cpSync(path.join(app, f), path.join(ci, f), { recursive: true });
    const installed = await exec(NPM, ['ci', ...NPM_FLAGS], ci, 300_000);
    assert.equal(installed.code, 0, `npm ci failed:\n${installed.stderr}`);
    const r = await warden(['check', '../app/denied.wasm', '--format', 'json'], ci);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).files[0].findings.map((f: { rule: string }) => f.rule).sort(), ['memory-unbounded', 'wasi-capability-denied']);
  });

  test('npx wasm-warden --version', async () => {
    const r = await warden(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `wasm-warden ${pkg.version}\n`);
  });

  test('check: findings of the default policy, exit 1; a clean module exits 0', async () => {
    const [denied, clean] = await Promise.all([warden(['check', 'denied.wasm']), warden(['check', 'clean.wasm'])]);
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(denied.stdout, /^denied\.wasm:1:1: error \[wasi-capability-denied\] Import wasi_snapshot_preview1\.sock_accept /m);
    assert.match(denied.stdout, /^denied\.wasm:1:1: error \[memory-unbounded\] /m);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  });

  test('validate (our validator, in process) and run (the sandbox process)', async () => {
    const [validate, run] = await Promise.all([warden(['validate', 'clean.wasm']), warden(['run', 'hi.wat'])]);
    assert.equal(validate.code, 0, validate.stdout + validate.stderr);
    assert.match(validate.stdout, /1 file validated: 0 errors/);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'hi\n');
  });
});
