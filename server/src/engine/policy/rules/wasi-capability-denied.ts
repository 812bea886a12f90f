import { describeImport, WASI_CAPABILITY_DOCS } from '../../wasi';
import { DEFAULT_POLICY } from '../definition';
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
        // a capability off by default is off although the policy file may not mention imports.wasi at all
        message: `Import ${imp.module}.${imp.name} needs the WASI capability "${info.capability}" (${WASI_CAPABILITY_DOCS[info.capability]}), which ${
          DEFAULT_POLICY.imports?.wasi?.[info.capability] === false ? `is off by default (imports.wasi.${info.capability})` : `imports.wasi.${info.capability} switches off`
        }.`,
        span: imp.span,
        data: { module: imp.module, name: imp.name, capability: info.capability },
      });
    }
    return out;
  },
};
