/** Rendering located findings (grouped by who found them, each clickable to its place). */
import { URI } from 'vscode-uri';
import type { Finding } from '../../../server/src/protocol';
import { esc, locationLink, section, table } from './html';
import { severityBadge } from './status';

export function findingLocation(f: Finding): string {
  const file = f.file.split(/[\\/]/).pop() ?? f.file;
  const where = f.line !== undefined ? `${file}:${f.line}:${f.column ?? 1}` : file;
  return f.offset !== undefined ? `${where} @0x${f.offset.toString(16)}` : where;
}

/** A clickable location: the line in a text source; for a binary, its WAT view (where the finding is marked). */
function findingLink(f: Finding): string {
  const uri = URI.file(f.file).toString();
  return locationLink(findingLocation(f), uri, f.line !== undefined ? f.line - 1 : undefined, f.column !== undefined ? f.column - 1 : undefined, f.offset);
}

export function renderFindings(findings: Finding[]): string {
  if (findings.length === 0) return '<p>no findings</p>';
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.source, [...(groups.get(f.source) ?? []), f]);
  return [...groups]
    .map(([source, list]) =>
      section(
        `${source} (${list.length})`,
        table(
          [
            { label: 'severity', cls: 'c-verdict' },
            { label: 'location', cls: 'c-location' },
            { label: 'code', cls: 'c-medium' },
            'message',
          ],
          list.map((f) => [{ html: severityBadge(f.severity) }, { html: findingLink(f), title: findingLocation(f) }, { text: f.rule }, f.message]),
        ),
      ),
    )
    .join('\n');
}

export function findingsText(findings: Finding[]): string {
  return findings.map((f) => `${findingLocation(f)}: ${f.severity} [${f.source}/${f.rule}] ${f.message}`).join('\n');
}

/** Escaped file name for headings. */
export function fileName(path: string): string {
  return esc(path.split(/[\\/]/).pop() ?? path);
}
