/** `check` (policy over files, folders, globs) and `validate` (spec validation + policy). */
import { sourceKindOf } from '../../engine/operations/check';
import { CheckWorker } from '../../engine/budget/check-worker';
import type { EngineDiagnostic } from '../../engine/diagnostic';
import type { Position } from '../../engine/span';
import { anyAtLeast, locateFindings, type Finding } from '../../engine/operations/findings';
import { writeOutput } from '../../engine/operations/output';
import { validateFile } from '../../engine/operations/validate';
import type { PolicyStore } from '../../engine/policy/store';
import { bool, nonNegativeInt, oneOf, parseArgs, str, type FlagSpecs, type Parsed } from '../args';
import { CliError, userIoError } from '../errors';
import { Progress, type Io } from '../io';
import { expandInputs, makePolicyStore, policyProblemsOf } from '../inputs';
import { cliSeverity, displayPath, formatJson, formatSarif, formatText, sortReports, FORMATS, type FileReport, type Format } from '../report';
import type { CommandDef } from './types';

const FAIL_ON = ['error', 'warning', 'info'] as const;

const reportFlags: FlagSpecs = {
  policy: { type: 'string', value: 'FILE', description: 'policy file for every module (default: the nearest wasm-warden.policy.json above each module)' },
  format: { type: 'string', value: 'text|json|sarif', description: 'output format (default text)' },
  'fail-on': { type: 'string', value: 'error|warning|info', description: 'exit 1 when a finding is at or above this severity (default error)' },
  output: { type: 'string', short: ['o'], value: 'FILE', description: 'write the report to FILE instead of stdout' },
  force: { type: 'boolean', description: 'overwrite the --output file if it exists' },
};

/** Memory (V8 heap, MB) one file's check may use by default: the process stays under 1 GB. */
export const CLI_MAX_HEAP_MB = 512;

const checkFlags: FlagSpecs = {
  'max-heap-mb': { type: 'string', value: 'MB', description: `memory (V8 heap) the check of one file may use; a file that needs more is reported as an input error (default ${CLI_MAX_HEAP_MB})` },
};

/** A file whose check went over the memory budget: reported like an unreadable file (exit 2). */
class OverBudgetError extends Error {}

/** Findings of a check on the analysis worker: line/column from its ranges (WAT), else byte offsets. */
function workerFindings(file: string, diagnostics: EngineDiagnostic[], ranges?: { start: Position; end: Position }[]): Finding[] {
  const findings = locateFindings(file, diagnostics);
  if (!ranges) return findings;
  return findings.map((f, i) => {
    const { offset: _offset, ...rest } = f;
    const r = ranges[i];
    return { ...rest, line: r.start.line + 1, column: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
  });
}

interface PerFile {
  findings: Finding[];
  extra?: Record<string, unknown>;
  failed?: boolean;
}

async function runReport(
  argv: string[],
  io: Io,
  ctx: { version: string },
  command: 'check' | 'validate',
  each: (file: string, store: PolicyStore, p: Parsed) => Promise<PerFile>,
  flags: FlagSpecs = {},
): Promise<number> {
  const p = parseArgs(argv, { ...reportFlags, ...flags, ...commonFlags }, command);
  const format = oneOf<Format>(p, 'format', FORMATS, 'text', command);
  const failOn = oneOf(p, 'fail-on', FAIL_ON, 'error', command);
  const output = str(p, 'output');
  const store = makePolicyStore(str(p, 'policy'), command);
  const files = expandInputs(p.positionals, command);

  const progress = new Progress(io, files.length, command === 'check' ? 'checking' : 'validating');
  const reports: FileReport[] = [];
  let failed = false;
  let inputErrors = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    const shown = displayPath(file);
    progress.tick(i + 1, shown);
    try {
      const r = await each(file, store, p);
      failed ||= !!r.failed;
      reports.push({ path: shown, binary: sourceKindOf(file) === 'wasm', findings: r.findings, extra: r.extra });
    } catch (err) {
      const msg = err instanceof OverBudgetError ? err.message : userIoError(err);
      if (!msg) throw err;
      inputErrors++;
      io.err(`wasm-warden ${command}: ${shown}: ${msg.replace(/^.*?: (?=[a-z])/, '')}\n`);
    }
  }
  progress.done();

  const sorted = sortReports(reports);
  const text = format === 'json' ? formatJson(sorted) : format === 'sarif' ? formatSarif(sorted, ctx.version) : formatText(sorted, output ? { ...io, color: false } : io, command === 'check' ? 'checked' : 'validated');
  if (output) {
    const w = writeOutput(output, text, bool(p, 'force'));
    if (w.exists) throw new CliError(`${command}: ${output} already exists (use --force to overwrite)`);
    if (!io.quiet) io.err(`wrote ${output}\n`);
  } else {
    io.out(text);
  }
  const policyErrors = policyProblemsOf(store);
  if (policyErrors.length) {
    io.err(`wasm-warden ${command}: a policy file has errors (the default policy was used for its modules):\n${policyErrors.join('\n')}\n`);
    return 2;
  }
  if (inputErrors) return 2;
  // judged on the severities as shown (hint counts as info)
  const all = sorted.flatMap((r) => r.findings.map((f) => ({ ...f, severity: cliSeverity(f.severity) })));
  return failed || anyAtLeast(all, failOn) ? 1 : 0;
}

export const commonFlags: FlagSpecs = {
  help: { type: 'boolean', short: ['h'], description: 'show this help' },
  quiet: { type: 'boolean', short: ['q'], description: 'no progress or notes on stderr' },
  'no-color': { type: 'boolean', description: 'no colours (also: NO_COLOR=1)' },
};

export const check: CommandDef = {
  name: 'check',
  summary: 'check modules against the policy (files, folders, globs)',
  usage: 'wasm-warden check <files|dirs|globs...> [--policy FILE] [--format text|json|sarif] [--fail-on error|warning|info] [--output FILE]',
  flags: { ...reportFlags, ...checkFlags },
  details: [
    'Folders are scanned for .wat, .wast and .wasm files (node_modules and VCS folders are skipped).',
    'Each module is checked against the nearest wasm-warden.policy.json above it, or --policy.',
    `Each file is checked on a worker thread within --max-heap-mb (default ${CLI_MAX_HEAP_MB}): a file that needs more is an input error, not a crash.`,
    'Text output, one finding per line: path:line:col: severity [rule] message  (binaries: path:1:1: ... (@0xOFFSET)).',
    'Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage or input error',
    '(missing file, unreadable or invalid policy, --output exists).',
  ],
  examples: [
    'wasm-warden check build/',
    "wasm-warden check 'dist/**/*.wasm' --policy ci.policy.json --fail-on warning",
    'wasm-warden check . --format sarif --output wasm-warden.sarif',
  ],
  run: async (argv, io, ctx) => {
    // one worker thread for all files, one file at a time, with a heap limit and no time limit
    let maxHeapMB = CLI_MAX_HEAP_MB;
    const checker = new CheckWorker({
      limits: () => ({ timeoutMs: Number.POSITIVE_INFINITY, maxHeapMB, maxWatBytes: Number.POSITIVE_INFINITY, maxWatTokens: Number.POSITIVE_INFINITY }),
    });
    try {
      return await runReport(
        argv,
        io,
        ctx,
        'check',
        async (file, store, p) => {
          maxHeapMB = Math.max(64, nonNegativeInt(p, 'max-heap-mb', 'check') ?? CLI_MAX_HEAP_MB);
          const r = await checker.check(file, store.policyFor(file));
          if (r.kind === 'done') return { findings: workerFindings(file, r.diagnostics, r.ranges) };
          if (r.kind === 'over-budget') {
            throw new OverBudgetError(`needs more than ${maxHeapMB} MB of memory to check, over the budget per file (--max-heap-mb); not checked`);
          }
          throw Object.assign(new Error(r.message), { code: r.code, path: r.path });
        },
        checkFlags,
      );
    } finally {
      await checker.dispose();
    }
  },
};

export const validate: CommandDef = {
  name: 'validate',
  summary: 'validate modules against the WebAssembly spec (binaries: our validator; WAT: wabt + binaryen) and the policy',
  usage: 'wasm-warden validate <files|dirs|globs...> [--format text|json|sarif] [--fail-on error|warning|info] [--policy FILE]',
  flags: { ...reportFlags },
  details: ['Exit codes: 0 valid and no finding at or above --fail-on, 1 invalid or findings, 2 usage or input error.'],
  examples: ['wasm-warden validate module.wasm', 'wasm-warden validate src/*.wat --format json'],
  run: (argv, io, ctx) =>
    runReport(argv, io, ctx, 'validate', async (file, store) => {
      const r = await validateFile(file, store);
      return { findings: r.findings, extra: { valid: r.valid, validators: r.validators }, failed: !r.valid };
    }),
};
