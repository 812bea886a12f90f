import { describeItem, itemData, limitedItems } from './helpers';
import type { PolicyRule } from './rule';

/** `memory.maxMemories`: the number of memories, defined plus imported. Reported on each memory past the limit. */
export const memoryCount: PolicyRule = {
  id: 'memory-count',
  title: 'Too many memories',
  defaultSeverity: 'error',
  policyKeys: ['memory.maxMemories'],
  check({ model, policy }) {
    const max = policy.memory?.maxMemories;
    if (max === undefined) return [];
    const items = limitedItems(model, 'memory');
    if (items.length <= max) return [];
    return items.slice(max).map((m) => ({
      message: `The module has ${items.length} memories; the policy allows at most ${max} (memory.maxMemories). ${describeItem('memory', m)} is one too many.`,
      span: m.span,
      data: itemData('memory', m, { count: items.length, maxMemories: max }),
    }));
  },
};
