/** The "Validate" panel: validity verdict, validators used, every finding grouped and clickable. */
import type { ValidateResult } from '../../../server/src/protocol';
import { badge, esc } from './html';
import { fileName, findingsText, renderFindings } from './findings';

export function renderValidate(r: ValidateResult): string {
  return [
    `<h1>${fileName(r.file)} ${badge(r.valid ? 'ok' : 'error')}</h1>`,
    `<p class="summary">${r.valid ? 'valid' : 'invalid'} · validated by ${esc(r.validators.join(' + ') || 'nothing')} in ${esc(r.timeMs.toFixed(0))} ms · ${r.findings.length} finding(s)</p>`,
    renderFindings(r.findings),
  ].join('\n');
}

export function validateText(r: ValidateResult): string {
  return `${r.file}: ${r.valid ? 'valid' : 'INVALID'} (${r.validators.join(' + ')}, ${r.timeMs.toFixed(0)} ms)\n${findingsText(r.findings)}`;
}
