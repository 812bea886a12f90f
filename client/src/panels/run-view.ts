/** The "Run in sandbox" panel: live output, clock, memory graph, WASI calls, violations, final report. */
import type { Alert, LiveStats, RunReport } from '../../../server/src/engine/sandbox/types';
import { escapeControls } from '../../../server/src/engine/sandbox/display-text';
import { describeTrustChange, type TrustChange } from '../../../server/src/engine/sandbox/trust';
import type { ImportPlan } from '../../../server/src/engine/sandbox/import-policy';
import { esc, formatBytes, section, table } from './html';
import { runOutcomeBadge, runOutcomeWord, statusBadge } from './status';

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

/** A live alert for the panel's list (set as text): rule, severity, action, what it saw. */
export function alertLine(a: Pick<Alert, 'rule' | 'severity' | 'action' | 'detail' | 'atMs'>): string {
  return `${a.atMs.toFixed(0)} ms ${a.severity.toUpperCase()} ${line(a.rule)}${a.action === 'notify' ? '' : ` (${a.action})`}: ${line(a.detail)}\n`;
}

/**
 * What the run does with the module's imports, one line each: what the policy denies (and whether the user
 * allowed it this once) and the generated stubs. Said in the live panel before the guest starts, and kept in
 * the final report (import names are guest-chosen: escaped like any guest text).
 */
export function importPlanLines(plan: ImportPlan | undefined): string[] {
  if (!plan) return [];
  const lines: string[] = [];
  const names = (xs: { module: string; name: string }[]) => xs.map((x) => `${x.module}.${x.name}`).join(', ');
  if (plan.denied.length) {
    lines.push(`${plan.deniedAllowed ? 'policy denies, allowed for this run' : 'policy denies (a call stops the run)'}: ${names(plan.denied)}`);
  }
  if (plan.stubs.length) lines.push(`generated stubs (${plan.stubs[0].mode}): ${names(plan.stubs)}`);
  return lines.map(line);
}

export function renderRunShell(file: string): string {
  return [
    `<h1>${esc(file.split(/[\\/]/).pop())} ${statusBadge('running', 'info')}</h1>`,
    `<p><button data-command="wasmWarden.stop">Stop</button></p>`,
    `<div id="stats">${renderRunStats({ elapsedMs: 0, memoryBytes: 0, peakMemoryBytes: 0, wasiCalls: {}, bytesRead: 0, bytesWritten: 0, violationCount: 0 })}</div>`,
    section('stdout', '<pre id="stdout" aria-live="polite"></pre>'),
    section('stderr', '<pre id="stderr"></pre>'),
    section('Violations', '<pre id="violations" class="violation"></pre>'),
    section('Alerts', '<pre id="alerts" class="violation" aria-live="polite"></pre>'),
  ].join('\n');
}

function metric(label: string, value: string): string {
  return `<div class="metric"><span class="value">${esc(value)}</span>${esc(label)}</div>`;
}

export function renderRunStats(s: LiveStats): string {
  const calls = Object.entries(s.wasiCalls).sort((a, b) => b[1].count - a[1].count);
  return [
    `<div class="metrics">${metric('elapsed', `${(s.elapsedMs / 1000).toFixed(1)} s`)}${metric('memory', formatBytes(s.memoryBytes))}${metric('peak memory', formatBytes(s.peakMemoryBytes))}${metric('read', formatBytes(s.bytesRead))}${metric('written', formatBytes(s.bytesWritten))}${metric('violations', String(s.violationCount))}</div>`,
    table(['WASI function', { label: 'calls', cls: 'c-narrow' }, { label: 'time', cls: 'c-medium' }], calls.map(([name, c]) => [{ text: name }, c.count, `${c.timeMs.toFixed(1)} ms`])),
  ].join('\n');
}

/**
 * Memory over time as an SVG chart with axes: bytes on the vertical axis (0 and the peak), milliseconds on
 * the horizontal one (0 and the run's length), both labelled. No inline styles or scripts (strict CSP).
 */
export function memoryGraph(timeline: { atMs: number; bytes: number }[]): string {
  if (timeline.length < 2) return '';
  const W = 480;
  const H = 150;
  const left = 70; // room for the byte labels
  const bottom = 30; // room for the time labels
  const top = 10;
  const right = 10;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const maxT = Math.max(...timeline.map((p) => p.atMs)) || 1;
  const maxB = Math.max(...timeline.map((p) => p.bytes)) || 1;
  const x = (t: number) => (left + (t / maxT) * plotW).toFixed(1);
  const y = (b: number) => (top + plotH - (b / maxB) * plotH).toFixed(1);
  const points = timeline.map((p) => `${x(p.atMs)},${y(p.bytes)}`).join(' ');
  const x0 = left;
  const y0 = top + plotH;
  return [
    `<svg class="memory-chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="memory over time: peak ${esc(formatBytes(maxB))} in ${esc(maxT.toFixed(0))} ms">`,
    `<line class="axis" x1="${x0}" y1="${top}" x2="${x0}" y2="${y0}" stroke="currentColor" stroke-width="1"/>`,
    `<line class="axis" x1="${x0}" y1="${y0}" x2="${W - right}" y2="${y0}" stroke="currentColor" stroke-width="1"/>`,
    `<text class="tick" x="${x0 - 4}" y="${top + 8}" text-anchor="end" font-size="10" fill="currentColor">${esc(formatBytes(maxB))}</text>`,
    `<text class="tick" x="${x0 - 4}" y="${y0}" text-anchor="end" font-size="10" fill="currentColor">0 B</text>`,
    `<text class="tick" x="${x0}" y="${y0 + 12}" text-anchor="start" font-size="10" fill="currentColor">0 ms</text>`,
    `<text class="tick" x="${W - right}" y="${y0 + 12}" text-anchor="end" font-size="10" fill="currentColor">${esc(maxT.toFixed(0))} ms</text>`,
    `<text class="axis-label" x="${left + plotW / 2}" y="${H - 2}" text-anchor="middle" font-size="10" fill="currentColor">time since start</text>`,
    `<text class="axis-label" x="12" y="${top + plotH / 2}" text-anchor="middle" font-size="10" fill="currentColor" transform="rotate(-90 12 ${top + plotH / 2})">memory</text>`,
    `<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${points}"/>`,
    '</svg>',
  ].join('');
}

export function renderRunFinal(file: string, r: RunReport & { trustChanges?: TrustChange[]; imports?: ImportPlan; restartedAfter?: Pick<RunReport, 'durationMs' | 'stoppedBy'> }): string {
  const violationCount = r.violationCount ?? r.violations.length;
  const outcome = line(
    r.outcome === 'exit'
      ? `exit code ${r.exitCode ?? 0}`
      : r.outcome === 'trap'
        ? `trapped: ${r.trap?.kind ?? ''} ${r.trap?.message ?? ''}`
        : `${runOutcomeWord(r)}${r.message ? `: ${r.message}` : ''}`,
  );
  const kinds = r.violationKinds ?? [];
  const shown = r.violations.length < violationCount ? ` (${violationCount} in all; the first ${r.violations.length} listed)` : '';
  const calls = Object.entries(r.wasiCalls).sort((a, b) => b[1].count - a[1].count);
  return [
    `<h1>${esc(file.split(/[\\/]/).pop())} ${runOutcomeBadge(r)}</h1>`,
    `<p class="summary">${esc(outcome)} · ${r.durationMs.toFixed(0)} ms (start-up ${r.startupMs.toFixed(0)} ms) · peak memory ${esc(formatBytes(r.peakMemoryBytes))}</p>`,
    r.trustChanges?.length
      ? section('Narrowed: the workspace is not trusted', `<ul>${r.trustChanges.map((c) => `<li>${esc(line(describeTrustChange(c)))}</li>`).join('')}</ul>`)
      : '',
    importPlanLines(r.imports).length ? section('Imports', `<pre id="imports">${esc(importPlanLines(r.imports).join('\n'))}</pre>`) : '',
    r.trap?.stack.length ? section('Wasm stack', `<pre>${esc(r.trap.stack.map(line).join('\n'))}</pre>`) : '',
    section('Memory over time', memoryGraph(r.memoryTimeline)),
    kinds.length
      ? section(
          `Violations by kind (${violationCount})`,
          table(
            [{ label: 'kind', cls: 'c-medium' }, { label: 'count', cls: 'c-narrow' }, 'first', 'latest'],
            kinds.map((k) => [{ text: line(k.kind) }, k.count, `${k.first.atMs.toFixed(0)} ms: ${line(k.first.detail)}`, `${k.latest.atMs.toFixed(0)} ms: ${line(k.latest.detail)}`]),
          ),
        )
      : '',
    section(
      `Violations (${r.violations.length})${shown}`,
      table([{ label: 'at', cls: 'c-narrow' }, { label: 'kind', cls: 'c-medium' }, 'detail'], r.violations.map((v) => [`${v.atMs.toFixed(0)} ms`, { text: line(v.kind) }, line(v.detail)])),
    ),
    r.restartedAfter ? section('Restarted', `<p>${esc(line(`A first run was ended by the alert ${r.restartedAfter.stoppedBy?.rule ?? ''} after ${r.restartedAfter.durationMs.toFixed(0)} ms (${r.restartedAfter.stoppedBy?.detail ?? ''}); this is the second run.`))}</p>`) : '',
    r.alerts.length
      ? section(
          'Alerts',
          table(
            [{ label: 'at', cls: 'c-narrow' }, { label: 'severity', cls: 'c-narrow' }, { label: 'rule', cls: 'c-medium' }, { label: 'action', cls: 'c-narrow' }, 'detail'],
            r.alerts.map((a) => [`${a.atMs.toFixed(0)} ms`, { text: a.severity ?? 'warning' }, { text: line(a.rule ?? a.kind) }, { text: a.action ?? 'notify' }, line(a.detail)]),
          ),
        )
      : '',
    section('WASI calls', table(['function', { label: 'calls', cls: 'c-narrow' }, { label: 'time', cls: 'c-medium' }], calls.map(([n, c]) => [{ text: n }, c.count, `${c.timeMs.toFixed(1)} ms`]))),
    section('stdout', `<pre id="stdout">${esc(r.stdout)}</pre>`),
    section('stderr', `<pre id="stderr">${esc(r.stderr)}</pre>`),
    `<p><button data-command="wasmWarden.saveRunReport">Save report as JSON</button></p>`,
  ].join('\n');
}
