/** The "Optimize" panel: size before and after, in total and per section, functions, time. */
import type { OptimizeFileResult as OptimizeResult } from '../../../server/src/protocol';
import type { SizeReport } from '../../../server/src/engine/toolchain';
import { esc, formatBytes, section, sizeChart, table } from './html';
import { statusBadge } from './status';
import { findingsText, renderFindings, fileName } from './findings';

function sectionRows(before: SizeReport, after?: SizeReport): (string | number)[][] {
  const names = [...new Set([...before.sections.map((s) => s.name), ...(after?.sections.map((s) => s.name) ?? [])])];
  const size = (r: SizeReport | undefined, n: string) => r?.sections.filter((s) => s.name === n).reduce((a, s) => a + s.size, 0) ?? 0;
  return names.map((n) => {
    const b = size(before, n);
    const a = size(after, n);
    return [n, formatBytes(b), after ? formatBytes(a) : '', after && b ? `${(((a - b) / b) * 100).toFixed(1)}%` : ''];
  });
}

export function renderOptimize(r: OptimizeResult): string {
  const saved = r.after ? r.before.total - r.after.total : 0;
  return [
    `<h1>${fileName(r.file)} -${esc(r.level)} ${r.written ? statusBadge('written', 'ok') : statusBadge('not written', 'warning')}</h1>`,
    `<p class="summary">${esc(formatBytes(r.before.total))} → ${esc(r.after ? formatBytes(r.after.total) : '?')}${r.after ? ` (${saved >= 0 ? '-' : '+'}${esc(formatBytes(Math.abs(saved)))}, ${((saved / (r.before.total || 1)) * 100).toFixed(1)}% smaller)` : ''} · functions ${r.funcsBefore} → ${r.funcsAfter ?? '?'} · ${esc(r.timeMs.toFixed(0))} ms${r.written ? ` · wrote ${esc(r.file)}` : ''}</p>`,
    // a signed input is told once: by its signature-removed finding below
    section('Sections', table(['section', 'before', 'after', 'change'], sectionRows(r.before, r.after).map(([n, ...rest]) => [{ text: String(n) }, ...rest]))),
    r.after ? section('After, by section', sizeChart(r.after.sections)) : '',
    renderFindings(r.findings),
  ].join('\n');
}

export function optimizeText(r: OptimizeResult): string {
  const rows = sectionRows(r.before, r.after).map((row) => row.join('\t'));
  return `-${r.level}: ${r.before.total} -> ${r.after?.total ?? '?'} bytes, functions ${r.funcsBefore} -> ${r.funcsAfter ?? '?'}, ${r.timeMs.toFixed(0)} ms${r.written ? `, wrote ${r.file}` : ''}\n${rows.join('\n')}\n${findingsText(r.findings)}`;
}
