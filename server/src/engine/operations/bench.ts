/**
 * The `bench` operation: a module's export (or a command's `_start`) called many times in the same sandbox
 * as `run` (same policy, options, trust rules and import plan: it is a `run` with `bench` set), each call
 * timed inside the guest's thread. Returns the distribution (median, p90, p99, min, max), operations per
 * second, peak memory and WASI calls per iteration, and, given a baseline (a saved result), the change
 * and whether it is a regression beyond a threshold.
 */
import * as fs from 'fs';
import type { RunReport, SandboxOptions } from '../sandbox/types';
import { runFile, type RunFileOptions, type RunNeedsConfirmation, type RunRefused } from './run';

export interface BenchStats {
  iterations: number;
  warmup: number;
  medianMs: number;
  p90Ms: number;
  p99Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  /** iterations per second of guest time (1000 / mean) */
  opsPerSec: number;
  peakMemoryBytes: number;
  /** WASI calls per measured iteration (mean) */
  wasiCallsPerIteration: number;
}

export interface BenchComparison {
  /** the baseline file as given */
  file: string;
  baseline: BenchStats;
  /** change of each time figure in percent, positive = slower (median, p90, p99, min, max, mean) */
  changePct: { medianMs: number; p90Ms: number; p99Ms: number; minMs: number; maxMs: number; meanMs: number };
  /** the threshold asked for (percent of the median), if any */
  failOnRegressionPct?: number;
  /** the median is slower than the baseline's by more than the threshold */
  regressed: boolean;
}

export interface BenchResult {
  kind: 'wasm-warden-bench';
  version: 1;
  file: string;
  /** what was called: an export with its arguments, or the command with its argv */
  entry: { export: string; args: (number | string)[] } | { command: string[] };
  stats: BenchStats;
  /** every measured iteration's wall time (ms), in order */
  samplesMs: number[];
  /** how the run ended: `exit` when every iteration ran; else the iteration that failed ended it */
  outcome: RunReport['outcome'];
  message?: string;
  trap?: RunReport['trap'];
  violationCount: number;
  alerts: RunReport['alerts'];
  comparison?: BenchComparison;
}

export interface BenchOptions extends Omit<RunFileOptions, 'overrides'> {
  iterations: number;
  warmup: number;
  overrides?: Partial<SandboxOptions>;
  /** a saved BenchResult to compare with */
  baseline?: { file: string; result: BenchResult };
  failOnRegressionPct?: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

export function benchStats(timesMs: readonly number[], wasiCalls: readonly number[], warmup: number, peakMemoryBytes: number): BenchStats {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n ? sorted.reduce((a, b) => a + b, 0) / n : 0;
  return {
    iterations: n,
    warmup,
    medianMs: round(n ? (n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2) : 0),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    minMs: round(sorted[0] ?? 0),
    maxMs: round(sorted[n - 1] ?? 0),
    meanMs: round(mean),
    opsPerSec: mean > 0 ? round(1000 / mean, 1) : 0,
    peakMemoryBytes,
    wasiCallsPerIteration: n ? round(wasiCalls.reduce((a, b) => a + b, 0) / n, 2) : 0,
  };
}

export function compareBench(stats: BenchStats, baseline: { file: string; result: BenchResult }, failOnRegressionPct?: number): BenchComparison {
  const b = baseline.result.stats;
  const pct = (now: number, then: number) => (then > 0 ? round(((now - then) / then) * 100, 2) : 0);
  const changePct = {
    medianMs: pct(stats.medianMs, b.medianMs),
    p90Ms: pct(stats.p90Ms, b.p90Ms),
    p99Ms: pct(stats.p99Ms, b.p99Ms),
    minMs: pct(stats.minMs, b.minMs),
    maxMs: pct(stats.maxMs, b.maxMs),
    meanMs: pct(stats.meanMs, b.meanMs),
  };
  return {
    file: baseline.file,
    baseline: b,
    changePct,
    failOnRegressionPct,
    regressed: failOnRegressionPct !== undefined && changePct.medianMs > failOnRegressionPct,
  };
}

const STAT_KEYS: (keyof BenchStats)[] = ['iterations', 'medianMs', 'p90Ms', 'p99Ms', 'minMs', 'maxMs', 'meanMs', 'opsPerSec'];

/** A saved result, checked: a clear error for a file that is not one (the baseline is user input). */
export function readBenchResult(file: string): BenchResult {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`baseline ${file}: ${(e as Error).message}`);
  }
  const r = json as Partial<BenchResult> | null;
  if (!r || typeof r !== 'object' || r.kind !== 'wasm-warden-bench' || !r.stats || typeof r.stats !== 'object') {
    throw new Error(`baseline ${file}: not a wasm-warden bench result (write one with bench --json FILE)`);
  }
  for (const k of STAT_KEYS) {
    const v = (r.stats as unknown as Record<string, unknown>)[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`baseline ${file}: stats.${k} is not a non-negative number`);
  }
  if (!Array.isArray(r.samplesMs) || !r.samplesMs.every((x) => typeof x === 'number' && Number.isFinite(x))) r.samplesMs = [];
  return r as BenchResult;
}

/** Parses `10%` or `10` (percent); undefined for anything else. */
export function parsePercent(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(s);
  return m ? Number(m[1]) : undefined;
}

export async function benchFile(file: string, options: BenchOptions): Promise<BenchResult | RunNeedsConfirmation | RunRefused> {
  if (!Number.isSafeInteger(options.iterations) || options.iterations < 1) throw new Error(`cannot run ${file}: iterations must be a positive integer`);
  if (!Number.isSafeInteger(options.warmup) || options.warmup < 0) throw new Error(`cannot run ${file}: warmup must be a non-negative integer`);
  const overrides: Partial<SandboxOptions> = { ...options.overrides, bench: { iterations: options.iterations, warmup: options.warmup } };
  const r = await runFile(file, { ...options, overrides });
  if (!('outcome' in r)) return r;
  const samples = r.bench ?? { timesMs: [], wasiCalls: [] };
  const stats = benchStats(samples.timesMs, samples.wasiCalls, options.warmup, r.peakMemoryBytes);
  const invoke = r.options.invoke;
  return {
    kind: 'wasm-warden-bench',
    version: 1,
    file,
    entry: invoke ? { export: invoke.export, args: invoke.args.map((a) => (typeof a === 'bigint' ? a.toString() : a)) } : { command: r.options.args },
    stats,
    samplesMs: samples.timesMs.map((t) => round(t)),
    outcome: r.outcome,
    ...(r.message !== undefined && { message: r.message }),
    ...(r.trap && { trap: r.trap }),
    violationCount: r.violationCount,
    alerts: r.alerts,
    ...(options.baseline && { comparison: compareBench(stats, options.baseline, options.failOnRegressionPct) }),
  };
}
