/**
 * The parent side of the toolchain: a small pool of worker processes (worker.ts) started on
 * demand. Each worker runs one request at a time, so a request that times out or is cancelled is
 * stopped by killing its worker (SIGKILL) without touching other requests; the next request starts
 * a fresh worker. Bytes travel over IPC with `serialization: 'advanced'` (structured clone).
 */
import { fork, type ChildProcess } from 'child_process';
import { processEntry } from '../runtime';
import type { Op, RequestMessage, Requests, ResponseMessage } from './protocol';

export type ToolchainErrorKind = 'timeout' | 'aborted' | 'crashed' | 'failed';

export class ToolchainError extends Error {
  constructor(
    readonly kind: ToolchainErrorKind,
    message: string,
    readonly op?: string,
    /** for timeouts: the limit that was hit */
    readonly timeoutMs?: number,
  ) {
    super(message);
    this.name = kind === 'aborted' ? 'AbortError' : 'ToolchainError';
  }
}

export interface RequestOptions {
  /** stop the worker and reject after this many ms of work (default: the client's defaultTimeoutMs) */
  timeoutMs?: number;
  /** aborting kills the request's worker (or drops the request while it waits) */
  signal?: AbortSignal;
}

export interface ToolchainClientOptions {
  /** at most this many worker processes at once (default 2) */
  maxWorkers?: number;
  /** an idle worker exits after this many ms (default 60 s) */
  idleMs?: number;
  /** default request timeout (default 20 s) */
  defaultTimeoutMs?: number;
}

interface Pending {
  id: number;
  op: Op;
  payload: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  settled: boolean;
  worker?: WorkerHandle;
  timer?: NodeJS.Timeout;
  onAbort?: () => void;
}

interface WorkerHandle {
  child: ChildProcess;
  busy?: Pending;
  dead: boolean;
  stderrTail: string;
  idleTimer?: NodeJS.Timeout;
}

export class ToolchainClient {
  private readonly maxWorkers: number;
  private readonly idleMs: number;
  readonly defaultTimeoutMs: number;
  private workers: WorkerHandle[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private disposed = false;
  /** counters, for tests and status displays */
  readonly stats = { started: 0, killed: 0, crashed: 0 };

  constructor(opts: ToolchainClientOptions = {}) {
    this.maxWorkers = Math.max(1, opts.maxWorkers ?? 2);
    this.idleMs = opts.idleMs ?? 60_000;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 20_000;
  }

  /** Number of live worker processes. */
  get workerCount(): number {
    return this.workers.length;
  }

  /** pids of the live workers (tests use them to check that a worker was really killed). */
  get workerPids(): number[] {
    return this.workers.map((w) => w.child.pid ?? -1);
  }

  request<K extends Op>(op: K, payload: Requests[K]['payload'], opts: RequestOptions = {}): Promise<Requests[K]['result']> {
    return new Promise((resolve, reject) => {
      if (this.disposed) return reject(new ToolchainError('failed', 'the toolchain has been shut down', op));
      if (opts.signal?.aborted) return reject(abortError(op));
      const p: Pending = {
        id: this.nextId++,
        op,
        payload,
        timeoutMs: opts.timeoutMs ?? this.defaultTimeoutMs,
        signal: opts.signal,
        resolve: resolve as (v: unknown) => void,
        reject,
        settled: false,
      };
      if (p.signal) {
        p.onAbort = () => this.abort(p);
        p.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.queue.push(p);
      this.pump();
    });
  }

  /** Kill every worker and reject everything pending. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const p of this.queue.splice(0)) this.settle(p, new ToolchainError('failed', 'the toolchain was shut down', p.op));
    const exits = this.workers.map((w) => this.kill(w, 'the toolchain was shut down'));
    await Promise.all(exits);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let w = this.workers.find((x) => !x.busy && !x.dead);
      if (!w) {
        if (this.workers.length >= this.maxWorkers) return;
        try {
          w = this.spawn();
        } catch (e) {
          const p = this.queue.shift()!;
          this.settle(p, new ToolchainError('crashed', `could not start the toolchain worker: ${(e as Error).message}`, p.op));
          continue;
        }
      }
      this.dispatch(w, this.queue.shift()!);
    }
  }

  private spawn(): WorkerHandle {
    const entry = processEntry('toolchain-worker');
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = fork(entry.file, [], {
      execArgv: workerExecArgv(entry.execArgv),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env,
    });
    this.stats.started++;
    const w: WorkerHandle = { child, dead: false, stderrTail: '' };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      w.stderrTail = (w.stderrTail + s).slice(-2000);
    });
    child.on('message', (m: ResponseMessage) => this.onMessage(w, m));
    child.on('error', (e) => this.onExit(w, `could not run the toolchain worker: ${e.message}`));
    child.on('exit', (code, signal) =>
      this.onExit(w, `the toolchain worker stopped (${signal ? `signal ${signal}` : `exit code ${code}`})`),
    );
    this.workers.push(w);
    return w;
  }

  private dispatch(w: WorkerHandle, p: Pending): void {
    if (w.idleTimer) clearTimeout(w.idleTimer);
    w.busy = p;
    p.worker = w;
    setRef(w.child, true);
    if (Number.isFinite(p.timeoutMs) && p.timeoutMs > 0) {
      p.timer = setTimeout(() => {
        void this.kill(w, 'timeout');
        this.settle(
          p,
          new ToolchainError('timeout', `'${p.op}' did not finish within ${formatMs(p.timeoutMs)}; the toolchain worker was stopped`, p.op, p.timeoutMs),
        );
      }, p.timeoutMs);
    }
    const msg: RequestMessage = { id: p.id, op: p.op, payload: p.payload as never };
    w.child.send(msg, (err) => {
      if (err && !p.settled) {
        void this.kill(w, 'send failed');
        this.settle(p, new ToolchainError('crashed', `could not send '${p.op}' to the toolchain worker: ${err.message}`, p.op));
      }
    });
  }

  private onMessage(w: WorkerHandle, m: ResponseMessage): void {
    const p = w.busy;
    if (!p || p.id !== m.id) return;
    w.busy = undefined;
    if (m.retire) void this.kill(w, 'retired');
    if (m.ok) this.settle(p, undefined, m.result);
    else this.settle(p, new ToolchainError('failed', `toolchain '${p.op}' failed: ${m.error}`, p.op));
    if (!w.dead) {
      setRef(w.child, false);
      w.idleTimer = setTimeout(() => void this.kill(w, 'idle'), this.idleMs);
      w.idleTimer.unref();
    }
    this.pump();
  }

  private onExit(w: WorkerHandle, why: string): void {
    const wasDead = w.dead;
    w.dead = true;
    if (w.idleTimer) clearTimeout(w.idleTimer);
    this.workers = this.workers.filter((x) => x !== w);
    const p = w.busy;
    w.busy = undefined;
    if (p && !p.settled) {
      if (!wasDead) this.stats.crashed++;
      const tail = w.stderrTail.trim().split('\n').slice(-3).join(' | ');
      this.settle(p, new ToolchainError('crashed', `${why} while running '${p.op}'${tail ? `: ${tail}` : ''}`, p.op));
    }
    if (!this.disposed) this.pump();
  }

  private abort(p: Pending): void {
    if (p.settled) return;
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    if (p.worker && p.worker.busy === p) void this.kill(p.worker, 'aborted');
    this.settle(p, abortError(p.op));
  }

  private kill(w: WorkerHandle, _why: string): Promise<void> {
    return new Promise((resolve) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) {
        this.onExit(w, 'the toolchain worker stopped');
        return resolve();
      }
      if (!w.dead) this.stats.killed++;
      w.dead = true;
      this.workers = this.workers.filter((x) => x !== w);
      w.child.once('exit', () => resolve());
      // an idle worker is unreferenced: reference it again so the loop waits for its exit
      w.child.ref();
      w.child.kill('SIGKILL');
      if (!this.disposed) queueMicrotask(() => this.pump());
    });
  }

  private settle(p: Pending, err?: Error, value?: unknown): void {
    if (p.settled) return;
    p.settled = true;
    if (p.timer) clearTimeout(p.timer);
    if (p.signal && p.onAbort) p.signal.removeEventListener('abort', p.onAbort);
    if (err) p.reject(err);
    else p.resolve(value);
  }
}

/**
 * From source, the worker needs tsx only for its own (CommonJS) TypeScript files. With tsx's ESM
 * hooks as well, `import('binaryen')` pushes binaryen's 14.8 MB index.js through tsx's transform:
 * measured 38 s instead of 2 s on a loaded 2-core machine. So the CommonJS hook alone is used.
 */
function workerExecArgv(execArgv: string[]): string[] {
  const out = [...execArgv];
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i] === '--import' && out[i + 1] === 'tsx') {
      out[i] = '--require';
      out[i + 1] = 'tsx/cjs';
    }
  }
  return out;
}

function abortError(op: string): ToolchainError {
  return new ToolchainError('aborted', `'${op}' was cancelled`, op);
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/** Let an idle worker not keep the process alive; keep it referenced while it works. */
function setRef(child: ChildProcess, on: boolean): void {
  const handles = [child, child.channel, child.stderr] as ({ ref?: () => void; unref?: () => void } | null | undefined)[];
  for (const h of handles) {
    if (on) h?.ref?.();
    else h?.unref?.();
  }
}

let shared: ToolchainClient | undefined;

/** The process-wide toolchain client (created on first use). */
export function getToolchainClient(): ToolchainClient {
  if (!shared || (shared as unknown as { disposed: boolean }).disposed) shared = new ToolchainClient();
  return shared;
}

/** Run one operation in the shared worker pool. */
export function request<K extends Op>(op: K, payload: Requests[K]['payload'], opts: RequestOptions = {}): Promise<Requests[K]['result']> {
  return getToolchainClient().request(op, payload, opts);
}

/** Stop the shared pool's workers (language server shutdown, end of a CLI run, tests). */
export async function shutdownToolchain(): Promise<void> {
  const c = shared;
  shared = undefined;
  await c?.dispose();
}
