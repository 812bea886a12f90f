/**
 * runSandboxed: runs a WebAssembly module in its own child process (runner-process.ts) with our own
 * WASI preview1 over the mounts of `options.dirs`. The child is killed (SIGKILL) on timeout, on abort
 * and when this process exits; the returned promise always settles.
 */
import { ChildProcess, fork } from 'child_process';
import { processEntry } from '../runtime';
import { AlertWatcher, type AlertRule } from './alert-rules';
import { limitOf } from './limits';
import type {
  Alert, ChildMessage, LiveStats, RunReport, RunRequest, SandboxEvents, SandboxOptions, Violation, ViolationKindSummary,
} from './types';

export type { Alert, LiveStats, RunReport, SandboxEvents, SandboxOptions, Violation } from './types';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

const OUTPUT_SLACK = 4096;

function kindsOf(violations: Violation[]): ViolationKindSummary[] {
  const kinds = new Map<string, ViolationKindSummary>();
  for (const v of violations) {
    const k = kinds.get(v.kind);
    if (k) {
      k.count++;
      k.latest = v;
    } else kinds.set(v.kind, { kind: v.kind, count: 1, first: v, latest: v });
  }
  return [...kinds.values()];
}

/** The run's rules: the older `thresholds` (warning, notify) and then `alertRules`. */
export function alertRulesOf(options: SandboxOptions): AlertRule[] {
  const t = options.thresholds ?? {};
  return [
    ...(t.memoryBytes !== undefined ? [{ name: 'memory', when: 'memory', above: t.memoryBytes } as const] : []),
    ...(t.executionMs !== undefined ? [{ name: 'execution-time', when: 'execution-time', above: t.executionMs } as const] : []),
    ...(options.alertRules ?? []),
  ];
}

export function runSandboxed(module: Uint8Array, options: SandboxOptions, events: SandboxEvents = {}): Promise<RunReport> {
  const t0 = performance.now();
  const elapsed = () => Math.round((performance.now() - t0) * 100) / 100;
  return new Promise<RunReport>((resolve) => {
    let stdout = '';
    let stderr = '';
    const outCap = (options.maxOutputBytes ?? 1024 * 1024) + OUTPUT_SLACK;
    let startedAt: number | undefined;
    let lastStats: LiveStats | undefined;
    const violations: Violation[] = [];
    const timeline: { atMs: number; bytes: number }[] = [];
    const alerts: Alert[] = [];
    let settled = false;
    let child: ChildProcess | undefined;

    const watcher = new AlertWatcher(alertRulesOf(options), limitOf(options, 'maxMemoryBytes') ?? 0, elapsed, (a) => {
      alerts.push(a);
      events.onAlert?.(a);
      if (a.action !== 'notify') settle({ outcome: 'killed', message: `stopped by the alert rule ${a.rule} (${a.severity}, ${a.action}): ${a.detail}`, stoppedBy: a });
    });

    const settle = (partial: Partial<RunReport> & Pick<RunReport, 'outcome'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const t of execTimers) clearTimeout(t);
      events.signal?.removeEventListener('abort', onAbort);
      const durationMs = elapsed();
      // from the guest's final report (exact); a run killed before it has the streamed ones and the live count
      const violationKinds = partial.violationKinds ?? kindsOf(violations);
      const counted = violationKinds.reduce((n, k) => n + k.count, 0);
      const violationCount = Math.max(counted, lastStats?.violationCount ?? 0);
      for (const { index } of watcher.executionThresholds()) watcher.executionTime(index, durationMs, false);
      const report: RunReport = {
        durationMs,
        startupMs: startedAt ?? durationMs,
        peakMemoryBytes: lastStats?.peakMemoryBytes ?? 0,
        memoryTimeline: timeline,
        wasiCalls: lastStats?.wasiCalls ?? {},
        bytesRead: lastStats?.bytesRead ?? 0,
        bytesWritten: lastStats?.bytesWritten ?? 0,
        violations,
        alerts,
        stdout,
        stderr,
        ...partial,
        violationCount,
        violationKinds,
      };
      // the promise settles once the process is gone: a run that ends leaves no process behind
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) {
        if (c) live.delete(c);
        return resolve(report);
      }
      const gone = () => {
        clearTimeout(fallback);
        live.delete(c);
        resolve(report);
      };
      const fallback = setTimeout(gone, 2000);
      c.once('exit', gone);
      c.kill('SIGKILL');
    };

    const timer = setTimeout(() => settle({ outcome: 'timeout', message: `killed after ${options.timeoutMs} ms` }), options.timeoutMs);
    // timers run on the event loop's cached clock and can fire a little early: re-arm for what is left,
    // so the alert really comes after the threshold
    const execTimers: NodeJS.Timeout[] = [];
    const armExecutionAlert = (index: number, threshold: number, delay: number) => {
      execTimers.push(setTimeout(() => {
        const left = threshold - elapsed();
        if (left > 0) armExecutionAlert(index, threshold, left);
        else watcher.executionTime(index, elapsed(), true);
      }, delay));
    };
    for (const { index, ms } of watcher.executionThresholds()) armExecutionAlert(index, ms, ms);
    const onAbort = () => settle({ outcome: 'killed', message: 'stopped by the user' });
    if (events.signal?.aborted) return onAbort();
    events.signal?.addEventListener('abort', onAbort, { once: true });

    let entry;
    try {
      entry = processEntry('sandbox-runner');
    } catch (e) {
      return settle({ outcome: 'error', message: (e as Error).message });
    }
    killAllOnExit();
    child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { NODE_OPTIONS: '' , PATH: process.env.PATH ?? '' },
    });
    live.add(child);
    if (child.pid !== undefined) events.onSpawn?.(child.pid);
    let childErr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (childErr.length < 8192) childErr += d.toString();
    });
    child.on('message', (m: ChildMessage) => {
      if (settled) return;
      switch (m.type) {
        case 'started':
          startedAt = elapsed();
          break;
        case 'stdout':
          if (stdout.length < outCap) stdout += m.data;
          events.onStdout?.(m.data);
          watcher.output(Buffer.byteLength(m.data));
          break;
        case 'stderr':
          if (stderr.length < outCap) stderr += m.data;
          events.onStderr?.(m.data);
          watcher.output(Buffer.byteLength(m.data));
          break;
        case 'stats':
          lastStats = m.stats;
          timeline.push(m.sample);
          events.onStats?.({ ...m.stats, elapsedMs: elapsed() });
          watcher.stats(m.stats);
          break;
        case 'fuzz-progress':
          events.onFuzzProgress?.(m.progress);
          break;
        case 'fuzz-finding':
          events.onFuzzFinding?.(m.finding);
          break;
        case 'violation':
          violations.push(m.violation);
          events.onViolation?.(m.violation);
          watcher.violation(m.violation);
          break;
        case 'done': {
          const { violations: _v, memoryTimeline: _t, ...rest } = m.report;
          watcher.memory(rest.peakMemoryBytes);
          const total = rest.violationKinds.reduce((n, k) => n + k.count, 0);
          watcher.violationCount(total, rest.violationKinds.at(-1)?.latest);
          settle(rest);
          break;
        }
      }
    });
    child.on('error', (e) => settle({ outcome: 'error', message: `sandbox process: ${e.message}` }));
    child.on('close', (code, signal) => {
      // ended without 'done' (all its messages and output have been delivered by now): crashed or killed
      setImmediate(() => settle({ outcome: 'killed', message: `sandbox process ended (${signal ?? `code ${code}`}) before reporting${childErr ? `: ${childErr.slice(0, 2000)}` : ''}` }));
    });
    const req: RunRequest = { type: 'run', module, options, deadline: Date.now() + options.timeoutMs };
    child.send(req);
  });
}
