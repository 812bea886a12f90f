/**
 * `fuzz`: a fuzzing session of a module in the sandbox (engine/operations/fuzz.ts) with live events (progress,
 * each finding) to the client; findings are written to `fuzz-findings/` beside the module. Stopped like a run
 * (`stopRun` with the same id): the findings so far are kept.
 */
import * as path from 'path';
import { fuzzFile } from '../engine/operations/fuzz';
import { uriToPath } from '../documents';
import { RunEventNotification, type RunEvent } from '../protocol';
import type { CommandHandler } from '.';
import { runningControllers } from './run';

export interface FuzzArgs {
  uri: string;
  runId: string;
  /** fuzz only this export */
  invoke?: string;
  durationMs?: number;
  seed?: number;
}

export const fuzzCommand: CommandHandler = async (ws, raw, token, connection) => {
  const a = (raw[0] ?? {}) as FuzzArgs;
  const file = a.uri ? uriToPath(a.uri) : undefined;
  if (!file || !a.runId) throw new Error('fuzz needs a file URI and a run id');
  const root = ws.roots.find((r) => file.startsWith(r + path.sep)) ?? ws.roots[0] ?? path.dirname(file);
  const controller = new AbortController();
  runningControllers.set(a.runId, controller);
  token.onCancellationRequested(() => controller.abort());
  const send = (kind: RunEvent['kind'], data: unknown) => void connection.sendNotification(RunEventNotification, { runId: a.runId, kind, data } satisfies RunEvent);
  try {
    const result = await fuzzFile(file, {
      store: ws.policies,
      invoke: typeof a.invoke === 'string' && a.invoke ? a.invoke : undefined,
      durationMs: typeof a.durationMs === 'number' && a.durationMs > 0 ? Math.min(a.durationMs, 3_600_000) : 60_000,
      seed: typeof a.seed === 'number' && Number.isSafeInteger(a.seed) ? a.seed : undefined,
      outDir: path.join(path.dirname(file), 'fuzz-findings'),
      workspace: { root, trusted: ws.settings.trusted },
      events: { signal: controller.signal },
      onProgress: (p) => send('fuzz-progress', p),
      onFinding: (f) => send('fuzz-finding', f),
    });
    send('done', null);
    return result;
  } finally {
    runningControllers.delete(a.runId);
  }
};
