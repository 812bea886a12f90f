import { describeImport, WASI_CAPABILITY_DOCS, type WasiCapability } from '../../wasi';
import { describeComponentExtern } from '../../component/wasi-catalog';
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
        message: `Import ${imp.module}.${imp.name} ${needs(info.capability)}`,
        span: imp.span,
        data: { module: imp.module, name: imp.name, capability: info.capability },
      });
    }
    return out;
  },
  /** component imports of WASI interfaces (and exports that serve HTTP), by the component catalog */
  component({ model, policy }) {
    const switches = policy.imports?.wasi ?? {};
    const out: RuleFinding[] = [];
    if (!Object.values(switches).includes(false) || !model.component) return out;
    const { imports, exports } = model.component;
    for (const [list, exported] of [[imports, false], [exports, true]] as const) {
      for (const ext of list) {
        const info = describeComponentExtern(ext, exported);
        const denied = info.capabilities.filter((c) => switches[c] === false);
        if (denied.length === 0) continue;
        out.push({
          message: `${exported ? 'Export' : 'Import'} ${ext.name} ${denied.map(needs).join(' It also ')}`,
          span: ext.span,
          data: { componentImport: exported ? undefined : ext.name, componentExport: exported ? ext.name : undefined, capability: denied[0], capabilities: denied, toolchain: info.toolchain },
        });
      }
    }
    return out;
  },
};

/** `needs the WASI capability "x" (what it allows), which is off by default (imports.wasi.x).` */
function needs(capability: WasiCapability): string {
  // a capability off by default is off although the policy file may not mention imports.wasi at all
  return `needs the WASI capability "${capability}" (${WASI_CAPABILITY_DOCS[capability]}), which ${
    DEFAULT_POLICY.imports?.wasi?.[capability] === false ? `is off by default (imports.wasi.${capability})` : `imports.wasi.${capability} switches off`
  }.`;
}
