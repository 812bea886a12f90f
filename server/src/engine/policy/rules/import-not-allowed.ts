import { GlobWork, importMatcher } from '../glob';
import { firstComponentMatch } from '../component-names';
import { describeComponentExtern } from '../../component/wasi-catalog';
import { quoteForMessage } from '../limits';
import { globWorkSpent } from './helpers';
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
    const work = new GlobWork();
    const imports = model.imports;
    for (let i = 0; i < imports.length; i++) {
      if (work.exhausted) {
        out.push(globWorkSpent(model, 'imports', i, imports.length));
        break;
      }
      const imp = imports[i];
      const denied = denyMatcher?.first(imp.module, imp.name, work);
      if (denied !== undefined) {
        const data = { module: imp.module, name: imp.name, kind: imp.kind, pattern: denied, list: 'deny' };
        out.push({ message: `Import ${quoteForMessage(`${imp.module}.${imp.name}`)} is denied by the pattern "${denied}" in imports.deny.`, span: imp.span, data });
      } else if (allow && allowMatcher?.first(imp.module, imp.name, work) === undefined) {
        const data = { module: imp.module, name: imp.name, kind: imp.kind, list: 'allow' };
        out.push({ message: `Import ${quoteForMessage(`${imp.module}.${imp.name}`)} matches no pattern in imports.allow.`, span: imp.span, data });
      }
    }
    return out;
  },
  /** component imports, by their names (`wasi:cli/*@0.2`: see component-names.ts) */
  component({ model, policy }) {
    const { allow, deny } = policy.imports ?? {};
    const out: RuleFinding[] = [];
    if (!allow && !deny?.length) return out;
    const work = new GlobWork();
    const imports = model.component?.imports ?? [];
    for (let i = 0; i < imports.length; i++) {
      if (work.exhausted) {
        out.push(globWorkSpent(model, 'imports', i, imports.length));
        break;
      }
      const imp = imports[i];
      const toolchain = describeComponentExtern(imp).toolchain;
      const denied = firstComponentMatch(deny, imp.name, imp.parsed, work);
      if (denied !== undefined) {
        const data = { componentImport: imp.name, sort: imp.sort, pattern: denied, list: 'deny', toolchain };
        out.push({ message: `Import ${quoteForMessage(imp.name)} is denied by the pattern "${denied}" in imports.deny.`, span: imp.span, data });
      } else if (allow && firstComponentMatch(allow, imp.name, imp.parsed, work) === undefined) {
        const data = { componentImport: imp.name, sort: imp.sort, list: 'allow', toolchain };
        out.push({ message: `Import ${quoteForMessage(imp.name)} matches no pattern in imports.allow.`, span: imp.span, data });
      }
    }
    return out;
  },
};
