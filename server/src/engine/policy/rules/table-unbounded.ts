import { capitalize, describeItem, itemData, limitedItems } from './helpers';
import type { PolicyRule } from './rule';

/** `tables.requireMaximum`: every table, defined or imported, declares a maximum. */
export const tableUnbounded: PolicyRule = {
  id: 'table-unbounded',
  title: 'Table without a maximum size',
  defaultSeverity: 'error',
  policyKeys: ['tables.requireMaximum'],
  check({ model, policy }) {
    if (!policy.tables?.requireMaximum) return [];
    return limitedItems(model, 'table')
      .filter((t) => t.limits.max === undefined)
      .map((t) => ({
        message: capitalize(`${describeItem('table', t)} declares no maximum size; the policy requires one (tables.requireMaximum).`),
        span: t.limitsSpan ?? t.span,
        data: itemData('table', t, { min: t.limits.min }),
      }));
  },
};
