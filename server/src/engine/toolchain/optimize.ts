/**
 * binaryen optimization of a `.wasm` module: readBinary + Features.All, optimize/shrink levels,
 * optional strip-debug / strip-producers, validation of the result, and per-section size reports.
 *
 * Custom sections (measured, binaryen 132): binaryen keeps custom sections it does not know, but
 * writes them after the known sections (a leading custom section moves to the end); the name
 * section survives when debug info is kept (setDebugInfo) and the input had one (binaryen would add one
 * to a module without: it is dropped), and DWARF `.debug_*` sections are
 * copied through unless `stripDebug` (they may no longer match the optimized code). With `keepCustomSections: false` every custom section other than `name`
 * and `producers` (which have their own switches) is dropped. A leading `signature` section is
 * always dropped: it signed the input bytes and cannot match the optimized ones (`signedInput`
 * tells the caller to warn and sign again).
 */
import type { EngineDiagnostic } from '../diagnostic';
import { request } from './client';
import { DEFAULT_OPTIMIZE_TIMEOUT_MS, failureDiagnostics, toolchainErrorDiagnostic, type ToolchainOptions } from './common';
import type { OptimizeLevel } from './protocol';
import { dropCustomSections, hasLeadingSignature, SectionWalkError, sizeReport, type SizeReport } from './sections';

export type { OptimizeLevel };

export interface OptimizeOptions extends ToolchainOptions {
  level: OptimizeLevel;
  /** run binaryen's `strip-debug` (name section, DWARF, source map URL); default false */
  stripDebug?: boolean;
  /** run binaryen's `strip-producers`; default false */
  stripProducers?: boolean;
  /** keep other custom sections; default true */
  keepCustomSections?: boolean;
}

export interface OptimizeResult {
  /** absent when optimization failed or its result did not validate */
  bytes?: Uint8Array;
  diagnostics: EngineDiagnostic[];
  before: SizeReport;
  after?: SizeReport;
  funcsBefore: number;
  funcsAfter?: number;
  timeMs: number;
  /** the input started with a `signature` custom section (the output has none) */
  signedInput: boolean;
}

export async function optimize(bytes: Uint8Array, opts: OptimizeOptions): Promise<OptimizeResult> {
  const t0 = performance.now();
  const signedInput = hasLeadingSignature(bytes);
  const fail = (diagnostics: EngineDiagnostic[], extra: Partial<OptimizeResult> = {}): OptimizeResult => ({
    diagnostics,
    before,
    funcsBefore: 0,
    timeMs: performance.now() - t0,
    signedInput,
    ...extra,
  });
  let before: SizeReport = { total: bytes.byteLength, sections: [] };
  try {
    before = sizeReport(bytes);
  } catch (e) {
    if (!(e instanceof SectionWalkError)) throw e;
    return fail([
      {
        code: 'wasm-malformed',
        severity: 'error',
        message: `cannot optimize: ${e.message}`,
        span: { start: e.offset, end: Math.min(bytes.byteLength, e.offset + 1) },
        source: 'binaryen',
      },
    ]);
  }
  if (!LEVELS.has(opts.level)) {
    return fail([{ code: 'toolchain-error', severity: 'error', message: `unknown optimization level '${String(opts.level)}'`, span: { start: 0, end: 0 }, source: 'binaryen' }]);
  }
  let raw;
  try {
    raw = await request(
      'optimize',
      { bytes, level: opts.level, stripDebug: opts.stripDebug ?? false, stripProducers: opts.stripProducers ?? false },
      { signal: opts.signal, timeoutMs: opts.timeoutMs ?? DEFAULT_OPTIMIZE_TIMEOUT_MS },
    );
  } catch (e) {
    return fail([toolchainErrorDiagnostic(e, 'binaryen', 'module too large for this level? try a longer timeout or a lower level')]);
  }
  const subject = { kind: 'wasm' as const, byteLength: bytes.byteLength };
  if (raw.failure || !raw.bytes) {
    return fail(raw.failure ? failureDiagnostics(raw.failure, subject) : [], { funcsBefore: raw.funcsBefore ?? 0, funcsAfter: raw.funcsAfter });
  }
  const keepOthers = opts.keepCustomSections ?? true;
  let out = raw.bytes;
  const diagnostics: EngineDiagnostic[] = [];
  try {
    // binaryen writes a name section whenever debug info is kept, also for an input without one: it is
    // kept only when the input had it (an optimized module does not grow names it did not ship)
    const inputHasNames = before.sections.some((sec) => sec.name === 'custom:name');
    out = dropCustomSections(out, (name) => name === 'signature' || (name === 'name' && !inputHasNames) || (!keepOthers && name !== 'name' && name !== 'producers'));
  } catch (e) {
    return fail([{ code: 'toolchain-error', severity: 'error', message: `binaryen wrote a module we cannot read: ${(e as Error).message}`, span: { start: 0, end: 0 }, source: 'binaryen' }]);
  }
  if (signedInput) {
    diagnostics.push({
      code: 'signature-removed',
      severity: 'warning',
      message: 'the input was signed; optimizing changed its bytes, so the signature was removed: sign the optimized module again',
      span: { start: 0, end: 0 },
      source: 'binaryen',
    });
  }
  return {
    bytes: out,
    diagnostics,
    before,
    after: sizeReport(out),
    funcsBefore: raw.funcsBefore ?? 0,
    funcsAfter: raw.funcsAfter,
    timeMs: performance.now() - t0,
    signedInput,
  };
}

const LEVELS = new Set<string>(['O1', 'O2', 'O3', 'O4', 'Os', 'Oz']);
