/** The "Run in sandbox" panel: live output, clock, memory graph, WASI calls, violations, final report. */
import type { LiveStats, RunReport } from '../../../server/src/engine/sandbox/types';
import { escapeControls } from '../../../server/src/engine/sandbox/display-text';
import { describeTrustChange, type TrustChange } from '../../../server/src/engine/sandbox/trust';
import { badge, esc, formatBytes, section, table } from './html';

/**
 * Guest-chosen text (violation details, trap messages, stack names) shown in one line: HTML-escaped by
 * the table/esc, and its control and bidi characters made visible (escapeControls), so it cannot
 * reorder or fake the panel's own text. The guest's stdout/stderr stay as written, in their own boxes.
 */
const line = (s: string) => escapeControls(s);

/** A live violation for the panel's list (its text is set as text, not HTML). */
export function violationLine(v: { kind: string; detail: string }): string {
  return `${line(v.kind)}: ${line(v.detail)}\n`;
}

export function renderRunShell(file: string): string {
  return [
    `<h1>${esc(file.split(/[\\/]/).pop())} <span class="badge info">running</span></h1>`,
    `<p><button data-command="wasmWarden.stop">Stop</button></p>`,
    `<div id="stats">${renderRunStats({ elapsedMs: 0, memoryBytes: 0, peakMemoryBytes: 0, wasiCalls: {}, bytesRead: 0, bytesWritten: 0, violationCount: 0 })}</div>`,
    section('stdout', '<pre id="stdout" aria-live="polite"></pre>'),
    section('stderr', '<pre id="stderr"></pre>'),
    section('Violations', '<pre id="violations" class="violation"></pre>'),
  ].join('\n');
}

function metric(label: string, value: string): string {
  return `<div class="metric"><span class="value">${esc(value)}</span>${esc(label)}</div>`;
}

export function renderRunStats(s: LiveStats): string {
  const calls = Object.entries(s.wasiCalls).sort((a, b) => b[1].count - a[1].count);
  return [
    `<div class="metrics">${metric('elapsed', `${(s.elapsedMs / 1000).toFixed(1)} s`)}${metric('memory', formatBytes(s.memoryBytes))}${metric('peak memory', formatBytes(s.peakMemoryBytes))}${metric('read', formatBytes(s.bytesRead))}${metric('written', formatBytes(s.bytesWritten))}${metric('violations', String(s.violationCount))}</div>`,
    table(['WASI function', 'calls', 'time'], calls.map(([name, c]) => [name, c.count, `${c.timeMs.toFixed(1)} ms`])),
  ].join('\n');
}

/** An SVG polyline of memory over time (no inline styles or scripts, so the CSP stays strict). */
export function memoryGraph(timeline: { atMs: number; bytes: number }[]): string {
  if (timeline.length < 2) return '';
  const maxT = Math.max(...timeline.map((p) => p.atMs)) || 1;
  const maxB = Math.max(...timeline.map((p) => p.bytes)) || 1;
  const points = timeline.map((p) => `${((p.atMs / maxT) * 400).toFixed(1)},${(100 - (p.bytes / maxB) * 100).toFixed(1)}`).join(' ');
  return `<svg viewBox="0 0 400 100" width="400" height="100" role="img" aria-label="memory over time, peak ${esc(formatBytes(maxB))}"><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${points}"/></svg>`;
}

export function renderRunFinal(file: string, r: RunReport & { trustChanges?: TrustChange[] }): string {
  const violationCount = r.violationCount ?? r.violations.length;
  const ok = r.outcome === 'exit' && (r.exitCode ?? 0) === 0 && violationCount === 0;
  const outcome = line(
    r.outcome === 'exit' ? `exit code ${r.exitCode ?? 0}` : r.outcome === 'trap' ? `trap: ${r.trap?.kind ?? ''} ${r.trap?.message ?? ''}` : `${r.outcome}${r.message ? `: ${r.message}` : ''}`,
  );
  const kinds = r.violationKinds ?? [];
  const shown = r.violations.length < violationCount ? ` (${violationCount} in all; the first ${r.violations.length} listed)` : '';
  const calls = Object.entries(r.wasiCalls).sort((a, b) => b[1].count - a[1].count);
  return [
    `<h1>${esc(file.split(/[\\/]/).pop())} ${badge(ok ? 'ok' : r.outcome === 'exit' ? 'warning' : 'error')}</h1>`,
    `<p class="summary">${esc(outcome)} · ${r.durationMs.toFixed(0)} ms (start-up ${r.startupMs.toFixed(0)} ms) · peak memory ${esc(formatBytes(r.peakMemoryBytes))}</p>`,
    r.trustChanges?.length
      ? section('Narrowed: the workspace is not trusted', `<ul>${r.trustChanges.map((c) => `<li>${esc(line(describeTrustChange(c)))}</li>`).join('')}</ul>`)
      : '',
    r.trap?.stack.length ? section('Wasm stack', `<pre>${esc(r.trap.stack.map(line).join('\n'))}</pre>`) : '',
    section('Memory over time', memoryGraph(r.memoryTimeline)),
    kinds.length
      ? section(
          `Violations by kind (${violationCount})`,
          table(['kind', 'count', 'first', 'latest'], kinds.map((k) => [line(k.kind), k.count, `${k.first.atMs.toFixed(0)} ms: ${line(k.first.detail)}`, `${k.latest.atMs.toFixed(0)} ms: ${line(k.latest.detail)}`])),
        )
      : '',
    section(`Violations (${r.violations.length})${shown}`, table(['at', 'kind', 'detail'], r.violations.map((v) => [`${v.atMs.toFixed(0)} ms`, line(v.kind), line(v.detail)]))),
    r.alerts.length ? section('Alerts', table(['at', 'kind', 'detail'], r.alerts.map((a) => [`${a.atMs.toFixed(0)} ms`, a.kind, line(a.detail)]))) : '',
    section('WASI calls', table(['function', 'calls', 'time'], calls.map(([n, c]) => [n, c.count, `${c.timeMs.toFixed(1)} ms`]))),
    section('stdout', `<pre id="stdout">${esc(r.stdout)}</pre>`),
    section('stderr', `<pre id="stderr">${esc(r.stderr)}</pre>`),
    `<p><button data-command="wasmWarden.saveRunReport">Save report as JSON</button></p>`,
  ].join('\n');
}
