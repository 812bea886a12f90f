/**
 * Validation of WAT text and `.wasm` binaries: wabt with every feature enabled, and binaryen's
 * validator (Features.All) as a second opinion when wabt cannot read the input or the module uses
 * a proposal wabt does not fully implement (GC, typed function references, ...).
 *
 * `Validate` uses `validateWat` for WAT files (until our own assembler and validator take them over);
 * binaries are validated by engine/validate, and `validateWasm` here is an independent oracle for the
 * tests.
 */
import type { EngineDiagnostic } from '../diagnostic';
import { request } from './client';
import { binaryenDiagnostics, DEFAULT_TIMEOUT_MS, failureDiagnostics, toolchainErrorDiagnostic, type Subject, type ToolchainOptions } from './common';
import { BINARYEN_FEATURES_ENABLED, detectFeaturesNeeded, WABT_FEATURES_ENABLED, WABT_WEAK_FEATURES } from './features';
import type { ValidateResultRaw } from './protocol';
import { deepestNesting, type Nesting } from '../wat/nesting';

export interface ValidationResult {
  valid: boolean;
  diagnostics: EngineDiagnostic[];
  /** the validators that were run */
  validator: ('wabt' | 'binaryen')[];
  featuresEnabled: string[];
  /** wall time, including the worker round trip (and a worker start, when one was needed) */
  timeMs: number;
}

export const WAT_TIMEOUT_HINT = 'nesting too deep?';

/** How wabt.js fails when its stack runs out (the JS engine's or its wasm stack's). */
const STACK_EXHAUSTED = /Maximum call stack size exceeded|memory access out of bounds/;
const WASM_TIMEOUT_HINT = 'module too large or too deeply nested?';

/**
 * The deepest nesting of instructions (folded lists and plain blocks together, see wat/nesting.ts)
 * handed to wabt: its parser crashes or hangs from about 140 folded or 176 plain blocks. Deeper texts
 * go to binaryen alone, up to BINARYEN_MAX_NESTING (it fails from about 1,000); deeper still, they
 * are not validated, and the result says so (an `input-limit` error at the deepest point).
 */
export const WABT_MAX_NESTING = 100;
export const BINARYEN_MAX_NESTING = 500;

export async function validateWat(text: string, opts: ToolchainOptions = {}): Promise<ValidationResult> {
  const t0 = performance.now();
  const nesting = deepestNesting(text);
  if (nesting.depth > BINARYEN_MAX_NESTING) {
    return {
      valid: false,
      diagnostics: [
        {
          code: 'input-limit',
          severity: 'error',
          message: `not validated: instructions nest ${nesting.depth} levels deep here, beyond what wabt (${WABT_MAX_NESTING}) and binaryen (${BINARYEN_MAX_NESTING}) can parse`,
          span: nesting.at,
          source: 'wabt',
        },
      ],
      validator: [],
      featuresEnabled: [],
      timeMs: performance.now() - t0,
    };
  }
  const weak = detectFeaturesNeeded(text).some((f) => WABT_WEAK_FEATURES.includes(f));
  const deep = nesting.depth > WABT_MAX_NESTING;
  let raw: ValidateResultRaw;
  try {
    raw = await request(
      'validate-wat',
      { text, secondOpinion: deep ? 'instead' : weak ? 'on-failure' : 'on-read-failure' },
      { signal: opts.signal, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    );
  } catch (e) {
    return gaveUp(toolchainErrorDiagnostic(e, 'wabt', WAT_TIMEOUT_HINT), t0);
  }
  if (raw.wabt.skipped) return binaryenOnly(raw, text, nesting, t0);
  return combine(raw, { kind: 'wat', text }, t0);
}

/** The verdict of binaryen alone, on a text nested too deeply for wabt. */
function binaryenOnly(raw: ValidateResultRaw, text: string, nesting: Nesting, t0: number): ValidationResult {
  const b = raw.binaryen!;
  const note: EngineDiagnostic = {
    code: 'input-limit',
    severity: 'info',
    message: `validated by binaryen only: instructions nest ${nesting.depth} levels deep here, beyond what wabt can parse (${WABT_MAX_NESTING})`,
    span: nesting.at,
    source: 'wabt',
  };
  const code = b.read ? 'validation' : 'wat-syntax';
  const found = b.valid ? [] : binaryenDiagnostics(b.messages, { kind: 'wat', text }, code);
  return { valid: b.valid, diagnostics: [note, ...found], validator: ['binaryen'], featuresEnabled: [BINARYEN_FEATURES_ENABLED], timeMs: performance.now() - t0 };
}

export async function validateWasm(bytes: Uint8Array, opts: ToolchainOptions = {}): Promise<ValidationResult> {
  const t0 = performance.now();
  const weak = detectFeaturesNeeded(bytes).some((f) => WABT_WEAK_FEATURES.includes(f));
  let raw: ValidateResultRaw;
  try {
    raw = await request(
      'validate-wasm',
      { bytes, secondOpinion: weak ? 'on-failure' : 'on-read-failure' },
      { signal: opts.signal, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS },
    );
  } catch (e) {
    return gaveUp(toolchainErrorDiagnostic(e, 'wabt', WASM_TIMEOUT_HINT), t0);
  }
  return combine(raw, { kind: 'wasm', byteLength: bytes.byteLength }, t0);
}

function gaveUp(d: EngineDiagnostic, t0: number): ValidationResult {
  return { valid: false, diagnostics: [d], validator: ['wabt'], featuresEnabled: WABT_FEATURES_ENABLED, timeMs: performance.now() - t0 };
}

function combine(raw: ValidateResultRaw, subject: Subject, t0: number): ValidationResult {
  const validator: ValidationResult['validator'] = ['wabt'];
  const featuresEnabled = [...WABT_FEATURES_ENABLED];
  const done = (valid: boolean, diagnostics: EngineDiagnostic[]): ValidationResult => ({
    valid,
    diagnostics,
    validator,
    featuresEnabled,
    timeMs: performance.now() - t0,
  });
  if (raw.wabt.ok || !raw.wabt.failure) return done(true, []);
  const wabtDiags = failureDiagnostics(raw.wabt.failure, subject);
  const b = raw.binaryen;
  if (!b) return done(false, wabtDiags);
  validator.push('binaryen');
  featuresEnabled.push(BINARYEN_FEATURES_ENABLED);
  if (b.valid) {
    // binaryen knows the proposals wabt lacks: its verdict wins, wabt's complaint becomes a note
    const first = wabtDiags[0];
    if (first && STACK_EXHAUSTED.test(first.message)) {
      // not a proposal: wabt ran out of stack (deeply nested code in a binary)
      return done(true, [
        {
          code: 'input-limit',
          severity: 'info',
          message: `validated by binaryen only: wabt ran out of stack on this module (deeply nested code?): ${first.message}`,
          span: first.span,
          source: 'wabt',
        },
      ]);
    }
    return done(true, [
      {
        code: 'validator-disagreement',
        severity: 'info',
        message: `wabt rejects this module but binaryen validates it (a proposal wabt does not support?): ${first?.message ?? ''}`,
        span: first?.span ?? { start: 0, end: 0 },
        source: 'wabt',
      },
    ]);
  }
  const code = b.read ? 'validation' : subject.kind === 'wat' ? 'wat-syntax' : 'wasm-malformed';
  const extra = binaryenDiagnostics(b.messages, subject, code).filter((d) => {
    const located = d.span.end > d.span.start;
    // binaryen's read errors without a location say less than wabt's located ones
    if (!b.read && !located && wabtDiags.length > 0) return false;
    return !wabtDiags.some((w) => w.span.start === d.span.start && located) && !wabtDiags.some((w) => w.message === d.message);
  });
  return done(false, [...wabtDiags, ...extra]);
}
