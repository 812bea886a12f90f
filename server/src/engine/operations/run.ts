/**
 * The `run` operation: a module (a `.wasm`, or WAT compiled first) in the sandbox (engine/sandbox),
 * with the policy's `sandbox` and `monitor` sections as the base, explicit options on top, and the
 * workspace-trust rules applied last so nothing from an untrusted workspace can widen the sandbox.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compileWat } from '../toolchain';
import { runSandboxed } from '../sandbox/runner';
import { mountsOutsideWorkspace, restrictForUntrusted, type TrustChange } from '../sandbox/trust';
import type { RunReport, SandboxEvents, SandboxMount, SandboxOptions } from '../sandbox/types';
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
  events?: SandboxEvents;
}

export interface RunNeedsConfirmation {
  needsConfirmation: { outsideWorkspace: string[] };
}

export type RunFileResult = (RunReport & { trustChanges: TrustChange[]; options: SandboxOptions }) | RunNeedsConfirmation;

/** The sandbox options for a file: policy section, then overrides, then trust restrictions. */
export function sandboxOptionsFor(file: string, options: RunFileOptions): { options: SandboxOptions; changes: TrustChange[] } {
  const policy = options.store.policyFor(file);
  const section = policy.effective.sandbox ?? {};
  const policyDir = policy.dir ?? path.dirname(path.resolve(file));
  const dirs: SandboxMount[] = (section.dirs ?? []).map((d) => ({
    host: path.resolve(policyDir, d.host ?? '.'),
    guest: d.guest ?? '/',
    readOnly: d.readOnly !== false,
  }));
  const env: Record<string, string> = {};
  for (const name of section.env ?? []) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  const monitor = policy.effective.monitor ?? {};
  let merged: SandboxOptions = {
    dirs,
    env,
    args: [path.basename(file), ...(options.args ?? [])],
    timeoutMs: section.timeoutMs ?? 10_000,
    maxMemoryBytes: section.maxMemoryBytes,
    maxWriteBytes: section.maxWriteBytes,
    maxOutputBytes: section.maxOutputBytes,
    fuel: section.fuel,
    thresholds: { memoryBytes: monitor.memoryBytes, executionMs: monitor.executionMs },
  };
  const o = options.overrides ?? {};
  merged = {
    ...merged,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    args: o.args ?? merged.args,
  };
  if (options.workspace && !options.workspace.trusted) {
    const restricted = restrictForUntrusted(merged, options.workspace.root);
    return { options: restricted.options, changes: restricted.changes };
  }
  return { options: merged, changes: [] };
}

export async function runFile(file: string, options: RunFileOptions): Promise<RunFileResult> {
  const kind = sourceKindOf(file);
  if (kind !== 'wasm' && kind !== 'wat') throw new Error(`${file}: run takes a .wasm or .wat module`);
  const { options: sandbox, changes } = sandboxOptionsFor(file, options);
  if (options.workspace && options.confirmOutside) {
    const confirmed = new Set(options.confirmOutside.confirmed.map((d) => path.resolve(d)));
    const outside = mountsOutsideWorkspace(sandbox, options.workspace.root)
      .map((m) => path.resolve(m.host))
      .filter((h) => !confirmed.has(h));
    if (outside.length) return { needsConfirmation: { outsideWorkspace: outside } };
  }
  let bytes: Uint8Array;
  const signal = options.events?.signal;
  if (kind === 'wat') {
    let compiled;
    try {
      compiled = await compileWat(fs.readFileSync(file, 'utf8'), { signal });
    } catch (err) {
      // stopped while compiling: the run ends as stopped, like a run killed later
      if (signal?.aborted) return { ...stoppedBeforeStart(), trustChanges: changes, options: sandbox };
      throw err;
    }
    if (!compiled.bytes) {
      throw new Error(`cannot run ${path.basename(file)}: it does not compile: ${compiled.diagnostics.map((d) => d.message).slice(0, 3).join('; ')}`);
    }
    bytes = compiled.bytes;
  } else {
    bytes = readBytes(file);
  }
  if (signal?.aborted) return { ...stoppedBeforeStart(), trustChanges: changes, options: sandbox };
  const report = await runSandboxed(bytes, sandbox, options.events);
  return { ...report, trustChanges: changes, options: sandbox };
}

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
