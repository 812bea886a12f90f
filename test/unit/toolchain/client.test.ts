import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ToolchainClient, ToolchainError } from '../../../server/src/engine/toolchain/client';
import { compileWat } from '../../../server/src/engine/toolchain/index';

const clients: ToolchainClient[] = [];
function client(opts: ConstructorParameters<typeof ToolchainClient>[0] = {}): ToolchainClient {
  const c = new ToolchainClient(opts);
  clients.push(c);
  return c;
}
after(() => Promise.all(clients.map((c) => c.dispose())));

/** a WAT text that wabt.js does not come back from (flat nesting 400 deep) */
const HANG = `(module (func ${'block '.repeat(400)}${'end '.repeat(400)}))`;

test('importing the engine toolchain loads neither wabt nor binaryen; the worker loads them on first use', async () => {
  assert.equal(typeof compileWat, 'function');
  const loadedHere = Object.keys(require.cache).filter((k) => /node_modules[\\/](wabt|binaryen)[\\/]/.test(k));
  assert.deepEqual(loadedHere, []);
  const c = client();
  assert.equal(c.workerCount, 0, 'no worker before the first request');
  const first = await c.request('ping', {});
  assert.deepEqual(first.loaded, []);
  const compiled = await c.request('compile-wat', { text: '(module)', debugNames: false });
  assert.ok(compiled.bytes instanceof Uint8Array);
  const second = await c.request('ping', {});
  assert.deepEqual(second.loaded, ['wabt']);
  assert.equal(second.pid, first.pid, 'the same worker serves requests in turn');
  assert.notEqual(second.pid, process.pid);
});

test('a worker that dies mid-request rejects it with a clear error; the next request gets a new worker', async () => {
  const c = client({ maxWorkers: 1 });
  const { pid } = await c.request('ping', {});
  const pending = c.request('validate-wat', { text: HANG, secondOpinion: 'on-read-failure' }, { timeoutMs: 30_000 });
  process.kill(pid, 'SIGKILL');
  await assert.rejects(pending, (e: unknown) => {
    assert.ok(e instanceof ToolchainError);
    assert.equal(e.kind, 'crashed');
    assert.match(e.message, /toolchain worker stopped \(signal SIGKILL\) while running 'validate-wat'/);
    return true;
  });
  const next = await c.request('ping', {});
  assert.notEqual(next.pid, pid);
});

test('timeouts kill only the worker that ran out of time', async () => {
  const c = client({ maxWorkers: 2 });
  const slow = c.request('compile-wat', { text: HANG, debugNames: false }, { timeoutMs: 1000 });
  // handled from the start: on a busy machine the slow one may time out before the fast one is done
  const slowRejects = assert.rejects(slow, (e: unknown) => e instanceof ToolchainError && e.kind === 'timeout' && e.timeoutMs === 1000 && /within 1 s/.test(e.message));
  const fast = c.request('compile-wat', { text: '(module (func))', debugNames: false }, { timeoutMs: 20_000 });
  const f = await fast;
  assert.ok(f.bytes);
  await slowRejects;
  assert.equal(c.stats.killed, 1);
});

test('abort while queued drops the request; abort before start rejects at once; the running one finishes', async () => {
  const c = client({ maxWorkers: 1 });
  const running = c.request('compile-wat', { text: '(module (func (nop)))', debugNames: true });
  const ac = new AbortController();
  const queued = c.request('compile-wat', { text: '(module)', debugNames: false }, { signal: ac.signal });
  ac.abort();
  await assert.rejects(queued, (e: Error) => e.name === 'AbortError' && /cancelled/.test(e.message));
  assert.ok((await running).bytes);
  assert.equal(c.stats.killed, 0, 'nothing was running for the aborted request');
  await assert.rejects(c.request('ping', {}, { signal: AbortSignal.abort() }), (e: Error) => e.name === 'AbortError');
});

test('an unknown operation is a clear failure; dispose rejects later requests', async () => {
  const c = client();
  await assert.rejects(c.request('nope' as never, {} as never), /unknown toolchain operation 'nope'/);
  await c.dispose();
  assert.equal(c.workerCount, 0);
  await assert.rejects(c.request('ping', {}), /shut down/);
});

test('bytes cross the process boundary as bytes (structured clone), both ways', async () => {
  const c = client();
  const { bytes } = await c.request('compile-wat', { text: '(module (func (export "a")) (data (i32.const 0) "xyz") (memory 1))', debugNames: false });
  assert.ok(bytes instanceof Uint8Array);
  const text = await c.request('disassemble', { bytes: bytes!, foldExprs: false, inlineExport: true });
  assert.match(text.text ?? '', /\(export "a"\)/);
  assert.match(text.text ?? '', /"xyz"/);
});
