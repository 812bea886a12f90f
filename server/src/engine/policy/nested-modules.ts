/**
 * `imports.nestedModules: true`: the core modules inside a component are checked by the core-module
 * rules too, each read at its offset; their findings name the module and point into the file. Off by
 * default: they are the component's internal wiring (the preview1 adapter imports
 * `wasi_snapshot_preview1` functions a component's own world never exposes).
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { ModuleModel } from '../model';
import { hex } from '../binary/byte-reader';
import { allNestedModules } from '../component/model';
import { readNestedModule, shiftFinding } from '../component/nested-modules';
import type { EffectivePolicy } from './definition';
import { checkModel, type CheckExtra } from './check';
import { moduleHeadSpan } from './rules/helpers';

/** Rules that look at a file's bytes as a whole: not run on its nested modules. */
const FILE_RULES = new Set(['signature-missing', 'signature-invalid', 'signature-untrusted', 'integrity-mismatch']);

export function checkNestedModules(model: ModuleModel, policy: EffectivePolicy, extra: CheckExtra): EngineDiagnostic[] {
  const bytes = extra.bytes;
  if (!model.component) return [];
  if (!bytes || bytes.length < (model.byteLength ?? 0)) {
    return [
      {
        code: 'policy-nested-modules-unread',
        severity: 'warning',
        message: 'imports.nestedModules asks for the nested core modules to be checked, but the component\'s bytes were not read.',
        span: moduleHeadSpan(model),
        source: 'policy',
      },
    ];
  }
  const rules = { ...policy.rules };
  for (const id of FILE_RULES) rules[id] = 'off';
  const inner: EffectivePolicy = { ...policy, rules, imports: { ...policy.imports, nestedModules: false } };
  const out: EngineDiagnostic[] = [];
  for (const mod of allNestedModules(model.component)) {
    const read = readNestedModule(bytes, mod, { names: false, bodies: false, data: false });
    if (read.model.kind !== 'module') {
      out.push({ code: 'wasm-malformed', severity: 'error', message: `core ${mod.path} @${hex(mod.start)} is not a core module`, span: { start: mod.start, end: mod.start + 1 }, source: 'policy' });
      continue;
    }
    for (const d of checkModel(read.model, inner, { filePath: extra.filePath, policyDir: extra.policyDir })) out.push(shiftFinding(d, mod));
  }
  return out;
}
