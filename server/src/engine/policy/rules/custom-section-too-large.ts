import type { PolicyRule } from './rule';

/** `customSections.maxBytes`: the size of each custom section's payload. */
export const customSectionTooLarge: PolicyRule = {
  id: 'custom-section-too-large',
  title: 'Custom section too large',
  defaultSeverity: 'warning',
  policyKeys: ['customSections.maxBytes'],
  component: 'same',
  check({ model, policy }) {
    const cap = policy.customSections?.maxBytes;
    if (cap === undefined) return [];
    const out = model.customSections
      .filter((s) => s.size > cap)
      .map((s) => ({
        message: `Custom section "${s.name}" is ${s.size} bytes; the policy allows at most ${cap} (customSections.maxBytes).`,
        span: s.span,
        data: { section: s.name, size: s.size, maxBytes: cap } as Record<string, unknown>,
      }));
    // custom sections counted, not listed: their largest
    const omitted = model.customSectionsOmitted;
    if (omitted && omitted.largest > cap) {
      out.push({
        message: `A custom section among the ${omitted.count} counted, not listed (from byte ${omitted.span.start}) is ${omitted.largest} bytes; the policy allows at most ${cap} (customSections.maxBytes).`,
        span: omitted.span,
        data: { size: omitted.largest, maxBytes: cap },
      });
    }
    return out;
  },
};
