/**
 * What the toolchain operations share: their options, and turning tool failures and worker
 * timeouts/crashes into EngineDiagnostics.
 */
import type { EngineDiagnostic } from '../diagnostic';
import { ToolchainError } from './client';
import type { ToolFailure } from './protocol';
import { cleanMessage, codeForStage, wasmDiagnostics, watDiagnostics, watLocationToSpan, WabtLines } from './wabt-messages';

export interface ToolchainOptions {
  /** aborting kills the worker running the operation; the operation rejects with an AbortError */
  signal?: AbortSignal;
  /** give up (and kill the worker) after this many ms; each operation has its own default */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_OPTIMIZE_TIMEOUT_MS = 120_000;

/** The input the diagnostics' spans refer to. */
export type Subject = { kind: 'wat'; text: string } | { kind: 'wasm'; byteLength: number };

const BINARYEN_TEXT_LOC = /^(\d+):(\d+): (error|warning): (.*)$/s;

export function failureDiagnostics(f: ToolFailure, subject: Subject): EngineDiagnostic[] {
  if (f.tool === 'wabt') {
    return subject.kind === 'wat' ? watDiagnostics(f.message, subject.text, f.stage) : wasmDiagnostics(f.message, subject.byteLength, f.stage);
  }
  return binaryenDiagnostics([f.message], subject, codeForStage(f.stage));
}

/** binaryen messages have no byte offsets; its text parser gives `line:col`. */
export function binaryenDiagnostics(messages: string[], subject: Subject, code: string): EngineDiagnostic[] {
  const lines = subject.kind === 'wat' ? new WabtLines(subject.text) : undefined;
  return messages.map((message) => {
    const m = subject.kind === 'wat' ? BINARYEN_TEXT_LOC.exec(message.trim()) : null;
    if (m && subject.kind === 'wat') {
      return {
        code: 'wat-syntax',
        severity: 'error' as const,
        message: m[4].trim(),
        span: watLocationToSpan(subject.text, Number(m[1]), Number(m[2]), undefined, lines),
        source: 'binaryen',
      };
    }
    return { code, severity: 'error' as const, message: message.trim(), span: { start: 0, end: 0 }, source: 'binaryen' };
  });
}

/**
 * A worker timeout or crash as a diagnostic (the operation then resolves with it); a cancellation
 * is rethrown (the caller asked for it) and so is anything unexpected.
 */
export function toolchainErrorDiagnostic(e: unknown, tool: 'wabt' | 'binaryen', hint?: string): EngineDiagnostic {
  if (!(e instanceof ToolchainError) || e.kind === 'aborted') throw e;
  if (e.kind === 'timeout') {
    const secs = e.timeoutMs !== undefined ? `${+(e.timeoutMs / 1000).toFixed(1)} s` : 'the time limit';
    return {
      code: 'toolchain-timeout',
      severity: 'error',
      message: `${tool} gave up after ${secs}${hint ? `: ${hint}` : ''}`,
      span: { start: 0, end: 0 },
      source: tool,
      data: { timeoutMs: e.timeoutMs },
    };
  }
  return {
    code: e.kind === 'crashed' ? 'toolchain-crashed' : 'toolchain-error',
    severity: 'error',
    message: `${tool}: ${cleanMessage(e.message)}`,
    span: { start: 0, end: 0 },
    source: tool,
  };
}

export function timeoutFor(opts: ToolchainOptions, fallback: number): number {
  return opts.timeoutMs ?? fallback;
}
