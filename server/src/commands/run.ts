/**
 * `run` and `stopRun`: a module in the sandbox with live events to the client. Run configurations come
 * from the workspace settings; in an untrusted workspace the engine narrows whatever they ask for, and
 * mounts outside the workspace need the user's confirmation (the client asks and retries). The policy's
 * denied imports trap when called unless the client says the user allowed them; a module with imports the
 * sandbox does not provide comes back `refused` until the client asks for stubs.
 */
import * as path from 'path';
import { parseMountSpec, runFile } from '../engine/operations/run';
import type { SandboxOptions } from '../engine/sandbox/types';
import { RunEventNotification, ServerCommands, type RunArgs, type RunEvent } from '../protocol';
import { uriToPath } from '../documents';
import type { CommandHandler } from '.';

/** the runs (and benchmarks, fuzz sessions) going on, by the client's id: `stopRun` aborts them */
export const runningControllers = new Map<string, AbortController>();
const running = runningControllers;

const run: CommandHandler = async (ws, raw, token, connection) => {
  const a = (raw[0] ?? {}) as RunArgs;
  const file = a.uri ? uriToPath(a.uri) : undefined;
  if (!file || !a.runId) throw new Error('run needs a file URI and a run id');
  const root = ws.roots.find((r) => file.startsWith(r + path.sep)) ?? ws.roots[0] ?? path.dirname(file);
  const config = ws.settings.sandbox.configurations.find((c) => c.name === a.configuration);
  const overrides: Partial<SandboxOptions> = {};
  if (config) {
    if (config.dirs) overrides.dirs = config.dirs.map((d) => parseMountSpec(d, root));
    if (config.env) overrides.env = config.env;
    if (config.timeoutMs) overrides.timeoutMs = config.timeoutMs;
    if (config.maxMemoryBytes) overrides.maxMemoryBytes = config.maxMemoryBytes;
    // a setting a cloned workspace may carry: only a real byte count replaces the policy's quota
    if (typeof config.maxWriteBytes === 'number' && Number.isSafeInteger(config.maxWriteBytes) && config.maxWriteBytes >= 0) overrides.maxWriteBytes = config.maxWriteBytes;
    if (config.maxOutputBytes) overrides.maxOutputBytes = config.maxOutputBytes;
    if (config.maxTableElements) overrides.maxTableElements = config.maxTableElements;
  }
  const controller = new AbortController();
  running.set(a.runId, controller);
  token.onCancellationRequested(() => controller.abort());
  const send = (kind: RunEvent['kind'], data: unknown) => void connection.sendNotification(RunEventNotification, { runId: a.runId, kind, data } satisfies RunEvent);
  try {
    const result = await runFile(file, {
      store: ws.policies,
      overrides,
      args: a.args ?? config?.args,
      workspace: { root, trusted: ws.settings.trusted },
      confirmOutside: { confirmed: a.confirmedOutside ?? [] },
      imports: { allowDenied: a.allowDeniedImports === true, stubImports: a.stubImports === 'trap' || a.stubImports === 'zero' ? a.stubImports : undefined },
      onImportPlan: (plan) => send('imports', plan),
      events: {
        signal: controller.signal,
        onStdout: (s) => send('stdout', s),
        onStderr: (s) => send('stderr', s),
        onStats: (s) => send('stats', s),
        onViolation: (v) => send('violation', v),
        onAlert: (a) => send('alert', a),
        onRestart: (a) => send('restart', a),
      },
    });
    send('done', null);
    return result;
  } finally {
    running.delete(a.runId);
  }
};

const stopRun: CommandHandler = async (_ws, raw) => {
  const { runId } = (raw[0] ?? {}) as { runId?: string };
  const ids = runId ? [runId] : [...running.keys()];
  for (const id of ids) running.get(id)?.abort();
  return { stopped: ids.filter((id) => running.has(id)).length };
};

export const runCommands = {
  [ServerCommands.run]: run,
  [ServerCommands.stopRun]: stopRun,
};
