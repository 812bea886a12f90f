/** `bench`: an export (or a command) called many times in the sandbox (engine/operations/bench.ts). */
import * as fs from 'fs';
import { writeOutput } from '../../engine/operations/output';
import { benchFile, parsePercent, readBenchResult, type BenchResult } from '../../engine/operations/bench';
import { parseMountSpec } from '../../engine/operations/run';
import { escapeControls } from '../../engine/sandbox/display-text';
import type { SandboxOptions } from '../../engine/sandbox/types';
import { bool, list, nonNegativeInt, oneOf, parseArgs, str } from '../args';
import { CliError } from '../errors';
import { Interrupt } from '../interrupt';
import { makePolicyStore, requireModule } from '../inputs';
import { displayPath } from '../report';
import { commonFlags } from './check';
import { parseInvokeArgs, sayPolicyOptions } from './run';
import type { CommandDef } from './types';

const DEFAULT_TIMEOUT_MS = 120_000;

export const bench: CommandDef = {
  name: 'bench',
  summary: 'benchmark an export (or a command) in the sandbox: time per iteration, ops/s, memory, WASI calls',
  usage:
    'wasm-warden bench <module.wasm|.wat> [--invoke NAME [ARGS...] | -- guest args] [--iterations N] [--warmup N]\n' +
    '                  [--baseline previous.json] [--fail-on-regression 10%] [--json FILE.json] [--format text|json]',
  flags: {
    invoke: { type: 'string', value: 'NAME', description: 'call this export (the arguments after the module are its numeric parameters); without it, the command (_start) runs in a fresh instance each iteration' },
    iterations: { type: 'string', value: 'N', description: 'measured iterations (default 100)' },
    warmup: { type: 'string', value: 'N', description: 'iterations run first and not measured (default 10)' },
    baseline: { type: 'string', value: 'FILE.json', description: 'a saved result (--json) to compare with' },
    'fail-on-regression': { type: 'string', value: 'PCT', description: 'with --baseline: exit 1 when the median is slower by more than this (e.g. 10%)' },
    json: { type: 'string', value: 'FILE.json', description: 'write the result as JSON (a later --baseline)' },
    format: { type: 'string', value: 'text|json', description: 'stdout: a summary (text, default) or the result as JSON' },
    force: { type: 'boolean', description: 'overwrite the --json file if it exists' },
    dir: { type: 'string', multiple: true, value: 'HOST[::GUEST][:ro|:rw]', description: 'give the guest a host folder (read-only unless :rw)' },
    timeout: { type: 'string', value: 'MS', description: `wall-clock limit of the whole benchmark (default ${DEFAULT_TIMEOUT_MS})` },
    'max-memory': { type: 'string', value: 'BYTES', description: 'linear memory limit' },
    policy: { type: 'string', value: 'FILE', description: 'policy whose sandbox section is the base (default: the nearest one)' },
  },
  details: [
    'The module runs in the same sandbox as `run` (policy, limits, import rules, alerts). Each iteration is timed',
    'inside the sandbox around the call only: an export is called on one instance (after _initialize); a command',
    "gets a fresh instance (and WASI state) per iteration, and proc_exit(0) ends an iteration normally.",
    'Exit codes: 0 done; 1 an iteration failed (trap, exit code, limit, timeout) or the median regressed past',
    '--fail-on-regression; 2 usage or input error.',
  ],
  examples: [
    'wasm-warden bench lib.wasm --invoke fib 25 --iterations 1000 --warmup 50',
    'wasm-warden bench tool.wasm --iterations 20 -- --input data.txt',
    'wasm-warden bench lib.wasm --invoke fib 25 --baseline bench-main.json --fail-on-regression 10% --json bench.json',
  ],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'bench');
    const [module, ...rest] = [...p.positionals, ...p.rest];
    const file = requireModule(module, 'bench');
    const format = oneOf(p, 'format', ['text', 'json'], 'text', 'bench');
    const iterations = nonNegativeInt(p, 'iterations', 'bench') ?? 100;
    if (iterations < 1) throw new CliError('bench: --iterations must be at least 1');
    const warmup = nonNegativeInt(p, 'warmup', 'bench') ?? 10;
    const jsonFile = str(p, 'json');
    const force = bool(p, 'force');
    if (jsonFile && fs.existsSync(jsonFile) && !force) throw new CliError(`bench: ${displayPath(jsonFile)} already exists (use --force to overwrite)`);
    const baselineFile = str(p, 'baseline');
    let baseline;
    if (baselineFile) {
      try {
        baseline = { file: baselineFile, result: readBenchResult(baselineFile) };
      } catch (e) {
        throw new CliError(`bench: ${(e as Error).message}`);
      }
    }
    const regression = str(p, 'fail-on-regression');
    const failOnRegressionPct = regression === undefined ? undefined : parsePercent(regression);
    if (regression !== undefined && failOnRegressionPct === undefined) throw new CliError(`bench: --fail-on-regression takes a percentage such as 10%, not ${JSON.stringify(regression)}`);
    if (failOnRegressionPct !== undefined && !baseline) throw new CliError('bench: --fail-on-regression needs --baseline');

    const overrides: Partial<SandboxOptions> = {};
    const dirs = list(p, 'dir');
    if (dirs.length) {
      try {
        overrides.dirs = dirs.map((d) => parseMountSpec(d, process.cwd()));
      } catch (err) {
        throw new CliError(`bench: ${(err as Error).message}`);
      }
    }
    overrides.timeoutMs = nonNegativeInt(p, 'timeout', 'bench') ?? DEFAULT_TIMEOUT_MS;
    overrides.maxMemoryBytes = nonNegativeInt(p, 'max-memory', 'bench');
    const invoke = str(p, 'invoke');
    if (invoke !== undefined) overrides.invoke = { export: invoke, args: parseInvokeArgs(invoke, rest, 'bench') };
    const store = makePolicyStore(str(p, 'policy'), 'bench');
    const interrupt = new Interrupt();
    let result;
    try {
      result = await benchFile(file, {
        store, iterations, warmup, overrides, baseline, failOnRegressionPct,
        args: invoke === undefined ? rest : [],
        onOptions: (o) => sayPolicyOptions(io, store.policyFor(file).file, o, 'bench'),
        events: {
          signal: interrupt.signal,
          // the guest's output would drown the figures: only our notes
          onViolation: (v) => {
            if (!io.quiet) io.err(`wasm-warden: sandbox violation (${escapeControls(v.kind)}): ${escapeControls(v.detail)}\n`);
          },
          onAlert: (a) => {
            if (!io.quiet) io.err(`wasm-warden: alert ${escapeControls(a.rule)} (${a.severity}, ${a.kind}): ${escapeControls(a.detail)}\n`);
          },
        },
      });
    } catch (err) {
      if (err instanceof Error && /^cannot run |run takes /.test(err.message)) throw new CliError(`bench: ${err.message}`);
      throw err;
    } finally {
      interrupt.dispose();
    }
    if ('needsConfirmation' in result) throw new CliError('bench: mounts outside the workspace need confirmation');
    if ('refused' in result) throw new CliError(`bench: ${escapeControls(result.refused.message)}`);
    if (jsonFile) {
      const w = writeOutput(jsonFile, JSON.stringify(result, null, 2) + '\n', force);
      if (w.exists) throw new CliError(`bench: ${displayPath(jsonFile)} already exists (use --force to overwrite)`);
    }
    io.out(format === 'json' ? JSON.stringify(result, null, 2) + '\n' : describeBench(result));
    const failed = result.outcome !== 'exit' || result.stats.iterations < iterations;
    if (failed && !io.quiet) io.err(`wasm-warden bench: stopped after ${result.stats.iterations} of ${iterations} iterations: ${escapeControls(result.trap ? `trap (${result.trap.kind}): ${result.trap.message}` : (result.message ?? result.outcome))}\n`);
    if (result.comparison?.regressed && !io.quiet) {
      io.err(`wasm-warden bench: regression: the median is ${result.comparison.changePct.medianMs}% slower than ${displayPath(result.comparison.file)} (more than ${result.comparison.failOnRegressionPct}%)\n`);
    }
    return failed || result.comparison?.regressed ? 1 : 0;
  },
};

const ms = (x: number) => (x >= 100 ? `${x.toFixed(1)} ms` : x >= 1 ? `${x.toFixed(3)} ms` : `${(x * 1000).toFixed(2)} µs`);
const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)}%`;

/** The result as a few lines of text. */
export function describeBench(r: BenchResult): string {
  const s = r.stats;
  const what = 'export' in r.entry ? `${r.entry.export}(${r.entry.args.join(', ')})` : r.entry.command.join(' ');
  const lines = [
    `${displayPath(r.file)}: ${escapeControls(what)}, ${s.iterations} iterations (${s.warmup} warm-up)`,
    `  median ${ms(s.medianMs)}  p90 ${ms(s.p90Ms)}  p99 ${ms(s.p99Ms)}  min ${ms(s.minMs)}  max ${ms(s.maxMs)}`,
    `  ${s.opsPerSec} ops/s  peak memory ${s.peakMemoryBytes} bytes  ${s.wasiCallsPerIteration} WASI calls per iteration`,
  ];
  const c = r.comparison;
  if (c) {
    lines.push(`  vs ${displayPath(c.file)}: median ${ms(c.baseline.medianMs)} -> ${ms(s.medianMs)} (${signed(c.changePct.medianMs)}), p90 ${signed(c.changePct.p90Ms)}, p99 ${signed(c.changePct.p99Ms)}${c.failOnRegressionPct !== undefined ? (c.regressed ? `: REGRESSION (> ${c.failOnRegressionPct}%)` : `: within ${c.failOnRegressionPct}%`) : ''}`);
  }
  return lines.join('\n') + '\n';
}
