/**
 * The "Fuzz" panel: live progress (executions, rate, coverage of function entries and loop headers as a bar,
 * corpus, findings), each finding as it is found, Stop; then the final result with every finding's cause,
 * minimised input, seed and file. Guest-chosen text (export names, details, argv) is escaped and its control
 * and bidi characters made visible; no inline styles or scripts (strict CSP).
 */
import type { FuzzResult } from '../../../server/src/engine/operations/fuzz';
import type { FuzzFinding, FuzzProgress } from '../../../server/src/engine/fuzz/types';
import { escapeControls } from '../../../server/src/engine/sandbox/display-text';
import { esc, section, table } from './html';
import { statusBadge } from './status';

const line = (s: string) => escapeControls(s);

export function findingInput(f: Pick<FuzzFinding, 'input'>): string {
  const i = f.input;
  if (i.kind === 'export') return `${i.export}(${i.args.map((a) => `${a.type} ${a.value}${a.bits && a.value === 'NaN' ? ` 0x${a.bits}` : ''}`).join(', ')})`;
  const parts = [`argv ${JSON.stringify(i.argv)}`];
  if (Object.keys(i.env).length) parts.push(`env ${JSON.stringify(i.env)}`);
  if (i.stdin) parts.push(`stdin ${Buffer.from(i.stdin, 'base64').length} bytes`);
  if (i.files.length) parts.push(`files ${i.files.map((x) => x.name).join(', ')}`);
  return parts.join(', ');
}

/** A live finding for the panel's list (set as text). */
export function findingLine(f: FuzzFinding): string {
  return `${line(f.cause.key)}: ${line(f.cause.detail)} (input ${line(findingInput(f))}; execution ${f.exec})\n`;
}

function coverageBar(covered: number, total: number): string {
  const W = 300;
  const share = total > 0 ? covered / total : 0;
  return `<svg class="coverage-bar" viewBox="0 0 ${W} 14" width="${W}" height="14" role="img" aria-label="${esc(`coverage ${covered} of ${total} sites`)}">` +
    `<rect x="0" y="1" width="${W}" height="12" fill="none" stroke="currentColor" stroke-width="1"/>` +
    `<rect class="covered" x="0" y="1" width="${(share * W).toFixed(1)}" height="12" fill="currentColor" fill-opacity="0.6"/></svg>`;
}

export function renderFuzzProgress(p: FuzzProgress): string {
  const m = (label: string, value: string) => `<div class="metric"><span class="value">${esc(value)}</span>${esc(label)}</div>`;
  return [
    `<div class="metrics">${m('executions', String(p.execs))}${m('per second', String(p.execsPerSec))}${m('elapsed', `${(p.elapsedMs / 1000).toFixed(1)} s`)}` +
      `${m('sites covered', `${p.coverage.covered} / ${p.coverage.sites}`)}${m('functions reached', `${p.coverage.functionsCovered} / ${p.coverage.functions}`)}${m('corpus', String(p.corpus))}${m('findings', String(p.findings))}</div>`,
    `<p>Coverage (function entries and loop headers) ${coverageBar(p.coverage.covered, p.coverage.sites)}</p>`,
  ].join('\n');
}

export function renderFuzzShell(file: string, what: string): string {
  return [
    `<h1>${esc(line(file.split(/[\\/]/).pop() ?? ''))} ${statusBadge('fuzzing', 'info')}</h1>`,
    `<p class="summary">${esc(line(what))}</p>`,
    `<p><button data-command="wasmWarden.stop">Stop</button></p>`,
    `<div id="progress">${renderFuzzProgress({ execs: 0, execsPerSec: 0, elapsedMs: 0, coverage: { sites: 0, covered: 0, functions: 0, functionsCovered: 0 }, corpus: 0, findings: 0 })}</div>`,
    section('Findings', '<pre id="findings" class="violation" aria-live="polite"></pre>'),
  ].join('\n');
}

export function renderFuzzFinal(r: FuzzResult): string {
  const badge = r.findings.length
    ? statusBadge(`${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}`, 'error')
    : r.outcome === 'exit' ? statusBadge('no finding', 'ok') : statusBadge('stopped', 'info');
  const what = r.mode === 'command' ? 'the command (argv, environment, stdin, files)' : r.targets.map((t) => `${t.export}(${t.params.join(', ')})`).join(', ');
  return [
    `<h1>${esc(line(r.file.split(/[\\/]/).pop() ?? ''))} ${badge}</h1>`,
    `<p class="summary">${esc(line(what))} · seed ${r.seed}${r.outcome !== 'exit' ? ` · ${esc(line(r.message ?? r.outcome))}` : ''}</p>`,
    r.progress ? renderFuzzProgress(r.progress) : '',
    section(
      `Findings (${r.findings.length})`,
      r.findings.length
        ? table(['cause', 'detail', 'minimised input', 'found at', 'file'], r.findings.map((f) => [
            { text: line(f.cause.key) }, line(f.cause.detail), { text: line(findingInput(f)) }, `execution ${f.exec}`, { text: line(f.file ? f.file.split(/[\\/]/).slice(-2).join('/') : '') },
          ]))
        : '<p>No trap, timeout, memory or output blow-up, or sandbox violation was found.</p>',
    ),
    r.findings.length ? '<p>Replay one: <code>wasm-warden fuzz MODULE --replay FILE</code>. The same seed gives the same inputs in the same order.</p>' : '',
  ].join('\n');
}
