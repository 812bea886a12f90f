/** `run`: a module in the sandbox (engine/operations/run.ts), guest output streamed live. */
import * as fs from 'fs';
import { importExtismManifest } from '../../engine/sandbox/extism-manifest';
import * as path from 'path';
import { sourceKindOf } from '../../engine/operations/check';
import { writeOutput } from '../../engine/operations/output';
import { parseMountSpec, runFile } from '../../engine/operations/run';
import type { SandboxOptions } from '../../engine/sandbox/types';
import { bool, list, nonNegativeInt, parseArgs, str } from '../args';
import { CliError } from '../errors';
import { makePolicyStore, requireFile } from '../inputs';
import { displayPath } from '../report';
import { commonFlags } from './check';
import type { CommandDef } from './types';

export const run: CommandDef = {
  name: 'run',
  summary: 'run a module in the WASI sandbox (monitored, with limits)',
  usage:
    'wasm-warden run <module.wasm|.wat> [--dir HOST[::GUEST][:ro|:rw]]... [--env K=V]... [--timeout MS] [--max-memory BYTES] [--fuel N]\n' +
    '                [--max-output BYTES] [--invoke NAME] [--report FILE.json] [-- guest args]',
  flags: {
    dir: { type: 'string', multiple: true, value: 'HOST[::GUEST][:ro|:rw]', description: 'give the guest a host folder (read-only unless :rw)' },
    env: { type: 'string', multiple: true, value: 'K=V', description: 'set a guest environment variable (K alone: copy it from the host)' },
    timeout: { type: 'string', value: 'MS', description: 'wall-clock limit (default: the policy sandbox.timeoutMs, else 10000)' },
    'max-memory': { type: 'string', value: 'BYTES', description: 'linear memory limit' },
    'max-write': { type: 'string', value: 'BYTES', description: 'write quota: bytes the guest may add to files in its mounts (default 64 MiB)' },
    'max-output': { type: 'string', value: 'BYTES', description: 'limit per stream on stdout/stderr' },
    fuel: { type: 'string', value: 'N', description: 'instruction budget; the run stops (limit) when it is used up' },
    invoke: { type: 'string', value: 'NAME', description: 'call this export instead of _start; the arguments after the module are its (numeric) parameters' },
    report: { type: 'string', value: 'FILE.json', description: "write the monitor's final report as JSON" },
    policy: { type: 'string', value: 'FILE', description: "policy whose sandbox section is the base (default: the nearest one)" },
    manifest: { type: 'string', value: 'FILE.json', description: 'an Extism manifest: its allowed_paths (ro: prefix), timeout_ms, memory.max_pages and config become the sandbox options; flags still win; its first wasm path is the module when none is given' },
    force: { type: 'boolean', description: 'overwrite the --report file if it exists' },
  },
  details: [
    'Guest stdout/stderr are printed live. Nothing of the host environment is passed unless --env says so.',
    'Arguments after the module (use -- before any that start with -) are the guest\'s argv[1..].',
    'Exit codes: the guest\'s exit code when it exits (1 if it exited 0 but the sandbox recorded violations);',
    '1 trap, timeout, limit reached or killed; 2 usage or input error, or the module cannot be instantiated; 130 interrupted.',
  ],
  examples: [
    'wasm-warden run hello.wasm',
    'wasm-warden run tool.wasm --dir ./data::/data:ro --env LANG=C --timeout 5000 -- --input /data/in.txt',
    'wasm-warden run lib.wat --invoke add 1 2',
    'wasm-warden run app.wasm --report run-report.json --max-memory 67108864',
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
    const file = requireFile(module, 'run', 'module');
    const kind = sourceKindOf(file);
    if (kind !== 'wasm' && kind !== 'wat') throw new CliError(`run: ${file}: expected a .wasm or .wat module`);
    const reportFile = str(p, 'report');
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
    if (env.length) {
      overrides.env = {};
      for (const e of env) {
        const eq = e.indexOf('=');
        if (eq === 0) throw new CliError(`run: bad --env ${JSON.stringify(e)}: expected K=V`);
        if (eq < 0) {
          if (process.env[e] !== undefined) overrides.env[e] = process.env[e]!;
        } else {
          overrides.env[e.slice(0, eq)] = e.slice(eq + 1);
        }
      }
    }
    overrides.timeoutMs = nonNegativeInt(p, 'timeout', 'run') ?? overrides.timeoutMs;
    overrides.maxMemoryBytes = nonNegativeInt(p, 'max-memory', 'run') ?? overrides.maxMemoryBytes;
    overrides.maxWriteBytes = nonNegativeInt(p, 'max-write', 'run');
    overrides.maxOutputBytes = nonNegativeInt(p, 'max-output', 'run');
    overrides.fuel = nonNegativeInt(p, 'fuel', 'run');
    const invoke = str(p, 'invoke');
    if (invoke !== undefined) {
      overrides.invoke = {
        export: invoke,
        args: guestArgs.map((a) => {
          if (/^-?\d+$/.test(a) && !Number.isSafeInteger(Number(a))) return BigInt(a);
          const n = Number(a);
          if (a.trim() === '' || Number.isNaN(n)) throw new CliError(`run: --invoke ${invoke}: argument ${JSON.stringify(a)} is not a number`);
          return n;
        }),
      };
    }
    const store = makePolicyStore(str(p, 'policy'), 'run');

    const abort = new AbortController();
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
      abort.abort();
    };
    process.once('SIGINT', onSigint);
    let result;
    try {
      result = await runFile(file, {
        store,
        overrides,
        args: invoke === undefined ? guestArgs : [],
        events: {
          onStdout: (s) => process.stdout.write(s),
          onStderr: (s) => process.stderr.write(s),
          onViolation: (v) => {
            if (!io.quiet) io.err(`wasm-warden: sandbox violation (${v.kind}): ${v.detail}\n`);
          },
          onAlert: (a) => {
            if (!io.quiet) io.err(`wasm-warden: alert (${a.kind}): ${a.detail}\n`);
          },
          signal: abort.signal,
        },
      });
    } catch (err) {
      // the operation throws plain Errors for inputs it cannot run (e.g. WAT that does not compile)
      if (err instanceof Error && /^cannot run |run takes /.test(err.message)) throw new CliError(`run: ${err.message}`);
      throw err;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    if ('needsConfirmation' in result) throw new CliError(`run: mounts outside the workspace need confirmation: ${result.needsConfirmation.outsideWorkspace.join(', ')}`);
    if (reportFile) {
      const w = writeOutput(reportFile, JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n', force);
      if (w.exists) throw new CliError(`run: ${displayPath(reportFile)} already exists (use --force to overwrite)`);
    }
    if (invoke !== undefined && result.outcome === 'exit' && result.result !== undefined) {
      io.out(`${typeof result.result === 'bigint' ? result.result.toString() : JSON.stringify(result.result)}\n`);
    }
    const why = result.trap ? `trap (${result.trap.kind}): ${result.trap.message}${result.trap.stack.length ? `\n  at ${result.trap.stack.join('\n  at ')}` : ''}` : result.message ?? '';
    switch (result.outcome) {
      case 'exit': {
        const code = result.exitCode ?? 0;
        if (code === 0 && result.violations.length) {
          io.err(`wasm-warden run: the guest exited 0 but the sandbox recorded ${result.violations.length} violation(s)\n`);
          return 1;
        }
        return code;
      }
      case 'killed':
        io.err(`wasm-warden run: ${interrupted ? 'interrupted' : 'killed'}\n`);
        return interrupted ? 130 : 1;
      case 'error':
        io.err(`wasm-warden run: ${why || 'the module could not be run'}\n`);
        return 2;
      default:
        io.err(`wasm-warden run: ${result.trap ? why : `${result.outcome}${why ? `: ${why}` : ''}`}\n`);
        return 1;
    }
  },
};

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
