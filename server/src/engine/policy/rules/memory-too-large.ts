import { memoryMaxBytes, memoryMinBytes } from '../../model';
import { capitalize, describeItem, formatBytes, itemData, limitedItems } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

/**
 * `memory.maxPages` / `memory.maxBytes`: a memory's declared maximum (or its minimum, when it has no
 * maximum) must fit. maxPages counts pages of the memory's own page size.
 */
export const memoryTooLarge: PolicyRule = {
  id: 'memory-too-large',
  title: 'Memory larger than the policy allows',
  defaultSeverity: 'error',
  policyKeys: ['memory.maxPages', 'memory.maxBytes'],
  check({ model, policy }) {
    const { maxPages, maxBytes } = policy.memory ?? {};
    if (maxPages === undefined && maxBytes === undefined) return [];
    const out: RuleFinding[] = [];
    for (const m of limitedItems(model, 'memory')) {
      const pageSize = 2 ** m.limits.pageSizeLog2;
      // at least one of the two is set (see above)
      const cap = Math.min(maxBytes ?? Infinity, maxPages === undefined ? Infinity : maxPages * pageSize);
      const bounded = m.limits.max !== undefined;
      const size = bounded ? memoryMaxBytes(m.limits)! : memoryMinBytes(m.limits);
      if (size <= cap) continue;
      const pages = bounded ? m.limits.max! : m.limits.min;
      const allowedPages = Math.floor(cap / pageSize);
      out.push({
        message: capitalize(`${describeItem('memory', m)} ${bounded ? 'may grow to' : 'starts at'} ${pages} pages of ${formatBytes(pageSize)} = ${formatBytes(size)}; the policy allows at most ${formatBytes(cap)} (${allowedPages} pages).`),
        span: m.limitsSpan ?? m.span,
        data: itemData('memory', m, { bytes: size, maxBytes: cap, maxPages: allowedPages, pageSizeLog2: m.limits.pageSizeLog2 }),
      });
    }
    return out;
  },
};
