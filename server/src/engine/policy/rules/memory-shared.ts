import { capitalize, describeItem, itemData, limitedItems } from './helpers';
import type { PolicyRule } from './rule';

/** `memory.allowShared`: shared memories (threads) are refused unless allowed. */
export const memoryShared: PolicyRule = {
  id: 'memory-shared',
  title: 'Shared memory not allowed',
  defaultSeverity: 'error',
  policyKeys: ['memory.allowShared'],
  check({ model, policy }) {
    if (policy.memory?.allowShared !== false) return [];
    return limitedItems(model, 'memory')
      .filter((m) => m.limits.shared)
      .map((m) => ({
        message: capitalize(`${describeItem('memory', m)} is shared; the policy does not allow shared memory (memory.allowShared).`),
        span: m.limitsSpan ?? m.span,
        data: itemData('memory', m),
      }));
  },
};
