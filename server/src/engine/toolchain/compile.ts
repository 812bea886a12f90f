/** WAT -> `.wasm` with wabt: parseWat + resolveNames + validate + toBinary. */
import type { EngineDiagnostic } from '../diagnostic';
import { request } from './client';
import { DEFAULT_TIMEOUT_MS, failureDiagnostics, toolchainErrorDiagnostic, type ToolchainOptions } from './common';
import { WABT_MAX_NESTING, WAT_TIMEOUT_HINT } from './validate';
import { deepestNesting } from '../wat/nesting';

export interface CompileResult {
  /** absent when compilation failed */
  bytes?: Uint8Array;
  diagnostics: EngineDiagnostic[];
}

export async function compileWat(text: string, opts: ToolchainOptions & { debugNames?: boolean } = {}): Promise<CompileResult> {
  // wabt's parser crashes or hangs on deeper texts (see validate.ts): say so at once
  const nesting = deepestNesting(text);
  if (nesting.depth > WABT_MAX_NESTING) {
    const message = `not compiled: instructions nest ${nesting.depth} levels deep here, beyond what wabt can parse (${WABT_MAX_NESTING})`;
    return { diagnostics: [{ code: 'input-limit', severity: 'error', message, span: nesting.at, source: 'wabt' }] };
  }
  try {
    const raw = await request(
      'compile-wat',
      { text, debugNames: opts.debugNames ?? false },
      { signal: opts.signal, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    );
    if (raw.failure || !raw.bytes) {
      return { diagnostics: raw.failure ? failureDiagnostics(raw.failure, { kind: 'wat', text }) : [] };
    }
    return { bytes: raw.bytes, diagnostics: [] };
  } catch (e) {
    return { diagnostics: [toolchainErrorDiagnostic(e, 'wabt', WAT_TIMEOUT_HINT)] };
  }
}
