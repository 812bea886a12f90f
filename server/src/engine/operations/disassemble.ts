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
import type { EngineDiagnostic } from '../diagnostic';
import { ChunkedSink, printModule } from '../print';
import { locateFindings, type Finding } from './findings';
import { readBytes, type WriteResult } from './output';

export interface DisassembleFileResult extends WriteResult {
  /** characters written */
  size?: number;
  findings: Finding[];
}

export interface DisassembleFileOptions {
  overwrite?: boolean;
  /** blocks, loops, ifs and trys as S-expressions (default: flat, like wasm2wat) */
  foldExprs?: boolean;
  /** `;; @0x1234` byte offsets after entries and instructions */
  offsets?: boolean;
  signal?: AbortSignal;
}

/** Prints `bytes` to `write` in chunks; the diagnostics, and whether there was a module to print at all. */
export function disassembleTo(bytes: Uint8Array, write: (chunk: string) => void, options: DisassembleFileOptions = {}): { diagnostics: EngineDiagnostic[]; printed: boolean; chars: number } {
  const sink = new ChunkedSink(write);
  const r = printModule(bytes, sink, { fold: options.foldExprs, offsets: options.offsets });
  sink.end();
  const printed = !r.context.isComponent && !(r.context.brokenAt !== undefined && r.context.brokenAt < 8);
  return { diagnostics: r.diagnostics, printed, chars: sink.written };
}

export async function disassembleFile(file: string, output: string, options: DisassembleFileOptions = {}): Promise<DisassembleFileResult> {
  if (!options.overwrite && fs.existsSync(output)) return { file: output, written: false, exists: true, findings: [] };
  const bytes = readBytes(file);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const tmp = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  let result: ReturnType<typeof disassembleTo>;
  try {
    result = disassembleTo(bytes, (chunk) => writeAll(fd, chunk), options);
    fs.closeSync(fd);
  } catch (err) {
    fs.closeSync(fd);
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

/** The printer's text is ASCII (everything else is escaped), so latin1 encodes it byte for byte, fastest. */
function writeAll(fd: number, chunk: string): void {
  const buf = Buffer.from(chunk, 'latin1');
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}
