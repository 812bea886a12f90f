/** The "Compile" panel: where the module went, whether the source is valid, and the policy's verdict on it. */
import { URI } from 'vscode-uri';
import type { CompileFileResult as CompileResult } from '../../../server/src/protocol';
import { esc, formatBytes, locationLink } from './html';
import { findingsText, renderFindings } from './findings';
import { policyBadge, policyVerdict, specBadge, specFindings } from './status';

export function renderCompile(r: CompileResult): string {
  // the module compiled (and was written) only when wabt accepted it: it is then valid
  const valid = !specFindings(r.findings).some((f) => f.severity === 'error');
  return [
    `<h1>Compile ${specBadge(valid)} ${policyBadge(policyVerdict(r.findings))}</h1>`,
    r.written ? `<p>Wrote ${locationLink(r.file, URI.file(r.file).toString())} (${esc(formatBytes(r.size))})</p>` : '<p>Nothing written.</p>',
    renderFindings(r.findings),
  ].join('\n');
}

export function compileText(r: CompileResult): string {
  const policy = policyVerdict(r.findings);
  return `${r.written ? `wrote ${r.file} (${r.size} bytes)` : 'nothing written'}, policy ${policy.pass ? 'pass' : 'FAIL'}\n${findingsText(r.findings)}`;
}
