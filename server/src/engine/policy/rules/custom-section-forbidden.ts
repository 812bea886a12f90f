import { firstMatch, GlobWork } from '../glob';
import { quoteForMessage } from '../limits';
import { globWorkSpent } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

/** `customSections.forbidden`: custom sections whose name matches (debug info, source maps, names...). */
export const customSectionForbidden: PolicyRule = {
  id: 'custom-section-forbidden',
  title: 'Forbidden custom section',
  defaultSeverity: 'error',
  policyKeys: ['customSections.forbidden'],
  component: 'same',
  check({ model, policy }) {
    const out: RuleFinding[] = [];
    const work = new GlobWork();
    const all = model.customSections;
    for (let i = 0; i < all.length; i++) {
      if (work.exhausted) {
        out.push(globWorkSpent(model, 'custom sections', i, all.length));
        break;
      }
      const s = all[i];
      const pattern = firstMatch(policy.customSections?.forbidden, s.name, 'name', work);
      if (pattern === undefined) continue;
      out.push({
        message: `Custom section "${quoteForMessage(s.name)}" (${s.size} bytes) is forbidden by the pattern "${pattern}" in customSections.forbidden.`,
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
