/** Options, reports and live statistics of a sandboxed run (see runner.ts and docs/sandbox.md). */
import type { AlertAction, AlertMetric, AlertRule, AlertSeverity } from './alert-rules';
import type { ImportStub } from './import-policy';
import type { FuzzFinding, FuzzPlan, FuzzProgress } from '../fuzz/types';
import type { FuzzSummary } from '../fuzz/fuzzer';

export interface SandboxMount {
  /** host directory */
  host: string;
  /** path under which the guest sees it (its preopen name), e.g. `/data` or `.` */
  guest: string;
  readOnly: boolean;
}

export interface SandboxThresholds {
  /** alert when linear memory exceeds this many bytes */
  memoryBytes?: number;
  /** alert when the run lasts longer than this */
  executionMs?: number;
}

export interface SandboxOptions {
  dirs: SandboxMount[];
  /** exactly the guest's environment: nothing of the host's is inherited */
  env: Record<string, string>;
  /** argv, including argv[0] */
  args: string[];
  /** file whose contents are the guest's stdin; empty stdin when absent */
  stdinFile?: string;
  /** wall-clock limit for the whole run (start-up included); the guest's process is killed at it */
  timeoutMs: number;
  /** linear memory cap (default 256 MiB) */
  maxMemoryBytes?: number;
  /**
   * write quota (default 64 MiB): bytes the run may add to files in its mounts, all files together
   * (writes past the end, holes, fd_allocate, fd_filestat_set_size); past it writes fail with EDQUOT
   * and a `write-limit` violation is recorded (the guest goes on)
   */
  maxWriteBytes?: number;
  /** cap per stream on stdout and stderr (default 1 MiB); reaching it stops the guest (`limit`) */
  maxOutputBytes?: number;
  /** cap on the elements of all tables together (default 1,000,000): their maxima are lowered to fit */
  maxTableElements?: number;
  /** instruction budget (approximate, counted at function entries and loop headers); exhausted -> `limit` */
  fuel?: number;
  /** call this export with these arguments instead of `_start` (i64 parameters need bigint) */
  invoke?: { export: string; args: (number | bigint)[] };
  /** the older form of two alert rules (warning, notify) */
  thresholds?: SandboxThresholds;
  /**
   * benchmark: call the entry `warmup + iterations` times (an `invoke` export on one instance, a command's
   * `_start` in a fresh instance each time) and report each measured call's time (`bench` in the report)
   */
  bench?: { iterations: number; warmup: number };
  /** fuzz the module (engine/fuzz): the guest's thread runs the fuzzing loop instead of one entry call */
  fuzz?: FuzzPlan;
  /** alert rules (alert-rules.ts): each fires at most once; its action may stop the run */
  alertRules?: AlertRule[];
  /** interval of live statistics in ms (default 100) */
  statsIntervalMs?: number;
  /** imports linked to a function that records an `import-denied` violation and traps (import-policy.ts) */
  deniedImports?: { module: string; name: string }[];
  /** imports the sandbox does not provide, linked to generated stubs (import-policy.ts) */
  importStubs?: ImportStub[];
}

export interface WasiCallStats {
  count: number;
  timeMs: number;
}

export interface Violation {
  /** path-escape, absolute-path, symlink-escape, read-only, cross-mount-rename, cross-mount-link,
   *  hardlink-write, nul-in-path, socket, denied-capability, import-refused, import-denied, memory-limit,
   *  table-limit, output-limit, write-limit, fuel-exhausted */
  kind: string;
  detail: string;
  /** ms since the run started */
  atMs: number;
}

/** Every violation of one kind: how many, and the first and the latest (the report keeps both, whatever the count). */
export interface ViolationKindSummary {
  kind: string;
  count: number;
  first: Violation;
  latest: Violation;
}

export interface Alert {
  /** what the rule watches */
  kind: AlertMetric;
  /** the rule's name */
  rule: string;
  severity: AlertSeverity;
  action: AlertAction;
  /** the watched value when it fired (bytes, ms, calls, calls per second, violations) */
  value: number;
  detail: string;
  atMs: number;
}

export interface LiveStats {
  elapsedMs: number;
  memoryBytes: number;
  peakMemoryBytes: number;
  wasiCalls: Record<string, WasiCallStats>;
  bytesRead: number;
  bytesWritten: number;
  violationCount: number;
}

export interface TrapInfo {
  /** unreachable, out-of-bounds, divide-by-zero, integer-overflow, invalid-conversion, table-out-of-bounds,
   *  indirect-call-mismatch, stack-overflow, denied-import, stub-called, host-error, other */
  kind: string;
  message: string;
  /** wasm function names (from the name section, else `wasm-function[i]`), innermost first */
  stack: string[];
}

export type Outcome = 'exit' | 'trap' | 'timeout' | 'killed' | 'error' | 'limit';

export interface RunReport {
  outcome: Outcome;
  exitCode?: number;
  trap?: TrapInfo;
  /** for `error` and `limit`: what happened */
  message?: string;
  /** wall time from the call of runSandboxed to its result */
  durationMs: number;
  /** wall time from the call until the guest's entry point was called (fork, compile, link) */
  startupMs: number;
  peakMemoryBytes: number;
  /** memory size over time (sampled with the live statistics and at the end) */
  memoryTimeline: { atMs: number; bytes: number }[];
  wasiCalls: Record<string, WasiCallStats>;
  bytesRead: number;
  bytesWritten: number;
  /**
   * violations in order: the first 1000, then only the first of each kind not seen before (a kind is
   * never lost); every one is counted in `violationCount` and `violationKinds`
   */
  violations: Violation[];
  /** all violations of the run, kept or not */
  violationCount: number;
  /** per kind, in order of first appearance: count, first and latest */
  violationKinds: ViolationKindSummary[];
  alerts: Alert[];
  stdout: string;
  stderr: string;
  /** return value of `invoke` */
  result?: unknown;
  /** with `fuel`: the budget used (approximate instruction count) */
  fuelConsumed?: number;
  /** with `fuzz`: how far it got (findings come as events) */
  fuzz?: FuzzSummary;
  /** with `bench`: each measured iteration's wall time (ms) and WASI calls, in order */
  bench?: { timesMs: number[]; wasiCalls: number[] };
  /** the alert whose action (`stop`, or `restart`) ended the run; the outcome is then `killed` */
  stoppedBy?: Alert;
}

export interface SandboxEvents {
  onStdout?(s: string): void;
  onStderr?(s: string): void;
  onStats?(s: LiveStats): void;
  onViolation?(v: Violation): void;
  onAlert?(a: Alert): void;
  onFuzzProgress?(p: FuzzProgress): void;
  onFuzzFinding?(f: FuzzFinding): void;
  /** the sandbox process started (its pid, e.g. to show or to check that it is gone) */
  onSpawn?(pid: number): void;
  /** aborting kills the guest: outcome `killed` */
  signal?: AbortSignal;
}

/** parent -> child */
export interface RunRequest {
  type: 'run';
  module: Uint8Array;
  options: SandboxOptions;
  /** Date.now() of the parent at the start, for the child's own watchdog */
  deadline: number;
}

/** child -> parent */
export type ChildMessage =
  | { type: 'started'; atMs: number }
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'stats'; stats: LiveStats; sample: { atMs: number; bytes: number } }
  | { type: 'violation'; violation: Violation }
  | { type: 'fuzz-progress'; progress: FuzzProgress }
  | { type: 'fuzz-finding'; finding: FuzzFinding }
  | { type: 'done'; report: Omit<RunReport, 'durationMs' | 'startupMs' | 'alerts' | 'stdout' | 'stderr' | 'violationCount'> };
