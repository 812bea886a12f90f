/**
 * The `validate` operation: full spec validation plus the syntax/format checks and the policy check of
 * `check`. No wabt or binaryen on this path (they stay in the tests, as oracles).
 *
 * - `.wasm`: our validator (engine/validate), function by function, on this thread in slices (so a
 *   server keeps answering, and a cancellation stops it between functions). Its finding says where:
 *   `func 12 ($foo), i32.add at 0x1a2b: i32.add expects [i32 i32] but the stack has [i32 f32]`.
 * - a component: its reader's findings, and each nested core module through the same validator.
 * - `.wat`: our assembler, then the same validator, its finding mapped back onto the instruction's text
 *   (engine/validate/wat.ts).
 * - `.wast`: syntax and policy only (a script holds invalid modules on purpose).
 */
import * as fs from 'fs';
import type { ToolchainOptions } from '../toolchain';
import { validateWatDocument } from '../validate/wat';
import type { WatDocument } from '../wat';
import type { PolicyStore } from '../policy/store';
import { validateWasmAsync } from '../validate/module-validator';
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
 * read by the core reader, and each validated by our validator.
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
    options.signal?.throwIfAborted();
    const r = await validateWasmAsync(nestedModuleBytes(bytes, mod), { signal: options.signal });
    validators = [...new Set([...validators, BINARY_VALIDATOR])];
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

/** The name the results give our binary validator (`validators` of a result, the panel's "validated by"). */
export const BINARY_VALIDATOR = 'wasm-warden';

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
    const t0 = performance.now();
    const spec = await validateWasmAsync(bytes, { signal: options.signal });
    const timeMs = performance.now() - t0;
    // the reader's malformed-binary errors say what our validator's finding says: one problem, one finding
    const ours = spec.finding;
    const kept = checked.diagnostics.filter((d) => !(ours?.malformed && d.source === 'wasm-reader' && d.severity === 'error'));
    const findings = locateFindings(file, limitDiagnostics([...kept, ...spec.diagnostics]));
    const readerError = checked.diagnostics.some((d) => d.source === 'wasm-reader' && d.severity === 'error');
    return { file, valid: spec.valid && !readerError, validators: [BINARY_VALIDATOR], timeMs, findings };
  }
  const text = options.text ?? fs.readFileSync(file, 'utf8');
  const checked = checkFile(file, store, { text });
  // a .wast script holds many modules, valid and invalid on purpose: only its syntax and policy are checked
  if (kind === 'wast') {
    return { file, valid: !checked.diagnostics.some((d) => d.severity === 'error' && d.source === 'wat-parser'), validators: ['wat-parser'], timeMs: 0, findings: locateFindings(file, limitDiagnostics(checked.diagnostics), text) };
  }
  const spec = await validateWatText(checked.wat!, options);
  const findings = locateFindings(file, limitDiagnostics([...dedupe(checked.diagnostics, spec.diagnostics), ...spec.diagnostics]), text);
  return { file, valid: spec.valid && !checked.diagnostics.some((d) => d.severity === 'error' && d.source === 'wat-parser'), validators: ['wat-parser', ...spec.validators], timeMs: spec.timeMs, findings };
}

/** Spec validation of parsed WAT text (the check's tree): our assembler, then our validator (engine/validate/wat.ts). */
async function validateWatText(doc: WatDocument, options: ToolchainOptions): Promise<{ valid: boolean; diagnostics: EngineDiagnostic[]; validators: string[]; timeMs: number }> {
  options.signal?.throwIfAborted();
  const t0 = performance.now();
  // the parser's own findings come from the check already: only the assembler's and the validator's here
  const diagnostics = validateWatDocument(doc).filter((d) => d.source !== 'wat-parser');
  return { valid: !diagnostics.some((d) => d.severity === 'error'), diagnostics, validators: ['wasm-warden'], timeMs: performance.now() - t0 };
}

/** Our own syntax findings, minus those the validator reports at the same place (one problem, one finding). */
function dedupe<T extends { span: { start: number }; source: string; severity: string }>(ours: T[], theirs: T[]): T[] {
  const at = new Set(theirs.map((d) => d.span.start));
  return ours.filter((d) => !(d.source === 'wat-parser' && at.has(d.span.start)));
}
