/**
 * The sandbox's child process (forked by runner.ts, bundled as dist/sandbox-runner.js). It receives
 * one RunRequest, runs the guest synchronously (guest.ts), streams statistics, output and violations,
 * sends the final report and exits. A watchdog thread kills this process if the parent goes away or
 * the deadline passes, even while the guest blocks the main thread.
 */
import { Worker } from 'worker_threads';
import { runGuest } from './guest';
import type { ChildMessage, RunRequest } from './types';

Error.stackTraceLimit = 64;

// process.ppid is read once at start-up, so the watchdog asks the kernel (/proc) or probes the parent pid.
const WATCHDOG = `
const { workerData } = require('worker_threads');
const fs = require('fs');
const cell = new Int32Array(new SharedArrayBuffer(4));
function parentGone() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== workerData.ppid;
  } catch {
    try { process.kill(workerData.ppid, 0); return false; } catch (e) { return e.code === 'ESRCH'; }
  }
}
for (;;) {
  Atomics.wait(cell, 0, 0, 50);
  if (Date.now() > workerData.deadline || parentGone()) process.kill(process.pid, 'SIGKILL');
}`;

function send(m: ChildMessage): void {
  if (process.connected) process.send!(m);
}

if (!process.send) {
  console.error('sandbox-runner must be started by runSandboxed (it needs an IPC channel)');
  process.exit(2);
}

process.on('disconnect', () => process.exit(0));
process.once('message', (req: RunRequest) => {
  if (req?.type !== 'run') process.exit(2);
  const dog = new Worker(WATCHDOG, { eval: true, workerData: { ppid: process.ppid, deadline: req.deadline + 1000 } });
  dog.unref();
  const report = runGuest(req.module, req.options, send);
  process.send!({ type: 'done', report } satisfies ChildMessage, () => process.exit(0));
});
