/**
 * The one status vocabulary of every panel and badge:
 * - the spec: `valid` / `invalid` (does the module validate?);
 * - the policy: `pass` / `fail` (does it meet the workspace policy? warnings alone pass);
 * - a run's outcome: `exited` (with its code), `stopped by you`, `timed out`, `trapped`, `limit`, `could not run`.
 * A panel never shows a green word next to a red finding: a module that validates but breaks the policy
 * is "valid" and "fail", side by side, each in its own colour.
 */
import type { Finding } from '../../../server/src/protocol';
import type { RunReport } from '../../../server/src/engine/sandbox/types';
import { esc } from './html';

export type Tone = 'ok' | 'warning' | 'error' | 'info';

/** A status pill: the word says what it is, the tone only colours it. */
export function statusBadge(word: string, tone: Tone, title?: string): string {
  return `<span class="badge ${tone}"${title ? ` title="${esc(title)}"` : ''}>${esc(word)}</span>`;
}

/** valid / invalid against the WebAssembly spec. */
export function specBadge(valid: boolean): string {
  return valid ? statusBadge('valid', 'ok', 'the module validates') : statusBadge('invalid', 'error', 'the module does not validate');
}

export interface PolicyVerdict {
  pass: boolean;
  errors: number;
  warnings: number;
}

/** What the policy says of a set of findings (the policy's and the signature checks'; toolchain findings are the spec's). */
export function policyVerdict(findings: readonly { severity: string; source: string }[]): PolicyVerdict {
  const policy = findings.filter((f) => f.source === 'policy' || f.source === 'signature');
  const errors = policy.filter((f) => f.severity === 'error').length;
  const warnings = policy.filter((f) => f.severity === 'warning').length;
  return { pass: errors === 0, errors, warnings };
}

/** pass / fail against the policy, with the counts in the word when there are any. */
export function policyBadge(v: PolicyVerdict): string {
  const counts = [v.errors ? plural(v.errors, 'error') : '', v.warnings ? plural(v.warnings, 'warning') : ''].filter(Boolean).join(', ');
  if (!v.pass) return statusBadge(`policy: fail (${counts})`, 'error', 'the module breaks the workspace policy');
  return statusBadge(counts ? `policy: pass (${counts})` : 'policy: pass', v.warnings ? 'warning' : 'ok', 'the module meets the workspace policy');
}

/** A run's outcome in words: what happened, not how it is coloured. */
export function runOutcomeWord(r: Pick<RunReport, 'outcome' | 'exitCode'> & { stoppedBy?: RunReport['stoppedBy'] }): string {
  switch (r.outcome) {
    case 'exit':
      return `exited (${r.exitCode ?? 0})`;
    case 'killed':
      return r.stoppedBy ? 'stopped by an alert' : 'stopped by you';
    case 'timeout':
      return 'timed out';
    case 'trap':
      return 'trapped';
    case 'limit':
      return 'limit';
    default:
      return 'could not run';
  }
}

export function runOutcomeBadge(r: Pick<RunReport, 'outcome' | 'exitCode' | 'violations'> & { stoppedBy?: RunReport['stoppedBy'] }): string {
  const word = runOutcomeWord(r);
  const tone: Tone =
    r.outcome === 'exit' ? ((r.exitCode ?? 0) === 0 && r.violations.length === 0 ? 'ok' : 'warning') : r.outcome === 'killed' ? (r.stoppedBy ? 'error' : 'info') : r.outcome === 'timeout' ? 'warning' : 'error';
  return statusBadge(word, tone);
}

/** The badge of one finding: its severity. */
export function severityBadge(severity: string): string {
  const tone: Tone = severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'info';
  return statusBadge(severity, tone);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Spec findings: everything the policy did not find (parsers, readers, validators). */
export function specFindings<F extends Pick<Finding, 'source'>>(findings: readonly F[]): F[] {
  return findings.filter((f) => f.source !== 'policy' && f.source !== 'signature');
}
