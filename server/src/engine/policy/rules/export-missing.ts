import { GlobWork, matchGlob } from '../glob';
import { componentNameMatches } from '../component-names';
import { globWorkSpent, moduleHeadSpan } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

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
    const work = new GlobWork();
    const exports = model.exports;
    const out: RuleFinding[] = [];
    for (const pattern of required) {
      let found = false;
      for (let i = 0; i < exports.length && !found; i++) {
        if (work.exhausted) return [globWorkSpent(model, 'exports', i, exports.length)];
        found = matchGlob(pattern, exports[i].name, 'name', work);
      }
      if (!found) {
        out.push({
          message: `The module exports nothing matching "${pattern}", which exports.required asks for.`,
          span: moduleHeadSpan(model),
          data: { pattern },
        });
      }
    }
    return out;
  },
  component({ model, policy }) {
    const required = policy.exports?.required ?? [];
    const exports = model.component?.exports ?? [];
    const work = new GlobWork();
    return required
      .filter((pattern) => !exports.some((e) => componentNameMatches(pattern, e.name, e.parsed, work)))
      .map((pattern) => ({ message: `The component exports nothing matching "${pattern}", which exports.required asks for.`, span: moduleHeadSpan(model), data: { pattern } }));
  },
};
