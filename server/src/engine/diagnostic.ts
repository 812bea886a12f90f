import type { Span } from './span';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/**
 * A finding produced by the engine (syntax error, binary format error, policy violation, validation
 * error). Adapters map it to LSP diagnostics, CLI text/JSON/SARIF, or panel rows.
 */
export interface EngineDiagnostic {
  /** stable machine-readable code, e.g. `wat-syntax`, `wasm-malformed`, `import-not-allowed` */
  code: string;
  severity: Severity;
  message: string;
  /** where: text offsets for WAT, byte offsets for `.wasm` (see ModuleModel.origin) */
  span: Span;
  /** who produced it: `wat-parser`, `wasm-reader`, `policy`, `wabt`, `binaryen`, `signature` ... */
  source: string;
  /** optional link to documentation of the code */
  docUrl?: string;
  /** extra places related to the finding (e.g. the policy rule that decided) */
  related?: { message: string; span?: Span; file?: string }[];
  /** free-form data for quick fixes (e.g. the import's module and name) */
  data?: Record<string, unknown>;
}
