import { capitalize, describeItem, itemData, limitedItems } from './helpers';
import type { PolicyRule } from './rule';

/** `memory.allowMemory64`: 64-bit memories are refused unless allowed. */
export const memory64: PolicyRule = {
  id: 'memory64',
  title: '64-bit memory not allowed',
  defaultSeverity: 'error',
  policyKeys: ['memory.allowMemory64'],
  check({ model, policy }) {
    if (policy.memory?.allowMemory64 !== false) return [];
    return limitedItems(model, 'memory')
      .filter((m) => m.limits.index64)
      .map((m) => ({
        message: capitalize(`${describeItem('memory', m)} is a 64-bit memory; the policy does not allow memory64 (memory.allowMemory64).`),
        span: m.limitsSpan ?? m.span,
        data: itemData('memory', m),
      }));
  },
};
