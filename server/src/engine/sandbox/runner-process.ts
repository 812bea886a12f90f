/**
 * The sandbox's child process (forked by runner.ts, bundled as dist/sandbox-runner.js); the process is
 * the kill boundary. The same file runs on two threads:
 * - main thread: receives one RunRequest over IPC, hands it to the guest's worker, relays the worker's
 *   messages to the parent (output coalesced for a few ms), samples the shared statistics
 *   (monitor.ts) every statsIntervalMs, sends the final report and exits. It never runs guest code, so
 *   it stays responsive while the guest computes; it is also the watchdog (parent gone, deadline).
 * - worker thread (`new Worker(__filename)`, started at once so its start-up overlaps the request's
 *   arrival): runs the guest synchronously (guest.ts).
 */
import { isMainThread, parentPort, SHARE_ENV, Worker, workerData } from 'worker_threads';
import * as fs from 'fs';
import { DoneReport, GuestMessage, prepareModule, PreparedModule, runGuest } from './guest';
import { readStats, statsBuffer } from './monitor';
import { OutputRingReader, outputRingBuffer, OutputRingWriter } from './output-ring';
import type { ChildMessage, RunRequest } from './types';

Error.stackTraceLimit = 64;

/** output arriving within this window is sent to the parent as one message */
const COALESCE_MS = 4;
const COALESCE_MAX = 64 * 1024;

if (isMainThread) mainThread();
else guestThread();

function guestThread(): void {
  const port = parentPort!;
  const { sab, out } = workerData as { sab: SharedArrayBuffer; out: SharedArrayBuffer };
  const ring = new OutputRingWriter(out);
  port.once('message', ({ req, prepared }: { req: RunRequest; prepared?: PreparedModule }) => {
    const post = (m: GuestMessage) => port.postMessage(m);
    let report: DoneReport;
    try {
      report = runGuest(req.module, req.options, post, (stream, bytes) => ring.write(stream, bytes), sab, prepared);
    } catch (e) {
      // the message only: an internal stack trace is no part of a guest's report
      report = { outcome: 'error', message: `sandbox internal error: ${e instanceof Error ? e.message : String(e)}`, peakMemoryBytes: 0, memoryTimeline: [], wasiCalls: {}, bytesRead: 0, bytesWritten: 0, violations: [], violationKinds: [] };
    }
    post({ type: 'done', report });
  });
}

function startGuestThread(sab: SharedArrayBuffer, out: SharedArrayBuffer): Worker {
  if (__filename.endsWith('.ts')) {
    // from source (tests): the worker needs tsx's loader too
    const tsx = require.resolve(['tsx', 'cjs'].join('/')); // not a literal: esbuild would warn
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(__filename)});`, { eval: true, execArgv: [], workerData: { sab, out } });
  }
  return new Worker(__filename, { workerData: { sab, out }, env: SHARE_ENV });
}

// process.ppid is read once at start-up, so the watchdog asks the kernel (/proc) or probes the parent pid.
function parentGone(ppid: number): boolean {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== ppid;
  } catch {
    try {
      process.kill(ppid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
}

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  process.exit(1);
}

function mainThread(): void {
  if (!process.send) {
    console.error('sandbox-runner must be started by runSandboxed (it needs an IPC channel)');
    process.exit(2);
  }
  const send = (m: ChildMessage, cb?: () => void) => {
    if (!process.connected) return;
    if (cb) process.send!(m, undefined, undefined, cb);
    else process.send!(m);
  };
  const sab = statsBuffer();
  const out = outputRingBuffer();
  const worker = startGuestThread(sab, out);
  let bootError: string | undefined; // a worker that fails before the request arrives
  const onBootError = (e: Error) => (bootError = `failed: ${e?.stack ?? e}`);
  worker.once('error', onBootError);
  let exitedEarly: number | undefined;
  const onBootExit = (code: number) => (exitedEarly = code);
  worker.once('exit', onBootExit);
  const ppid = process.ppid;
  // the guest's thread does not block this one: a vanished parent is seen at once (the IPC channel closes)
  process.on('disconnect', die);

  process.once('message', (req: RunRequest) => {
    if (req?.type !== 'run') process.exit(2);
    const t0 = performance.now();
    const deadline = req.deadline + 1000;
    const dog = setInterval(() => {
      if (Date.now() > deadline || parentGone(ppid)) die();
    }, 50);

    let pending = '';
    let pendingType: 'stdout' | 'stderr' = 'stdout';
    let flushTimer: NodeJS.Timeout | undefined;
    const flushOutput = () => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = undefined;
      if (pending) send({ type: pendingType, data: pending });
      pending = '';
    };
    const ring = new OutputRingReader(out);
    const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
    const onOutput = (type: 'stdout' | 'stderr', data: string) => {
      if (!data) return;
      if (type !== pendingType) flushOutput();
      pendingType = type;
      pending += data;
      if (pending.length >= COALESCE_MAX) flushOutput();
      else flushTimer ??= setTimeout(flushOutput, COALESCE_MS);
    };
    const onChunk = (stream: 1 | 2, bytes: Uint8Array) => onOutput(stream === 1 ? 'stdout' : 'stderr', decoders[stream].decode(bytes, { stream: true }));
    ring.follow(onChunk);
    const tick = () => {
      ring.drain(onChunk);
      flushOutput();
      const stats = readStats(sab, performance.now() - t0);
      send({ type: 'stats', stats, sample: { atMs: stats.elapsedMs, bytes: stats.memoryBytes } });
    };
    // from the guest's start (as before: statistics describe the guest's run, not its loading)
    let stats: NodeJS.Timeout | undefined;

    let done = false;
    const finish = (report: DoneReport) => {
      if (done) return;
      done = true;
      clearInterval(stats);
      clearInterval(dog);
      ring.stop();
      ring.drain(onChunk);
      onOutput('stdout', decoders[1].decode());
      onOutput('stderr', decoders[2].decode());
      tick();
      send({ type: 'done', report }, () => process.exit(0));
    };
    worker.on('message', (m: GuestMessage) => {
      if (done) return;
      ring.drain(onChunk); // output written before this message goes first
      switch (m.type) {
        case 'done':
          finish(m.report);
          break;
        case 'started':
          stats ??= setInterval(tick, Math.max(1, req.options.statsIntervalMs ?? 100));
          send(m);
          break;
        default:
          flushOutput();
          send(m);
      }
    });
    const failed = (why: string) => finish({ outcome: 'error', message: `sandbox worker ${why}`, peakMemoryBytes: 0, memoryTimeline: [], wasiCalls: {}, bytesRead: 0, bytesWritten: 0, violations: [], violationKinds: [] });
    worker.off('error', onBootError);
    worker.off('exit', onBootExit);
    if (bootError) return failed(bootError);
    if (exitedEarly !== undefined) return failed(`exited (code ${exitedEarly}) before the request`);
    worker.on('error', (e) => failed(`failed: ${e?.stack ?? e}`));
    worker.on('exit', (code) => failed(`exited (code ${code}) before reporting`));
    // cap, instrument and compile here while the worker thread starts; the compiled module is shared with it
    let prepared: PreparedModule | undefined;
    try {
      prepared = prepareModule(req.module, req.options);
    } catch {
      prepared = undefined; // the worker tries again and reports
    }
    worker.postMessage({ req: prepared ? { ...req, module: new Uint8Array(0) } : req, prepared });
  });
}
