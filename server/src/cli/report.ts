/**
 * Findings of many files as text (one finding per line, the `$wasm-warden` problem matcher format),
 * JSON (one object) or SARIF 2.1.0 (GitHub code scanning). Severity `hint` is reported as `info`.
 */
import * as path from 'path';
import type { Finding } from '../engine/operations/findings';
import { RULES } from '../engine/policy/rules';
import { paint, type Io } from './io';

export type Format = 'text' | 'json' | 'sarif';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif'];
export type CliSeverity = 'error' | 'warning' | 'info';

/** Where rule documentation is published (SARIF `helpUri`); docs/rules/<id>.md of the repository. */
export const DOC_BASE = 'https://wasm-warden.dev/docs/rules/';

export interface FileReport {
  /** path relative to the cwd, with `/` separators */
  path: string;
  binary: boolean;
  findings: Finding[];
  /** extra per-file data for JSON (e.g. `valid` for validate) */
  extra?: Record<string, unknown>;
}

export function cliSeverity(s: Finding['severity']): CliSeverity {
  return s === 'hint' ? 'info' : s;
}

export function displayPath(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, path.resolve(file));
  // relative even above the cwd (`../x.wasm`); absolute only where no relative path exists (another drive)
  const shown = rel === '' ? path.basename(file) : rel;
  return shown.split(path.sep).join('/');
}

function byPosition(a: Finding, b: Finding): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || (a.offset ?? 0) - (b.offset ?? 0);
}

export function sortReports(reports: FileReport[]): FileReport[] {
  return [...reports]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((r) => ({ ...r, findings: [...r.findings].sort(byPosition) }));
}

export interface Counts {
  files: number;
  error: number;
  warning: number;
  info: number;
}

export function count(reports: FileReport[]): Counts {
  const c: Counts = { files: reports.length, error: 0, warning: 0, info: 0 };
  for (const r of reports) for (const f of r.findings) c[cliSeverity(f.severity)]++;
  return c;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `path:line:col: severity [rule] message`, binaries `path:1:1: ... (@0x1f)`. */
export function textLine(r: FileReport, f: Finding, io?: Io): string {
  const sev = cliSeverity(f.severity);
  const message = f.message.replace(/\r?\n/g, ' ');
  const where = f.line !== undefined ? `${f.line}:${f.column ?? 1}` : '1:1';
  const at = f.line === undefined && f.offset !== undefined ? ` (@0x${f.offset.toString(16)})` : '';
  if (!io?.color) return `${r.path}:${where}: ${sev} [${f.rule}] ${message}${at}`;
  const color = sev === 'error' ? 'red' : sev === 'warning' ? 'yellow' : 'blue';
  return `${paint(io, 'bold', `${r.path}:${where}:`)} ${paint(io, color, sev)} ${paint(io, 'gray', `[${f.rule}]`)} ${message}${at}`;
}

export function formatText(reports: FileReport[], io: Io, verb = 'checked'): string {
  const lines: string[] = [];
  for (const r of reports) for (const f of r.findings) lines.push(textLine(r, f, io));
  const c = count(reports);
  const summary = `${plural(c.files, 'file')} ${verb}: ${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${plural(c.info, 'info')}`;
  lines.push(c.error ? paint(io, 'red', summary) : c.warning ? paint(io, 'yellow', summary) : paint(io, 'green', summary));
  return lines.join('\n') + '\n';
}

export function formatJson(reports: FileReport[]): string {
  const files = reports.map((r) => ({
    path: r.path,
    ...r.extra,
    findings: r.findings.map((f) => ({
      rule: f.rule,
      severity: cliSeverity(f.severity),
      message: f.message,
      ...(f.line !== undefined && { line: f.line, column: f.column }),
      ...(f.endLine !== undefined && { endLine: f.endLine, endColumn: f.endColumn }),
      ...(f.offset !== undefined && { offset: f.offset }),
      source: f.source,
    })),
  }));
  return JSON.stringify({ files }, null, 2) + '\n';
}

const SARIF_LEVEL: Record<CliSeverity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export function formatSarif(reports: FileReport[], version: string): string {
  // every policy rule, then any other code found (syntax, validation...) in order of appearance
  const rules: { id: string; title: string; level: CliSeverity; helpUri?: string }[] = RULES.map((r) => ({
    id: r.id,
    title: r.title,
    level: r.defaultSeverity,
    helpUri: `${DOC_BASE}${r.id}.md`,
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  for (const rep of reports) {
    for (const f of rep.findings) {
      if (index.has(f.rule)) continue;
      index.set(f.rule, rules.length);
      rules.push({ id: f.rule, title: `${f.rule} (${f.source})`, level: cliSeverity(f.severity) });
    }
  }
  const results = reports.flatMap((rep) =>
    rep.findings.map((f) => {
      const region =
        f.line !== undefined
          ? {
              startLine: f.line,
              startColumn: f.column ?? 1,
              ...(f.endLine !== undefined && { endLine: f.endLine, endColumn: f.endColumn }),
            }
          : // a binary region; plus line 1 (the whole file), which GitHub code scanning needs to show the alert at all
            { startLine: 1, startColumn: 1, byteOffset: f.offset ?? 0 };
      return {
        ruleId: f.rule,
        ruleIndex: index.get(f.rule)!,
        level: SARIF_LEVEL[cliSeverity(f.severity)],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: path.isAbsolute(rep.path)
                ? { uri: pathToFileUri(rep.path).replace(/\/$/, '') } // outside the current folder
                : { uri: encodeURI(rep.path), uriBaseId: '%SRCROOT%' },
              region,
            },
          },
        ],
      };
    }),
  );
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'wasm-warden',
            version,
            informationUri: DOC_BASE,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.title },
              ...(r.helpUri && { helpUri: r.helpUri }),
              defaultConfiguration: { level: SARIF_LEVEL[r.level] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileUri(process.cwd()) } },
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function pathToFileUri(dir: string): string {
  const p = path.resolve(dir).split(path.sep).join('/');
  return `file://${p.startsWith('/') ? '' : '/'}${encodeURI(p)}/`;
}
