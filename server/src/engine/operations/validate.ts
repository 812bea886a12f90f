/**
 * The `validate` operation: full spec validation plus the syntax/format checks and the policy check of
 * `check`.
 *
 * - `.wasm`: our validator (engine/validate), function by function, on this thread in slices (so a
 *   server keeps answering, and a cancellation stops it between functions). Its finding says where:
 *   `func 12 ($foo), i32.add at 0x1a2b: i32.add expects [i32 i32] but the stack has [i32 f32]`.
 * - `.wat`: still wabt + binaryen in the toolchain worker, behind `validateWatText` (the one call to
 *   swap for our assembler + validator).
 * - `.wast`: syntax and policy only (a script holds invalid modules on purpose).
 */
import * as fs from 'fs';
import { validateWat } from '../toolchain';
import type { ToolchainOptions } from '../toolchain';
import type { EngineDiagnostic } from '../diagnostic';
import type { PolicyStore } from '../policy/store';
import { validateWasmAsync } from '../validate/module-validator';
import { checkFile, sourceKindOf } from './check';
import { locateFindings, type Finding } from './findings';
import { readBytes } from './output';
import { limitDiagnostics } from '../diagnostic-limit';

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
  const spec = await validateWatText(text, options);
  const findings = locateFindings(file, limitDiagnostics([...dedupe(checked.diagnostics, spec.diagnostics), ...spec.diagnostics]), text);
  return { file, valid: spec.valid && !checked.diagnostics.some((d) => d.severity === 'error' && d.source === 'wat-parser'), validators: ['wat-parser', ...spec.validators], timeMs: spec.timeMs, findings };
}

/**
 * Spec validation of WAT text. For now: wabt + binaryen in the toolchain worker (engine/toolchain).
 * THE SWAP POINT: replace this one call with our assembler + validator when they land.
 */
async function validateWatText(text: string, options: ToolchainOptions): Promise<{ valid: boolean; diagnostics: EngineDiagnostic[]; validators: string[]; timeMs: number }> {
  const r = await validateWat(text, options);
  return { valid: r.valid, diagnostics: r.diagnostics, validators: r.validator, timeMs: r.timeMs };
}

/** Our own syntax findings, minus those the validator reports at the same place (one problem, one finding). */
function dedupe<T extends { span: { start: number }; source: string; severity: string }>(ours: T[], theirs: T[]): T[] {
  const at = new Set(theirs.map((d) => d.span.start));
  return ours.filter((d) => !(d.source === 'wat-parser' && at.has(d.span.start)));
}
