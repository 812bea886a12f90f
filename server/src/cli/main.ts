/**
 * The `wasm-warden` command line: a thin adapter over the engine's operations (engine/operations).
 * It parses arguments, calls the operation, formats its result and sets the exit code:
 *   0  success / nothing at or above --fail-on
 *   1  findings at or above --fail-on, invalid module, failed verification, guest failure (see `run --help`)
 *   2  usage or input errors (unknown flag, missing file, unreadable policy, output exists ...)
 *   3  internal error (a bug), with its stack trace
 */
import * as fs from 'fs';
import * as path from 'path';
import { shutdownToolchain } from '../engine/toolchain';
import { closest, type FlagSpecs } from './args';
import { check, commonFlags, validate } from './commands/check';
import { inspect, policy, rules } from './commands/info';
import { compile, disassemble, optimize } from './commands/toolchain';
import { keygen, sign, verify } from './commands/signing';
import { run } from './commands/run';
import { deps } from './commands/deps';
import { bench } from './commands/bench';
import { fuzz } from './commands/fuzz';
import { approve, diff, rollback } from './commands/versions';
import type { CommandDef } from './commands/types';
import { CliError, userIoError } from './errors';
import { makeIo, type Io } from './io';

const COMMANDS: CommandDef[] = [check, validate, compile, disassemble, optimize, inspect, deps, keygen, sign, verify, run, bench, fuzz, diff, approve, rollback, policy, rules];

export function version(): string {
  // dist/cli.js -> ../package.json; server/src/cli/main.ts -> ../../../package.json
  for (let dir = __dirname, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === 'wasm-warden') return String(pkg.version);
    } catch {
      /* keep looking */
    }
  }
  return 'unknown';
}

function flagHelp(flags: FlagSpecs): string[] {
  const rows = Object.entries(flags).map(([name, s]) => {
    const names = [...(s.short ?? []).map((x) => `-${x}`), `--${name}`].join(', ');
    return [`${names}${s.type === 'string' ? ` ${s.value ?? 'VALUE'}` : ''}${s.multiple ? '...' : ''}`, s.description];
  });
  const w = Math.min(36, Math.max(...rows.map((r) => r[0].length)));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`);
}

export function commandHelp(c: CommandDef): string {
  return [
    `wasm-warden ${c.name}: ${c.summary}`,
    '',
    `Usage: ${c.usage}`,
    '',
    'Options:',
    ...flagHelp({ ...c.flags, ...commonFlags }),
    ...(c.details?.length ? ['', ...c.details] : []),
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}

export function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `wasm-warden ${version()}: policy checks, validation, signing and sandboxed runs for WebAssembly`,
    '',
    'Usage: wasm-warden <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Global options: --help, -h (also after a command), --version, -V, --quiet, -q, --no-color',
    'Exit codes: 0 success, 1 findings at or above --fail-on / failed check, 2 usage or input error,',
    '3 internal error (a bug: please report it). `run` exits with the guest\'s code (see `run --help`).',
    'Run `wasm-warden <command> --help` for a command\'s options and examples.',
    '',
  ].join('\n');
}

function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[]): Promise<number> {
  // `wasm-warden rules | head`: a closed pipe ends the output quietly
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const pre = argv.slice(0, argv.indexOf('--') < 0 ? argv.length : argv.indexOf('--'));
  const io: Io = makeIo({ noColor: pre.includes('--no-color'), quiet: pre.includes('--quiet') || pre.includes('-q') });
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      io.err(mainHelp());
      return 2;
    }
    if (name === '--version' || name === '-V' || name === 'version') {
      io.out(`wasm-warden ${version()}\n`);
      return 0;
    }
    if (name === '--help' || name === '-h') {
      io.out(mainHelp());
      return 0;
    }
    if (name === 'help') {
      const c = rest[0] ? COMMANDS.find((x) => x.name === rest[0]) : undefined;
      if (rest[0] && !c) throw new CliError(`unknown command ${rest[0]}`);
      io.out(c ? commandHelp(c) : mainHelp());
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const near = closest(name, COMMANDS.map((c) => c.name));
      throw new CliError(`unknown command ${name}${near ? ` (did you mean ${near}?)` : ''}. Run \`wasm-warden --help\` for the list.`);
    }
    if (wantsHelp(rest)) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(rest, io, { version: version() });
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`wasm-warden: ${err.message}\n`);
      return err.exitCode;
    }
    const msg = userIoError(err);
    if (msg) {
      io.err(`wasm-warden: ${msg}\n`);
      return 2;
    }
    io.err(`wasm-warden: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 3;
  } finally {
    await shutdownToolchain().catch(() => undefined);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    // let stdout drain (pipes), then exit: no lingering worker or timer keeps the CLI alive
    process.stdout.write('', () => process.exit(code));
  });
}
