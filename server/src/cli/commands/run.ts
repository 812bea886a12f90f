/** `run`: a module in the sandbox (engine/operations/run.ts), guest output streamed live. */
import * as fs from 'fs';
import { importExtismManifest } from '../../engine/sandbox/extism-manifest';
import * as path from 'path';
import { writeOutput } from '../../engine/operations/output';
import { parseMountSpec, runFile, type SandboxOptionsResult } from '../../engine/operations/run';
import { escapeControls, terminalSafe } from '../../engine/sandbox/display-text';
import { exitStatusOf } from '../../engine/sandbox/exit-status';
import { describeTrustChange } from '../../engine/sandbox/trust';
import { STUB_MODES, type ImportPlan, type StubMode } from '../../engine/sandbox/import-policy';
import type { SandboxOptions } from '../../engine/sandbox/types';
import { bool, list, nonNegativeInt, parseArgs, str } from '../args';
import { CliError } from '../errors';
import { Interrupt } from '../interrupt';
import type { Io } from '../io';
import { makePolicyStore, requireModule } from '../inputs';
import { displayPath } from '../report';
import { commonFlags } from './check';
import type { CommandDef } from './types';

export const run: CommandDef = {
  name: 'run',
  summary: 'run a module in the WASI sandbox (monitored, with limits)',
  usage:
    'wasm-warden run <module.wasm|.wat> [--dir HOST[::GUEST][:ro|:rw]]... [--env K=V]... [--timeout MS] [--max-memory BYTES] [--fuel N]\n' +
    '                [--max-output BYTES] [--max-table-elements N] [--invoke NAME] [--report FILE.json] [-- guest args]',
  flags: {
    dir: { type: 'string', multiple: true, value: 'HOST[::GUEST][:ro|:rw]', description: 'give the guest a host folder (read-only unless :rw)' },
    env: { type: 'string', multiple: true, value: 'K=V', description: 'set a guest environment variable (K alone: copy it from the host)' },
    timeout: { type: 'string', value: 'MS', description: 'wall-clock limit (default: the policy sandbox.timeoutMs, else 10000)' },
    'max-memory': { type: 'string', value: 'BYTES', description: 'linear memory limit' },
    'max-write': { type: 'string', value: 'BYTES', description: 'write quota: bytes the guest may add to files in its mounts, new names included (default 64 MiB)' },
    'max-output': { type: 'string', value: 'BYTES', description: 'limit per stream on stdout/stderr' },
    'max-table-elements': { type: 'string', value: 'N', description: 'limit on the elements of all tables together (default 1000000)' },
    fuel: { type: 'string', value: 'N', description: 'instruction budget; the run stops (limit) when it is used up' },
    invoke: { type: 'string', value: 'NAME', description: 'call this export instead of _start; the arguments after the module are its (numeric) parameters; its results are printed on one line, separated by spaces' },
    report: { type: 'string', value: 'FILE.json', description: "write the monitor's final report as JSON" },
    events: { type: 'string', value: 'FILE.jsonl', description: "append each alert as it fires to this file, one JSON object a line (for a log pipeline)" },
    policy: { type: 'string', value: 'FILE', description: "policy whose sandbox section is the base (default: the nearest one)" },
    manifest: { type: 'string', value: 'FILE.json', description: 'an Extism manifest: its allowed_paths (ro: prefix), timeout_ms, memory.max_pages and config become the sandbox options; flags still win; its first wasm path is the module when none is given' },
    force: { type: 'boolean', description: 'overwrite the --report file if it exists' },
    'allow-denied-imports': { type: 'boolean', description: 'link the imports the policy denies as usual, for this run (by default a call to one traps)' },
    'stub-imports': { type: 'string', value: 'trap|zero', description: "link imports the sandbox does not provide (emscripten's env.*, wasm-bindgen's) to stubs that trap, or return zero" },
  },
  details: [
    'Guest stdout/stderr are printed live (on a terminal, control characters other than newlines, tabs and colours are',
    'shown escaped); wasm-warden\'s own lines go to stderr, violations escaped, and a summary after the guest\'s output.',
    'The guest\'s environment is what --env sets. Without --env, the variables named in the nearest policy\'s sandbox.env',
    '(or --policy\'s) are copied from the host; their names (never their values) are printed on stderr, and the report',
    'shows them without their values.',
    'The guest\'s folders are what --dir gives. Without --dir, the mounts in the policy\'s sandbox.dirs are used; each',
    'is printed on stderr (host folder, guest path, read-only or read-write) before the run.',
    'Arguments after the module (use -- before any that start with -) are the guest\'s argv[1..].',
    'Exit codes: the guest\'s exit code when it is 1-125; 1 if it exited 0 but the sandbox recorded violations, or exited',
    'with any other code (126 and above, multiples of 256); 1 trap, timeout, limit reached or killed; 2 usage or input',
    'error, or the module cannot be instantiated (e.g. a WASI function imported with the wrong type); 130 interrupted.',
    'A run with violations never exits 0.',
    'Alerts: the policy\'s monitor.alerts rules (default: memory above 100 MiB, execution above 5 s, any violation) are',
    'printed on stderr as they fire, kept in the report, and appended to --events FILE as JSON lines. A rule\'s action',
    'stop ends the run (exit 1); restart ends it and runs the module once more, stopping it if the rule fires again.',
    'The policy holds in the run: the imports it denies are listed before the run, and a call to one stops it',
    '(trap denied-import, violation import-denied) unless --allow-denied-imports lets them through this once.',
    'A module importing what the sandbox does not provide (only WASI preview1 and a memory) is refused before',
    'it runs, unless --stub-imports trap (a call traps: stub-called) or --stub-imports zero (calls return 0).',
  ],
  examples: [
    'wasm-warden run hello.wasm',
    'wasm-warden run tool.wasm --dir ./data::/data:ro --env LANG=C --timeout 5000 -- --input /data/in.txt',
    'wasm-warden run lib.wat --invoke add 1 2',
    'wasm-warden run app.wasm --report run-report.json --max-memory 67108864',
    'wasm-warden run emscripten-app.wasm --stub-imports trap',
  ],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'run');
    const manifestFile = str(p, 'manifest');
    const manifest = manifestFile ? readManifest(manifestFile) : undefined;
    const positionals = [...p.positionals, ...p.rest];
    if (manifest && !positionals.length) {
      const first = manifest.wasm.find((w) => w.path);
      if (first?.path) positionals.unshift(path.resolve(path.dirname(manifestFile!), first.path));
    }
    const [module, ...guestArgs] = positionals;
    const file = requireModule(module, 'run');
    const reportFile = str(p, 'report');
    const eventsFile = str(p, 'events');
    if (eventsFile && !fs.existsSync(path.dirname(path.resolve(eventsFile)))) throw new CliError(`run: --events ${displayPath(eventsFile)}: its folder does not exist`);
    const events = eventsFile ? new EventLog(eventsFile, file) : undefined;
    const force = bool(p, 'force');
    if (reportFile && fs.existsSync(reportFile) && !force) throw new CliError(`run: ${displayPath(reportFile)} already exists (use --force to overwrite)`);

    const overrides: Partial<SandboxOptions> = {};
    if (manifest) {
      const { dirs, env, timeoutMs, maxMemoryBytes } = manifest.options;
      Object.assign(overrides, { dirs, env, timeoutMs, maxMemoryBytes });
      for (const w of manifest.warnings) if (!io.quiet) io.err(`wasm-warden: manifest: ${w}\n`);
    }
    const dirs = list(p, 'dir');
    if (dirs.length) {
      overrides.dirs = dirs.map((d) => {
        try {
          return parseMountSpec(d, process.cwd());
        } catch (err) {
          throw new CliError(`run: ${(err as Error).message}`);
        }
      });
      for (const m of overrides.dirs) {
        if (!fs.existsSync(m.host) || !fs.statSync(m.host).isDirectory()) throw new CliError(`run: --dir ${m.host}: not a folder`);
      }
    }
    const env = list(p, 'env');
    const hostEnvNames: string[] = [];
    if (env.length) {
      overrides.env = {};
      for (const e of env) {
        const eq = e.indexOf('=');
        if (eq === 0) throw new CliError(`run: bad --env ${JSON.stringify(e)}: expected K=V`);
        if (eq < 0) {
          if (process.env[e] !== undefined) {
            overrides.env[e] = process.env[e]!;
            hostEnvNames.push(e);
          }
        } else {
          overrides.env[e.slice(0, eq)] = e.slice(eq + 1);
        }
      }
    }
    overrides.timeoutMs = nonNegativeInt(p, 'timeout', 'run') ?? overrides.timeoutMs;
    overrides.maxMemoryBytes = nonNegativeInt(p, 'max-memory', 'run') ?? overrides.maxMemoryBytes;
    overrides.maxWriteBytes = nonNegativeInt(p, 'max-write', 'run');
    overrides.maxOutputBytes = nonNegativeInt(p, 'max-output', 'run');
    overrides.maxTableElements = nonNegativeInt(p, 'max-table-elements', 'run');
    overrides.fuel = nonNegativeInt(p, 'fuel', 'run');
    const invoke = str(p, 'invoke');
    if (invoke !== undefined) {
      overrides.invoke = { export: invoke, args: parseInvokeArgs(invoke, guestArgs, 'run') };
    }
    const store = makePolicyStore(str(p, 'policy'), 'run');
    const stubImports = str(p, 'stub-imports');
    if (stubImports !== undefined && !STUB_MODES.includes(stubImports as StubMode)) {
      throw new CliError(`run: --stub-imports must be ${STUB_MODES.join(' or ')}, not ${JSON.stringify(stubImports)}`);
    }
    const allowDenied = bool(p, 'allow-denied-imports');

    const interrupt = new Interrupt();
    const guest = new GuestOutput(io);
    let attempt = 1;
    let result;
    try {
      result = await runFile(file, {
        store,
        overrides,
        hostEnvNames,
        args: invoke === undefined ? guestArgs : [],
        onOptions: (o) => sayPolicyOptions(io, store.policyFor(file).file, o, 'run'),
        imports: { allowDenied, stubImports: stubImports as StubMode | undefined },
        onImportPlan: (plan) => {
          if (!io.quiet) io.err(describeImportPlan(plan, path.basename(file)));
        },
        events: {
          onStdout: (s) => guest.write(process.stdout, s),
          onStderr: (s) => guest.write(process.stderr, s),
          onViolation: (v) => {
            if (!io.quiet) guest.ourLine(`wasm-warden: sandbox violation (${escapeControls(v.kind)}): ${escapeControls(v.detail)}\n`);
          },
          onAlert: (a) => {
            events?.write({ type: 'alert', attempt, ...a });
            if (!io.quiet) guest.ourLine(`wasm-warden: alert ${escapeControls(a.rule)} (${a.severity}, ${a.kind}${a.action === 'notify' ? '' : `, action ${a.action}`}): ${escapeControls(a.detail)}\n`);
          },
          onRestart: (a) => {
            attempt++;
            events?.write({ type: 'restart', attempt, after: a.rule });
            if (!io.quiet) guest.ourLine(`wasm-warden run: restarting the module once (alert ${escapeControls(a.rule)}); it stops if the rule fires again\n`);
          },
          signal: interrupt.signal,
        },
      });
    } catch (err) {
      // the operation throws plain Errors for inputs it cannot run (e.g. WAT that does not compile)
      if (err instanceof Error && /^cannot run |run takes /.test(err.message)) throw new CliError(`run: ${err.message}`);
      throw err;
    } finally {
      interrupt.dispose();
    }
    if ('needsConfirmation' in result) throw new CliError(`run: mounts outside the workspace need confirmation: ${result.needsConfirmation.outsideWorkspace.join(', ')}`);
    if ('refused' in result) {
      const { imports } = result.refused;
      const hint = imports.unlinkable.length && !imports.stubs.length
        ? ' Use --stub-imports trap or --stub-imports zero.'
        : !imports.deniedAllowed && imports.denied.length ? ' Use --allow-denied-imports to run it anyway, this once.' : '';
      throw new CliError(`run: ${escapeControls(result.refused.message)}${hint}`);
    }
    if (reportFile) {
      const w = writeOutput(reportFile, JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n', force);
      if (w.exists) throw new CliError(`run: ${displayPath(reportFile)} already exists (use --force to overwrite)`);
    }
    if (invoke !== undefined && result.outcome === 'exit' && result.result !== undefined) {
      io.out(`${formatInvokeResult(result.result)}\n`);
    }
    // our summary, after all of the guest's output, on a fresh line with the terminal's attributes reset
    const why = result.trap
      ? `trap (${result.trap.kind}): ${escapeControls(result.trap.message)}${result.trap.stack.length ? `\n  at ${result.trap.stack.map(escapeControls).join('\n  at ')}` : ''}`
      : escapeControls(result.message ?? '');
    if (result.violationCount > 0) {
      const kinds = result.violationKinds.map((k) => `${escapeControls(k.kind)} x${k.count} (latest: ${escapeControls(k.latest.detail)})`).join('; ');
      guest.ourLine(`wasm-warden run: ${result.violationCount} sandbox violation(s): ${kinds}\n`);
    }
    const { status, note } = exitStatusOf(result, interrupt.interrupted);
    switch (result.outcome) {
      case 'exit':
        if (note) guest.ourLine(`wasm-warden run: ${note}\n`);
        return status;
      case 'killed':
        guest.ourLine(`wasm-warden run: ${interrupt.interrupted ? 'interrupted' : result.stoppedBy ? escapeControls(result.message ?? 'stopped by an alert') : 'killed'}\n`);
        return status;
      case 'error':
        guest.ourLine(`wasm-warden run: ${why || 'the module could not be run'}\n`);
        return status;
      default:
        guest.ourLine(`wasm-warden run: ${result.trap ? why : `${result.outcome}${why ? `: ${why}` : ''}`}\n`);
        if (result.trap?.kind === 'denied-import') guest.ourLine('wasm-warden run: --allow-denied-imports lets the imports the policy denies through, for one run\n');
        return status;
    }
  },
};

/**
 * What a (cloned repository's) policy adds to a run, said on stderr before it starts: the host folders it
 * mounts and how, the host environment variables it passes (names only), and what trust changed.
 */
export function sayPolicyOptions(io: Io, policyFile: string | undefined, o: Pick<SandboxOptionsResult, 'policyHostEnv' | 'policyDirs' | 'changes'>, command: string): void {
  if (io.quiet) return;
  const policyName = policyFile ? ` ${escapeControls(displayPath(policyFile))}` : '';
  for (const d of o.policyDirs) {
    io.err(`wasm-warden ${command}: the policy${policyName} mounts ${escapeControls(d.host)} as ${escapeControls(d.guest)} (${d.readOnly ? 'read-only' : 'read-write'}) (sandbox.dirs)\n`);
  }
  if (o.policyHostEnv.length) {
    io.err(`wasm-warden ${command}: the policy${policyName} passes host environment variable(s) to the guest (sandbox.env): ${o.policyHostEnv.map(escapeControls).join(', ')}\n`);
  }
  for (const c of o.changes) io.err(`wasm-warden ${command}: ${escapeControls(describeTrustChange(c))}\n`);
}

/** The numeric arguments of `--invoke NAME`: integers too large for a double as bigints (i64). */
export function parseInvokeArgs(invoke: string, args: string[], command: string): (number | bigint)[] {
  return args.map((a) => {
    if (/^-?\d+$/.test(a) && !Number.isSafeInteger(Number(a))) return BigInt(a);
    const n = Number(a);
    if (a.trim() === '' || Number.isNaN(n)) throw new CliError(`${command}: --invoke ${invoke}: argument ${JSON.stringify(a)} is not a number`);
    return n;
  });
}

/**
 * The guest's output on our stdout/stderr: as written into pipes and files (it is the guest's own
 * stream), made terminalSafe on a terminal, so it cannot move the cursor or erase what we printed.
 * Our own lines (ourLine) start on a fresh line, after an attribute reset on a terminal.
 */
class GuestOutput {
  /** the guest's last output did not end a line */
  private midLine = false;
  /** the guest wrote to a terminal (its colours may still be on) */
  private coloured = false;
  constructor(private readonly io: Io) {}

  write(stream: NodeJS.WriteStream, s: string): void {
    if (!s) return;
    if (stream.isTTY) {
      stream.write(terminalSafe(s));
      this.coloured = true;
    } else stream.write(s);
    this.midLine = !s.endsWith('\n');
  }

  ourLine(text: string): void {
    const reset = this.coloured && process.stderr.isTTY ? '\x1b[0m' : '';
    this.io.err(`${reset}${this.midLine ? '\n' : ''}${text}`);
    this.midLine = false;
    this.coloured = false;
  }
}

/**
 * An invoked export's return value as one line: numbers as JavaScript writes them (NaN, Infinity), i64s
 * (bigints) in full, several results separated by spaces. (JSON.stringify threw on an i64 among several
 * results: the CLI ended with an internal error; it also wrote NaN as null.)
 */
export function formatInvokeResult(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatInvokeResult).join(' ');
  if (typeof v === 'bigint' || typeof v === 'number') return v.toString();
  return v === null ? 'null' : escapeControls(String(v));
}

/** What the run does with the module's imports, said on stderr before it starts; '' when there is nothing to say. */
export function describeImportPlan(plan: ImportPlan, file: string): string {
  // import names and reasons quote the module's own names: guest-chosen text, escaped like violation details
  const name = escapeControls(file);
  const lines: string[] = [];
  if (plan.denied.length) {
    const n = plan.denied.length;
    lines.push(plan.deniedAllowed
      ? `wasm-warden run: the policy denies ${n} import${n === 1 ? '' : 's'} of ${name}; --allow-denied-imports lets ${n === 1 ? 'it' : 'them'} through for this run:`
      : `wasm-warden run: the policy denies ${n} import${n === 1 ? '' : 's'} of ${name}; a call to ${n === 1 ? 'it' : 'one'} stops the run (--allow-denied-imports lets ${n === 1 ? 'it' : 'them'} through once):`);
    for (const d of plan.denied) lines.push(`  ${escapeControls(`${d.module}.${d.name}: ${d.reasons.join(' ')}`)}`);
  }
  if (plan.stubs.length) {
    const n = plan.stubs.length;
    const mode = plan.stubs[0].mode === 'trap' ? 'a call to one traps' : 'calls return zero';
    lines.push(`wasm-warden run: ${n} import${n === 1 ? ' is a generated stub' : 's are generated stubs'} (--stub-imports ${plan.stubs[0].mode}: ${mode})${plan.toolchain ? `; the module looks built for ${plan.toolchain}` : ''}: ${plan.stubs.slice(0, 5).map((s) => escapeControls(`${s.module}.${s.name}`)).join(', ')}${n > 5 ? ` and ${n - 5} more` : ''}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/**
 * `--events FILE`: alerts appended as JSON lines as they fire (a log pipeline tails the file). Each line has
 * the time, the module and the alert; a write failure is said once on stderr and the run goes on.
 */
class EventLog {
  private failed = false;
  constructor(private readonly file: string, private readonly module: string) {}
  write(event: Record<string, unknown>): void {
    if (this.failed) return;
    try {
      fs.appendFileSync(this.file, JSON.stringify({ time: new Date().toISOString(), module: this.module, ...event }) + '\n');
    } catch (err) {
      this.failed = true;
      process.stderr.write(`wasm-warden run: --events ${displayPath(this.file)}: ${(err as Error).message}\n`);
    }
  }
}

/** An Extism manifest as sandbox options (engine/sandbox/extism-manifest), with CLI errors. */
function readManifest(file: string): ReturnType<typeof importExtismManifest> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`run: --manifest ${file}: ${(err as Error).message}`);
  }
  try {
    return importExtismManifest(json, path.dirname(path.resolve(file)));
  } catch (err) {
    throw new CliError(`run: --manifest ${file}: ${(err as Error).message}`);
  }
}
