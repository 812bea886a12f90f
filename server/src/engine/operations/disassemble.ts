/** The `disassemble` operation: `.wasm` to a `.wat` file with wabt (the editor's WAT view handles huge modules). */
import * as fs from 'fs';
import { disassemble, type ToolchainOptions } from '../toolchain';
import { locateFindings, type Finding } from './findings';
import { readBytes, writeOutput, type WriteResult } from './output';

export interface DisassembleFileResult extends WriteResult {
  size?: number;
  findings: Finding[];
}

export async function disassembleFile(
  file: string,
  output: string,
  options: ToolchainOptions & { overwrite?: boolean; foldExprs?: boolean } = {},
): Promise<DisassembleFileResult> {
  if (!options.overwrite && fs.existsSync(output)) return { file: output, written: false, exists: true, findings: [] };
  const result = await disassemble(readBytes(file), options);
  const findings = locateFindings(file, result.diagnostics);
  if (result.text === undefined) return { file: output, written: false, findings };
  return { ...writeOutput(output, result.text, true), size: Buffer.byteLength(result.text), findings };
}
