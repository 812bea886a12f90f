/** The budget findings (engine/budget/limits.ts): the cap on findings per file, and what the messages say. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineDiagnostic } from '../../../server/src/engine/diagnostic';
import { capFindings, memoryBudgetFinding, sizeLimitFinding, timeBudgetFinding, DEFAULT_ANALYSIS_LIMITS } from '../../../server/src/engine/budget/limits';

const finding = (i: number): EngineDiagnostic => ({ code: 'wat-syntax', severity: 'error', source: 'wat-parser', message: `f${i}`, span: { start: i, end: i + 1 } });

test('findings past the cap are summed up in one', () => {
  const many = Array.from({ length: 2500 }, (_, i) => finding(i));
  const capped = capFindings(many, 1000);
  assert.equal(capped.length, 1001);
  assert.deepEqual(capped.slice(0, 1000), many.slice(0, 1000), 'the first ones, in order');
  const last = capped[1000];
  assert.equal(last.code, 'analysis-findings-capped');
  assert.equal(last.severity, 'info');
  assert.match(last.message, /^1500 more findings in this file are not shown \(the first 1000 are\)\. Run `wasm-warden check`/);
  const few = [finding(1), finding(2)];
  assert.equal(capFindings(few, 1000), few, 'under the cap: unchanged');
});

test("the engine's summaries of repeated findings are kept past the cap and not counted against it", () => {
  const summary = (code: string, n: number): EngineDiagnostic => ({ ...finding(0), code, message: `... and ${n} more '${code}' findings`, data: { withheld: n } });
  const list = [...Array.from({ length: 1000 }, (_, i) => finding(i)), summary('a', 5)];
  assert.equal(capFindings(list, 1000), list, 'summaries alone do not make a list go over');
  const over = [...Array.from({ length: 1500 }, (_, i) => finding(i)), summary('a', 5), summary('b', 7)];
  const capped = capFindings(over, 1000);
  assert.equal(capped.length, 1003);
  assert.deepEqual(capped.slice(1000, 1002).map((d) => d.code), ['a', 'b']);
  assert.match(capped[1002].message, /^500 more findings in this file are not shown/);
});

test('the budget findings say which budget, its setting, and how to analyse the file anyway', () => {
  const time = timeBudgetFinding('wasm', '/w/a.wasm', { timeoutMs: 5000 });
  assert.equal(time.code, 'analysis-time-budget');
  assert.match(time.message, /longer than 5000 ms.*wasmWarden\.analysis\.timeoutMs.*run `wasm-warden check "\/w\/a\.wasm"`/s);
  assert.doesNotMatch(time.message, /open it/, 'opening a .wasm does not check it');
  const memory = memoryBudgetFinding('wat', '/w/a.wat', { maxHeapMB: 512 });
  assert.match(memory.message, /more than 512 MB of memory.*wasmWarden\.analysis\.maxHeapMB.*open it in the editor or run `wasm-warden check/s);
  const open = sizeLimitFinding('/w/big.wat', { bytes: 100 * 1024 * 1024 }, DEFAULT_ANALYSIS_LIMITS, true);
  assert.equal(open.severity, 'info');
  assert.match(open.message, /it is 100\.0 MB, over the 20\.0 MB limit \(setting wasmWarden\.analysis\.maxFileSizeMB\)\. Syntax colouring and an outline/);
  const closed = sizeLimitFinding('/w/big.wat', { bytes: 5 * 1024 * 1024, tokens: 1_000_001 }, DEFAULT_ANALYSIS_LIMITS, false);
  assert.equal(closed.severity, 'warning', 'not open: its policy findings are unknown');
  assert.match(closed.message, /over 1,000,000 tokens in 5\.0 MB \(50,000 per MB of the limit/);
});
