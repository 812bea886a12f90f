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
