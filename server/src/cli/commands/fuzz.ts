/** `fuzz`: a module's exports or a WASI command fuzzed in the sandbox (engine/operations/fuzz.ts). */
import * as path from 'path';
import { fuzzFile, replayFinding, type FuzzResult } from '../../engine/operations/fuzz';
import { escapeControls } from '../../engine/sandbox/display-text';
import type { FuzzFinding } from '../../engine/fuzz/types';
import type { SandboxOptions } from '../../engine/sandbox/types';
import { nonNegativeInt, oneOf, parseArgs, str } from '../args';
import { CliError } from '../errors';
import { Interrupt } from '../interrupt';
import { makePolicyStore, requireModule } from '../inputs';
import { displayPath } from '../report';
import { commonFlags } from './check';
import type { CommandDef } from './types';
import { sayPolicyOptions } from './run';

/** `300s`, `5m`, `1500ms`, `1h`, or a number of seconds; undefined for anything else. */
export function parseDuration(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(s);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

export const fuzz: CommandDef = {
  name: 'fuzz',
  summary: 'fuzz a module\'s exports (or a WASI command) in the sandbox; findings written, minimised, replayable',
  usage:
    'wasm-warden fuzz <module.wasm|.wat> [--duration 300s] [--invoke NAME] [--seed S] [--runs N] [--out DIR] [--format text|json]\n' +
    '       wasm-warden fuzz <module.wasm|.wat> --replay FINDING.json',
  flags: {
    duration: { type: 'string', value: 'TIME', description: 'how long to fuzz: 300s (default), 5m, 1500ms' },
    invoke: { type: 'string', value: 'NAME', description: 'fuzz only this export (default: every exported function with numeric parameters; a module with _start is fuzzed as a command)' },
    seed: { type: 'string', value: 'S', description: 'the generator\'s seed (default: random, printed); the same seed gives the same inputs in the same order' },
    runs: { type: 'string', value: 'N', description: 'stop after N executions (also deterministic across machines)' },
    out: { type: 'string', value: 'DIR', description: 'folder for the findings, one JSON file each (default: fuzz-findings)' },
    replay: { type: 'string', value: 'FILE.json', description: 'run one finding\'s input again: exit 1 if its cause happens again, 0 if not' },
    format: { type: 'string', value: 'text|json', description: 'stdout: a summary (default) or the result as JSON' },
    'fuel-per-exec': { type: 'string', value: 'N', description: 'instruction budget of one execution; past it the input is a timeout finding (default 5000000)' },
    'max-memory': { type: 'string', value: 'BYTES', description: 'linear memory cap; reaching it is a memory finding (default 64 MiB)' },
    policy: { type: 'string', value: 'FILE', description: 'policy whose sandbox section is the base (default: the nearest one)' },
  },
  details: [
    'Exports get type-directed arguments: edge values of each type (0, -1, min, max), NaN payloads, lengths near the',
    'memory\'s size and pointers at its end, and the module\'s own constants; a command gets random argv, environment,',
    'stdin and files in a scratch folder mounted at /scratch. Coverage (function entries and loop headers reached)',
    'steers the inputs. Each distinct cause (trap, timeout, memory or output blow-up, sandbox violation) is reported',
    'once, minimised, with the seed, and written to --out.',
    'Exit codes: 0 no finding; 1 findings (with --replay: the cause happened again); 2 usage or input error.',
  ],
  examples: [
    'wasm-warden fuzz critical-module.wasm --duration=300s',
    'wasm-warden fuzz lib.wasm --invoke parse --seed 42 --runs 100000',
    'wasm-warden fuzz lib.wasm --replay fuzz-findings/trap-divide-by-zero-1a2b3c4d.json',
  ],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'fuzz');
    const [module, ...extra] = [...p.positionals, ...p.rest];
    const file = requireModule(module, 'fuzz');
    if (extra.length) throw new CliError(`fuzz: unexpected argument ${JSON.stringify(extra[0])} (the fuzzer makes the guest's arguments)`);
    const format = oneOf(p, 'format', ['text', 'json'], 'text', 'fuzz');
    const durationText = str(p, 'duration');
    const durationMs = durationText === undefined ? undefined : parseDuration(durationText);
    if (durationText !== undefined && (durationMs === undefined || durationMs <= 0)) throw new CliError(`fuzz: --duration takes a time such as 300s, 5m or 1500ms, not ${JSON.stringify(durationText)}`);
    const seedText = str(p, 'seed');
    const seed = seedText === undefined ? undefined : /^\d+$/.test(seedText) && Number(seedText) <= 0xffffffff ? Number(seedText) : NaN;
    if (seed !== undefined && Number.isNaN(seed)) throw new CliError(`fuzz: --seed takes a whole number from 0 to 4294967295, not ${JSON.stringify(seedText)}`);
    const maxExecs = nonNegativeInt(p, 'runs', 'fuzz');
    const fuelPerExec = nonNegativeInt(p, 'fuel-per-exec', 'fuzz');
    const overrides: Partial<SandboxOptions> = {};
    const maxMemory = nonNegativeInt(p, 'max-memory', 'fuzz');
    if (maxMemory !== undefined) overrides.maxMemoryBytes = maxMemory;
    const store = makePolicyStore(str(p, 'policy'), 'fuzz');
    const interrupt = new Interrupt();
    try {
      const replay = str(p, 'replay');
      if (replay !== undefined) {
        const r = await replayFinding(file, replay, { store, overrides, fuelPerExec, events: { signal: interrupt.signal } });
        if (!('reproduced' in r)) throw new CliError('fuzz: the module cannot be run as it is (see `wasm-warden run`)');
        if (format === 'json') io.out(JSON.stringify(r, null, 2) + '\n');
        else io.out(r.reproduced
          ? `reproduced: ${escapeControls(r.expected.key)}: ${escapeControls(r.cause!.detail)}\n`
          : `not reproduced: expected ${escapeControls(r.expected.key)}, got ${r.cause ? escapeControls(r.cause.key) : 'no finding'}\n`);
        return interrupt.interrupted ? 130 : r.reproduced ? 1 : 0;
      }
      const outDir = path.resolve(str(p, 'out') ?? 'fuzz-findings');
      let lastLine = 0;
      const result = await fuzzFile(file, {
        store, overrides, durationMs, seed, maxExecs, outDir, fuelPerExec, invoke: str(p, 'invoke'),
        // what the policy adds (host variables; its mounts are not given to a fuzzed guest), said before the session
        onOptions: (o) => sayPolicyOptions(io, store.policyFor(file).file, { ...o, policyDirs: o.policyDirs.filter((d) => d.guest !== '/scratch') }, 'fuzz'),
        events: { signal: interrupt.signal },
        onProgress: (pr) => {
          if (io.quiet || Date.now() - lastLine < 5000) return;
          lastLine = Date.now();
          io.err(`wasm-warden fuzz: ${pr.execs} execs (${pr.execsPerSec}/s), coverage ${pr.coverage.covered}/${pr.coverage.sites} sites, ${pr.coverage.functionsCovered}/${pr.coverage.functions} functions, corpus ${pr.corpus}, findings ${pr.findings}\n`);
        },
        onFinding: (f) => {
          if (!io.quiet) io.err(`wasm-warden fuzz: finding ${describeFinding(f)}\n`);
        },
      });
      if (!('kind' in result)) throw new CliError('fuzz: the module cannot be run as it is (see `wasm-warden run`)');
      io.out(format === 'json' ? JSON.stringify(result, null, 2) + '\n' : describeFuzz(result));
      if (interrupt.interrupted) return 130;
      if (result.outcome !== 'exit' && result.outcome !== 'killed') {
        if (!io.quiet) io.err(`wasm-warden fuzz: the session ended early: ${escapeControls(result.message ?? result.outcome)}\n`);
        return 2;
      }
      return result.findings.length ? 1 : 0;
    } catch (err) {
      if (err instanceof Error && /^cannot run |fuzz takes |: not a wasm-warden fuzz finding|^.*\.json: /.test(err.message) && !(err instanceof CliError)) throw new CliError(`fuzz: ${err.message}`);
      throw err;
    } finally {
      interrupt.dispose();
    }
  },
};

function describeInput(f: FuzzFinding): string {
  const i = f.input;
  if (i.kind === 'export') return `${i.export}(${i.args.map((a) => `${a.type} ${a.value}${a.bits && a.value === 'NaN' ? ` (0x${a.bits})` : ''}`).join(', ')})`;
  const parts = [`argv ${JSON.stringify(i.argv)}`];
  if (Object.keys(i.env).length) parts.push(`env ${JSON.stringify(i.env)}`);
  if (i.stdin) parts.push(`stdin ${Buffer.from(i.stdin, 'base64').length} bytes`);
  if (i.files.length) parts.push(`files ${i.files.map((x) => x.name).join(', ')}`);
  return parts.join(', ');
}

export function describeFinding(f: FuzzFinding): string {
  return escapeControls(`${f.cause.key}: ${f.cause.detail}; input ${describeInput(f)}; seed ${f.seed}, execution ${f.exec}${f.file ? `; written to ${displayPath(f.file)}` : ''}`);
}

export function describeFuzz(r: FuzzResult): string {
  const pr = r.progress;
  const lines = [
    `${displayPath(r.file)}: ${r.mode === 'command' ? 'command' : r.targets.map((t) => escapeControls(t.export)).join(', ')}; seed ${r.seed}`,
    pr ? `  ${pr.execs} executions in ${(pr.elapsedMs / 1000).toFixed(1)} s (${pr.execsPerSec}/s); coverage ${pr.coverage.covered}/${pr.coverage.sites} sites, ${pr.coverage.functionsCovered}/${pr.coverage.functions} functions; corpus ${pr.corpus}` : '  no progress reported',
    `  ${r.findings.length} finding(s)${r.findings.length ? ':' : ''}`,
    ...r.findings.map((f) => `    ${describeFinding(f)}`),
  ];
  return lines.join('\n') + '\n';
}
