/**
 * What a lint is: a named check of a parsed WAT module with a default severity. Lints are opinions
 * about code the spec accepts (unused items, dead code), so each can be turned off or raised by the
 * user (setting `wasmWarden.lints.<name>`: off, hint, warning, error). They never claim what is not
 * so: a lint that cannot be sure stays silent.
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat';
import type { ModuleSyntax } from '../wat/syntax';

export type LintSeverity = 'off' | 'hint' | 'warning' | 'error';

export interface LintFinding {
  span: Span;
  message: string;
  /** the code is unused or unreachable (editors grey it out) */
  unnecessary?: boolean;
}

export interface Lint {
  name: string;
  /** one line for the settings' description */
  description: string;
  defaultSeverity: LintSeverity;
  check(doc: WatDocument, m: ModuleSyntax): LintFinding[];
}

/**
 * Per-function findings, kept while the function's tree node is unchanged: the incremental reparse
 * keeps the nodes of fields an edit did not touch (shifting their offsets), so after a keystroke only
 * the edited function is checked again. Findings are stored relative to the node's start.
 */
const perFunction = new Map<string, WeakMap<object, { start: number; findings: LintFinding[] }>>();

export function cachedPerFunction(lint: string, node: { start: number }, compute: () => LintFinding[]): LintFinding[] {
  let cache = perFunction.get(lint);
  if (!cache) perFunction.set(lint, (cache = new WeakMap()));
  const hit = cache.get(node);
  if (hit) {
    const d = node.start - hit.start;
    return d === 0 ? hit.findings : hit.findings.map((f) => ({ ...f, span: { start: f.span.start + d, end: f.span.end + d } }));
  }
  const findings = compute();
  cache.set(node, { start: node.start, findings });
  return findings;
}
