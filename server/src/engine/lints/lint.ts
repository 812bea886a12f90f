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
