import { describeImport } from '../../wasi';
import { describeComponentExtern } from '../../component/wasi-catalog';
import { wasiImports } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

/** An import from a `wasi*` module that is not in the WASI catalog (e.g. WasmEdge's sock_open). */
export const unknownWasiImport: PolicyRule = {
  id: 'unknown-wasi-import',
  title: 'Unknown WASI import',
  defaultSeverity: 'error',
  policyKeys: ['imports.wasi.unknown'],
  check({ model, policy }) {
    if (policy.imports?.wasi?.unknown !== false) return [];
    const out: RuleFinding[] = [];
    for (const imp of wasiImports(model)) {
      const info = describeImport(imp.module, imp.name);
      if (!info.wasi || info.known) continue;
      out.push({
        message: `Import ${imp.module}.${imp.name} is not a known WASI function (a non-standard extension?); imports.wasi.unknown denies it.`,
        span: imp.span,
        data: { module: imp.module, name: imp.name },
      });
    }
    return out;
  },
  /** `wasi:` interfaces the component catalog does not know */
  component({ model, policy }) {
    if (policy.imports?.wasi?.unknown !== false) return [];
    const out: RuleFinding[] = [];
    for (const imp of model.component?.imports ?? []) {
      const info = describeComponentExtern(imp);
      if (!info.wasi || info.known) continue;
      out.push({
        message: `Import ${imp.name} is not a WASI interface Wasm Warden knows (a proposal or a non-standard extension?); imports.wasi.unknown denies it.`,
        span: imp.span,
        data: { componentImport: imp.name },
      });
    }
    return out;
  },
};
