/** WAT -> `.wasm` with wabt: parseWat + resolveNames + validate + toBinary. */
import type { EngineDiagnostic } from '../diagnostic';
import { request } from './client';
import { DEFAULT_TIMEOUT_MS, failureDiagnostics, toolchainErrorDiagnostic, type ToolchainOptions } from './common';
import { WAT_TIMEOUT_HINT } from './validate';

export interface CompileResult {
  /** absent when compilation failed */
  bytes?: Uint8Array;
  diagnostics: EngineDiagnostic[];
}

export async function compileWat(text: string, opts: ToolchainOptions & { debugNames?: boolean } = {}): Promise<CompileResult> {
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
