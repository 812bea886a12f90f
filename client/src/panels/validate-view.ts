/** The "Validate" panel: the spec's verdict (valid/invalid) and the policy's (pass/fail), every finding grouped and clickable. */
import type { ValidateResult } from '../../../server/src/protocol';
import { esc } from './html';
import { fileName, findingsText, renderFindings } from './findings';
import { policyBadge, policyVerdict, specBadge } from './status';

export function renderValidate(r: ValidateResult): string {
  const policy = policyVerdict(r.findings);
  return [
    `<h1>${fileName(r.file)} ${specBadge(r.valid)} ${policyBadge(policy)}</h1>`,
    `<p class="summary">${r.valid ? 'valid' : 'invalid'} · policy ${policy.pass ? 'pass' : 'fail'} · validated by ${esc(r.validators.join(' + ') || 'nothing')} in ${esc(r.timeMs.toFixed(0))} ms · ${r.findings.length} finding(s)</p>`,
    renderFindings(r.findings),
  ].join('\n');
}

export function validateText(r: ValidateResult): string {
  const policy = policyVerdict(r.findings);
  return `${r.file}: ${r.valid ? 'valid' : 'INVALID'}, policy ${policy.pass ? 'pass' : 'FAIL'} (${r.validators.join(' + ')}, ${r.timeMs.toFixed(0)} ms)\n${findingsText(r.findings)}`;
}
