import { capabilitySummary, compareCapabilities, completeSummary } from '../../approvals/capabilities';
import { LOCK_FILE_NAME, type ApprovedVersion } from '../../approvals/lock';
import { sha256Hex } from '../../signing/assess';
import { moduleHeadSpan } from './helpers';
import type { PolicyRule } from './rule';

/** Changes listed in the message; the finding's data carries them all. */
const SHOWN_CHANGES = 8;

/**
 * A binary module whose SHA-256 is not one of its approved versions in `wasm-warden.lock.json` (the
 * lock beside the policy). Off while there is no lock file, unless the policy sets the rule's severity.
 */
export const moduleNotApproved: PolicyRule = {
  id: 'module-not-approved',
  title: 'Module version is not approved',
  defaultSeverity: 'warning',
  policyKeys: ['rules.module-not-approved'],
  check({ model, policy, bytes, filePath, approvals }) {
    // a header-only read (no lock, and the policy does not ask) has no digest to look up
    if (model.origin !== 'binary' || !bytes || filePath === undefined || (model.byteLength !== undefined && bytes.length !== model.byteLength)) return [];
    const asked = policy.rules?.['module-not-approved'] !== undefined;
    const span = moduleHeadSpan(model);
    if (!approvals) {
      if (!asked) return [];
      return [{ message: 'No version of this module is approved: there is no wasm-warden.lock.json beside the policy. Review it, then approve it (`wasm-warden approve FILE`, or the quick fix).', span, data: { digest: sha256Hex(bytes) } }];
    }
    if (approvals.problem) {
      return [{ message: `The approved versions cannot be checked: ${approvals.problem}.`, span, data: { lockFile: approvals.lockFile, problem: approvals.problem } }];
    }
    const digest = sha256Hex(bytes);
    const versions = approvals.module?.versions ?? [];
    if (versions.some((v) => v.sha256.toLowerCase() === digest)) return [];
    const last: ApprovedVersion | undefined = versions[versions.length - 1];
    const data: Record<string, unknown> = { digest, size: bytes.length, key: approvals.key, lockFile: approvals.lockFile };
    if (!last) {
      return [{ message: `This module (SHA-256 ${digest.slice(0, 12)}…) has no approved version in ${LOCK_FILE_NAME}. Review it, then approve it (\`wasm-warden approve\`, or the quick fix).`, span, data }];
    }
    const changes = last.capabilities ? compareCapabilities(completeSummary(last.capabilities), capabilitySummary(model)) : [];
    const size = last.size === bytes.length ? 'same size' : `size ${last.size.toLocaleString('en-US')} -> ${bytes.length.toLocaleString('en-US')} bytes`;
    const shown = changes.slice(0, SHOWN_CHANGES).map((c) => c.text);
    if (changes.length > SHOWN_CHANGES) shown.push(`${changes.length - SHOWN_CHANGES} more`);
    const when = last.approvedAt ? ` (approved ${last.approvedAt.slice(0, 10)})` : '';
    const what = changes.length ? `capabilities changed: ${shown.join('; ')}` : 'no capability changed';
    const more = changes.filter((c) => c.more).length;
    data.lastApproved = { sha256: last.sha256, size: last.size, approvedAt: last.approvedAt, version: versions.length };
    data.changes = changes.map((c) => c.text);
    data.moreCapabilities = more > 0;
    return [
      {
        message: `This version (SHA-256 ${digest.slice(0, 12)}…) is not approved. Since the last approved version ${versions.length}${when}, SHA-256 ${last.sha256.slice(0, 12)}…: ${size}; ${what}.${more ? ' It asks for more than the approved version.' : ''}`,
        span,
        data,
      },
    ];
  },
};
