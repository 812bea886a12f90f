/** The "Inspect module" panel body: pure HTML from an engine Inspection (every module string escaped). */
import type { Inspection } from '../../../server/src/engine/operations/inspect';
import { badge, esc, formatBytes, section, sizeChart, table } from './html';

export function renderInspection(i: Inspection, fileUri: string): string {
  const name = i.file.split(/[\\/]/).pop() ?? i.file;
  const worst = i.findings.some((f) => f.severity === 'error') ? 'error' : i.findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok';
  const parts: string[] = [];
  parts.push(`<h1>${esc(name)} ${badge(worst)}</h1>`);
  parts.push(
    `<p class="summary">${esc(i.kind)}${i.byteLength !== undefined ? ` · ${esc(formatBytes(i.byteLength))}` : ''} · ${i.functions.imported} imported + ${i.functions.defined} defined functions · ${i.globals} globals · policy: ${esc(i.policyFile ?? 'built-in default')}</p>`,
  );
  parts.push(
    `<p><button data-command="wasmWarden.validate" data-arg="${esc(fileUri)}">Validate</button><button data-command="wasmWarden.showWatView" data-arg="${esc(fileUri)}">Show WAT</button></p>`,
  );
  if (i.kind === 'component') parts.push('<p>This is a WebAssembly component; Wasm Warden reads core modules only.</p>');
  parts.push(
    section(
      `Imports (${i.imports.length})`,
      table(
        ['module', 'name', 'kind', 'capability', 'verdict'],
        i.imports.map((imp) => [
          { html: `<code>${esc(imp.module)}</code>` },
          { html: `<code>${esc(imp.name)}</code>` },
          imp.kind,
          imp.capability ?? '',
          { html: imp.findings.length ? imp.findings.map((f) => `${badge(f.severity)} ${esc(f.rule)}: ${esc(f.message)}`).join('<br>') : badge('ok') },
        ]),
      ),
    ),
  );
  parts.push(section(`Exports (${i.exports.length})`, table(['name', 'kind', 'index'], i.exports.map((e) => [{ html: `<code>${esc(e.name)}</code>` }, e.kind, e.index]))));
  parts.push(
    section(
      'Memories',
      table(
        ['index', 'limits', 'initial', 'maximum', 'imported from'],
        i.memories.map((m) => [m.id ? `${m.index} ${m.id}` : m.index, m.limits, formatBytes(m.minBytes), formatBytes(m.maxBytes), m.imported ?? '']),
      ),
    ),
  );
  if (i.tables.length) {
    parts.push(section('Tables', table(['index', 'type', 'limits', 'imported from'], i.tables.map((t) => [t.id ? `${t.index} ${t.id}` : t.index, t.refType, t.limits, t.imported ?? '']))));
  }
  parts.push(section('Start function', `<p>${i.start === undefined ? 'none' : `function ${esc(i.start)}`}</p>`));
  parts.push(section('Features used', `<p>${i.features.length ? i.features.map((f) => `<code>${esc(f)}</code>`).join(' ') : 'MVP only (as far as the headers tell)'}</p>`));
  parts.push(section(`Custom sections (${i.customSections.length})`, table(['name', 'size'], i.customSections.map((c) => [{ html: `<code>${esc(c.name)}</code>` }, formatBytes(c.size)]))));
  if (i.sections.length) parts.push(section('Section sizes', sizeChart(i.sections)));
  const other = i.findings.filter((f) => !i.imports.some((imp) => imp.findings.some((x) => x.rule === f.code && x.message === f.message)));
  if (other.length) {
    parts.push(section(`Other findings (${other.length})`, table(['severity', 'rule', 'message'], other.map((f) => [{ html: badge(f.severity) }, f.code, f.message]))));
  }
  return parts.join('\n');
}
