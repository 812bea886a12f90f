import { capitalize, describeItem, itemData, limitedItems } from './helpers';
import type { PolicyRule } from './rule';

/** `tables.maxElements`: a table's declared maximum (or minimum, when unbounded) must fit. */
export const tableTooLarge: PolicyRule = {
  id: 'table-too-large',
  title: 'Table larger than the policy allows',
  defaultSeverity: 'error',
  policyKeys: ['tables.maxElements'],
  check({ model, policy }) {
    const cap = policy.tables?.maxElements;
    if (cap === undefined) return [];
    return limitedItems(model, 'table')
      .filter((t) => (t.limits.max ?? t.limits.min) > cap)
      .map((t) => {
        const size = t.limits.max ?? t.limits.min;
        return {
          message: capitalize(`${describeItem('table', t)} ${t.limits.max !== undefined ? 'may grow to' : 'starts at'} ${size} elements; the policy allows at most ${cap} (tables.maxElements).`),
          span: t.limitsSpan ?? t.span,
          data: itemData('table', t, { elements: size, maxElements: cap }),
        };
      });
  },
};
