import { capabilityCombinations } from '../../code/host-calls';
import { moduleHeadSpan } from './helpers';
import type { PolicyRule } from './rule';

/** Imports that together read as ransomware (enumerate + rename/unlink + random) or exfiltration (files + sockets). */
export const capabilityCombination: PolicyRule = {
  id: 'capability-combination',
  title: 'Imports combine into a ransomware or exfiltration pattern',
  defaultSeverity: 'warning',
  policyKeys: ['imports.wasi'],
  check({ model }) {
    return capabilityCombinations(model).map((c) => ({
      message: `The imports read as ${c.kind === 'ransomware' ? 'ransomware' : 'data exfiltration'}: the module ${c.description}: ${c.imports.map((i) => `${i.module}.${i.name}`).join(', ')}.`,
      span: c.imports[0]?.span ?? moduleHeadSpan(model),
      data: { pattern: c.kind, imports: c.imports.map((i) => `${i.module}.${i.name}`) },
    }));
  },
};
