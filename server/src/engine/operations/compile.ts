/** The `compile` operation: WAT to `.wasm` with wabt (optionally with the `name` section). */
import * as fs from 'fs';
import { compileWat, type ToolchainOptions } from '../toolchain';
import { locateFindings, type Finding } from './findings';
import { writeOutput, type WriteResult } from './output';

export interface CompileFileResult extends WriteResult {
  size?: number;
  findings: Finding[];
}

export async function compileFile(
  file: string,
  output: string,
  options: ToolchainOptions & { text?: string; debugNames?: boolean; overwrite?: boolean } = {},
): Promise<CompileFileResult> {
  const text = options.text ?? fs.readFileSync(file, 'utf8');
  if (!options.overwrite && fs.existsSync(output)) return { file: output, written: false, exists: true, findings: [] };
  const result = await compileWat(text, options);
  const findings = locateFindings(file, result.diagnostics, text);
  if (!result.bytes) return { file: output, written: false, findings };
  return { ...writeOutput(output, result.bytes, true), size: result.bytes.length, findings };
}
