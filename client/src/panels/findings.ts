/** Rendering located findings (grouped by who found them, each clickable to its place). */
import type { LocatedFinding } from '../../../server/src/protocol';
import { badge, esc, locationLink, section, table } from './html';

export function findingLocation(f: LocatedFinding): string {
  const file = decodeURIComponent(f.uri.split('/').pop() ?? f.uri);
  const where = f.line !== undefined ? `${file}:${f.line + 1}:${(f.character ?? 0) + 1}` : file;
  return f.offset !== undefined ? `${where} @0x${f.offset.toString(16)}` : where;
}

export function renderFindings(findings: LocatedFinding[]): string {
  if (findings.length === 0) return `<p>${badge('ok')} no findings</p>`;
  const groups = new Map<string, LocatedFinding[]>();
  for (const f of findings) groups.set(f.source, [...(groups.get(f.source) ?? []), f]);
  return [...groups]
    .map(([source, list]) =>
      section(
        `${source} (${list.length})`,
        table(
          ['severity', 'code', 'message', 'location'],
          list.map((f) => [{ html: badge(f.severity) }, f.code, f.message, { html: locationLink(findingLocation(f), f.uri, f.line, f.character, f.offset) }]),
        ),
      ),
    )
    .join('\n');
}

export function findingsText(findings: LocatedFinding[]): string {
  return findings.map((f) => `${findingLocation(f)}: ${f.severity} [${f.source}/${f.code}] ${f.message}`).join('\n');
}

/** Escaped file name for headings. */
export function fileName(path: string): string {
  return esc(path.split(/[\\/]/).pop() ?? path);
}
