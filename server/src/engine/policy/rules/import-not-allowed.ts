import { importMatcher } from '../glob';
import type { PolicyRule, RuleFinding } from './rule';

/** Imports must match `imports.allow` (when present) and must not match `imports.deny`; deny wins. */
export const importNotAllowed: PolicyRule = {
  id: 'import-not-allowed',
  title: 'Import not allowed by the policy',
  defaultSeverity: 'error',
  policyKeys: ['imports.allow', 'imports.deny'],
  check({ model, policy }) {
    const { allow, deny } = policy.imports ?? {};
    const out: RuleFinding[] = [];
    if (!allow && !deny?.length) return out;
    const denyMatcher = importMatcher(deny);
    const allowMatcher = importMatcher(allow);
    for (const imp of model.imports) {
      const denied = denyMatcher?.first(imp.module, imp.name);
      if (denied !== undefined) {
        const data = { module: imp.module, name: imp.name, kind: imp.kind, pattern: denied, list: 'deny' };
        out.push({ message: `Import ${imp.module}.${imp.name} is denied by the pattern "${denied}" in imports.deny.`, span: imp.span, data });
      } else if (allow && allowMatcher?.first(imp.module, imp.name) === undefined) {
        const data = { module: imp.module, name: imp.name, kind: imp.kind, list: 'allow' };
        out.push({ message: `Import ${imp.module}.${imp.name} matches no pattern in imports.allow.`, span: imp.span, data });
      }
    }
    return out;
  },
};
