/**
 * The `disassemble` operation: `.wasm` to WAT with the engine's printer (`../print`), streamed to
 * its destination in chunks (a file, the CLI's stdout): the text of a module is never one string, so
 * modules of any size print with memory bounded by the module's own size.
 *
 * A file is written to a temporary file first and renamed into place (see output.ts): a failure never
 * leaves a half-written output, and an existing file is replaced only with `overwrite`. A malformed
 * module prints what can be read; the problems are findings (and `;; error` comments in the text).
 */
import * as fs from 'fs';
import * as path from 'path';
import { locateFindings, type Finding } from './findings';
import type { WriteResult } from './output';
import { disassembleTo, printToFile, type PrintStyle } from './print-file';
import { request } from '../toolchain/client';

export { disassembleTo, printToFile };

export interface DisassembleFileResult extends WriteResult {
  /** characters written */
  size?: number;
  findings: Finding[];
}

export interface DisassembleFileOptions extends PrintStyle {
  overwrite?: boolean;
  /** print in the toolchain's worker process (the language server: its thread stays free; Stop kills it) */
  inWorker?: boolean;
  signal?: AbortSignal;
}

/** Printing a module of tens of MB takes seconds to tens of seconds: the worker gets this long. */
const WORKER_TIMEOUT_MS = 10 * 60_000;

export async function disassembleFile(file: string, output: string, options: DisassembleFileOptions = {}): Promise<DisassembleFileResult> {
  if (!options.overwrite && fs.existsSync(output)) return { file: output, written: false, exists: true, findings: [] };
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const tmp = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.${Date.now()}.tmp`);
  let result: ReturnType<typeof disassembleTo>;
  try {
    result = options.inWorker
      ? await request('print-file', { input: path.resolve(file), output: tmp, foldExprs: options.foldExprs === true, offsets: options.offsets === true }, { signal: options.signal, timeoutMs: WORKER_TIMEOUT_MS })
      : printToFile(file, tmp, options);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const findings = locateFindings(file, result.diagnostics);
  if (!result.printed || options.signal?.aborted) {
    fs.rmSync(tmp, { force: true });
    return { file: output, written: false, findings };
  }
  try {
    fs.renameSync(tmp, output);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { file: output, written: true, size: result.chars, findings };
}
