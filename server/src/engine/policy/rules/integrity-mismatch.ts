import { matchGlob } from '../glob';
import { sha256Hex } from '../../signing/assess';
import { moduleHeadSpan } from './helpers';
import type { PolicyRule } from './rule';

/** `integrity`: the SHA-256 of the file must be one of the digests listed for the first glob that matches its path. */
export const integrityMismatch: PolicyRule = {
  id: 'integrity-mismatch',
  title: 'Module digest not pinned by the policy',
  defaultSeverity: 'error',
  policyKeys: ['integrity'],
  check({ model, policy, bytes, filePath }) {
    if (model.origin !== 'binary' || !bytes || filePath === undefined) return [];
    const pins = policy.integrity ?? {};
    const glob = Object.keys(pins).find((g) => matchGlob(g, filePath, 'path'));
    if (glob === undefined) return [];
    const allowed = (pins[glob] ?? []).map((d) => d.toLowerCase());
    const digest = sha256Hex(bytes);
    if (allowed.includes(digest)) return [];
    return [
      {
        message: `SHA-256 ${digest} of ${filePath} is not among the ${allowed.length} digest(s) pinned for "${glob}" in integrity.`,
        span: moduleHeadSpan(model),
        data: { glob, digest, allowed },
      },
    ];
  },
};
