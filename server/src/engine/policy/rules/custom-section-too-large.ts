import type { PolicyRule } from './rule';

/** `customSections.maxBytes`: the size of each custom section's payload. */
export const customSectionTooLarge: PolicyRule = {
  id: 'custom-section-too-large',
  title: 'Custom section too large',
  defaultSeverity: 'warning',
  policyKeys: ['customSections.maxBytes'],
  check({ model, policy }) {
    const cap = policy.customSections?.maxBytes;
    if (cap === undefined) return [];
    return model.customSections
      .filter((s) => s.size > cap)
      .map((s) => ({
        message: `Custom section "${s.name}" is ${s.size} bytes; the policy allows at most ${cap} (customSections.maxBytes).`,
        span: s.span,
        data: { section: s.name, size: s.size, maxBytes: cap },
      }));
  },
};
