import { matchGlob } from '../glob';
import { moduleHeadSpan } from './helpers';
import type { PolicyRule } from './rule';

/** `exports.required`: each pattern must match at least one export. */
export const exportMissing: PolicyRule = {
  id: 'export-missing',
  title: 'Required export missing',
  defaultSeverity: 'error',
  policyKeys: ['exports.required'],
  check({ model, policy }) {
    const required = policy.exports?.required ?? [];
    // nothing required: the exports are not even decoded (a lazy read defers them)
    if (required.length === 0) return [];
    return required
      .filter((pattern) => !model.exports.some((e) => matchGlob(pattern, e.name, 'name')))
      .map((pattern) => ({
        message: `The module exports nothing matching "${pattern}", which exports.required asks for.`,
        span: moduleHeadSpan(model),
        data: { pattern },
      }));
  },
};
