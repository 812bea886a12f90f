import { firstMatch, GlobWork } from '../glob';
import { firstComponentMatch } from '../component-names';
import { quoteForMessage } from '../limits';
import { globWorkSpent } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

/** `exports.forbidden`: no export name may match these patterns. */
export const exportForbidden: PolicyRule = {
  id: 'export-forbidden',
  title: 'Forbidden export',
  defaultSeverity: 'error',
  policyKeys: ['exports.forbidden'],
  check({ model, policy }) {
    const out: RuleFinding[] = [];
    // nothing forbidden: the exports are not even decoded (a lazy read defers them)
    if (!policy.exports?.forbidden?.length) return out;
    const work = new GlobWork();
    const all = model.exports;
    for (let i = 0; i < all.length; i++) {
      if (work.exhausted) {
        out.push(globWorkSpent(model, 'exports', i, all.length));
        break;
      }
      const e = all[i];
      const pattern = firstMatch(policy.exports?.forbidden, e.name, 'name', work);
      if (pattern === undefined) continue;
      out.push({
        message: `Export "${quoteForMessage(e.name)}" is forbidden by the pattern "${pattern}" in exports.forbidden.`,
        span: e.nameSpan ?? e.span,
        data: { name: e.name, kind: e.kind, pattern },
      });
    }
    return out;
  },
  component({ model, policy }) {
    const forbidden = policy.exports?.forbidden;
    const out: RuleFinding[] = [];
    if (!forbidden?.length) return out;
    const work = new GlobWork();
    for (const e of model.component?.exports ?? []) {
      const pattern = firstComponentMatch(forbidden, e.name, e.parsed, work);
      if (pattern === undefined) continue;
      out.push({ message: `Export "${quoteForMessage(e.name)}" is forbidden by the pattern "${pattern}" in exports.forbidden.`, span: e.span, data: { name: e.name, sort: e.sort, pattern } });
    }
    return out;
  },
};
