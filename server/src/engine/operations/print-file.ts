/**
 * Printing a module to a file or another chunk consumer, synchronously (the CLI, and the toolchain's
 * worker process for the language server; see disassemble.ts). Imports nothing of the toolchain client.
 */
import * as fs from 'fs';
import type { EngineDiagnostic } from '../diagnostic';
import { ByteSink, ChunkedSink, printModule, type TextSink } from '../print';
import { readBytes } from './output';

export interface PrintStyle {
  /** blocks, loops, ifs and trys as S-expressions (default: flat, like wasm2wat) */
  foldExprs?: boolean;
  /** `;; @0x1234` byte offsets after entries and instructions */
  offsets?: boolean;
}

export interface PrintToResult {
  diagnostics: EngineDiagnostic[];
  /** false when there was no module to print (a component, another kind of file): nothing useful written */
  printed: boolean;
  chars: number;
}

/** Prints `bytes` to `write` in chunks of text; the diagnostics, and whether there was a module to print at all. */
export function disassembleTo(bytes: Uint8Array, write: (chunk: string) => void, options: PrintStyle = {}): PrintToResult {
  const sink = new ChunkedSink(write);
  return printInto(bytes, sink, () => sink.end(), options);
}

/**
 * Prints `bytes` to `write` in chunks of bytes (UTF-8; the printer's text is ASCII but for odd names):
 * the text is never a string, which is the fast way to a file. A chunk is valid until `write` returns.
 */
export function disassembleToBytes(bytes: Uint8Array, write: (chunk: Buffer) => void, options: PrintStyle = {}): PrintToResult {
  const sink = new ByteSink(write);
  return printInto(bytes, sink, () => sink.end(), options);
}

function printInto(bytes: Uint8Array, sink: TextSink, end: () => void, options: PrintStyle): PrintToResult {
  const r = printModule(bytes, sink, { fold: options.foldExprs, offsets: options.offsets });
  end();
  const printed = !r.context.isComponent && !(r.context.brokenAt !== undefined && r.context.brokenAt < 8);
  return { diagnostics: r.diagnostics, printed, chars: sink.written };
}

/** Prints the module in file `input` to file `output` (created or truncated); what `disassembleTo` returns. */
export function printToFile(input: string, output: string, options: PrintStyle = {}): PrintToResult {
  const bytes = readBytes(input);
  const fd = fs.openSync(output, 'w');
  try {
    return disassembleToBytes(bytes, (chunk) => writeAll(fd, chunk), options);
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}
