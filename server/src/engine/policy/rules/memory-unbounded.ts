import { capitalize, describeItem, itemData, limitedItems } from './helpers';
import type { PolicyRule } from './rule';

/** `memory.requireMaximum`: every memory, defined or imported, declares a maximum. */
export const memoryUnbounded: PolicyRule = {
  id: 'memory-unbounded',
  title: 'Memory without a maximum size',
  defaultSeverity: 'error',
  policyKeys: ['memory.requireMaximum'],
  check({ model, policy }) {
    if (!policy.memory?.requireMaximum) return [];
    return limitedItems(model, 'memory')
      .filter((m) => m.limits.max === undefined)
      .map((m) => ({
        message: `${capitalize(describeItem('memory', m))} declares no maximum size; the policy requires one.`,
        span: m.limitsSpan ?? m.span,
        data: itemData('memory', m, { min: m.limits.min }),
      }));
  },
};
