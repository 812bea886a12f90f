import { matchGlob } from '../glob';
import { sha256Hex } from '../../signing/assess';
import type { IntegrityPolicy } from '../definition';
import { moduleHeadSpan } from './helpers';
import type { PolicyRule } from './rule';

/** Digests shown in a finding's data: a pin list can hold hundreds of thousands. */
const SHOWN_DIGESTS = 16;

/**
 * Each pin list as a set of lower-case digests, built once per policy object: a check then costs one
 * lookup, not a pass over (and a lower-casing of) every pinned digest for every module.
 */
const digestSets = new WeakMap<IntegrityPolicy, Map<string, Set<string>>>();

function pinnedDigests(pins: IntegrityPolicy, glob: string): Set<string> {
  let sets = digestSets.get(pins);
  if (!sets) digestSets.set(pins, (sets = new Map()));
  let set = sets.get(glob);
  if (!set) {
    set = new Set();
    // digests are usually written lower-case already: no copy of those
    for (const d of pins[glob] ?? []) set.add(/[A-F]/.test(d) ? d.toLowerCase() : d);
    sets.set(glob, set);
  }
  return set;
}

/** `integrity`: the SHA-256 of the file must be one of the digests listed for the first glob that matches its path. */
export const integrityMismatch: PolicyRule = {
  id: 'integrity-mismatch',
  title: 'Module digest not pinned by the policy',
  defaultSeverity: 'error',
  policyKeys: ['integrity'],
  component: 'same',
  check({ model, policy, bytes, filePath }) {
    if (model.origin !== 'binary' || !bytes || filePath === undefined) return [];
    const pins = policy.integrity ?? {};
    const glob = Object.keys(pins).find((g) => matchGlob(g, filePath, 'path'));
    if (glob === undefined) return [];
    const allowed = pinnedDigests(pins, glob);
    const digest = sha256Hex(bytes);
    if (allowed.has(digest)) return [];
    const shown: string[] = [];
    for (const d of allowed) {
      if (shown.length === SHOWN_DIGESTS) break;
      shown.push(d);
    }
    return [
      {
        message: `SHA-256 ${digest} of ${filePath} is not among the ${allowed.size} digest(s) pinned for "${glob}" in integrity.`,
        span: moduleHeadSpan(model),
        data: { glob, digest, allowed: shown, allowedCount: allowed.size },
      },
    ];
  },
};
