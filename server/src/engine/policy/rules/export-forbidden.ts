import { firstMatch } from '../glob';
import type { PolicyRule, RuleFinding } from './rule';

/** `exports.forbidden`: no export name may match these patterns. */
export const exportForbidden: PolicyRule = {
  id: 'export-forbidden',
  title: 'Forbidden export',
  defaultSeverity: 'error',
  policyKeys: ['exports.forbidden'],
  check({ model, policy }) {
    const out: RuleFinding[] = [];
    // nothing forbidden: the exports are not even decoded (a lazy read defers them)
    if (!policy.exports?.forbidden?.length) return out;
    for (const e of model.exports) {
      const pattern = firstMatch(policy.exports?.forbidden, e.name, 'name');
      if (pattern === undefined) continue;
      out.push({
        message: `Export "${e.name}" is forbidden by the pattern "${pattern}" in exports.forbidden.`,
        span: e.nameSpan ?? e.span,
        data: { name: e.name, kind: e.kind, pattern },
      });
    }
    return out;
  },
};
