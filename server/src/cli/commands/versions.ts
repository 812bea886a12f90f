/** `diff` (two versions of a module, and a CI gate), `approve` and `rollback` (approved versions). */
import { diffFiles, diffWithApproved, DiffInputError, gateReasons, GATE_CONDITIONS, type GateCondition, type VersionDiff } from '../../engine/operations/diff';
import { approveFile, ApprovalError, type ApproveReport } from '../../engine/operations/approve';
import { rollbackFile, type RollbackReport } from '../../engine/operations/rollback';
import type { Finding } from '../../engine/operations/findings';
import { writeOutput } from '../../engine/operations/output';
import { bool, oneOf, parseArgs, str } from '../args';
import { CliError } from '../errors';
import { paint, type Io } from '../io';
import { makePolicyStore, policyProblemsOf, requireFile } from '../inputs';
import { displayPath, formatSarif, textLine, type FileReport } from '../report';
import { commonFlags } from './check';
import type { CommandDef } from './types';

const DIFF_FORMATS = ['text', 'json', 'sarif'] as const;

function approvalErrors<T>(command: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ApprovalError || err instanceof DiffInputError) throw new CliError(`${command}: ${err.message}`);
    throw err;
  }
}

const n = (x: number) => x.toLocaleString('en-US');

export function diffText(d: VersionDiff, io: Io, gate?: { condition: GateCondition; reasons: string[] }): string {
  const lines: string[] = [];
  const oldPath = displayPath(d.old.file);
  const newPath = displayPath(d.new.file);
  lines.push(`diff ${oldPath} -> ${newPath}${d.identical ? ': identical' : ''}`);
  if (d.old.byteLength !== undefined && d.new.byteLength !== undefined) {
    const delta = d.new.byteLength - d.old.byteLength;
    lines.push(`  size: ${n(d.old.byteLength)} -> ${n(d.new.byteLength)} bytes (${delta >= 0 ? '+' : ''}${n(delta)})`);
    lines.push(`  sha256: ${d.old.sha256} -> ${d.new.sha256}`);
  }
  lines.push(`  policy: ${d.policyFile ? displayPath(d.policyFile) : 'built-in default'} (both checked under the new version's policy)`);
  const group = (title: string, rows: string[]) => {
    if (!rows.length) return;
    lines.push(`${title}:`);
    for (const r of rows) lines.push(`  ${r.startsWith('+') ? paint(io, 'red', r) : r.startsWith('-') ? paint(io, 'green', r) : r}`);
  };
  group('capabilities', d.capabilities.map((c) => `${c.text}${c.more ? '  (more)' : ''}`));
  group('exports', d.exports.map((c) => c.text));
  group('custom sections', d.customSections.map((c) => c.text));
  group('signers', d.signers.map((c) => c.text));
  const sizes = d.sections.filter((s) => s.before !== s.after);
  if (sizes.length) {
    lines.push('section sizes (bytes):');
    const w = Math.max(...sizes.map((s) => s.name.length));
    for (const s of sizes) {
      const delta = (s.after ?? 0) - (s.before ?? 0);
      lines.push(`  ${s.name.padEnd(w)}  ${s.before === undefined ? '-' : n(s.before)} -> ${s.after === undefined ? '-' : n(s.after)} (${delta >= 0 ? '+' : ''}${n(delta)})`);
    }
  }
  const located = (f: Finding) => textLine({ path: newPath, binary: d.new.kind === 'wasm', findings: [] }, f);
  const resolved = (f: Finding) => textLine({ path: oldPath, binary: d.old.kind === 'wasm', findings: [] }, f);
  group('new findings', d.findings.new.map(located));
  group('findings no longer reported', d.findings.resolved.map(resolved));
  if (!d.identical && !d.capabilities.length && !d.exports.length && !d.customSections.length && !d.signers.length && !sizes.length && !d.findings.new.length && !d.findings.resolved.length) {
    lines.push('no change in imports, limits, exports, features, sections or findings (the code or data differs)');
  }
  if (gate) {
    lines.push(
      gate.reasons.length
        ? paint(io, 'red', `gate --fail-on ${gate.condition}: FAILED (${gate.reasons.length} reason${gate.reasons.length === 1 ? '' : 's'})`)
        : paint(io, 'green', `gate --fail-on ${gate.condition}: passed`),
    );
  }
  return lines.join('\n') + '\n';
}

/** SARIF: the new findings and the capability increases, on the new version. */
function diffSarif(d: VersionDiff, version: string, gate?: { condition: GateCondition; reasons: string[] }): string {
  const file = d.new.file;
  const level = gate?.condition === 'more-capabilities' || gate?.condition === 'any' ? 'error' : 'warning';
  const more: Finding[] = d.capabilities
    .filter((c) => c.more)
    .map((c) => ({ rule: 'more-capabilities', severity: level, source: 'diff', message: `${c.text} (compared with ${displayPath(d.old.file)})`, file, offset: 0 }));
  const report: FileReport = { path: displayPath(file), binary: d.new.kind === 'wasm', findings: [...more, ...d.findings.new] };
  return formatSarif([report], version);
}

export const diff: CommandDef = {
  name: 'diff',
  summary: 'compare two versions of a module (capabilities, limits, exports, sections, signers, new findings); a CI gate',
  usage: 'wasm-warden diff OLD NEW | --approved FILE [--format text|json|sarif] [--fail-on more-capabilities|policy|any] [--policy FILE] [--output FILE]',
  flags: {
    format: { type: 'string', value: 'text|json|sarif', description: 'output format (default text)' },
    'fail-on': { type: 'string', value: 'more-capabilities|policy|any', description: 'exit 1 when NEW asks for more than OLD, has new error findings, or differs at all' },
    policy: { type: 'string', value: 'FILE', description: "policy both are checked under (default: NEW's nearest wasm-warden.policy.json)" },
    output: { type: 'string', short: ['o'], value: 'FILE', description: 'write the report to FILE instead of stdout' },
    force: { type: 'boolean', description: 'overwrite the --output file if it exists' },
    approved: { type: 'boolean', description: 'compare FILE with its last approved version (the verified copy in the store): wasm-warden diff --approved FILE' },
  },
  details: [
    "Both versions are checked under NEW's policy, so a finding counts as new because the module changed.",
    '--fail-on more-capabilities: NEW adds imports, WASI capability groups, features, a start function, or larger',
    '  or new memories/tables. --fail-on policy: NEW has error-severity findings OLD did not have. --fail-on any: they differ.',
    'Without --fail-on the report is informational (exit 0).',
    'Exit codes: 0 passed, 1 the gate failed, 2 usage or input error (missing file, not a module, bad policy).',
  ],
  examples: [
    'wasm-warden diff deployed.wasm candidate.wasm',
    'wasm-warden diff deployed.wasm candidate.wasm --fail-on more-capabilities',
    'wasm-warden diff v1.wasm v2.wasm --format sarif -o diff.sarif --fail-on policy',
    'wasm-warden diff --approved build/plugin.wasm --fail-on more-capabilities',
  ],
  async run(argv, io, ctx) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'diff');
    const format = oneOf(p, 'format', DIFF_FORMATS, 'text', 'diff');
    const failOn = str(p, 'fail-on') === undefined ? undefined : oneOf<GateCondition>(p, 'fail-on', GATE_CONDITIONS, 'any', 'diff');
    const approved = bool(p, 'approved');
    const want = approved ? 1 : 2;
    if (p.positionals.length !== want) throw new CliError(approved ? `diff --approved: expected one module, got ${p.positionals.length}` : `diff: expected two modules (OLD NEW), got ${p.positionals.length}`);
    const files = p.positionals.map((f) => requireFile(f, 'diff'));
    const store = makePolicyStore(str(p, 'policy'), 'diff');
    const d = approvalErrors('diff', () => (approved ? diffWithApproved(files[0], store) : diffFiles(files[0], files[1], store)));
    const policyErrors = policyProblemsOf(store);
    if (policyErrors.length) throw new CliError(`diff: the policy has errors:\n${policyErrors.join('\n')}`);
    const gate = failOn ? { condition: failOn, reasons: gateReasons(d, failOn) } : undefined;
    const output = str(p, 'output');
    const text =
      format === 'json'
        ? JSON.stringify({ ...d, old: { ...d.old, file: displayPath(d.old.file) }, new: { ...d.new, file: displayPath(d.new.file) }, policyFile: d.policyFile && displayPath(d.policyFile), ...(gate && { gate: { failOn: gate.condition, failed: gate.reasons.length > 0, reasons: gate.reasons } }) }, null, 2) + '\n'
        : format === 'sarif'
          ? diffSarif(d, ctx.version, gate)
          : diffText(d, output ? { ...io, color: false } : io, gate);
    if (output) {
      const w = writeOutput(output, text, bool(p, 'force'));
      if (w.exists) throw new CliError(`diff: ${output} already exists (use --force to overwrite)`);
      if (!io.quiet) io.err(`wrote ${output}\n`);
    } else {
      io.out(text);
    }
    if (gate?.reasons.length && format !== 'text' && !io.quiet) {
      io.err(`wasm-warden diff: gate --fail-on ${gate.condition} failed:\n${gate.reasons.map((r) => `  ${r}`).join('\n')}\n`);
    }
    return gate?.reasons.length ? 1 : 0;
  },
};

function approveText(r: ApproveReport): string {
  const lines: string[] = [];
  const v = r.version!;
  const lock = displayPath(r.lockFile);
  if (r.alreadyApproved) {
    lines.push(`${displayPath(r.file)} is already approved: version ${r.versionNumber} in ${lock} (SHA-256 ${v.sha256})`);
    return lines.join('\n') + '\n';
  }
  lines.push(`approved ${displayPath(r.file)} as version ${r.versionNumber} in ${lock}`);
  lines.push(`  sha256 ${v.sha256}, ${n(v.size)} bytes`);
  const caps = v.capabilities;
  if (caps) lines.push(`  ${caps.imports?.length ?? 0} imports (WASI groups: ${caps.wasi?.length ? caps.wasi.join(', ') : 'none'}), memories: ${caps.memories?.length ? caps.memories.join('; ') : 'none'}`);
  lines.push(`  signers: ${v.signers?.length ? v.signers.map((s) => `${s.keyId || '(no key id)'}${s.trustedKey ? ` (trusted key ${s.trustedKey})` : ' (no trusted key verifies it)'}`).join(', ') : 'none (unsigned)'}`);
  if (r.stored) lines.push(`  stored copy: ${displayPath(r.stored.file)}`);
  if (r.previous) {
    lines.push(`  since the version approved before (SHA-256 ${r.previous.sha256.slice(0, 12)}…): ${r.changes?.length ? '' : 'no capability changed'}`);
    for (const c of r.changes ?? []) lines.push(`    ${c.text}`);
  }
  if (r.dropped) lines.push(`  ${r.dropped} oldest version(s) dropped (at most 10 are kept per module)`);
  if (r.pruned.length) lines.push(`  ${r.pruned.length} stored cop${r.pruned.length === 1 ? 'y' : 'ies'} no version refers to removed`);
  return lines.join('\n') + '\n';
}

export const approve: CommandDef = {
  name: 'approve',
  summary: 'approve this version of a module: record it in wasm-warden.lock.json and keep a copy for rollback',
  usage: 'wasm-warden approve FILE [--note TEXT] [--by NAME] [--force] [--policy FILE] [--format text|json]',
  flags: {
    note: { type: 'string', value: 'TEXT', description: 'why it is approved (kept in the lock file)' },
    by: { type: 'string', value: 'NAME', description: 'who approves (default: your user name)' },
    force: { type: 'boolean', description: 'approve even though the module has error-severity findings' },
    policy: { type: 'string', value: 'FILE', description: 'the policy whose folder holds the lock file (default: the nearest wasm-warden.policy.json)' },
    format: { type: 'string', value: 'text|json', description: 'output format (default text)' },
  },
  details: [
    'The lock file (wasm-warden.lock.json, beside the policy) records the SHA-256, size, signers and capability summary;',
    'a copy of the bytes goes to .wasm-warden/store/sha256/<digest> beside it. At most 10 versions are kept per module.',
    '`check` then reports a module whose digest is not approved (rule module-not-approved) and what changed since.',
    'Exit codes: 0 approved (or already approved), 1 refused: the module has error-severity findings (see --force),',
    '2 usage or input error (no policy file, not a module, an invalid lock file).',
  ],
  examples: ['wasm-warden approve build/plugin.wasm --note "reviewed in #123"', 'wasm-warden approve vendor/filter.wasm --policy ci.policy.json'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'approve');
    const format = oneOf(p, 'format', ['text', 'json'] as const, 'text', 'approve');
    if (p.positionals.length !== 1) throw new CliError(`approve: expected one module, got ${p.positionals.length}`);
    const file = requireFile(p.positionals[0], 'approve');
    const store = makePolicyStore(str(p, 'policy'), 'approve');
    const r = approvalErrors('approve', () => approveFile(file, store, { note: str(p, 'note'), by: str(p, 'by'), force: bool(p, 'force') }));
    if (format === 'json') {
      io.out(JSON.stringify({ ...r, file: displayPath(r.file), lockFile: displayPath(r.lockFile), approved: !r.refused }, null, 2) + '\n');
    } else if (r.refused) {
      const report: FileReport = { path: displayPath(file), binary: true, findings: r.refused };
      io.out(r.refused.map((f) => textLine(report, f, io)).join('\n') + '\n');
      io.out(`${paint(io, 'red', 'not approved')}: ${displayPath(file)} has ${r.refused.length} error finding${r.refused.length === 1 ? '' : 's'} (approve anyway with --force)\n`);
    } else {
      io.out(approveText(r));
    }
    return r.refused ? 1 : 0;
  },
};

function rollbackText(r: RollbackReport): string {
  const v = r.version;
  const which = `approved version ${r.versionNumber} of ${r.versions} (SHA-256 ${v.sha256}, ${n(v.size)} bytes${v.approvedAt ? `, approved ${v.approvedAt}` : ''}${v.approvedBy ? ` by ${v.approvedBy}` : ''}${v.note ? `: ${v.note}` : ''})`;
  if (r.alreadyApproved) return `${displayPath(r.file)} already is the ${which}: nothing restored\n`;
  const lines = [`restored ${displayPath(r.file)} to the ${which}`];
  if (r.verifiedSigners.length) lines.push(`  signatures verified: ${r.verifiedSigners.join(', ')}`);
  if (r.backup) lines.push(`  the replaced file (SHA-256 ${r.replacedSha256}) is kept as ${displayPath(r.backup)}`);
  return lines.join('\n') + '\n';
}

export const rollback: CommandDef = {
  name: 'rollback',
  summary: 'restore the last approved version of a module from the store (digest and signatures verified first)',
  usage: 'wasm-warden rollback FILE [--policy FILE] [--format text|json]',
  flags: {
    policy: { type: 'string', value: 'FILE', description: 'the policy whose folder holds the lock file (default: the nearest wasm-warden.policy.json)' },
    format: { type: 'string', value: 'text|json', description: 'output format (default text)' },
  },
  details: [
    'The stored copy must have the approved SHA-256 and size (a corrupted copy is refused, never restored), and when the',
    'approval recorded signatures verified by a trusted key, they must verify on it. The file being replaced is kept',
    'beside it as FILE.<digest12>.bak. Nothing is written when FILE already is the last approved version.',
    'Exit codes: 0 restored (or already the approved version), 2 refused or input error (no approved version,',
    'stored copy missing or corrupted, signature does not verify, no policy file).',
  ],
  examples: ['wasm-warden rollback build/plugin.wasm'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'rollback');
    const format = oneOf(p, 'format', ['text', 'json'] as const, 'text', 'rollback');
    if (p.positionals.length !== 1) throw new CliError(`rollback: expected one module, got ${p.positionals.length}`);
    const file = p.positionals[0];
    if (!file.endsWith('.wasm')) throw new CliError(`rollback: ${file}: only .wasm modules are approved and rolled back`);
    const store = makePolicyStore(str(p, 'policy'), 'rollback');
    const r = approvalErrors('rollback', () => rollbackFile(file, store));
    if (format === 'json') io.out(JSON.stringify({ ...r, file: displayPath(r.file), lockFile: displayPath(r.lockFile), backup: r.backup && displayPath(r.backup) }, null, 2) + '\n');
    else io.out(rollbackText(r));
    return 0;
  },
};
