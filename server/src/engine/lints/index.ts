/**
 * The lints of WAT code, and running them with the user's severities (setting `wasmWarden.lints`).
 * One file per lint; this list is the only place that names them all.
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { WatDocument } from '../wat';
import type { Lint, LintSeverity } from './lint';
import { unusedFunction, unusedGlobal, unusedLabel, unusedLocal, unusedType } from './unused-items';
import { localNeverSet } from './local-never-set';
import { unreachableCode } from './unreachable-code';
import { shadowedLabel } from './shadowed-label';

export type { Lint, LintSeverity } from './lint';

export const LINTS: readonly Lint[] = [unusedFunction, unusedLocal, unusedGlobal, unusedType, unusedLabel, localNeverSet, unreachableCode, shadowedLabel];

export const LINT_SEVERITIES: readonly LintSeverity[] = ['off', 'hint', 'warning', 'error'];

/** The severity of each lint: the user's setting when it is one of LINT_SEVERITIES, else the default. */
export function lintSeverities(settings: Record<string, unknown> | undefined): Record<string, LintSeverity> {
  const out: Record<string, LintSeverity> = {};
  for (const l of LINTS) {
    const v = settings?.[l.name];
    out[l.name] = typeof v === 'string' && (LINT_SEVERITIES as string[]).includes(v) ? (v as LintSeverity) : l.defaultSeverity;
  }
  return out;
}

/** The lint findings of every module of a document (a module with syntax errors is not linted). */
export function lintDocument(doc: WatDocument, severities: Record<string, LintSeverity>): EngineDiagnostic[] {
  const out: EngineDiagnostic[] = [];
  const broken = doc.diagnostics.some((d) => d.severity === 'error');
  if (broken) return out;
  for (const m of doc.tree.modules) {
    if (m.form !== 'text') continue;
    for (const lint of LINTS) {
      const severity = severities[lint.name] ?? lint.defaultSeverity;
      if (severity === 'off') continue;
      for (const f of lint.check(doc, m)) {
        out.push({
          code: lint.name,
          severity,
          message: f.message,
          span: f.span,
          source: 'wasm-warden lint',
          data: f.unnecessary ? { unnecessary: true, lint: lint.name } : { lint: lint.name },
        });
      }
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}
