/**
 * Turning command-line inputs into files: plain files, folders (scanned with engine/scan.ts, like the
 * editor's workspace scan), and quoted globs (`'build/**\/*.wasm'`, expanded here when the shell did not).
 * And the policy store of a run: `--policy FILE` or, per module, the nearest `wasm-warden.policy.json`.
 */
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { sourceKindOf } from '../engine/operations/check';
import { locateFindings, type Finding } from '../engine/operations/findings';
import { PolicyStore } from '../engine/policy/store';
import { scanFolder } from '../engine/scan';
import { CliError } from './errors';

export function expandInputs(args: string[], command: string): string[] {
  if (args.length === 0) throw new CliError(`${command}: no input files (see \`wasm-warden ${command} --help\`)`);
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    const abs = path.resolve(f);
    if (!seen.has(abs)) {
      seen.add(abs);
      out.push(abs);
    }
  };
  for (const arg of args) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(arg);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) {
      const found = [...scanFolder(arg)];
      if (found.length === 0) throw new CliError(`${command}: no .wat, .wast or .wasm files in folder ${arg}`);
      found.forEach(add);
    } else if (st) {
      if (!sourceKindOf(arg)) throw new CliError(`${command}: ${arg}: not a .wat, .wast or .wasm file`);
      add(arg);
    } else if (picomatch.scan(arg).isGlob) {
      const { base, glob } = picomatch.scan(arg);
      const root = base || '.';
      const match = picomatch(glob);
      const found = fs.existsSync(root)
        ? [...scanFolder(root, { include: [glob] })].filter((f) => match(path.relative(root, f).split(path.sep).join('/')))
        : [];
      if (found.length === 0) throw new CliError(`${command}: no .wat, .wast or .wasm files match ${arg}`);
      found.forEach(add);
    } else {
      throw new CliError(`${command}: ${arg}: no such file or directory`);
    }
  }
  return out;
}

/** A file argument that must exist and be a file. */
export function requireFile(file: string | undefined, command: string, what = 'input file'): string {
  if (!file) throw new CliError(`${command}: missing ${what} (see \`wasm-warden ${command} --help\`)`);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new CliError(`${command}: ${file}: no such file or directory`);
  }
  if (!st.isFile()) throw new CliError(`${command}: ${file}: not a file`);
  return file;
}

/** A module argument of run, bench or fuzz: an existing `.wasm` or `.wat` file. */
export function requireModule(file: string | undefined, command: string): string {
  const found = requireFile(file, command, 'module');
  const kind = sourceKindOf(found);
  if (kind !== 'wasm' && kind !== 'wat') throw new CliError(`${command}: ${found}: expected a .wasm or .wat module`);
  return found;
}

/** The policy store of a run; an explicit `--policy` must exist and parse. */
export function makePolicyStore(policy: string | undefined, command: string): PolicyStore {
  if (policy === undefined) return new PolicyStore({ roots: [] });
  const file = path.resolve(policy);
  requireFile(policy, command, 'policy file');
  const store = new PolicyStore({ roots: [], explicitPath: file });
  const problems = policyProblems(store.load(file));
  if (problems.length) throw new CliError(`${command}: the policy ${policy} cannot be used:\n${problems.join('\n')}`);
  return store;
}

/** Error-severity problems of the policy files a run used, as `file:line:col: error [code] message`. */
export function policyProblemsOf(store: PolicyStore): string[] {
  return store.loadedFiles().flatMap(policyProblems);
}

function policyProblems(loaded: ReturnType<PolicyStore['load']>): string[] {
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (loaded.readError) return [loaded.readError];
  const located: Finding[] = locateFindings(loaded.file, errors, loaded.text);
  return located.map((f) => `${path.relative(process.cwd(), f.file) || f.file}:${f.line}:${f.column}: error [${f.rule}] ${f.message}`);
}
