/** The "Inspect module" panel body: pure HTML from an engine Inspection (every module string escaped). */
import type { Inspection } from '../../../server/src/engine/operations/inspect';
import { esc, formatBytes, section, sizeChart, table } from './html';
import { policyBadge, policyVerdict, severityBadge, specBadge, statusBadge } from './status';

export function renderInspection(i: Inspection, fileUri: string): string {
  const name = i.file.split(/[\\/]/).pop() ?? i.file;
  // inspecting reads the module, it does not validate it: "invalid" only when reading found an error
  const unreadable = i.findings.some((f) => f.severity === 'error' && f.source !== 'policy' && f.source !== 'signature');
  const parts: string[] = [];
  parts.push(`<h1>${esc(name)} ${unreadable ? `${specBadge(false)} ` : ''}${policyBadge(policyVerdict(i.findings))}</h1>`);
  parts.push(
    `<p class="summary">${esc(i.kind)}${i.byteLength !== undefined ? ` · ${esc(formatBytes(i.byteLength))}` : ''} · ${i.functions.imported} imported + ${i.functions.defined} defined functions · ${i.globals} globals · policy: ${esc(i.policyFile ?? 'built-in default')}</p>`,
  );
  parts.push(
    `<p><button data-command="wasmWarden.validate" data-arg="${esc(fileUri)}">Validate</button><button data-command="wasmWarden.showWatView" data-arg="${esc(fileUri)}">Show WAT</button></p>`,
  );
  const c = i.component;
  if (c) {
    parts.push(
      `<p>A WebAssembly component: its imports are interfaces (the capability column is the WASI group each needs). Inside: ${c.modules.length} core module${c.modules.length === 1 ? '' : 's'} (internal wiring, checked only with <code>imports.nestedModules</code>), ${c.components} nested component${c.components === 1 ? '' : 's'}, ${c.canonicalFunctions} canonical functions.</p>`,
    );
    if (c.modules.length) {
      parts.push(
        section(
          `Core modules inside (${c.modules.length})`,
          table(
            ['module', { label: 'offset', cls: 'c-medium' }, { label: 'size', cls: 'c-medium' }, { label: '', cls: 'c-medium' }],
            firstRows(c.modules, MAX_EXPORT_ROWS).map((m, index) => [
              { text: `core ${m.path}`, code: true },
              `0x${m.offset.toString(16)}`,
              formatBytes(m.size),
              { html: `<button data-command="wasmWarden.showNestedModule" data-arg="${esc(`${fileUri}?module=${index}`)}">Show WAT</button>` },
            ]),
          ) + moreRows(c.modules.length, MAX_EXPORT_ROWS, 'modules'),
        ),
      );
    }
    if (c.toolchainImports.length) parts.push(`<p>Typically added by the toolchain whatever the program calls: ${c.toolchainImports.map((n) => `<code>${esc(n)}</code>`).join(' ')}</p>`);
  }
  parts.push(
    section(
      `Imports (${i.imports.length})`,
      table(
        [{ label: 'verdict', cls: 'c-verdict' }, 'name', { label: 'module', cls: 'c-narrow' }, { label: 'kind', cls: 'c-kind' }, { label: 'capability', cls: 'c-medium' }],
        // refused imports first; a long list is cut (a webview of thousands of rows took seconds to show)
        firstRows([...i.imports].sort((a, b) => Number(b.findings.length > 0) - Number(a.findings.length > 0)), MAX_IMPORT_ROWS).map((imp) => [
          { html: importVerdict(imp.findings), title: imp.findings.length ? imp.findings.map((f) => `${f.rule}: ${f.message}`).join('\n') : 'allowed by the policy' },
          { text: imp.name, code: true },
          { text: imp.module, code: true },
          imp.kind,
          { text: imp.capability ?? '' },
        ]),
      ) + moreRows(i.imports.length, MAX_IMPORT_ROWS, 'imports'),
    ),
  );
  parts.push(
    section(
      `Exports (${i.exports.length})`,
      table(['name', { label: 'kind', cls: 'c-kind' }, { label: 'index', cls: 'c-narrow' }], firstRows(i.exports, MAX_EXPORT_ROWS).map((e) => [{ text: e.name, code: true }, e.kind, e.index])) +
        moreRows(i.exports.length, MAX_EXPORT_ROWS, 'exports'),
    ),
  );
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
  parts.push(section(`Custom sections (${i.customSections.length})`, table(['name', { label: 'size', cls: 'c-medium' }], i.customSections.map((c) => [{ text: c.name, code: true }, formatBytes(c.size)]))));
  if (i.sections.length) parts.push(section('Section sizes', sizeChart(i.sections)));
  if (i.code) parts.push(section('Code', renderCodeSummary(i.code)));
  else if (i.codeNote) parts.push(section('Code', `<p class="summary">Not summarised: ${esc(i.codeNote)}.</p>`));
  if (i.dependencies) parts.push(section('Dependencies', renderDependencies(i.dependencies)));
  if (i.findings.length) {
    parts.push(
      section(
        `Findings (${i.findings.length})`,
        table(
          [{ label: 'severity', cls: 'c-verdict' }, { label: 'rule', cls: 'c-medium' }, 'message'],
          i.findings.map((f) => [{ html: severityBadge(f.severity) }, { text: f.code }, f.message]),
        ),
      ),
    );
  }
  return parts.join('\n');
}

/** Rows a summary shows at most: every refused import comes first; the rest is in the WAT view and `inspect --json`. */
export const MAX_IMPORT_ROWS = 500;
export const MAX_EXPORT_ROWS = 200;

function firstRows<T>(rows: T[], max: number): T[] {
  return rows.length > max ? rows.slice(0, max) : rows;
}

function moreRows(total: number, max: number, what: string): string {
  return total > max ? `<p class="summary">The first ${max} of ${total} ${what}; all of them are in the WAT view (Show WAT) and in <code>wasm-warden inspect --json</code>.</p>` : '';
}

/** An import's verdict: fail (an error finding), pass with a warning, or pass; the reasons are on hover and in Findings. */
function importVerdict(findings: { severity: string }[]): string {
  if (findings.some((f) => f.severity === 'error')) return statusBadge('fail', 'error');
  if (findings.some((f) => f.severity === 'warning')) return statusBadge('pass', 'warning');
  return statusBadge('pass', 'ok');
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const fnLabel = (f: { index: number; name?: string }) => `${f.index}${f.name ? ` $${f.name}` : ''}`;

/** The code summary: instruction mix, indirect calls, largest functions, start function, hashing kernels, data. */
export function renderCodeSummary(c: NonNullable<Inspection['code']>): string {
  const out: string[] = [];
  out.push(
    `<p class="summary">${c.functions} functions · ${esc(formatBytes(c.codeBytes))} of code · ${c.instructions} instructions · ${c.indirectCalls} indirect calls (${c.indirectCallsPerThousand.toFixed(2)} per 1000 instructions) · ${c.dataSegments} data segments, ${esc(formatBytes(c.dataBytes))}</p>`,
  );
  out.push(table(['instructions', { label: 'count', cls: 'c-medium' }, { label: 'share', cls: 'c-narrow' }], c.mix.map((m) => [m.category, m.count, pct(m.share)]), 'Instruction mix'));
  out.push(
    table(
      ['function', { label: 'size', cls: 'c-medium' }, { label: 'share', cls: 'c-narrow' }, { label: 'instructions', cls: 'c-medium' }],
      c.largest.map((f) => [{ text: fnLabel(f), code: true }, formatBytes(f.size), pct(f.share), f.instructions]),
      'Largest functions',
    ),
  );
  out.push(
    `<p>Start function: ${c.start ? `<code>${esc(fnLabel(c.start))}</code>, ${c.start.instructions} instructions, ${c.start.calls} calls, ${c.start.indirectCalls} indirect calls, ${c.start.loops} loops` : 'none'}</p>`,
  );
  if (c.kernels.length) {
    out.push(
      table(
        ['function', { label: 'share', cls: 'c-narrow' }, 'why it looks like hashing'],
        c.kernels.map((k) => [{ text: fnLabel(k), code: true }, pct(k.share), k.why.join('; ')]),
        'Hashing kernels',
      ),
    );
  }
  if (c.highEntropySegments.length) {
    out.push(table(['data segment', 'size', 'entropy (bits/byte)'], c.highEntropySegments.map((s) => [s.index, formatBytes(s.size), s.entropy.toFixed(2)]), 'Compressed or encrypted data'));
  }
  if (c.strings.length) {
    out.push(table(['strings in data', { label: 'count', cls: 'c-narrow' }, 'examples'], c.strings.map((s) => [s.label, s.count, { text: s.examples.join('  ') }]), 'Strings to review'));
  }
  if (c.error) out.push(`<p class="summary">The analysis stopped early: ${esc(c.error)}</p>`);
  return out.join('');
}

/** Who provides the imports, the toolchain, and the Rust crates (cargo-auditable). */
export function renderDependencies(d: NonNullable<Inspection['dependencies']>): string {
  const out: string[] = [];
  out.push(
    table(
      ['provider', { label: 'imports', cls: 'c-narrow' }, 'needs'],
      d.providers.map((g) => [g.provider.name, g.imports.length, { text: g.provider.description, full: g.imports.map((x) => `${x.module}.${x.name}`).slice(0, 200).join('\n') }]),
      'Import providers',
    ),
  );
  out.push(
    d.toolchain.length
      ? table(['field', 'tool', 'version'], d.toolchain.map((t) => [t.field, t.name, t.version]), 'Toolchain (producers section)')
      : '<p class="summary">Toolchain: unknown (the module has no producers section).</p>',
  );
  if (d.rust) {
    out.push(
      table(
        ['crate', 'version', 'source'],
        d.rust.packages.slice(0, MAX_CRATE_ROWS).map((p) => [{ text: p.name, code: true }, p.version, `${p.source}${p.kind === 'build' ? ' (build)' : ''}`]),
        `Rust crates (cargo-auditable, ${d.rust.packages.length})`,
      ) + moreRows(d.rust.packages.length, MAX_CRATE_ROWS, 'crates'),
    );
  }
  for (const n of d.notes) out.push(`<p class="summary">${esc(n)}</p>`);
  return out.join('');
}

export const MAX_CRATE_ROWS = 300;
