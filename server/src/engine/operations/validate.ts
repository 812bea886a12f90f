/**
 * The `validate` operation: full spec validation (wabt with every feature, binaryen as a second
 * opinion; see engine/toolchain) plus the syntax/format checks and the policy check of `check`.
 */
import * as fs from 'fs';
import { validateWasm, validateWat } from '../toolchain';
import type { ToolchainOptions } from '../toolchain';
import type { PolicyStore } from '../policy/store';
import { checkFile, sourceKindOf } from './check';
import { locateFindings, type Finding } from './findings';
import { readBytes } from './output';
import { limitDiagnostics } from '../diagnostic-limit';
import type { EngineDiagnostic } from '../diagnostic';
import type { ModuleModel } from '../model';
import { allNestedModules } from '../component/model';
import { nestedModuleBytes, nestedModuleFindings, shiftFinding } from '../component/nested-modules';

/** Most nested core modules of one component handed to the spec validator (the rest are read, not validated). */
const MAX_VALIDATED_NESTED_MODULES = 64;

/**
 * A component's structure: the component reader's findings (every section), each nested core module
 * read by the core reader, and each validated by wabt (which cannot read components themselves).
 */
async function validateComponent(file: string, bytes: Uint8Array, model: ModuleModel, checked: EngineDiagnostic[], options: ToolchainOptions): Promise<ValidateResult> {
  const t0 = performance.now();
  const structure = [...checked, ...nestedModuleFindings(bytes, model)];
  const spec: EngineDiagnostic[] = [];
  let specValid = true;
  let validators: string[] = ['component-reader'];
  const modules = allNestedModules(model.component!);
  const broken = new Set(structure.filter((d) => d.severity === 'error' && d.data?.nestedModuleOffset !== undefined).map((d) => d.data!.nestedModuleOffset));
  for (const mod of modules.slice(0, MAX_VALIDATED_NESTED_MODULES)) {
    if (broken.has(mod.start)) continue; // already reported as unreadable
    const r = await validateWasm(nestedModuleBytes(bytes, mod), options);
    validators = [...new Set([...validators, ...r.validator])];
    if (!r.valid) specValid = false;
    for (const d of r.diagnostics) spec.push(shiftFinding(d, mod));
  }
  if (modules.length > MAX_VALIDATED_NESTED_MODULES) {
    spec.push({
      code: 'input-limit',
      severity: 'warning',
      message: `${modules.length} core modules inside: the first ${MAX_VALIDATED_NESTED_MODULES} were validated, the others only read`,
      span: { start: 0, end: 8 },
      source: 'wasm-warden',
    });
  }
  const readable = !structure.some((d) => d.source === 'wasm-reader' && d.severity === 'error');
  return { file, valid: readable && specValid, validators, timeMs: performance.now() - t0, findings: locateFindings(file, limitDiagnostics([...structure, ...spec])) };
}

export interface ValidateResult {
  file: string;
  valid: boolean;
  validators: string[];
  timeMs: number;
  findings: Finding[];
}

export async function validateFile(
  file: string,
  store: PolicyStore,
  options: ToolchainOptions & { text?: string } = {},
): Promise<ValidateResult> {
  const kind = sourceKindOf(file);
  if (!kind) throw new Error(`${file}: not a .wat, .wast or .wasm file`);
  if (kind === 'wasm') {
    const bytes = readBytes(file);
    const checked = checkFile(file, store, { bytes });
    const model = checked.models[0];
    if (model?.kind === 'component') return validateComponent(file, bytes, model, checked.diagnostics, options);
    const spec = await validateWasm(bytes, options);
    const findings = locateFindings(file, limitDiagnostics([...dedupe(checked.diagnostics, spec.diagnostics), ...spec.diagnostics]));
    return { file, valid: spec.valid && !checked.diagnostics.some((d) => d.source === 'wasm-reader' && d.severity === 'error'), validators: spec.validator, timeMs: spec.timeMs, findings };
  }
  const text = options.text ?? fs.readFileSync(file, 'utf8');
  const checked = checkFile(file, store, { text });
  // a .wast script holds many modules, valid and invalid on purpose: only its syntax and policy are checked
  if (kind === 'wast') {
    return { file, valid: !checked.diagnostics.some((d) => d.severity === 'error' && d.source === 'wat-parser'), validators: ['wat-parser'], timeMs: 0, findings: locateFindings(file, limitDiagnostics(checked.diagnostics), text) };
  }
  const spec = await validateWat(text, options);
  const findings = locateFindings(file, limitDiagnostics([...dedupe(checked.diagnostics, spec.diagnostics), ...spec.diagnostics]), text);
  return { file, valid: spec.valid && !checked.diagnostics.some((d) => d.severity === 'error' && d.source === 'wat-parser'), validators: ['wat-parser', ...spec.validator], timeMs: spec.timeMs, findings };
}

/** Our own syntax findings, minus those wabt reports at the same place (one problem, one finding). */
function dedupe<T extends { span: { start: number }; source: string; severity: string }>(ours: T[], theirs: T[]): T[] {
  const at = new Set(theirs.map((d) => d.span.start));
  return ours.filter((d) => !(d.source === 'wat-parser' && at.has(d.span.start)));
}
