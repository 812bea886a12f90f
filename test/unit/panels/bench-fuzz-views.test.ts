/** The benchmark and fuzz panels: hostile names stay text, the histogram counts every sample, the baseline and coverage are plotted. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { histogramBins, renderBench } from '../../../client/src/panels/bench-view';
import { findingLine, renderFuzzFinal, renderFuzzProgress } from '../../../client/src/panels/fuzz-view';
import { benchStats, compareBench, type BenchResult } from '../../../server/src/engine/operations/bench';

const HOSTILE = '<img src=x onerror=alert(1)>\u202e';

function result(samples: number[], extra: Partial<BenchResult> = {}): BenchResult {
  return {
    kind: 'wasm-warden-bench', version: 1, file: `/w/${HOSTILE}.wasm`, entry: { export: `<script>alert(1)</script>`, args: [1] },
    stats: benchStats(samples, samples.map(() => 2), 3, 65536), samplesMs: samples, outcome: 'exit', violationCount: 0,
    alerts: [{ kind: 'violations', rule: HOSTILE, severity: 'critical', action: 'notify', value: 1, detail: HOSTILE, atMs: 1 }], ...extra,
  };
}

describe('bench panel', () => {
  test('histogram bins hold every sample once', () => {
    const xs = [1, 1.5, 2, 2, 3, 9.99, 10];
    const bins = histogramBins(xs, 5);
    assert.equal(bins.length, 5);
    assert.equal(bins.reduce((n, b) => n + b.n, 0), xs.length);
    assert.equal(bins[4].n, 2, 'the maximum falls in the last bin');
    assert.deepEqual(histogramBins([4, 4, 4]).map((b) => b.n), [3], 'all equal: one bin');
  });

  test('statistics: nearest-rank percentiles, mean-based ops/s', () => {
    const s = benchStats(Array.from({ length: 100 }, (_, i) => i + 1), [], 0, 0);
    assert.deepEqual([s.medianMs, s.p90Ms, s.p99Ms, s.minMs, s.maxMs, s.meanMs], [50.5, 90, 99, 1, 100, 50.5]);
    assert.equal(s.opsPerSec, Math.round((1000 / 50.5) * 10) / 10);
  });

  test('renders inert with hostile names, with the histogram and the comparison plotted', () => {
    const now = result([1, 2, 3, 4, 5]);
    const base = result([1, 1, 1, 1, 1]);
    const r = { ...now, comparison: compareBench(now.stats, { file: `/w/${HOSTILE}.json`, result: base }, 10) };
    const html = renderBench(r);
    assert.ok(!html.includes('<img') && !html.includes('<script'), 'no element from a name');
    assert.ok(!html.includes('\u202e'), 'bidi controls shown escaped');
    assert.match(html, /class="bench-histogram"/);
    assert.equal((html.match(/class="bar"/g) ?? []).length, 24);
    assert.match(html, /class="baseline"/, 'the baseline median is marked on the histogram');
    assert.equal((html.match(/class="baseline-bar"/g) ?? []).length, 5);
    assert.match(html, /regression: \+200%/);
    assert.ok(!/style=/.test(html), 'no inline styles (CSP)');
  });
});

describe('fuzz panel', () => {
  test('renders findings inert, with the coverage bar and the minimised inputs', () => {
    const finding = {
      kind: 'wasm-warden-fuzz-finding' as const, version: 1 as const, module: `/w/${HOSTILE}.wasm`, seed: 7, exec: 12,
      cause: { kind: 'trap' as const, key: `trap:unreachable@${HOSTILE}`, detail: HOSTILE },
      input: { kind: 'export' as const, export: HOSTILE, args: [{ type: 'f64' as const, value: 'NaN', bits: '7ff4000000000000' }] },
      original: { kind: 'command' as const, argv: [HOSTILE], env: {}, stdin: '', files: [] },
      file: `/w/fuzz-findings/${HOSTILE}.json`,
    };
    const html = renderFuzzFinal({ kind: 'wasm-warden-fuzz', file: `/w/${HOSTILE}.wasm`, seed: 7, mode: 'exports', targets: [{ export: HOSTILE, params: ['f64'] }], findings: [finding], outcome: 'exit',
      progress: { execs: 10, execsPerSec: 5, elapsedMs: 2000, coverage: { sites: 4, covered: 3, functions: 2, functionsCovered: 2 }, corpus: 2, findings: 1 } });
    assert.ok(!html.includes('<img') && !html.includes('\u202e'));
    assert.match(html, /class="coverage-bar"/);
    assert.match(html, /f64 NaN 0x7ff4000000000000/, 'a NaN payload is shown by its bits');
    assert.match(html, /1 finding/);
    assert.ok(!findingLine(finding).includes('\u202e'));
    assert.match(renderFuzzProgress({ execs: 1, execsPerSec: 1, elapsedMs: 1, coverage: { sites: 0, covered: 0, functions: 0, functionsCovered: 0 }, corpus: 0, findings: 0 }), /sites covered/);
  });
});
