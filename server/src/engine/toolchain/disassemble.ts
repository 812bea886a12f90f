/**
 * `.wasm` -> WAT text as one string, printed by the engine's printer (`../print`): for callers that
 * hold the text anyway (the editor's full view of a small module, tests). Files and stdout are
 * streamed instead (operations/disassemble.ts). No size limit: the text takes memory in proportion
 * to the module. Never throws; a malformed module prints what can be read, with its diagnostics.
 */
import type { EngineDiagnostic } from '../diagnostic';
import { printModule, StringSink } from '../print';

export interface DisassembleResult {
  /** undefined when nothing could be printed (not a module: a component, another file) */
  text?: string;
  diagnostics: EngineDiagnostic[];
}

export interface DisassembleOptions {
  /** blocks, loops, ifs and trys as S-expressions */
  foldExprs?: boolean;
  /** `;; @0x1234` byte offsets after entries and instructions */
  offsets?: boolean;
}

export async function disassemble(bytes: Uint8Array, opts: DisassembleOptions = {}): Promise<DisassembleResult> {
  const sink = new StringSink();
  const r = printModule(bytes, sink, { fold: opts.foldExprs, offsets: opts.offsets });
  const printable = !r.context.isComponent && !(r.context.brokenAt !== undefined && r.context.brokenAt < 8);
  return { text: printable ? sink.text() : undefined, diagnostics: r.diagnostics };
}
