/**
 * A real WASI program compiled from C (Debian clang + wasi-libc) runs the same under our sandbox as
 * under node:wasi: same stdout, same exit code, same file written. Also measures both (start-up and
 * total), and the monitoring cost per WASI call. Without clang for WASI: skipped with a message, or failed in CI / `npm test` (test/clang.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WASI } from 'node:wasi';
import { runSandboxed, SandboxOptions } from '../../../server/src/engine/sandbox/runner';
import { exitStatusOf } from '../../../server/src/engine/sandbox/exit-status';
import { rmrf, tempDir } from './helpers';
import { clangMissing } from '../../clang';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'sandbox');
const T = { timeout: 180_000 };

let dir: string;
let clangError: string | undefined;
const wasm: Record<string, Uint8Array> = {};

function build(name: string): Uint8Array {
  const out = path.join(dir, `${name}.wasm`);
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', path.join(FIXTURES, `${name}.c`), '-o', out], { stdio: 'pipe', timeout: 60_000 });
  return fs.readFileSync(out);
}

/** Runs with node:wasi in this process; stdout/stderr go to files. */
function runNodeWasi(bytes: Uint8Array, o: { args: string[]; env: Record<string, string>; preopens: Record<string, string> }) {
  const outFile = path.join(dir, `node-out-${process.hrtime.bigint()}`);
  const errFile = `${outFile}.err`;
  const fd = fs.openSync(outFile, 'w+');
  const efd = fs.openSync(errFile, 'w+');
  const t0 = performance.now();
  const wasi = new WASI({ version: 'preview1', args: o.args, env: o.env, preopens: o.preopens, returnOnExit: true, stdout: fd, stderr: efd });
  const instance = new (globalThis as any).WebAssembly.Instance(new (globalThis as any).WebAssembly.Module(bytes), wasi.getImportObject());
  const t1 = performance.now();
  const exitCode = wasi.start(instance);
  const t2 = performance.now();
  fs.closeSync(fd);
  fs.closeSync(efd);
  const output = fs.readFileSync(outFile, 'utf8');
  const errors = fs.readFileSync(errFile, 'utf8');
  fs.unlinkSync(outFile);
  fs.unlinkSync(errFile);
  return { exitCode, output, errors, startupMs: t1 - t0, totalMs: t2 - t0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('a real C program under the sandbox', () => {
  before(() => {
    dir = tempDir('c');
    try {
      wasm.wellbehaved = build('wellbehaved');
      wasm.calls = build('calls');
      wasm.flood = build('flood-then-exit');
    } catch (e) {
      clangError = `clang cannot build WASI programs here: ${(e as Error).message.split('\n')[0]}`;
    }
  });
  after(() => rmrf(dir));

  function mounts() {
    const inDir = path.join(dir, 'in');
    const outDir = path.join(dir, 'out');
    rmrf(inDir);
    rmrf(outDir);
    fs.mkdirSync(inDir);
    fs.mkdirSync(outDir);
    fs.writeFileSync(path.join(inDir, 'input.txt'), 'hello from the host\n');
    fs.writeFileSync(path.join(inDir, 'other.txt'), 'x');
    return { inDir, outDir };
  }

  it('a flood of refusals then a new kind of violation then exit(256): all counted, the new kind kept, the run never passes', T, async (t) => {
    if (clangError) return t.skip(clangError);
    const { inDir } = mounts();
    const r = await runSandboxed(wasm.flood, { dirs: [{ host: inDir, guest: '/data', readOnly: true }], args: ['flood'], env: {}, timeoutMs: 30_000 });
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.stdout, 'refused 1500, write refused\n');
    assert.equal(r.exitCode, 256);
    assert.equal(exitStatusOf(r).status, 1);
    assert.equal(fs.existsSync(path.join(inDir, 'planted.txt')), false);
    assert.deepEqual(r.violationKinds.map((k) => [k.kind, k.count]), [['path-escape', 1500], ['read-only', 1]]);
    assert.equal(r.violationCount, 1501);
    assert.equal(r.violations.at(-1)!.kind, 'read-only', 'kept although 1000 were kept before it');
  });

  it('gives the same stdout, exit code and output file as node:wasi', T, async (t) => {
    if (clangError) return clangMissing(t, clangError);
    const args = ['prog', 'first-arg'];
    const env = { GREETING: 'hi' };
    const a = mounts();
    const direct = runNodeWasi(wasm.wellbehaved, { args, env, preopens: { '/in': a.inDir, '/out': a.outDir } });
    const directFile = fs.readFileSync(path.join(a.outDir, 'result.txt'), 'utf8');
    const b = mounts();
    const options: SandboxOptions = {
      dirs: [{ host: b.inDir, guest: '/in', readOnly: true }, { host: b.outDir, guest: '/out', readOnly: false }],
      args, env, timeoutMs: 30_000,
    };
    const r = await runSandboxed(wasm.wellbehaved, options);
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.exitCode, direct.exitCode);
    assert.equal(r.stdout, direct.output);
    assert.equal(r.stderr, direct.errors);
    assert.equal(r.stderr, 'done\n');
    assert.match(r.stdout, /escape: refused/);
    assert.equal(fs.readFileSync(path.join(b.outDir, 'result.txt'), 'utf8'), directFile);
    assert.equal(directFile, 'upper:HELLO FROM THE HOST\n');
    assert.deepEqual(r.violations.map((v) => v.kind), ['path-escape']);
    assert.ok(r.wasiCalls.path_open.count >= 3);
    assert.ok(r.wasiCalls.fd_readdir.count >= 1);
    assert.ok(r.wasiCalls.poll_oneoff.count >= 1, 'nanosleep goes through poll_oneoff');
    // the same program metered with fuel (code section rewritten) behaves the same
    const c = mounts();
    const metered = await runSandboxed(wasm.wellbehaved, {
      ...options, fuel: 1e12,
      dirs: [{ host: c.inDir, guest: '/in', readOnly: true }, { host: c.outDir, guest: '/out', readOnly: false }],
    });
    assert.equal(metered.outcome, 'exit', metered.message);
    assert.equal(metered.stdout, direct.output);
    assert.ok(metered.fuelConsumed! > 1000);
    t.diagnostic(`fuel used by the C program: ${metered.fuelConsumed}`);
  });

  it('measures start-up and total time against node:wasi, and the cost per monitored WASI call', T, async (t) => {
    if (clangError) return clangMissing(t, clangError);
    const reps = 5;
    const sandbox: { startup: number; total: number }[] = [];
    const direct: { startup: number; total: number }[] = [];
    for (let i = 0; i < reps; i++) {
      const a = mounts();
      const d = runNodeWasi(wasm.wellbehaved, { args: ['prog'], env: {}, preopens: { '/in': a.inDir, '/out': a.outDir } });
      direct.push({ startup: d.startupMs, total: d.totalMs });
      const r = await runSandboxed(wasm.wellbehaved, {
        dirs: [{ host: a.inDir, guest: '/in', readOnly: true }, { host: a.outDir, guest: '/out', readOnly: false }],
        args: ['prog'], env: {}, timeoutMs: 30_000,
      });
      assert.equal(r.outcome, 'exit');
      sandbox.push({ startup: r.startupMs, total: r.durationMs });
    }
    const n = 1_000_000;
    const guestArgs = ['calls', String(n)];
    const d = runNodeWasi(wasm.calls, { args: guestArgs, env: {}, preopens: {} });
    assert.equal(d.exitCode, 0);
    const r = await runSandboxed(wasm.calls, { dirs: [], args: guestArgs, env: {}, timeoutMs: 120_000 });
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.wasiCalls.clock_time_get.count, n);
    const sandboxRunMs = r.durationMs - r.startupMs;
    const directRunMs = d.totalMs - d.startupMs;
    const perCallNs = ((sandboxRunMs - directRunMs) / n) * 1e6;
    const m = (xs: { startup: number; total: number }[], k: 'startup' | 'total') => median(xs.map((x) => x[k])).toFixed(1);
    t.diagnostic(`well-behaved C program, median of ${reps}: sandbox start-up ${m(sandbox, 'startup')} ms, total ${m(sandbox, 'total')} ms; node:wasi in-process start-up ${m(direct, 'startup')} ms, total ${m(direct, 'total')} ms`);
    t.diagnostic(`${n} clock_time_get calls: sandbox ${sandboxRunMs.toFixed(1)} ms (in-call time ${r.wasiCalls.clock_time_get.timeMs.toFixed(1)} ms), node:wasi ${directRunMs.toFixed(1)} ms; difference ${perCallNs.toFixed(0)} ns per call`);
  });
});
