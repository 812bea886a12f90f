/**
 * The `optimize` operation: binaryen at a level, optionally stripping debug info; the result is
 * validated before it is written, and sizes are reported per section before and after.
 */
import * as fs from 'fs';
import { optimize, type OptimizeLevel, type SizeReport, type ToolchainOptions } from '../toolchain';
import { locateFindings, type Finding } from './findings';
import { readBytes, writeOutput, type WriteResult } from './output';

export const OPTIMIZE_LEVELS: readonly OptimizeLevel[] = ['O1', 'O2', 'O3', 'O4', 'Os', 'Oz'];

export interface OptimizeFileResult extends WriteResult {
  level: OptimizeLevel;
  before: SizeReport;
  after?: SizeReport;
  funcsBefore: number;
  funcsAfter?: number;
  timeMs: number;
  /** the input was signed: the output no longer matches that signature */
  signedInput: boolean;
  findings: Finding[];
}

export async function optimizeFile(
  file: string,
  output: string,
  options: ToolchainOptions & { level: OptimizeLevel; stripDebug?: boolean; stripProducers?: boolean; keepCustomSections?: boolean; overwrite?: boolean },
): Promise<OptimizeFileResult> {
  if (!OPTIMIZE_LEVELS.includes(options.level)) throw new Error(`unknown optimization level ${options.level} (use one of ${OPTIMIZE_LEVELS.join(', ')})`);
  const bytes = readBytes(file);
  const result = await optimize(bytes, options);
  const base = {
    level: options.level,
    before: result.before,
    after: result.after,
    funcsBefore: result.funcsBefore,
    funcsAfter: result.funcsAfter,
    timeMs: result.timeMs,
    signedInput: result.signedInput,
    findings: locateFindings(file, result.diagnostics),
  };
  if (!result.bytes) return { file: output, written: false, ...base };
  if (!options.overwrite && fs.existsSync(output)) return { file: output, written: false, exists: true, ...base };
  return { ...writeOutput(output, result.bytes, true), ...base };
}
