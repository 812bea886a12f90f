/**
 * The toolchain worker: a child process (started with `child_process.fork` by client.ts) that
 * serves one request at a time over IPC. wabt and binaryen load on first use. The parent kills
 * this process on a timeout or a cancellation; it never has to cooperate.
 */
import { installConsoleCapture, isTainted, runOp } from './worker-ops';
import type { RequestMessage, ResponseMessage } from './protocol';

installConsoleCapture();

let chain: Promise<void> = Promise.resolve();

function send(msg: ResponseMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(msg, undefined, undefined, () => resolve());
  });
}

async function handle(msg: RequestMessage): Promise<void> {
  let response: ResponseMessage;
  try {
    response = { id: msg.id, ok: true, result: await runOp(msg.op, msg.payload) };
  } catch (e) {
    response = { id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  // a library that aborted may be in a broken state: this worker retires, the next request gets a new one
  if (isTainted()) response.retire = true;
  await send(response);
  if (response.retire) process.exit(0);
}

process.on('message', (msg: RequestMessage) => {
  if (!msg || typeof msg !== 'object' || typeof msg.id !== 'number') return;
  chain = chain.then(() => handle(msg));
});

// the parent went away: nothing left to serve
process.on('disconnect', () => process.exit(0));
