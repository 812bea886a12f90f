/**
 * What the analysis of one file may cost a long-lived host (the language server), and the findings
 * that say a file was not analysed in full because it went over one of these budgets. The budgets are
 * settings (`wasmWarden.analysis.*`); the defaults here are the documented ones (docs/architecture.md, Budgets).
 */
import { withheldCount } from '../diagnostic-limit';
import type { EngineDiagnostic } from '../diagnostic';
import type { SourceKind } from '../operations/check';

export interface AnalysisLimits {
  /** a file that is not open: wall-clock milliseconds for its check in the analysis worker (Infinity: none) */
  timeoutMs: number;
  /** a file that is not open: heap (V8 old generation, MB) of the analysis worker while it checks it */
  maxHeapMB: number;
  /** WAT/WAST text over this many bytes gets no full analysis */
  maxWatBytes: number;
  /** WAT/WAST with more tokens than this gets no full analysis (the parse tree's memory follows tokens) */
  maxWatTokens: number;
}

/**
 * Tokens allowed per MB of the size limit: the token limit follows the size setting, so one setting
 * raises both. The parser's time and memory follow tokens, not bytes: a disassembler's WAT has about
 * 36,000 tokens per MB (mostly indentation; vscode-oniguruma's onig.wasm gives 162,000 in 4.5 MB), while
 * a text of small tokens (`(func)` repeated, `nop` lines) has up to 500,000. At 50,000 per MB the default
 * 20 MB limit allows 1 million tokens: a second or so of parse and a few hundred MB of tree.
 */
export const WAT_TOKENS_PER_MB = 50_000;

export const DEFAULT_ANALYSIS_LIMITS: AnalysisLimits = {
  timeoutMs: 5000,
  maxHeapMB: 512,
  maxWatBytes: 20 * 1024 * 1024,
  maxWatTokens: 20 * WAT_TOKENS_PER_MB,
};

/** Codes of the findings below: not policy rules (no rule page, no "set severity" quick fix). */
export const BUDGET_CODES = {
  time: 'analysis-time-budget',
  memory: 'analysis-memory-budget',
  size: 'analysis-size-limit',
  findings: 'analysis-findings-capped',
} as const;

/**
 * Findings of one file the language server publishes at most (in the engine's order: syntax and format
 * problems first, then policy findings); the rest are summed up in one more finding. A million findings
 * (1 MiB of `)`) would otherwise be hundreds of MB of JSON-RPC messages.
 */
export const MAX_FINDINGS_PER_FILE = 1000;

/**
 * The first MAX_FINDINGS_PER_FILE findings, and one that says how many more there are, if any. The
 * engine's summaries of repeated findings (diagnostic-limit.ts: "... and K more 'code' findings") are
 * always kept and do not count against the cap: each already stands for the findings it sums up.
 */
export function capFindings(findings: EngineDiagnostic[], max = MAX_FINDINGS_PER_FILE): EngineDiagnostic[] {
  if (findings.length <= max) return findings;
  let plain = 0;
  for (const d of findings) if (withheldCount(d) === 0) plain++;
  if (plain <= max) return findings;
  const shown: EngineDiagnostic[] = [];
  let kept = 0;
  for (const d of findings) {
    if (withheldCount(d) > 0) shown.push(d);
    else if (kept < max) {
      shown.push(d);
      kept++;
    }
  }
  shown.push({
    code: BUDGET_CODES.findings,
    severity: 'info',
    source: SOURCE,
    span: { start: 0, end: 0 },
    message: `${plain - max} more findings in this file are not shown (the first ${max} are). Run \`wasm-warden check\` on it for all of them.`,
    data: { total: findings.length, shown: max },
  });
  return shown;
}

const SOURCE = 'analysis-budget';

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** How to analyse a file anyway, by kind: an open WAT is checked without a time budget; the CLI always. */
function anyway(kind: SourceKind, file: string): string {
  const cli = `run \`wasm-warden check ${JSON.stringify(file)}\``;
  return kind === 'wasm' ? `To analyse it anyway, ${cli}.` : `To analyse it anyway, open it in the editor or ${cli}.`;
}

const at0 = { start: 0, end: 0 };

/** A file that is not open took longer than its time budget; its check was stopped. */
export function timeBudgetFinding(kind: SourceKind, file: string, limits: Pick<AnalysisLimits, 'timeoutMs'>): EngineDiagnostic {
  return {
    code: BUDGET_CODES.time,
    severity: 'warning',
    source: SOURCE,
    span: at0,
    message:
      `Not analysed: checking this file took longer than ${limits.timeoutMs} ms, the budget for files that are not open ` +
      `(setting wasmWarden.analysis.timeoutMs), so it was stopped and its policy findings are unknown. ${anyway(kind, file)}`,
    data: { budget: 'time', limit: limits.timeoutMs },
  };
}

/** A file that is not open needed more memory than its budget; its check was stopped. */
export function memoryBudgetFinding(kind: SourceKind, file: string, limits: Pick<AnalysisLimits, 'maxHeapMB'>): EngineDiagnostic {
  return {
    code: BUDGET_CODES.memory,
    severity: 'warning',
    source: SOURCE,
    span: at0,
    message:
      `Not analysed: checking this file needed more than ${limits.maxHeapMB} MB of memory, the budget for files that are not open ` +
      `(setting wasmWarden.analysis.maxHeapMB), so it was stopped and its policy findings are unknown. ${anyway(kind, file)}`,
    data: { budget: 'memory', limit: limits.maxHeapMB },
  };
}

/**
 * A WAT/WAST text too big for a full analysis. Open: syntax colouring and an outline from a quick scan
 * stay; not open: skipped. `tokens` is set when the token count (not the size) decided.
 */
export function sizeLimitFinding(
  file: string,
  size: { bytes: number; tokens?: number },
  limits: Pick<AnalysisLimits, 'maxWatBytes' | 'maxWatTokens'>,
  open: boolean,
): EngineDiagnostic {
  const over =
    size.tokens !== undefined && size.bytes <= limits.maxWatBytes
      ? `it has over ${limits.maxWatTokens.toLocaleString('en-US')} tokens in ${mb(size.bytes)} (${WAT_TOKENS_PER_MB.toLocaleString('en-US')} per MB of the limit, setting wasmWarden.analysis.maxFileSizeMB)`
      : `it is ${mb(size.bytes)}, over the ${mb(limits.maxWatBytes)} limit (setting wasmWarden.analysis.maxFileSizeMB)`;
  const kept = open ? ' Syntax colouring and an outline from a quick scan are kept; policy findings, hover and navigation are off.' : '';
  const cli = `run \`wasm-warden check ${JSON.stringify(file)}\``;
  return {
    code: BUDGET_CODES.size,
    severity: open ? 'info' : 'warning',
    source: SOURCE,
    span: at0,
    message: `Full analysis is off for this file: ${over}.${kept} To analyse it, ${cli}${open ? '' : ' or raise the limit'}.`,
    data: { budget: 'size', bytes: size.bytes, tokens: size.tokens, limit: limits.maxWatBytes, tokenLimit: limits.maxWatTokens },
  };
}
