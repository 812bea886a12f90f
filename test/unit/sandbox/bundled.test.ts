/**
 * The sandbox as shipped: bundled with esbuild (as scripts/build.mjs does), the runner found beside the
 * bundle by processEntry. Also the production start-up numbers (no tsx), against node:wasi.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rmrf, tempDir, wat2wasm } from './helpers';

const ROOT = path.join(__dirname, '..', '..', '..');
let dir: string;
before(() => (dir = tempDir('bundle')));
after(() => rmrf(dir));

it('runs from an esbuild bundle; start-up and total vs node:wasi', { timeout: 120_000 }, async (t) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild');
  await esbuild.build({
    absWorkingDir: ROOT, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['tsx'],
    // as scripts/build.mjs: ESM entry points first (jsonc-parser's UMD build has requires esbuild cannot follow)
    mainFields: ['module', 'main'],
    entryPoints: { bench: 'test/fixtures/sandbox/bundled-bench.ts', 'sandbox-runner': 'server/src/engine/sandbox/runner-process.ts' },
    outdir: dir,
  });
  const wasm = path.join(dir, 'hello.wasm');
  fs.writeFileSync(wasm, await wat2wasm(`(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1) (data (i32.const 16) "hello\\n")
    (func (export "_start") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 6))
      (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`));
  const reps = 7;
  const out = JSON.parse(execFileSync(process.execPath, [path.join(dir, 'bench.js'), wasm, String(reps)], { timeout: 100_000, env: {} }).toString());
  assert.equal(out.sandbox.length, reps);
  for (const r of out.sandbox) {
    assert.equal(r.outcome, 'exit');
    assert.equal(r.stdout, 'hello\n');
  }
  for (const r of out.direct) assert.equal(r.stdout, 'hello\n');
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1);
  t.diagnostic(`bundled, median of ${reps}: sandbox start-up ${med(out.sandbox.map((r: any) => r.startupMs))} ms, total ${med(out.sandbox.map((r: any) => r.durationMs))} ms; ` +
    `node:wasi in-process start-up ${med(out.direct.map((r: any) => r.startupMs))} ms, total ${med(out.direct.map((r: any) => r.durationMs))} ms`);
});
