/**
 * The `run` operation: a module (a `.wasm`, or WAT compiled first) in the sandbox (engine/sandbox),
 * with the policy's `sandbox` and `monitor` sections as the base, explicit options on top, and the
 * workspace-trust rules applied last so nothing from an untrusted workspace can widen the sandbox.
 * The policy's import rules hold in the run too (sandbox/import-policy.ts): the imports it denies trap
 * when called, unless allowed for this run; a module importing what the sandbox does not provide is
 * refused before it runs, or runs with generated stubs when asked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compileWatFile } from './compile';
import { readWasm } from '../binary/reader';
import type { ModuleModel } from '../model';
import { planImports, type ImportPlan, type ImportPlanOptions } from '../sandbox/import-policy';
import { alertRulesOf, runSandboxed } from '../sandbox/runner';
import { restartedRules, ruleName, ruleProblem } from '../sandbox/alert-rules';
import { SANDBOX_LIMITS } from '../sandbox/limits';
import { mountsOutsideWorkspace, restrictForUntrusted, type TrustChange } from '../sandbox/trust';
import type { Alert, RunReport, SandboxEvents, SandboxMount, SandboxOptions } from '../sandbox/types';
import type { PolicyStore } from '../policy/store';
import { sourceKindOf } from './check';
import { readBytes } from './output';

export interface RunFileOptions {
  store: PolicyStore;
  /** explicit options (CLI flags, a chosen run configuration): each given field replaces the policy's */
  overrides?: Partial<SandboxOptions>;
  /** guest arguments after argv[0] */
  args?: string[];
  /** the workspace folder and whether the user trusts it; untrusted narrows the sandbox */
  workspace?: { root: string; trusted: boolean };
  /** ask before mounting host folders outside the workspace that are not in this list */
  confirmOutside?: { confirmed: string[] };
  /** names in `overrides.env` whose values the caller copied from the host (CLI `--env NAME`): redacted in the result */
  hostEnvNames?: string[];
  /** called with the final options before the module is compiled or run (e.g. to say what the policy added) */
  onOptions?(o: SandboxOptionsResult): void;
  /** the user's choices for this run: allow the policy-denied imports, stub what the sandbox does not provide */
  imports?: ImportPlanOptions;
  /** called before the guest starts, with what the run does with the module's imports (to say it first) */
  onImportPlan?(plan: ImportPlan): void;
  events?: SandboxEvents & {
    /** a `restart` alert ended the run: it starts once more (the events that follow are the second run's) */
    onRestart?(alert: Alert): void;
  };
}

export interface SandboxOptionsResult {
  options: SandboxOptions;
  changes: TrustChange[];
  /** names of the guest's environment variables whose values come from the host's environment through the policy's `sandbox.env` */
  policyHostEnv: string[];
  /** the mounts the run takes from the policy's `sandbox.dirs` (as trust left them; empty when explicit `dirs` replace them) */
  policyDirs: SandboxMount[];
}

/** what the result's `options.env` shows instead of a value copied from the host's environment */
export const HOST_ENV_REDACTED = '(value from the host environment, not recorded)';

export interface RunNeedsConfirmation {
  needsConfirmation: { outsideWorkspace: string[] };
}

/** The run did not start: the module's imports need a choice (stubs, or allowing denied imports) or cannot be linked. */
export interface RunRefused {
  refused: { message: string; imports: ImportPlan };
}

/**
 * A finished run: the report, what workspace trust changed, the options used (environment values copied
 * from the host replaced by HOST_ENV_REDACTED, so a saved report or a log never holds them), the names
 * the policy copied from the host, and what the run did with the module's imports.
 */
export type RunFileResult =
  | (RunReport & {
      trustChanges: TrustChange[]; options: SandboxOptions; policyHostEnv: string[]; imports: ImportPlan;
      /** a `restart` alert ended a first run: its report (without output, timeline and violation list); this report is the second run's */
      restartedAfter?: Omit<RunReport, 'stdout' | 'stderr' | 'memoryTimeline' | 'violations'>;
    })
  | RunNeedsConfirmation
  | RunRefused;

/**
 * The sandbox options for a file: policy section, then overrides, then trust restrictions. In an
 * untrusted workspace the policy's `sandbox.env` copies nothing from the host (each name is reported).
 */
export function sandboxOptionsFor(file: string, options: RunFileOptions): SandboxOptionsResult {
  const policy = options.store.policyFor(file);
  const section = policy.effective.sandbox ?? {};
  const policyDir = policy.dir ?? path.dirname(path.resolve(file));
  const dirs: SandboxMount[] = (section.dirs ?? []).map((d) => ({
    host: path.resolve(policyDir, d.host ?? '.'),
    guest: d.guest ?? '/',
    readOnly: d.readOnly !== false,
  }));
  const untrusted = !!options.workspace && !options.workspace.trusted;
  const env: Record<string, string> = {};
  const changes: TrustChange[] = [];
  let policyHostEnv: string[] = [];
  for (const name of section.env ?? []) {
    if (untrusted) changes.push({ kind: 'host-env-not-passed', name });
    else if (process.env[name] !== undefined) {
      env[name] = process.env[name]!;
      policyHostEnv.push(name);
    }
  }
  const monitor = policy.effective.monitor ?? {};
  let merged: SandboxOptions = {
    dirs,
    env,
    args: [path.basename(file), ...(options.args ?? [])],
    timeoutMs: section.timeoutMs ?? SANDBOX_LIMITS.timeoutMs.default!,
    maxMemoryBytes: section.maxMemoryBytes,
    maxWriteBytes: section.maxWriteBytes,
    maxOutputBytes: section.maxOutputBytes,
    maxTableElements: section.maxTableElements,
    fuel: section.fuel,
    thresholds: { memoryBytes: monitor.memoryBytes, executionMs: monitor.executionMs },
    // `when` is required by the loader; a rule without it is refused before the run (ruleProblem)
    alertRules: (monitor.alerts ?? []).map((r) => ({ ...r, when: r.when! })),
  };
  const o = options.overrides ?? {};
  merged = {
    ...merged,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    args: o.args ?? merged.args,
  };
  // explicit `env` replaces the policy's
  if (o.env) policyHostEnv = [];
  if (untrusted) {
    const restricted = restrictForUntrusted(merged, options.workspace!.root);
    return { options: restricted.options, changes: [...changes, ...restricted.changes], policyHostEnv, policyDirs: o.dirs ? [] : restricted.options.dirs };
  }
  return { options: merged, changes, policyHostEnv, policyDirs: o.dirs ? [] : merged.dirs };
}

/** `options` with the values of these environment variables replaced by HOST_ENV_REDACTED. */
function redactHostEnv(options: SandboxOptions, names: string[]): SandboxOptions {
  if (!names.some((n) => n in options.env)) return options;
  const env = { ...options.env };
  for (const n of names) if (n in env) env[n] = HOST_ENV_REDACTED;
  return { ...options, env };
}

export async function runFile(file: string, options: RunFileOptions): Promise<RunFileResult> {
  const kind = sourceKindOf(file);
  if (kind !== 'wasm' && kind !== 'wat') throw new Error(`${file}: run takes a .wasm or .wat module`);
  const prepared = sandboxOptionsFor(file, options);
  const { options: sandbox, changes, policyHostEnv } = prepared;
  const shown = redactHostEnv(sandbox, [...policyHostEnv, ...(options.hostEnvNames ?? [])]);
  if (options.workspace && options.confirmOutside) {
    const confirmed = new Set(options.confirmOutside.confirmed.map((d) => path.resolve(d)));
    const outside = mountsOutsideWorkspace(sandbox, options.workspace.root)
      .map((m) => path.resolve(m.host))
      .filter((h) => !confirmed.has(h));
    if (outside.length) return { needsConfirmation: { outsideWorkspace: outside } };
  }
  options.onOptions?.(prepared);
  let bytes: Uint8Array;
  const signal = options.events?.signal;
  if (kind === 'wat') {
    // the engine's assembler, in-process (no size or nesting limit beyond memory: a text too large for
    // one string is compiled from its bytes in pieces)
    const compiled = compileWatFile(file);
    // stopped while compiling: the run ends as stopped, like a run killed later
    if (signal?.aborted) return { ...stoppedBeforeStart(), trustChanges: changes, options: shown, policyHostEnv, imports: NO_PLAN };
    if (!compiled.bytes) {
      throw new Error(`cannot run ${path.basename(file)}: it does not compile: ${compiled.diagnostics.map((d) => d.message).slice(0, 3).join('; ')}`);
    }
    bytes = compiled.bytes;
  } else {
    bytes = readBytes(file);
  }
  // the imports and their types are all the plan reads: no bodies, data or names (a 45 MB module reads in ms)
  const model = readWasm(bytes, { names: false, ids: false, bodies: false, data: false }).model;
  if (model.kind === 'component') return { refused: { message: componentRefusal(path.basename(file), model), imports: NO_PLAN } };
  const plan = planImports(model, options.store.policyFor(file).effective, options.imports);
  if (plan.refusal) return { refused: { message: `cannot run ${path.basename(file)}: ${plan.refusal}`, imports: plan } };
  if (signal?.aborted) return { ...stoppedBeforeStart(), trustChanges: changes, options: shown, policyHostEnv, imports: plan };
  options.onImportPlan?.(plan);
  const linked: SandboxOptions = {
    ...sandbox,
    deniedImports: plan.deniedAllowed ? [] : plan.denied.map(({ module, name }) => ({ module, name })),
    importStubs: plan.stubs,
  };
  const problems = (linked.alertRules ?? []).flatMap((r, i) => {
    const p = ruleProblem(r);
    return p ? [`alert rule ${ruleName(r, i)}: ${p}`] : [];
  });
  if (problems.length) throw new Error(`cannot run ${path.basename(file)}: the policy's monitor.alerts: ${problems.join('; ')}`);
  const first = await runSandboxed(bytes, linked, options.events);
  if (first.stoppedBy?.action !== 'restart' || signal?.aborted) return { ...first, trustChanges: changes, options: shown, policyHostEnv, imports: plan };
  // `restart`: once more, with the restart rules now stopping the run
  options.events?.onRestart?.(first.stoppedBy);
  const again = await runSandboxed(bytes, { ...linked, alertRules: restartedRules(alertRulesOf(linked)), thresholds: undefined }, options.events);
  const { stdout: _o, stderr: _e, memoryTimeline: _t, violations: _v, ...summary } = first;
  return { ...again, restartedAfter: summary, trustChanges: changes, options: shown, policyHostEnv, imports: plan };
}

/** Why a component does not run here, and what it would need. */
export function componentRefusal(name: string, model: ModuleModel): string {
  const imports = model.component?.imports.map((i) => i.name) ?? [];
  const shown = imports.slice(0, 12).join(', ') + (imports.length > 12 ? `, and ${imports.length - 12} more` : '');
  return (
    `cannot run ${name}: it is a WebAssembly component, and the sandbox runs core modules with WASI preview1 only. ` +
    `It needs a component runtime with WASI 0.2 (e.g. \`wasmtime run\`)${imports.length ? ` that provides its imports: ${shown}` : ''}. ` +
    'Its policy check, validation, inspection and signatures work here as for modules.'
  );
}

const NO_PLAN: ImportPlan = { denied: [], deniedAllowed: false, unlinkable: [], stubs: [] };

function stoppedBeforeStart(): RunReport {
  return {
    outcome: 'killed',
    message: 'stopped before the guest started',
    durationMs: 0,
    startupMs: 0,
    peakMemoryBytes: 0,
    memoryTimeline: [],
    wasiCalls: {},
    bytesRead: 0,
    bytesWritten: 0,
    violations: [],
    violationCount: 0,
    violationKinds: [],
    alerts: [],
    stdout: '',
    stderr: '',
  };
}

/**
 * A mount written as `HOST[::GUEST][:ro|:rw]` (wasmtime's `--dir HOST::GUEST`, plus an access suffix).
 * Mounts are read-only unless `:rw` says otherwise; `:ro` is accepted for clarity. A relative HOST is
 * resolved against `baseDir`; GUEST defaults to HOST as written (wasmtime's behaviour).
 */
export function parseMountSpec(spec: string, baseDir: string): SandboxMount {
  let rest = spec;
  let readOnly = true;
  const access = /:(ro|rw)$/.exec(rest);
  if (access) {
    readOnly = access[1] === 'ro';
    rest = rest.slice(0, -3);
  }
  const [host, guest] = rest.split('::', 2);
  if (!host) throw new Error(`bad mount "${spec}": expected HOST[::GUEST][:ro|:rw]`);
  return { host: path.resolve(baseDir, host), guest: guest || host, readOnly };
}
