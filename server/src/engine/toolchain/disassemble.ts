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
  try {
    const r = printModule(bytes, sink, { fold: opts.foldExprs, offsets: opts.offsets });
    const printable = !r.context.isComponent && !(r.context.brokenAt !== undefined && r.context.brokenAt < 8);
    return { text: printable ? sink.text() : undefined, diagnostics: r.diagnostics };
  } catch (e) {
    // a JS string holds at most 2^29 characters: a module whose text is longer prints to a file only
    if (!(e instanceof RangeError)) throw e;
    const message = `the module's text is longer than one string can hold (${sink.written} characters so far): disassemble it to a file instead`;
    return { diagnostics: [{ code: 'too-large-for-a-string', severity: 'error', message, span: { start: 0, end: 0 }, source: 'wasm-printer' }] };
  }
}
