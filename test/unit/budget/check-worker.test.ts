/**
 * The analysis worker (engine/budget/check-worker.ts) run from source: files are checked off the main
 * thread under the policy given; a file over the time or memory budget is stopped and gets a finding
 * that says so; the next file gets a fresh thread; WAT over the size or token budget is not parsed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CheckWorker } from '../../../server/src/engine/budget/check-worker';
import { DEFAULT_ANALYSIS_LIMITS, type AnalysisLimits } from '../../../server/src/engine/budget/limits';
import { PolicyStore } from '../../../server/src/engine/policy/store';
import { wat } from '../binary/wasm-fixtures';

let dir: string;
let limits: AnalysisLimits;
let worker: CheckWorker;
const policies = () => new PolicyStore({ roots: [dir] });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-check-worker-'));
  fs.writeFileSync(path.join(dir, 'wasm-warden.policy.json'), JSON.stringify({ imports: { deny: ['wasi_snapshot_preview1.path_*'] } }));
  fs.writeFileSync(path.join(dir, 'denied.wasm'), await wat(`(module (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32))))`));
  fs.writeFileSync(path.join(dir, 'app.wat'), `(module\n  (memory 1))\n`);
  // 300,000 empty functions: far more parse tree than a 64 MB heap holds
  fs.writeFileSync(path.join(dir, 'funcs.wat'), `(module ${'(func)'.repeat(300_000)})`);
  limits = { ...DEFAULT_ANALYSIS_LIMITS };
  worker = new CheckWorker({ limits: () => limits, idleMs: 1000 });
});
after(async () => {
  await worker.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a file is checked on the worker under the policy given', async () => {
  const store = policies();
  const wasm = await worker.check(path.join(dir, 'denied.wasm'), store.policyFor(path.join(dir, 'denied.wasm')));
  assert.equal(wasm.kind, 'done');
  assert.ok(wasm.kind === 'done' && wasm.diagnostics.some((d) => d.code === 'import-not-allowed'));
  const text = await worker.check(path.join(dir, 'app.wat'), store.policyFor(path.join(dir, 'app.wat')));
  assert.equal(text.kind, 'done');
  if (text.kind !== 'done') return;
  const unbounded = text.diagnostics.findIndex((d) => d.code === 'memory-unbounded');
  assert.ok(unbounded >= 0);
  assert.equal(text.ranges![unbounded].start.line, 1, 'WAT findings come with line/character ranges');
});

test('a file over the time budget is stopped with a finding, and the next file is checked', async () => {
  limits = { ...DEFAULT_ANALYSIS_LIMITS, timeoutMs: 100 };
  const store = policies();
  // 300,000 functions take seconds to parse and check (the crafted module of empty sections is read in
  // well under 100 ms since custom sections past 1000 are counted, not listed)
  const file = path.join(dir, 'funcs.wat');
  const started = Date.now();
  const result = await worker.check(file, store.policyFor(file));
  assert.equal(result.kind, 'over-budget');
  if (result.kind !== 'over-budget') return;
  assert.equal(result.finding.code, 'analysis-time-budget');
  assert.equal(result.finding.severity, 'warning');
  assert.match(result.finding.message, /longer than 100 ms/);
  assert.match(result.finding.message, /wasmWarden\.analysis\.timeoutMs/);
  assert.match(result.finding.message, /wasm-warden check/);
  assert.ok(Date.now() - started < 5000, 'stopped at its budget, not at the end of the work');
  limits = { ...DEFAULT_ANALYSIS_LIMITS };
  const next = await worker.check(path.join(dir, 'denied.wasm'), store.policyFor(path.join(dir, 'denied.wasm')));
  assert.equal(next.kind, 'done', 'a fresh thread checks the next file');
});

test('a file over the memory budget is stopped with a finding', async () => {
  limits = { ...DEFAULT_ANALYSIS_LIMITS, maxHeapMB: 64, maxWatTokens: Number.MAX_SAFE_INTEGER, timeoutMs: 60_000 };
  const store = policies();
  const file = path.join(dir, 'funcs.wat');
  const result = await worker.check(file, store.policyFor(file));
  assert.equal(result.kind, 'over-budget');
  if (result.kind !== 'over-budget') return;
  assert.equal(result.finding.code, 'analysis-memory-budget');
  assert.match(result.finding.message, /more than 64 MB of memory/);
  assert.match(result.finding.message, /open it in the editor/, 'a WAT can be analysed by opening it');
  limits = { ...DEFAULT_ANALYSIS_LIMITS };
  const next = await worker.check(path.join(dir, 'app.wat'), store.policyFor(path.join(dir, 'app.wat')));
  assert.equal(next.kind, 'done');
});

test('WAT over the size or token budget is not parsed: a size finding', async () => {
  const store = policies();
  const file = path.join(dir, 'funcs.wat');
  limits = { ...DEFAULT_ANALYSIS_LIMITS, maxWatTokens: 100_000 };
  const byTokens = await worker.check(file, store.policyFor(file));
  assert.ok(byTokens.kind === 'done' && byTokens.diagnostics.length === 1);
  assert.equal(byTokens.diagnostics[0].code, 'analysis-size-limit');
  assert.match(byTokens.diagnostics[0].message, /over 100,000 tokens in 1\.7 MB/);
  limits = { ...DEFAULT_ANALYSIS_LIMITS, maxWatBytes: 1024 * 1024 };
  const bySize = await worker.check(file, store.policyFor(file));
  assert.ok(bySize.kind === 'done' && bySize.diagnostics[0].code === 'analysis-size-limit');
  assert.match(bySize.diagnostics[0].message, /it is 1\.7 MB, over the 1\.0 MB limit/);
  limits = { ...DEFAULT_ANALYSIS_LIMITS };
});

test('an unreadable file fails with the reason, and the worker goes on', async () => {
  const store = policies();
  const missing = path.join(dir, 'missing.wasm');
  const result = await worker.check(missing, store.policyFor(missing));
  assert.equal(result.kind, 'failed');
  assert.match(result.kind === 'failed' ? result.message : '', /ENOENT/);
  assert.equal((await worker.check(path.join(dir, 'denied.wasm'), store.policyFor(path.join(dir, 'denied.wasm')))).kind, 'done');
});
