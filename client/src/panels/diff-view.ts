/**
 * The "Compare" panel: two versions of a module side by side (the older one left, the one under review
 * right): what each may do, their imports, exports, custom sections and signers, sizes per section, and
 * the findings the newer one has that the older one did not. Every name comes from the modules: escaped.
 */
import type { VersionDiff } from '../../../server/src/protocol';
import { esc, formatBytes, section, table, type Cell } from './html';
import { statusBadge } from './status';

type Side = VersionDiff['old'];

const yes = (present: boolean, text: string): Cell => (present ? { text, code: true } : { html: '<span class="muted">-</span>' });

function changeBadge(before: boolean, after: boolean, more = after && !before): Cell {
  if (before === after) return '';
  return { html: after ? statusBadge('added', more ? 'warning' : 'info') : statusBadge('removed', 'info') };
}

/** A union of two lists, side by side: one row per item, each side showing it when it has it. */
function sideBySide(label: string, a: string[], b: string[], describe: (x: string) => string = (x) => x): string {
  const A = new Set(a);
  const B = new Set(b);
  const all = [...new Set([...a, ...b])].sort();
  if (all.length === 0) return '';
  const rows = all.map((x) => [changeBadge(A.has(x), B.has(x)), yes(A.has(x), describe(x)), yes(B.has(x), describe(x))]);
  return section(`${label} (${a.length} -> ${b.length})`, table([{ label: 'change', cls: 'c-narrow' }, 'before', 'after'], rows));
}

function sign(n: number): string {
  return n > 0 ? `+${n.toLocaleString('en-US')}` : n.toLocaleString('en-US');
}

function name(s: Side): string {
  // "file (approved version N)" keeps its note; a path shows its last part
  const m = /^(.*?)( \(approved version \d+\))$/.exec(s.file);
  return m ? `${baseName(m[1])}${m[2]}` : baseName(s.file);
}

/** The last part of a path, not escaped (the callers escape). */
function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

export function renderDiff(d: VersionDiff, fileUri?: string): string {
  const verdict = d.identical
    ? statusBadge('identical', 'ok')
    : d.moreCapabilities
      ? statusBadge('more capabilities', 'error', 'the newer version asks for more than the older one')
      : statusBadge('no new capabilities', 'ok');
  const o = d.old;
  const n = d.new;
  const summary: Cell[][] = [
    ['size', o.byteLength === undefined ? '' : formatBytes(o.byteLength), n.byteLength === undefined ? '' : `${formatBytes(n.byteLength)}${o.byteLength !== undefined && n.byteLength !== undefined ? ` (${sign(n.byteLength - o.byteLength)} B)` : ''}`],
    ['SHA-256', { text: o.sha256 ?? '', code: true }, { text: n.sha256 ?? '', code: true }],
    ['WASI groups', o.capabilities.wasi.join(', ') || 'none', n.capabilities.wasi.join(', ') || 'none'],
    ['memories', o.capabilities.memories.join('; ') || 'none', n.capabilities.memories.join('; ') || 'none'],
    ['tables', o.capabilities.tables.join('; ') || 'none', n.capabilities.tables.join('; ') || 'none'],
    ['features', o.capabilities.features.join(', ') || 'none', n.capabilities.features.join(', ') || 'none'],
    ['start function', o.capabilities.start ? 'yes' : 'no', n.capabilities.start ? 'yes' : 'no'],
    ['signers', String(o.signers.length), String(n.signers.length)],
    ['findings', String(o.findings.length), String(n.findings.length)],
  ];
  const changed = d.sections.filter((s) => s.before !== s.after);
  const sectionRows: Cell[][] = changed.map((s) => [
    { text: s.name, code: true },
    s.before === undefined ? '-' : s.before.toLocaleString('en-US'),
    s.after === undefined ? '-' : s.after.toLocaleString('en-US'),
    sign((s.after ?? 0) - (s.before ?? 0)),
  ]);
  const findingRows = (list: VersionDiff['findings']['new']): Cell[][] =>
    list.map((f) => [{ html: statusBadge(f.severity, f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info') }, { text: f.rule, code: true }, f.message]);
  const capabilityRows: Cell[][] = d.capabilities.map((c) => [
    { html: c.more ? statusBadge('more', 'error') : statusBadge(c.change === 'removed' ? 'less' : 'changed', 'info') },
    c.text,
  ]);
  const actions = fileUri
    ? `<p><button data-command="wasmWarden.approve" data-arg="${esc(fileUri)}">Approve this version…</button><button data-command="wasmWarden.rollback" data-arg="${esc(fileUri)}">Roll back to approved version…</button></p>`
    : '';
  return [
    `<h1>${esc(name(o))} → ${esc(name(n))} ${verdict}</h1>`,
    `<p class="summary">both checked under ${esc(d.policyFile ? baseName(d.policyFile) : 'the built-in default policy')} · ${d.capabilities.length} capability change${d.capabilities.length === 1 ? '' : 's'} · ${d.findings.new.length} new finding${d.findings.new.length === 1 ? '' : 's'}</p>`,
    actions,
    section('Side by side', table([{ label: '', cls: 'c-kind' }, `before: ${name(o)}`, `after: ${name(n)}`], summary)),
    capabilityRows.length ? section('What changed in what it may do', table([{ label: 'change', cls: 'c-narrow' }, 'detail'], capabilityRows)) : '',
    d.findings.new.length ? section('New findings', table([{ label: 'severity', cls: 'c-narrow' }, { label: 'rule', cls: 'c-medium' }, 'message'], findingRows(d.findings.new))) : '',
    d.findings.resolved.length ? section('Findings no longer reported', table([{ label: 'severity', cls: 'c-narrow' }, { label: 'rule', cls: 'c-medium' }, 'message'], findingRows(d.findings.resolved))) : '',
    sideBySide('Imports', o.capabilities.imports, n.capabilities.imports),
    sideBySide('Exports', o.exports, n.exports),
    sideBySide(
      'Custom sections',
      o.customSections.map((c) => c.name),
      n.customSections.map((c) => c.name),
    ),
    sideBySide('Signers', o.signers.map(signer), n.signers.map(signer)),
    sectionRows.length ? section('Section sizes (bytes)', table(['section', 'before', 'after', { label: 'change', cls: 'c-kind' }], sectionRows)) : '',
    !d.identical && !d.capabilities.length && !d.exports.length && !d.customSections.length && !d.signers.length && !changed.length && !d.findings.new.length
      ? '<p>No change in imports, limits, exports, features, sections or findings: the code or data differs.</p>'
      : '',
  ].join('\n');
}

function signer(s: Side['signers'][number]): string {
  return `${s.keyId || '(no key id)'}${s.trustedKey ? ` (trusted key ${s.trustedKey})` : ''}`;
}

export function diffText(d: VersionDiff): string {
  const lines = [`${d.old.file} -> ${d.new.file}: ${d.identical ? 'identical' : d.moreCapabilities ? 'asks for more capabilities' : 'no new capabilities'}`];
  for (const c of d.capabilities) lines.push(`  ${c.text}${c.more ? '  (more)' : ''}`);
  for (const c of [...d.exports, ...d.customSections, ...d.signers]) lines.push(`  ${c.text}`);
  for (const f of d.findings.new) lines.push(`  new ${f.severity} [${f.rule}] ${f.message}`);
  for (const f of d.findings.resolved) lines.push(`  no longer: ${f.severity} [${f.rule}] ${f.message}`);
  return lines.join('\n');
}
