/**
 * `bench`: an export (or the command) of a module called many times in the sandbox (engine/operations/bench.ts),
 * in the run's sandbox (settings' trust, the policy). The result is written as JSON to `resultFile` (by default
 * `<module>.bench.json` beside the module); a valid result already there is the baseline it is compared with.
 * Stopped like a run (`stopRun` with the same id).
 */
import * as fs from 'fs';
import * as path from 'path';
import { benchFile, readBenchResult } from '../engine/operations/bench';
import { writeOutput } from '../engine/operations/output';
import { uriToPath } from '../documents';
import type { CommandHandler } from '.';
import { runningControllers } from './run';

export interface BenchArgs {
  uri: string;
  runId: string;
  /** call this export; absent: the command (`_start`) */
  invoke?: { export: string; args: number[] };
  args?: string[];
  iterations?: number;
  warmup?: number;
  /** where the result is written (and the baseline read); default `<module>.bench.json` */
  resultFile?: string;
  /** percent: the result says `regressed` past it */
  failOnRegressionPct?: number;
}

const clampInt = (v: unknown, lo: number, hi: number, dflt: number) => (typeof v === 'number' && Number.isSafeInteger(v) ? Math.min(hi, Math.max(lo, v)) : dflt);

export const benchCommand: CommandHandler = async (ws, raw, token) => {
  const a = (raw[0] ?? {}) as BenchArgs;
  const file = a.uri ? uriToPath(a.uri) : undefined;
  if (!file || !a.runId) throw new Error('bench needs a file URI and a run id');
  const root = ws.roots.find((r) => file.startsWith(r + path.sep)) ?? ws.roots[0] ?? path.dirname(file);
  const resultFile = a.resultFile ? path.resolve(root, a.resultFile) : file.replace(/\.(wasm|wat)$/i, '') + '.bench.json';
  let baseline;
  let foreign: string | undefined;
  if (fs.existsSync(resultFile)) {
    try {
      baseline = { file: resultFile, result: readBenchResult(resultFile) };
    } catch (e) {
      foreign = (e as Error).message; // not a bench result: never overwritten
    }
  }
  const invoke = a.invoke && typeof a.invoke.export === 'string'
    ? { export: a.invoke.export, args: (Array.isArray(a.invoke.args) ? a.invoke.args : []).filter((x) => typeof x === 'number') }
    : undefined;
  const controller = new AbortController();
  runningControllers.set(a.runId, controller);
  token.onCancellationRequested(() => controller.abort());
  try {
    const result = await benchFile(file, {
      store: ws.policies,
      iterations: clampInt(a.iterations, 1, 1_000_000, 100),
      warmup: clampInt(a.warmup, 0, 1_000_000, 10),
      overrides: { ...(invoke && { invoke }), timeoutMs: 120_000 },
      args: invoke ? [] : Array.isArray(a.args) ? a.args.map(String) : [],
      workspace: { root, trusted: ws.settings.trusted },
      baseline,
      failOnRegressionPct: typeof a.failOnRegressionPct === 'number' ? a.failOnRegressionPct : 10,
      events: { signal: controller.signal },
    });
    if (!('kind' in result)) return result;
    if (foreign) return { ...result, notWritten: `${resultFile} exists and is not a bench result (${foreign}): the result was not written` };
    writeOutput(resultFile, JSON.stringify(result, null, 2) + '\n', true);
    return { ...result, resultFile };
  } finally {
    runningControllers.delete(a.runId);
  }
};
