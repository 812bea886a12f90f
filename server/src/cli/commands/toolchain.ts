/** `compile`, `disassemble`, `optimize`: one input, one output, never overwriting without --force. */
import * as fs from 'fs';
import { compileFile } from '../../engine/operations/compile';
import { disassembleFile, disassembleTo } from '../../engine/operations/disassemble';
import { locateFindings } from '../../engine/operations/findings';
import { readBytes } from '../../engine/operations/output';
import type { Finding } from '../../engine/operations/findings';
import { OPTIMIZE_LEVELS, optimizeFile } from '../../engine/operations/optimize';
import { outputPath } from '../../engine/operations/output';
import type { OptimizeLevel } from '../../engine/toolchain';
import { bool, parseArgs, str, type FlagSpecs } from '../args';
import { CliError } from '../errors';
import { Activity, type Io } from '../io';
import { requireFile } from '../inputs';
import { displayPath, textLine } from '../report';
import { commonFlags } from './check';
import type { CommandDef } from './types';

const outFlags: FlagSpecs = {
  output: { type: 'string', short: ['o'], value: 'FILE', description: 'output file' },
  force: { type: 'boolean', description: 'overwrite the output if it exists' },
};

function megabytes(n: number): string {
  return n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`;
}

function one(positionals: string[], command: string): string {
  if (positionals.length > 1) throw new CliError(`${command}: expected one input file, got ${positionals.length}`);
  return requireFile(positionals[0], command);
}

function printFindings(io: Io, file: string, findings: Finding[]): void {
  const binary = !/\.wa?st$/i.test(file);
  for (const f of findings) io.err(textLine({ path: displayPath(file), binary, findings: [] }, f, { ...io, color: false }) + '\n');
}

function written(io: Io, r: { file: string; written: boolean; exists?: boolean; findings: Finding[] }, input: string, command: string, note = ''): number {
  printFindings(io, input, r.findings);
  if (r.exists) throw new CliError(`${command}: ${displayPath(r.file)} already exists (use --force to overwrite)`);
  if (!r.written) {
    io.err(`wasm-warden ${command}: ${displayPath(input)}: failed, nothing written\n`);
    return 1;
  }
  io.out(`wrote ${displayPath(r.file)}${note}\n`);
  return 0;
}

export const compile: CommandDef = {
  name: 'compile',
  summary: "compile WAT to a .wasm binary (the engine's assembler and validator)",
  usage: 'wasm-warden compile <in.wat> [-o out.wasm] [--debug-names] [--force]',
  flags: { ...outFlags, 'debug-names': { type: 'boolean', description: 'write the name section (names of functions, locals, labels, types, fields, globals...)' } },
  details: ['Default output: the input with the extension .wasm. Exit codes: 0 written, 1 the source has errors, 2 usage or input error (output exists...).'],
  examples: ['wasm-warden compile hello.wat', 'wasm-warden compile src/lib.wat -o build/lib.wasm --debug-names --force'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'compile');
    const input = one(p.positionals, 'compile');
    const out = str(p, 'output') ?? outputPath('${dir}/${name}.wasm', input);
    const r = await compileFile(input, out, { debugNames: bool(p, 'debug-names'), overwrite: bool(p, 'force') });
    return written(io, r, input, 'compile', r.size !== undefined ? ` (${r.size} bytes)` : '');
  },
};

export const disassemble: CommandDef = {
  name: 'disassemble',
  summary: 'print a .wasm binary as WAT (any size, streamed)',
  usage: 'wasm-warden disassemble <in.wasm> [-o out.wat | -o -] [--fold] [--offsets] [--force]',
  flags: {
    ...outFlags,
    fold: { type: 'boolean', description: 'blocks, loops, ifs and trys as S-expressions (default: flat, like wasm2wat)' },
    offsets: { type: 'boolean', description: 'append each entry\'s and instruction\'s byte offset as a `;; @0x1234` comment' },
  },
  details: [
    'Default output: the input with the extension .wat; `-o -` writes to stdout. The text is written as it is printed, so modules of any size print.',
    'A malformed or truncated module prints what can be read, with `;; error` comments where it breaks.',
    'Exit codes: 0 written, 1 the module is malformed (what could be read is written) or not a module, 2 usage or input error.',
  ],
  examples: ['wasm-warden disassemble module.wasm', 'wasm-warden disassemble module.wasm -o module.wat --force', 'wasm-warden disassemble module.wasm -o - --fold | less'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'disassemble');
    const input = one(p.positionals, 'disassemble');
    const style = { foldExprs: bool(p, 'fold'), offsets: bool(p, 'offsets') };
    if (str(p, 'output') === '-') {
      const r = disassembleTo(readBytes(input), (chunk) => io.out(chunk), style);
      const findings = locateFindings(input, r.diagnostics);
      printFindings(io, input, findings);
      return r.printed && !findings.some((f) => f.severity === 'error') ? 0 : 1;
    }
    const out = str(p, 'output') ?? outputPath('${dir}/${name}.wat', input);
    const r = await disassembleFile(input, out, { overwrite: bool(p, 'force'), ...style });
    const code = written(io, r, input, 'disassemble', r.size !== undefined ? ` (${megabytes(r.size)})` : '');
    return code === 0 && r.findings.some((f) => f.severity === 'error') ? 1 : code;
  },
};

const levelFlags: FlagSpecs = Object.fromEntries(
  OPTIMIZE_LEVELS.map((l) => [l, { type: 'boolean', short: [l], description: `optimization level ${l}${l === 'Os' ? ' (default)' : ''}` }]),
) as FlagSpecs;

export const optimize: CommandDef = {
  name: 'optimize',
  summary: 'optimize a .wasm binary (binaryen); the result is validated before it is written',
  usage: 'wasm-warden optimize <in.wasm> [-O1|-O2|-O3|-O4|-Os|-Oz] [-o out.wasm] [--strip-debug] [--strip-producers] [--strip-custom] [--force]',
  flags: {
    ...levelFlags,
    ...outFlags,
    'strip-debug': { type: 'boolean', description: 'strip debug info (DWARF, names, source map URL)' },
    'strip-producers': { type: 'boolean', description: 'strip the producers section' },
    'strip-custom': { type: 'boolean', description: 'drop every other custom section too (name and producers follow their own flags)' },
  },
  details: [
    'Default output: <name>.opt.wasm beside the input. A signed input loses its signature (a warning says so).',
    'A name section is kept when the input has one (unless --strip-debug), never added.',
    'On a terminal, stderr shows what runs and the seconds so far; in a log, a line every 10 s of a long run.',
  ],
  examples: ['wasm-warden optimize app.wasm -Oz', 'wasm-warden optimize app.wasm -O3 -o app.min.wasm --strip-debug --force'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'optimize');
    const levels = OPTIMIZE_LEVELS.filter((l) => bool(p, l));
    if (levels.length > 1) throw new CliError(`optimize: give one optimization level, got ${levels.map((l) => `-${l}`).join(' ')}`);
    const level: OptimizeLevel = levels[0] ?? 'Os';
    const input = one(p.positionals, 'optimize');
    const out = str(p, 'output') ?? outputPath('${dir}/${name}.opt.wasm', input);
    if (fs.existsSync(out) && !bool(p, 'force')) throw new CliError(`optimize: ${displayPath(out)} already exists (use --force to overwrite)`);
    // binaryen works in one call (seconds to minutes on a large module, reporting nothing): say what runs
    const size = fs.statSync(input).size;
    const activity = new Activity(io, `optimizing ${displayPath(input)} (${megabytes(size)}) with binaryen -${level}`).start();
    let r;
    try {
      r = await optimizeFile(input, out, {
        level,
        stripDebug: bool(p, 'strip-debug'),
        stripProducers: bool(p, 'strip-producers'),
        keepCustomSections: !bool(p, 'strip-custom'),
        overwrite: bool(p, 'force'),
      });
    } finally {
      activity.stop();
    }
    if (r.signedInput && !io.quiet) io.err(`warning: ${displayPath(input)} is signed: the optimized module no longer matches its signature; sign it again\n`);
    const pct = r.after ? ` ${(((r.after.total - r.before.total) / r.before.total) * 100).toFixed(1)}%` : '';
    const note = r.after ? ` (-${level}: ${r.before.total} -> ${r.after.total} bytes,${pct}, ${Math.round(r.timeMs)} ms)` : '';
    return written(io, r, input, 'optimize', note);
  },
};
