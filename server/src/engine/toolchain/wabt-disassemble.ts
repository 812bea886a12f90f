/**
 * `.wasm` -> WAT text with wabt (readWasm with all features and debug names, generateNames,
 * applyNames, toText). When wabt cannot read a module (a proposal it lacks), binaryen prints it.
 * Large inputs are refused: wabt's toText needs about 100x the module size in memory.
 *
 * Not on any user path any more (the engine's printer, `../print`, disassembles): kept as an oracle
 * for the tests and the benchmark.
 */
import type { EngineDiagnostic } from '../diagnostic';
import { request } from './client';
import { DEFAULT_TIMEOUT_MS, failureDiagnostics, toolchainErrorDiagnostic, type ToolchainOptions } from './common';

export interface WabtDisassembleResult {
  text?: string;
  diagnostics: EngineDiagnostic[];
}

/** Inputs larger than this are not disassembled by wabt (8 MiB). */
export const WABT_DISASSEMBLE_MAX_BYTES = 8 * 1024 * 1024;

export async function wabtDisassemble(
  bytes: Uint8Array,
  opts: ToolchainOptions & { foldExprs?: boolean; inlineExport?: boolean; maxBytes?: number } = {},
): Promise<WabtDisassembleResult> {
  const max = opts.maxBytes ?? WABT_DISASSEMBLE_MAX_BYTES;
  if (bytes.byteLength > max) {
    return {
      diagnostics: [
        {
          code: 'too-large-to-disassemble',
          severity: 'error',
          message: `the module is ${mib(bytes.byteLength)} MiB, over the ${mib(max)} MiB limit for a text view: open the header view (module summary) instead`,
          span: { start: 0, end: 0 },
          source: 'wabt',
          data: { byteLength: bytes.byteLength, maxBytes: max },
        },
      ],
    };
  }
  const subject = { kind: 'wasm' as const, byteLength: bytes.byteLength };
  try {
    const raw = await request(
      'disassemble',
      { bytes, foldExprs: opts.foldExprs ?? false, inlineExport: opts.inlineExport ?? false },
      { signal: opts.signal, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    );
    if (raw.text === undefined) return { diagnostics: raw.failure ? failureDiagnostics(raw.failure, subject) : [] };
    const diagnostics: EngineDiagnostic[] = [];
    if (raw.via === 'binaryen' && raw.wabtFailure) {
      const why = failureDiagnostics(raw.wabtFailure, subject)[0];
      diagnostics.push({
        code: 'disassembled-by-binaryen',
        severity: 'info',
        message: `wabt could not read the module (${why?.message ?? 'unknown error'}); text printed by binaryen`,
        span: why?.span ?? { start: 0, end: 0 },
        source: 'binaryen',
      });
    }
    return { text: raw.text, diagnostics };
  } catch (e) {
    return { diagnostics: [toolchainErrorDiagnostic(e, 'wabt', 'module too large for a text view?')] };
  }
}

function mib(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}
