/**
 * The "Benchmark" panel: the figures of a `bench` result, a histogram of the iterations' times (with the
 * median, and the baseline's median when there is one, marked), and the comparison with the baseline
 * plotted as paired bars (median, p90, p99, min, max). Pure HTML/SVG, every value escaped, no inline
 * styles or scripts (strict CSP).
 */
import type { BenchResult, BenchStats } from '../../../server/src/engine/operations/bench';
import { escapeControls } from '../../../server/src/engine/sandbox/display-text';
import { esc, formatBytes, section, table } from './html';
import { statusBadge } from './status';

/** A time for people: µs below a millisecond. */
export function formatMs(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return x >= 100 ? `${x.toFixed(1)} ms` : x >= 1 ? `${x.toFixed(3)} ms` : `${(x * 1000).toFixed(2)} µs`;
}

/** `count` equal-width bins over [min, max] of the samples. */
export function histogramBins(samples: readonly number[], count = 24): { from: number; to: number; n: number }[] {
  const xs = samples.filter((x) => Number.isFinite(x));
  if (!xs.length) return [];
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  const width = max > min ? (max - min) / count : 1;
  const bins = Array.from({ length: max > min ? count : 1 }, (_, i) => ({ from: min + i * width, to: min + (i + 1) * width, n: 0 }));
  for (const x of xs) bins[Math.min(bins.length - 1, Math.floor((x - min) / width))].n++;
  return bins;
}

const W = 520;
const H = 180;
const LEFT = 44;
const RIGHT = 10;
const TOP = 12;
const BOTTOM = 32;

function text(x: number, y: number, s: string, anchor: 'start' | 'middle' | 'end', cls = 'tick'): string {
  return `<text class="${cls}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}" font-size="10" fill="currentColor">${esc(s)}</text>`;
}

/** The histogram of the iterations' times; vertical lines at the median and at the baseline's median. */
export function histogram(samples: readonly number[], median: number, baselineMedian?: number): string {
  const bins = histogramBins(samples);
  if (!bins.length) return '<p>No iteration was measured.</p>';
  let lo = bins[0].from;
  let hi = bins[bins.length - 1].to;
  if (baselineMedian !== undefined && Number.isFinite(baselineMedian)) {
    lo = Math.min(lo, baselineMedian);
    hi = Math.max(hi, baselineMedian);
  }
  if (hi <= lo) hi = lo + 1;
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const x = (v: number) => LEFT + ((v - lo) / (hi - lo)) * plotW;
  const maxN = Math.max(...bins.map((b) => b.n)) || 1;
  const y0 = TOP + plotH;
  const bars = bins
    .map((b) => {
      const h = (b.n / maxN) * plotH;
      const x1 = x(b.from);
      const w = Math.max(1, x(b.to) - x1 - 1);
      return `<rect class="bar" x="${x1.toFixed(1)}" y="${(y0 - h).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="currentColor" fill-opacity="0.55"><title>${esc(`${formatMs(b.from)} - ${formatMs(b.to)}: ${b.n}`)}</title></rect>`;
    })
    .join('');
  const marker = (v: number, label: string, cls: string, dash: boolean) =>
    `<line class="${cls}" x1="${x(v).toFixed(1)}" y1="${TOP}" x2="${x(v).toFixed(1)}" y2="${y0}" stroke="currentColor" stroke-width="1.5"${dash ? ' stroke-dasharray="4 3"' : ''}/>` +
    text(x(v) + 3, TOP + 9, label, 'start', 'marker-label');
  return [
    `<svg class="bench-histogram" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`histogram of ${samples.length} iterations, median ${formatMs(median)}`)}">`,
    `<line class="axis" x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${y0}" stroke="currentColor" stroke-width="1"/>`,
    `<line class="axis" x1="${LEFT}" y1="${y0}" x2="${W - RIGHT}" y2="${y0}" stroke="currentColor" stroke-width="1"/>`,
    bars,
    marker(median, 'median', 'median', false),
    baselineMedian !== undefined ? marker(baselineMedian, 'baseline median', 'baseline', true) : '',
    text(LEFT - 4, TOP + 8, String(maxN), 'end'),
    text(LEFT - 4, y0, '0', 'end'),
    text(LEFT, y0 + 12, formatMs(lo), 'start'),
    text(W - RIGHT, y0 + 12, formatMs(hi), 'end'),
    text(LEFT + plotW / 2, H - 2, 'time per iteration', 'middle', 'axis-label'),
    '</svg>',
  ].join('');
}

const COMPARED: { key: keyof BenchStats & `${string}Ms`; label: string }[] = [
  { key: 'medianMs', label: 'median' },
  { key: 'p90Ms', label: 'p90' },
  { key: 'p99Ms', label: 'p99' },
  { key: 'minMs', label: 'min' },
  { key: 'maxMs', label: 'max' },
];

/** Paired bars, baseline (hollow) and this run (filled), per statistic, on one scale. */
export function comparisonChart(now: BenchStats, baseline: BenchStats): string {
  const rowH = 26;
  const h = TOP + COMPARED.length * rowH + 16;
  const labelW = 60;
  const plotW = W - labelW - 110;
  const max = Math.max(...COMPARED.flatMap(({ key }) => [now[key], baseline[key]]).filter(Number.isFinite), 1e-9);
  const rows = COMPARED.map(({ key, label }, i) => {
    const y = TOP + i * rowH;
    const wb = (baseline[key] / max) * plotW;
    const wn = (now[key] / max) * plotW;
    const change = baseline[key] > 0 ? ((now[key] - baseline[key]) / baseline[key]) * 100 : 0;
    return [
      text(labelW - 6, y + 14, label, 'end'),
      `<rect class="baseline-bar" x="${labelW}" y="${y + 2}" width="${Math.max(1, wb).toFixed(1)}" height="9" fill="none" stroke="currentColor" stroke-width="1"><title>${esc(`baseline ${label}: ${formatMs(baseline[key])}`)}</title></rect>`,
      `<rect class="current-bar" x="${labelW}" y="${y + 12}" width="${Math.max(1, wn).toFixed(1)}" height="9" fill="currentColor" fill-opacity="0.6"><title>${esc(`this run ${label}: ${formatMs(now[key])}`)}</title></rect>`,
      text(labelW + Math.max(wb, wn) + 6, y + 14, `${formatMs(now[key])} (${change > 0 ? '+' : ''}${change.toFixed(1)}%)`, 'start'),
    ].join('');
  }).join('');
  return [
    `<svg class="bench-comparison" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="this run against the baseline: median, p90, p99, min, max">`,
    rows,
    text(labelW, h - 2, 'hollow: baseline, filled: this run', 'start', 'axis-label'),
    '</svg>',
  ].join('');
}

export function renderBench(r: BenchResult): string {
  const s = r.stats;
  const what = 'export' in r.entry ? `${r.entry.export}(${r.entry.args.join(', ')})` : r.entry.command.join(' ');
  const c = r.comparison;
  const ok = r.outcome === 'exit' && !c?.regressed;
  const badge = c?.regressed
    ? statusBadge(`regression: +${c.changePct.medianMs}%`, 'error', 'the median is slower than the baseline by more than the threshold')
    : r.outcome !== 'exit'
      ? statusBadge('stopped', 'error', 'an iteration ended the benchmark')
      : statusBadge('done', 'ok');
  const metrics = [
    ['median', formatMs(s.medianMs)], ['p90', formatMs(s.p90Ms)], ['p99', formatMs(s.p99Ms)], ['min', formatMs(s.minMs)], ['max', formatMs(s.maxMs)],
    ['ops/s', String(s.opsPerSec)], ['peak memory', formatBytes(s.peakMemoryBytes)], ['WASI calls / iteration', String(s.wasiCallsPerIteration)],
  ];
  const why = r.trap ? `trap (${r.trap.kind}): ${r.trap.message}` : (r.message ?? r.outcome);
  return [
    `<h1>${esc(escapeControls(r.file.split(/[\\/]/).pop() ?? ''))} ${badge}</h1>`,
    `<p class="summary">${esc(escapeControls(what))} · ${s.iterations} iterations (${s.warmup} warm-up)</p>`,
    ok || r.outcome === 'exit' ? '' : `<p class="violation">${esc(escapeControls(`Stopped after ${s.iterations} iterations: ${why}`))}</p>`,
    `<div class="metrics">${metrics.map(([l, v]) => `<div class="metric"><span class="value">${esc(v)}</span>${esc(l)}</div>`).join('')}</div>`,
    section('Time per iteration', histogram(r.samplesMs, s.medianMs, c?.baseline.medianMs)),
    c
      ? section(
          `Against the baseline (${escapeControls(c.file.split(/[\\/]/).pop() ?? '')})`,
          comparisonChart(s, c.baseline) +
            table(['', 'baseline', 'this run', 'change'], COMPARED.map(({ key, label }) => [label, formatMs(c.baseline[key]), formatMs(s[key]), `${c.changePct[key] > 0 ? '+' : ''}${c.changePct[key]}%`])),
        )
      : '',
    r.alerts.length ? section('Alerts', table(['rule', 'severity', 'detail'], r.alerts.map((a) => [{ text: escapeControls(a.rule) }, a.severity, escapeControls(a.detail)]))) : '',
  ].join('\n');
}
