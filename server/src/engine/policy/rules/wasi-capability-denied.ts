import { describeImport, WASI_CAPABILITY_DOCS } from '../../wasi';
import { wasiImports } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

/** A known WASI import whose capability group is switched off in `imports.wasi`. */
export const wasiCapabilityDenied: PolicyRule = {
  id: 'wasi-capability-denied',
  title: 'WASI capability denied by the policy',
  defaultSeverity: 'error',
  policyKeys: ['imports.wasi'],
  check({ model, policy }) {
    const switches = policy.imports?.wasi ?? {};
    const out: RuleFinding[] = [];
    if (!Object.values(switches).includes(false)) return out;
    for (const imp of wasiImports(model)) {
      const info = describeImport(imp.module, imp.name);
      if (!info.known || !info.capability || switches[info.capability] !== false) continue;
      out.push({
        message: `Import ${imp.module}.${imp.name} needs the WASI capability "${info.capability}" (${WASI_CAPABILITY_DOCS[info.capability]}), which imports.wasi denies.`,
        span: imp.span,
        data: { module: imp.module, name: imp.name, capability: info.capability },
      });
    }
    return out;
  },
};
