import { matchGlob } from '../glob';
import { moduleHeadSpan } from './helpers';
import type { PolicyRule } from './rule';

/** `customSections.required`: each pattern must match at least one custom section. */
export const customSectionMissing: PolicyRule = {
  id: 'custom-section-missing',
  title: 'Required custom section missing',
  defaultSeverity: 'error',
  policyKeys: ['customSections.required'],
  check({ model, policy }) {
    return (policy.customSections?.required ?? [])
      .filter(
        (pattern) =>
          !model.customSections.some((s) => matchGlob(pattern, s.name, 'name')) &&
          !(model.customSectionsOmitted?.names ?? []).some((name) => matchGlob(pattern, name, 'name')),
      )
      .map((pattern) => ({
        message: `The module has no custom section matching "${pattern}", which customSections.required asks for.`,
        span: moduleHeadSpan(model),
        data: { pattern },
      }));
  },
};
