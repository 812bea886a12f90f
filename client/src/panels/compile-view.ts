/** The "Compile" panel: where the module went and any errors. */
import { URI } from 'vscode-uri';
import type { CompileFileResult as CompileResult } from '../../../server/src/protocol';
import { badge, esc, formatBytes, locationLink } from './html';
import { findingsText, renderFindings } from './findings';

export function renderCompile(r: CompileResult): string {
  return [
    `<h1>Compile ${badge(r.written ? 'ok' : 'error')}</h1>`,
    r.written ? `<p>Wrote ${locationLink(r.file, URI.file(r.file).toString())} (${esc(formatBytes(r.size))})</p>` : '<p>Nothing written.</p>',
    renderFindings(r.findings),
  ].join('\n');
}

export function compileText(r: CompileResult): string {
  return `${r.written ? `wrote ${r.file} (${r.size} bytes)` : 'nothing written'}\n${findingsText(r.findings)}`;
}
