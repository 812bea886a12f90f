// Issue 20 in the editor: Benchmark in Sandbox and Fuzz in Sandbox from the Command Palette, and their panels:
// the benchmark's histogram, then the comparison with the previous result plotted; the fuzzer's live findings,
// Stop, and the final list. The modules are written into the workspace copy before the workbench starts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TIMEOUT, useWorkbench } from './harness';

const COST_WAT = `(module (memory (export "memory") 1)
  (func $work (export "work") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $done (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (local.get $acc)))
`;

const BUGGY_WAT = `(module (memory (export "memory") 1)
  (func $ratio (export "ratio") (param $a i32) (param $b i32) (result i32) (i32.div_s (local.get $a) (local.get $b))))
`;

describe('Benchmark and Fuzz in Sandbox', () => {
  const wb = useWorkbench({ name: 'bench-fuzz', files: { 'cost.wat': COST_WAT, 'buggy.wat': BUGGY_WAT } });

  test('a benchmark shows its histogram, and the next one the comparison with it', async () => {
    const w = wb();
    // the extension is up once the example's broken.wat has its error
    await w.waitForProblem((p) => p.file === 'broken.wat' && p.severity === 'error');
    await w.openFromExplorer('cost.wat');
    await w.runCommand('Wasm Warden: Benchmark in Sandbox');
    await w.answerQuickInput('work 2000', { title: /what to call/ });
    await w.answerQuickInput('50', { title: /iterations/ });
    const first = await w.panelText('Benchmark: cost.wat', /ops\/s/);
    assert.match(first, /work\(2000\) · 50 iterations \(10 warm-up\)/, first);
    const frame = await w.panel('Benchmark: cost.wat');
    assert.equal(await frame.locator('svg.bench-histogram rect.bar').count(), 24, 'the histogram has its bars');
    assert.equal(await frame.locator('svg.bench-comparison').count(), 0, 'nothing to compare with yet');
    assert.ok(fs.existsSync(path.join(w.workspace, 'cost.bench.json')), 'the result is written beside the module');

    await w.runCommand('Wasm Warden: Benchmark in Sandbox');
    await w.answerQuickInput('work 2000', { title: /what to call/ });
    await w.answerQuickInput('50', { title: /iterations/ });
    const second = await w.panelText('Benchmark: cost.wat', /Against the baseline/);
    assert.match(second, /baseline\s+this run\s+change/, second);
    const again = await w.panel('Benchmark: cost.wat');
    await again.locator('svg.bench-comparison').waitFor({ timeout: TIMEOUT });
    assert.equal(await again.locator('svg.bench-comparison rect.baseline-bar').count(), 5, 'median, p90, p99, min, max against the baseline');
    assert.equal(await again.locator('svg.bench-histogram line.baseline').count(), 1, 'the baseline median on the histogram');
  });

  test('a fuzzing session shows its findings live; Stop ends it with the list', async () => {
    const w = wb();
    await w.openFromExplorer('buggy.wat');
    await w.runCommand('Wasm Warden: Fuzz in Sandbox');
    await w.answerQuickInput('', { title: /which export/ });
    await w.answerQuickInput('120s', { title: /how long/ });
    const frame = await w.panel('Fuzz: buggy.wat');
    await frame.locator('#findings', { hasText: 'trap:divide-by-zero@ratio' }).waitFor({ timeout: TIMEOUT });
    await frame.locator('#progress', { hasText: 'sites covered' }).waitFor({ timeout: TIMEOUT });
    await frame.getByRole('button', { name: 'Stop' }).click();
    const report = await w.panelText('Fuzz: buggy.wat', /Findings \(\d+\)/);
    assert.match(report, /trap:divide-by-zero@ratio/, report);
    assert.match(report, /ratio\(i32 0, i32 0\)/, `the minimised input:\n${report}`);
    const written = fs.readdirSync(path.join(w.workspace, 'fuzz-findings'));
    assert.ok(written.some((f) => f.startsWith('trap-trap-divide-by-zero-ratio')), written.join(', '));
  });
});
