/** Conversions between engine values (spans, EngineDiagnostic) and LSP types. */
import { Diagnostic, DiagnosticSeverity, DiagnosticTag, Range } from 'vscode-languageserver';
import type { EngineDiagnostic, Severity } from './engine/diagnostic';
import type { LineIndex, Span } from './engine/span';

export function toRange(index: LineIndex, span: Span): Range {
  return { start: index.positionAt(span.start), end: index.positionAt(span.end) };
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspSeverity(s: Severity): DiagnosticSeverity {
  return SEVERITY[s];
}

/**
 * An engine diagnostic as an LSP diagnostic. `rangeOf` turns the span into a range: text offsets
 * through a LineIndex for WAT, byte offsets through the WAT view (or line 0) for `.wasm`.
 */
export function toLspDiagnostic(d: EngineDiagnostic, rangeOf: (span: Span) => Range, docBase?: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: rangeOf(d.span),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'wasm-warden',
    message: d.message,
  };
  const doc = d.docUrl ?? (docBase && d.source === 'policy' ? `${docBase}/${d.code}.md` : undefined);
  if (doc) diagnostic.codeDescription = { href: doc };
  if (d.data) diagnostic.data = d.data;
  // unused or unreachable code: editors grey it out
  if (d.data?.unnecessary === true) diagnostic.tags = [DiagnosticTag.Unnecessary];
  return diagnostic;
}

/**
 * Range for a finding in a `.wasm` file, which is not a text document: the start of the file. The byte
 * offset goes into the message, and the same finding appears at its place in the WAT view.
 */
export function binaryRange(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}
