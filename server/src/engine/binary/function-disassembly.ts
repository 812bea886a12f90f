/**
 * One function's full body as WAT, on demand: wabt disassembles a stub module (stub-module.ts) that
 * holds only that body, and the function's text is cut out of the result.
 *
 * Failure: the returned promise rejects with an Error whose message starts with
 * `cannot disassemble function <index>:` and says why (imported, no body, too large, or wabt's own
 * message for a malformed body). Sizes and nesting are guarded before wabt runs; wabt itself runs in the
 * toolchain worker with a time limit, so a body that slips past the guards still cannot block the caller.
 */
import type { WasmReadResult } from './reader';
import { measureBody } from './body-shape';
import { buildStubModule } from './stub-module';
import { wabtDisassemble as disassemble } from '../toolchain/wabt-disassemble';

/**
 * wabt indents by nesting depth, so text grows with body size times depth (a 193 KB function of Go's
 * esbuild.wasm printed as 274 M characters in 3.9 s; an 89 KB tree-sitter function as 25 M characters
 * in 38 s). Bodies are measured first (body-shape.ts) and refused above either limit.
 */
export const MAX_DISASSEMBLY_BODY_BYTES = 512 << 10;
/** Estimated characters of one function's text (see measureBody) above which it is not disassembled. */
export const MAX_DISASSEMBLY_TEXT_ESTIMATE = 1_000_000; // measured: ~1.2 s in wabt at 0.95 M chars, 212 deep
/** The whole stub's text is refused beyond this many characters (before cutting and de-indenting). */
export const MAX_DISASSEMBLY_TEXT_CHARS = 64 << 20;
export const MAX_DISASSEMBLY_STUB_BYTES = 24 << 20;
export const MAX_DISASSEMBLY_FUNCTIONS = 300_000;
export const DISASSEMBLY_TIMEOUT_MS = 15_000;

export async function disassembleFunction(bytes: Uint8Array, read: WasmReadResult, funcIndex: number): Promise<string> {
  const fail = (why: string): never => {
    throw new Error(`cannot disassemble function ${funcIndex}: ${why}`);
  };
  const m = read.model;
  if (m.kind !== 'module') fail('this is a component, not a core module');
  const f = m.funcs[funcIndex];
  if (!Number.isInteger(funcIndex) || !f) fail(`there is no such function (the module has ${m.funcs.length})`);
  if (f.imported) fail(`it is imported from ${JSON.stringify(f.imported.module)} ${JSON.stringify(f.imported.name)} and has no body`);
  const bodySize = f.bodySize;
  if (bodySize === undefined) return fail('it has no body in the code section (the module is malformed or truncated)');
  if (bodySize > MAX_DISASSEMBLY_BODY_BYTES) fail(`its body is ${bodySize} bytes, more than the ${MAX_DISASSEMBLY_BODY_BYTES} bytes disassembled in the editor (use wasm2wat for the whole module)`);
  const shape = measureBody(bytes, f.span.start, f.span.end);
  if (shape && shape.textEstimate > MAX_DISASSEMBLY_TEXT_ESTIMATE) {
    fail(
      `it has ${shape.instructions} instructions nested up to ${shape.maxDepth} deep; its text would take about ${shape.textEstimate} characters, more than ${MAX_DISASSEMBLY_TEXT_ESTIMATE}`,
    );
  }
  const firstDefined = m.funcs.findIndex((x) => !x.imported);
  const definedCount = m.funcs.length - firstDefined;
  if (definedCount > MAX_DISASSEMBLY_FUNCTIONS) fail(`the module defines ${definedCount} functions, more than ${MAX_DISASSEMBLY_FUNCTIONS}`);
  if (f.span.end > bytes.length) fail('its body lies past the end of the given bytes');

  let stub: Uint8Array;
  try {
    stub = buildStubModule(bytes, read, funcIndex);
  } catch (e) {
    return fail(`building the stub module failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (stub.length > MAX_DISASSEMBLY_STUB_BYTES) fail(`the module's declarations take ${stub.length} bytes, more than ${MAX_DISASSEMBLY_STUB_BYTES}`);

  // wabt runs in the toolchain worker with a time limit, so a pathological body cannot block the caller
  const result = await disassemble(stub, { timeoutMs: DISASSEMBLY_TIMEOUT_MS });
  if (result.text === undefined) return fail(result.diagnostics[0]?.message ?? 'wabt gave no text');
  const text = result.text;
  if (text.length > MAX_DISASSEMBLY_TEXT_CHARS) {
    return fail(`its disassembly is ${text.length} characters (deeply nested code), more than ${MAX_DISASSEMBLY_TEXT_CHARS}`);
  }
  const cut = cutFunction(text, funcIndex - firstDefined);
  return cut ?? fail('its text was not found in the disassembly');
}

/** The text of the `ordinal`-th defined function in wabt's output, de-indented by one level. */
export function cutFunction(text: string, ordinal: number): string | undefined {
  let seen = -1;
  let pos = 0;
  let start = -1;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    const topLevel = text.startsWith('  (', pos);
    if (start >= 0 && (topLevel || text.startsWith(')', pos))) {
      return dedent(text.slice(start, pos));
    }
    if (topLevel && text.startsWith('  (func ', pos)) {
      seen++;
      if (seen === ordinal) start = pos;
    }
    pos = lineEnd + 1;
  }
  return start >= 0 ? dedent(text.slice(start)) : undefined;
}

function dedent(s: string): string {
  return s
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => (l.startsWith('  ') ? l.slice(2) : l))
    .join('\n');
}
