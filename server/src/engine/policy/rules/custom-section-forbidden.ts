import { firstMatch } from '../glob';
import type { PolicyRule, RuleFinding } from './rule';

/** `customSections.forbidden`: custom sections whose name matches (debug info, source maps, names...). */
export const customSectionForbidden: PolicyRule = {
  id: 'custom-section-forbidden',
  title: 'Forbidden custom section',
  defaultSeverity: 'error',
  policyKeys: ['customSections.forbidden'],
  check({ model, policy }) {
    const out: RuleFinding[] = [];
    for (const s of model.customSections) {
      const pattern = firstMatch(policy.customSections?.forbidden, s.name, 'name');
      if (pattern === undefined) continue;
      out.push({
        message: `Custom section "${s.name}" (${s.size} bytes) is forbidden by the pattern "${pattern}" in customSections.forbidden.`,
        span: s.span,
        data: { section: s.name, pattern },
      });
    }
    return out;
  },
};
