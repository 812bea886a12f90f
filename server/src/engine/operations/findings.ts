/**
 * Findings located for people: engine diagnostics with 1-based line/column (text sources) or a byte
 * offset (binaries). What the CLI prints (text, JSON, SARIF) and what panels list.
 */
import type { EngineDiagnostic, Severity } from '../diagnostic';
import { LineIndex, type Position } from '../span';
import { ruleDocPath } from '../policy/check';

export interface Finding {
  /** rule id or diagnostic code, e.g. `import-not-allowed`, `wat-syntax`, `validation` */
  rule: string;
  severity: Severity;
  /** who found it: wat-parser, wasm-reader, wabt, binaryen, policy, signature ... */
  source: string;
  message: string;
  file: string;
  /** 1-based, text sources */
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** byte offset, binaries */
  offset?: number;
  /** documentation page of a policy rule, relative to the extension / package root */
  doc?: string;
}

/** Where offsets of a text are: a LineIndex, or FilePositions for a text too large for one string. */
export interface PositionLocator {
  positionAt(offset: number): Position;
}

/**
 * Locate engine diagnostics of one file: `text` (or its LineIndex, or a locator of the diagnostics'
 * offsets) for WAT/WAST sources, omitted for binaries.
 */
export function locateFindings(file: string, diagnostics: EngineDiagnostic[], text?: string | PositionLocator): Finding[] {
  // no line index for no findings (a clean 14 MB text's index costs 15 ms)
  const index = typeof text === 'string' ? (diagnostics.length > 0 ? new LineIndex(text) : undefined) : text;
  return diagnostics.map((d) => {
    const f: Finding = { rule: d.code, severity: d.severity, source: d.source, message: d.message, file };
    if (index) {
      const s = index.positionAt(d.span.start);
      const e = index.positionAt(d.span.end);
      Object.assign(f, { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 });
    } else {
      f.offset = d.span.start;
    }
    if (d.source === 'policy') f.doc = ruleDocPath(d.code);
    return f;
  });
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1, hint: 0 };

/** True when any finding is at or above `threshold`. */
export function anyAtLeast(findings: Finding[], threshold: Severity): boolean {
  return findings.some((f) => RANK[f.severity] >= RANK[threshold]);
}

export function severityRank(s: Severity): number {
  return RANK[s];
}
