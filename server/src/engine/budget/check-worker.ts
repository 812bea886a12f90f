/**
 * Checks files that are not open in an editor on a worker thread, one at a time, each within a budget
 * of time and memory (./limits.ts): the host's main thread stays free for requests whatever a file
 * costs, and a file over budget is stopped (the thread is terminated, and a fresh one started for the
 * next file) and gets a finding that says so instead of its results.
 *
 * The thread is started on first use and ended when it has been idle for a while, or after a check
 * that left its heap large, so the host's memory goes back to its baseline after a heavy file.
 */
import { Worker } from 'worker_threads';
import { processEntry } from '../runtime';
import type { EngineDiagnostic } from '../diagnostic';
import type { Position } from '../span';
import type { ResolvedPolicy } from '../policy/store';
import { sourceKindOf } from '../operations/check';
import { memoryBudgetFinding, timeBudgetFinding, type AnalysisLimits } from './limits';
import { MAX_POLICIES, type CheckJob, type CheckJobResult } from './check-thread';

export type BudgetedCheck =
  /** the check ran; `ranges` (WAT only) are the diagnostics' line/character ranges */
  | { kind: 'done'; diagnostics: EngineDiagnostic[]; ranges?: { start: Position; end: Position }[] }
  /** stopped over its time or memory budget: `finding` says so */
  | { kind: 'over-budget'; finding: EngineDiagnostic }
  /** the file could not be read (or the worker failed): `message` says why; `code` and `path` of a system error */
  | { kind: 'failed'; message: string; code?: string; path?: string };

export interface CheckWorkerOptions {
  limits: () => AnalysisLimits;
  /** findings of one file sent back at most, the rest summed up in one (default: all) */
  maxFindings?: number;
  /** end the thread after this long without work (default 5 s) */
  idleMs?: number;
  /** end the thread after a check that left more heap than this in use (default 128 MB) */
  recycleHeapBytes?: number;
}

interface Job {
  file: string;
  policy: ResolvedPolicy;
  resolve: (result: BudgetedCheck) => void;
}

interface Running {
  job: Job;
  timer: NodeJS.Timeout;
  limits: AnalysisLimits;
}

export class CheckWorker {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  private readonly queue: Job[] = [];
  private running: Running | undefined;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  /** keys of policy objects (one per effective policy), and those the current thread has received */
  private readonly policyKeys = new WeakMap<object, number>();
  private nextPolicyKey = 1;
  private sentPolicies = new Set<number>();
  private disposed = false;
  /** the heap limit the current thread was started with */
  private threadHeapMB = 0;

  constructor(private readonly options: CheckWorkerOptions) {}

  /** Check a file under a policy, within the budget. Never rejects. */
  check(file: string, policy: ResolvedPolicy): Promise<BudgetedCheck> {
    if (this.disposed) return Promise.resolve({ kind: 'failed', message: 'the analysis worker was shut down' });
    return new Promise((resolve) => {
      this.queue.push({ file, policy, resolve });
      void this.pump();
    });
  }

  /** Drop the running and queued checks (they resolve as failed) and end the thread. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const shutDown = { kind: 'failed', message: 'the analysis worker was shut down' } as const;
    for (const job of this.queue.splice(0)) job.resolve(shutDown);
    this.finish(shutDown);
    await this.stopThread();
  }

  private async pump(): Promise<void> {
    if (this.running || this.queue.length === 0 || this.disposed) return;
    clearTimeout(this.idleTimer);
    const job = this.queue.shift()!;
    const limits = this.options.limits();
    // mark it running before the first await, so a second pump waits its turn
    this.running = { job, limits, timer: undefined as unknown as NodeJS.Timeout };
    let worker: Worker;
    try {
      worker = await this.thread(limits);
    } catch (err) {
      // (unless the thread's end already finished this job, and another one runs now)
      if (this.running?.job === job) this.finish({ kind: 'failed', message: `the analysis worker did not start: ${(err as Error).message}` });
      return;
    }
    if (this.running?.job !== job) return; // failed while starting
    const id = this.nextId++;
    let key = this.policyKeys.get(job.policy.effective);
    if (key === undefined) this.policyKeys.set(job.policy.effective, (key = this.nextPolicyKey++));
    const message: CheckJob = {
      id,
      file: job.file,
      policyKey: key,
      limits: { maxWatBytes: limits.maxWatBytes, maxWatTokens: limits.maxWatTokens, maxFindings: this.options.maxFindings },
    };
    if (!this.sentPolicies.has(key)) {
      message.policy = job.policy;
      // the thread keeps the latest MAX_POLICIES it received: so does this list
      this.sentPolicies.add(key);
      if (this.sentPolicies.size > MAX_POLICIES) this.sentPolicies.delete(this.sentPolicies.values().next().value!);
    }
    // no time budget (the CLI): no timer
    if (Number.isFinite(limits.timeoutMs)) {
      this.running.timer = setTimeout(() => {
        const kind = sourceKindOf(job.file) ?? 'wasm';
        void this.stopThread(); // first: the next file gets a fresh thread
        this.finish({ kind: 'over-budget', finding: timeBudgetFinding(kind, job.file, limits) });
      }, limits.timeoutMs);
    }
    worker.postMessage(message);
  }

  private finish(result: BudgetedCheck): void {
    const running = this.running;
    if (!running) return;
    clearTimeout(running.timer);
    this.running = undefined;
    running.job.resolve(result);
    if (this.queue.length) void this.pump();
    else if (!this.disposed) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => void this.stopThread(), this.options.idleMs ?? 5000);
      this.idleTimer.unref();
    }
  }

  /** The worker thread, started if needed (resolves once its code is loaded). */
  private async thread(limits: AnalysisLimits): Promise<Worker> {
    // a thread started with another heap limit (the setting changed) makes way for a new one
    if (this.ready && this.threadHeapMB !== limits.maxHeapMB) await this.stopThread();
    if (this.ready) return this.ready;
    this.threadHeapMB = limits.maxHeapMB;
    const entry = processEntry('analysis-worker');
    const resourceLimits = { maxOldGenerationSizeMb: limits.maxHeapMB };
    const worker = entry.execArgv.length
      ? new Worker(`require(${JSON.stringify(entry.execArgv[1])}); require(${JSON.stringify(entry.file)});`, { eval: true, execArgv: [], resourceLimits })
      : new Worker(entry.file, { resourceLimits });
    this.worker = worker;
    this.sentPolicies = new Set();
    const ready = new Promise<Worker>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (m?.ready) {
          worker.off('message', onMessage);
          worker.on('message', (r: CheckJobResult) => this.onResult(worker, r));
          resolve(worker);
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    worker.on('error', (err: Error & { code?: string }) => this.onThreadEnd(worker, err));
    worker.on('exit', () => this.onThreadEnd(worker));
    this.ready = ready;
    return ready;
  }

  private onResult(worker: Worker, r: CheckJobResult): void {
    if (worker !== this.worker || !this.running) return;
    // a check that left the heap large: the next file gets a fresh thread, and the memory goes back now
    if (r.heapUsed > (this.options.recycleHeapBytes ?? 128 * 1024 * 1024)) void this.stopThread();
    this.finish(r.ok ? { kind: 'done', diagnostics: r.diagnostics, ranges: r.ranges } : { kind: 'failed', message: r.error, code: r.code, path: r.path });
  }

  /** The thread ended (out of memory, crashed, or terminated by us). */
  private onThreadEnd(worker: Worker, err?: Error & { code?: string }): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    this.ready = undefined;
    const running = this.running;
    if (!running) return;
    if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      const kind = sourceKindOf(running.job.file) ?? 'wasm';
      this.finish({ kind: 'over-budget', finding: memoryBudgetFinding(kind, running.job.file, running.limits) });
    } else {
      this.finish({ kind: 'failed', message: `the analysis worker stopped${err ? `: ${err.message}` : ''}` });
    }
  }

  private async stopThread(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    clearTimeout(this.idleTimer);
    if (worker) await worker.terminate();
  }
}
