/**
 * The `fuzz` operation: a module's exported functions (type-directed arguments), or a WASI command (argv,
 * environment, stdin, files in a scratch mount), executed again and again in the same sandbox as `run` (its
 * policy, options, trust rules and import plan: it is a `run` with `fuzz` set), steered by coverage. Each
 * distinct cause (trap, timeout, memory or output blow-up, sandbox violation) is reported once, minimised,
 * and written to the findings folder as JSON; `replayFinding` runs one again.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWasm } from '../binary/reader';
import { moduleConstants } from '../sandbox/instrument';
import { compileWat } from '../toolchain';
import type { ModuleModel } from '../model';
import type { RunReport, SandboxOptions } from '../sandbox/types';
import { checkArg } from '../fuzz/inputs';
import type { FuzzFinding, FuzzInput, FuzzPlan, FuzzProgress, FuzzTarget, NumType } from '../fuzz/types';
import { sourceKindOf } from './check';
import { readBytes, writeOutput } from './output';
import { runFile, type RunFileOptions, type RunNeedsConfirmation, type RunRefused } from './run';

export const FUZZ_DEFAULTS = {
  durationMs: 300_000,
  fuelPerExec: 5_000_000,
  maxOutputPerExec: 64 * 1024,
  maxMemoryBytes: 64 * 1024 * 1024,
};

export interface FuzzOptions extends Omit<RunFileOptions, 'overrides'> {
  durationMs?: number;
  seed?: number;
  /** fuzz only this export */
  invoke?: string;
  /** stop after this many executions */
  maxExecs?: number;
  /** findings are written here (created when the first one is found) */
  outDir?: string;
  fuelPerExec?: number;
  maxOutputPerExec?: number;
  overrides?: Partial<SandboxOptions>;
  onProgress?(p: FuzzProgress): void;
  onFinding?(f: FuzzFinding): void;
}

export interface FuzzResult {
  kind: 'wasm-warden-fuzz';
  file: string;
  seed: number;
  mode: 'exports' | 'command';
  targets: FuzzTarget[];
  progress?: FuzzProgress;
  findings: FuzzFinding[];
  /** `exit` when the fuzzing ran its course (findings or not); else why it stopped (killed: Stop) */
  outcome: RunReport['outcome'];
  message?: string;
}

const NUM_TYPES = new Set(['i32', 'i64', 'f32', 'f64']);
const NOT_TARGETS = new Set(['_start', '_initialize']);

/** The exported functions with numeric parameters only (others cannot be given generated values). */
export function fuzzTargets(model: ModuleModel, only?: string): FuzzTarget[] {
  const out: FuzzTarget[] = [];
  for (const e of model.exports) {
    if (e.kind !== 'func' || (only !== undefined ? e.name !== only : NOT_TARGETS.has(e.name))) continue;
    const sig = model.funcs.find((f) => f.index === e.index)?.sig;
    if (!sig || !sig.params.every((p) => NUM_TYPES.has(p))) continue;
    out.push({ export: e.name, params: sig.params as NumType[], results: sig.results });
  }
  return out;
}

async function moduleBytes(file: string, signal?: AbortSignal): Promise<Uint8Array> {
  const kind = sourceKindOf(file);
  if (kind === 'wasm') return readBytes(file);
  if (kind !== 'wat') throw new Error(`${file}: fuzz takes a .wasm or .wat module`);
  const compiled = await compileWat(fs.readFileSync(file, 'utf8'), { signal });
  if (!compiled.bytes) throw new Error(`cannot run ${path.basename(file)}: it does not compile: ${compiled.diagnostics.map((d) => d.message).slice(0, 3).join('; ')}`);
  return compiled.bytes;
}

/** A finding's file name: its cause, made a safe path segment, unique by a short hash of the key. */
export function findingFileName(f: FuzzFinding): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < f.cause.key.length; i++) h = Math.imul(h ^ f.cause.key.charCodeAt(i), 0x01000193);
  const slug = f.cause.key.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${f.cause.kind}-${slug}-${(h >>> 0).toString(16).padStart(8, '0')}.json`;
}

export async function fuzzFile(file: string, options: FuzzOptions): Promise<FuzzResult | RunNeedsConfirmation | RunRefused> {
  const bytes = await moduleBytes(file, options.events?.signal);
  const model = readWasm(bytes, { names: false, ids: false, data: false }).model;
  const hasStart = model.exports.some((e) => e.kind === 'func' && e.name === '_start');
  const mode: 'exports' | 'command' = options.invoke === undefined && hasStart ? 'command' : 'exports';
  const targets = mode === 'exports' ? fuzzTargets(model, options.invoke) : [];
  if (mode === 'exports' && !targets.length) {
    throw new Error(`cannot run ${path.basename(file)}: ${options.invoke !== undefined ? `it exports no function ${options.invoke} with numeric parameters only` : 'it exports no function with numeric parameters only, and no _start'}`);
  }
  const seed = (options.seed ?? Math.floor(Math.random() * 2 ** 31)) >>> 0;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-fuzz-'));
  const findings: FuzzFinding[] = [];
  try {
    let scratchHost: string | undefined;
    let stdinHost: string | undefined;
    if (mode === 'command') {
      scratchHost = path.join(work, 'scratch');
      stdinHost = path.join(work, 'stdin');
      fs.mkdirSync(scratchHost);
      fs.mkdirSync(stdinHost);
    }
    const durationMs = options.durationMs ?? FUZZ_DEFAULTS.durationMs;
    const plan: FuzzPlan = {
      seed,
      maxExecs: options.maxExecs,
      durationMs,
      fuelPerExec: options.fuelPerExec ?? FUZZ_DEFAULTS.fuelPerExec,
      maxOutputPerExec: options.maxOutputPerExec ?? FUZZ_DEFAULTS.maxOutputPerExec,
      targets: mode === 'exports' ? targets : undefined,
      scratchHost,
      stdinHost,
      dictionary: moduleConstants(bytes),
    };
    const dirs = [...(options.overrides?.dirs ?? []), ...(scratchHost ? [{ host: scratchHost, guest: '/scratch', readOnly: false }] : [])];
    const overrides: Partial<SandboxOptions> = {
      maxMemoryBytes: FUZZ_DEFAULTS.maxMemoryBytes,
      ...options.overrides,
      dirs,
      fuel: plan.fuelPerExec,
      // the loop's own budget, plus start-up and the last minimisation
      timeoutMs: durationMs + 60_000,
      // the policy's alert rules are for runs: a fuzzing session lasts minutes and meets violations by design
      alertRules: [],
      thresholds: {},
      fuzz: plan,
    };
    const r = await runFile(file, {
      ...options,
      overrides,
      // the policy's alerts watch each execution's guest, not the session: a session lasts minutes by design
      events: {
        ...options.events,
        onFuzzProgress: (p) => options.onProgress?.(p),
        onFuzzFinding: (f) => {
          const finding = { ...f, module: file };
          if (options.outDir) {
            fs.mkdirSync(options.outDir, { recursive: true });
            finding.file = path.join(options.outDir, findingFileName(finding));
            writeOutput(finding.file, JSON.stringify(finding, null, 2) + '\n', true);
          }
          findings.push(finding);
          options.onFinding?.(finding);
        },
      },
    });
    if (!('outcome' in r)) return r;
    return {
      kind: 'wasm-warden-fuzz',
      file,
      seed,
      mode,
      targets,
      progress: r.fuzz?.progress,
      findings,
      outcome: r.outcome,
      ...(r.outcome !== 'exit' && { message: r.trap ? `${r.trap.kind}: ${r.trap.message}` : r.message }),
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** A finding file read back: its input checked (the file is user input). */
export function readFinding(file: string): FuzzFinding {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  const f = json as Partial<FuzzFinding> | null;
  if (!f || f.kind !== 'wasm-warden-fuzz-finding' || !f.input || typeof f.input !== 'object') throw new Error(`${file}: not a wasm-warden fuzz finding`);
  const i = f.input as Partial<FuzzInput>;
  try {
    if (i.kind === 'export') {
      if (typeof i.export !== 'string' || !Array.isArray(i.args)) throw new Error('an export input needs export and args');
      i.args = i.args.map(checkArg);
    } else if (i.kind === 'command') {
      if (!Array.isArray(i.argv) || !i.argv.every((a) => typeof a === 'string')) throw new Error('argv must be a list of strings');
      if (!i.env || typeof i.env !== 'object' || !Object.values(i.env).every((v) => typeof v === 'string')) throw new Error('env must map names to strings');
      if (typeof i.stdin !== 'string') throw new Error('stdin must be base64 text');
      if (!Array.isArray(i.files) || !i.files.every((x) => x && typeof x.name === 'string' && typeof x.data === 'string')) throw new Error('files must be {name, data} entries');
    } else throw new Error('input.kind must be export or command');
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  return f as FuzzFinding;
}

export interface ReplayResult {
  /** the finding's cause happened again */
  reproduced: boolean;
  cause?: { kind: string; key: string; detail: string; stack?: string[] };
  expected: FuzzFinding['cause'];
  outcome: RunReport['outcome'];
  message?: string;
}

/** Runs a finding's input once, in the same executor as the fuzzer, and says whether the same cause happens. */
export async function replayFinding(file: string, findingFile: string, options: Omit<FuzzOptions, 'seed' | 'durationMs' | 'maxExecs'>): Promise<ReplayResult | RunNeedsConfirmation | RunRefused> {
  const finding = readFinding(findingFile);
  const bytes = await moduleBytes(file, options.events?.signal);
  const model = readWasm(bytes, { names: false, ids: false, data: false }).model;
  const input = finding.input;
  const targets = input.kind === 'export' ? fuzzTargets(model, input.export) : [];
  if (input.kind === 'export' && !targets.length) throw new Error(`cannot run ${path.basename(file)}: it exports no function ${input.export} with numeric parameters only`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-replay-'));
  try {
    const scratchHost = input.kind === 'command' ? path.join(work, 'scratch') : undefined;
    const stdinHost = input.kind === 'command' ? path.join(work, 'stdin') : undefined;
    if (scratchHost) fs.mkdirSync(scratchHost);
    if (stdinHost) fs.mkdirSync(stdinHost);
    const plan: FuzzPlan = {
      seed: finding.seed ?? 0,
      durationMs: 0,
      fuelPerExec: options.fuelPerExec ?? FUZZ_DEFAULTS.fuelPerExec,
      maxOutputPerExec: options.maxOutputPerExec ?? FUZZ_DEFAULTS.maxOutputPerExec,
      targets: input.kind === 'export' ? targets : undefined,
      scratchHost,
      stdinHost,
      dictionary: { numbers: [], strings: [] },
      replay: input,
    };
    const r = await runFile(file, {
      ...options,
      overrides: {
        maxMemoryBytes: FUZZ_DEFAULTS.maxMemoryBytes,
        ...options.overrides,
        dirs: [...(options.overrides?.dirs ?? []), ...(scratchHost ? [{ host: scratchHost, guest: '/scratch', readOnly: false }] : [])],
        fuel: plan.fuelPerExec,
        timeoutMs: 60_000,
        alertRules: [],
        thresholds: {},
        fuzz: plan,
      },
    });
    if (!('outcome' in r)) return r;
    const cause = r.fuzz?.replayCause;
    return { reproduced: !!cause && cause.key === finding.cause.key, cause, expected: finding.cause, outcome: r.outcome, ...(r.message !== undefined && { message: r.message }) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
