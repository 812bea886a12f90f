/**
 * One function's full body as WAT, on demand, printed by the engine's printer (`../print`) from a
 * context read once per module (kept while the module's bytes are). No size limit: the printer is
 * linear in the body and never recurses, so any body prints (a 1 MB body in well under a second).
 *
 * Failure: the returned promise rejects with an Error whose message starts with
 * `cannot disassemble function <index>:` and says why (imported, no such function, no body). A
 * malformed body prints up to the problem, with a `;; error` comment saying what it is.
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { WasmReadResult } from './reader';
import { firstPage, OffsetMap, PrintContext, printFunction, StringSink } from '../print';

const contexts = new WeakMap<Uint8Array, PrintContext>();

/** The print context of a module's bytes, read once per bytes object (with the names `read` decoded, when it has them). */
export function contextFor(bytes: Uint8Array, read?: WasmReadResult): PrintContext {
  let c = contexts.get(bytes);
  if (!c) contexts.set(bytes, (c = PrintContext.read(bytes, { nameSection: read?.names })));
  return c;
}

export interface FunctionView {
  text: string;
  /** each instruction's line and byte range (validation findings go to their instruction's line) */
  map: OffsetMap;
  diagnostics: EngineDiagnostic[];
}

/** A defined function's text and offset map; throws (with the reason) for an imported or unknown function. */
export function printFunctionView(bytes: Uint8Array, read: WasmReadResult, funcIndex: number): FunctionView {
  const ctx = bodyContext(bytes, read, funcIndex);
  const f = read.model.funcs[funcIndex];
  const sink = new StringSink();
  // one record per instruction: about one per 2-3 bytes of code (grown if there are more)
  const map = new OffsetMap(f.bodySize! / 2 + 16);
  const diagnostics = printFunction(ctx, funcIndex, sink, { map, instructionLines: true });
  return { text: sink.text(), map, diagnostics };
}

/**
 * The first page of a function's text (about `pageChars` characters, whole lines), printed no further
 * than that: the start of `printFunctionView`'s text, at once however large the body. `complete` when
 * the text is no longer than the page. Throws as `printFunctionView` does.
 */
export function printFunctionPage(bytes: Uint8Array, read: WasmReadResult, funcIndex: number, pageChars: number): { text: string; complete: boolean } {
  const ctx = bodyContext(bytes, read, funcIndex);
  return firstPage(pageChars, (sink) => printFunction(ctx, funcIndex, sink));
}

/** The print context for one defined function's body; throws (with the reason) when it has none. */
function bodyContext(bytes: Uint8Array, read: WasmReadResult, funcIndex: number): PrintContext {
  const fail = (why: string): never => {
    throw new Error(`cannot disassemble function ${funcIndex}: ${why}`);
  };
  const m = read.model;
  if (m.kind !== 'module') fail('this is a component, not a core module');
  const f = m.funcs[funcIndex];
  if (!Number.isInteger(funcIndex) || !f) fail(`there is no such function (the module has ${m.funcs.length})`);
  if (f.imported) fail(`it is imported from ${JSON.stringify(f.imported.module)} ${JSON.stringify(f.imported.name)} and has no body`);
  const ctx = contextFor(bytes, read);
  if (f.bodySize === undefined || ctx.bodyStarts[funcIndex - ctx.funcImports] === undefined) {
    fail('it has no body in the code section (the module is malformed or truncated)');
  }
  return ctx;
}

export async function disassembleFunction(bytes: Uint8Array, read: WasmReadResult, funcIndex: number): Promise<string> {
  return printFunctionView(bytes, read, funcIndex).text;
}
