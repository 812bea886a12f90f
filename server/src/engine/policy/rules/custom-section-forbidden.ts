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
    // custom sections counted, not listed (a hostile number of them): by their distinct names
    const omitted = model.customSectionsOmitted;
    for (const name of omitted?.names ?? []) {
      const pattern = firstMatch(policy.customSections?.forbidden, name, 'name');
      if (pattern === undefined) continue;
      out.push({
        message: `Custom sections named "${name}" (among the ${omitted!.count} counted, not listed, from byte ${omitted!.span.start}) are forbidden by the pattern "${pattern}" in customSections.forbidden.`,
        span: omitted!.span,
        data: { section: name, pattern },
      });
    }
    return out;
  },
};
