import { GlobWork, matchGlob } from '../glob';
import { globWorkSpent, moduleHeadSpan } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

/** `customSections.required`: each pattern must match at least one custom section. */
export const customSectionMissing: PolicyRule = {
  id: 'custom-section-missing',
  title: 'Required custom section missing',
  defaultSeverity: 'error',
  policyKeys: ['customSections.required'],
  component: 'same',
  check({ model, policy }) {
    const work = new GlobWork();
    const sections = model.customSections;
    const out: RuleFinding[] = [];
    for (const pattern of policy.customSections?.required ?? []) {
      let found = false;
      for (let i = 0; i < sections.length && !found; i++) {
        if (work.exhausted) return [globWorkSpent(model, 'custom sections', i, sections.length)];
        found = matchGlob(pattern, sections[i].name, 'name', work);
      }
      // sections past the listed ones are counted, with their first distinct names (custom-section-tally.ts)
      const omitted = model.customSectionsOmitted?.names ?? [];
      const total = sections.length + (model.customSectionsOmitted?.count ?? 0);
      for (let i = 0; i < omitted.length && !found; i++) {
        if (work.exhausted) return [globWorkSpent(model, 'custom sections', sections.length, total)];
        found = matchGlob(pattern, omitted[i], 'name', work);
      }
      if (!found) {
        out.push({
          message: `The module has no custom section matching "${pattern}", which customSections.required asks for.`,
          span: moduleHeadSpan(model),
          data: { pattern },
        });
      }
    }
    return out;
  },
};
