/**
 * The `bench` and `fuzz` server commands. Bench: the result is written beside the module as `<module>.bench.json`; the next
 * benchmark reads it as its baseline and plots the comparison; a file of that name that is not a result is
 * never overwritten.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient } from './lsp-client';

const BENCH = 'wasmWarden.server.bench';
const GUEST = `(module (memory 1)
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $done (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (local.get $acc)))`;

interface Result {
  kind: string;
  stats: { iterations: number; medianMs: number };
  entry: unknown;
  resultFile?: string;
  notWritten?: string;
  comparison?: { baseline: { iterations: number }; changePct: { medianMs: number } };
}

describe('bench over LSP', () => {
  let root: string;
  let c: LspClient;
  before(async () => {
    root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'ww-lsp-bench-'));
    fs.writeFileSync(path.join(root, 'sum.wat'), GUEST);
    fs.writeFileSync(path.join(root, 'other.wat'), GUEST);
    fs.writeFileSync(path.join(root, 'other.bench.json'), '{"mine": true}\n');
    c = await LspClient.start(root, { trusted: true });
    await c.waitForNotification('wasmWarden/scanDone', true);
  });
  after(async () => {
    await c.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('writes the result, and the next run compares with it', async () => {
    const first = await c.executeCommand<Result>(BENCH, { uri: c.uri('sum.wat'), runId: 'b1', invoke: { export: 'sum', args: [1000] }, iterations: 20, warmup: 2 });
    assert.equal(first.kind, 'wasm-warden-bench', JSON.stringify(first));
    assert.equal(first.stats.iterations, 20);
    assert.equal(first.comparison, undefined, 'nothing to compare with yet');
    assert.equal(first.resultFile, path.join(root, 'sum.bench.json'));
    assert.equal(JSON.parse(fs.readFileSync(first.resultFile!, 'utf8')).stats.iterations, 20);
    const second = await c.executeCommand<Result>(BENCH, { uri: c.uri('sum.wat'), runId: 'b2', invoke: { export: 'sum', args: [1000] }, iterations: 30, warmup: 2 });
    assert.equal(second.comparison?.baseline.iterations, 20, 'the previous result is the baseline');
    assert.equal(JSON.parse(fs.readFileSync(first.resultFile!, 'utf8')).stats.iterations, 30, 'then replaced');
  });

  test('a file of that name that is not a result is kept', async () => {
    const r = await c.executeCommand<Result>(BENCH, { uri: c.uri('other.wat'), runId: 'b3', invoke: { export: 'sum', args: [10] }, iterations: 5 });
    assert.equal(r.kind, 'wasm-warden-bench');
    assert.match(r.notWritten ?? '', /exists and is not a bench result/);
    assert.equal(fs.readFileSync(path.join(root, 'other.bench.json'), 'utf8'), '{"mine": true}\n');
  });
});

describe('fuzz over LSP', () => {
  let root: string;
  let c: LspClient;
  before(async () => {
    root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'ww-lsp-fuzz-'));
    fs.writeFileSync(path.join(root, 'div.wat'), '(module (func $div (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1))))');
    c = await LspClient.start(root, { trusted: true });
    await c.waitForNotification('wasmWarden/scanDone', true);
  });
  after(async () => {
    await c.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('streams progress and each finding, writes the findings beside the module, and stops on stopRun', async () => {
    const session = c.executeCommand<{ findings: { cause: { key: string }; file: string }[]; outcome: string; seed: number }>('wasmWarden.server.fuzz', { uri: c.uri('div.wat'), runId: 'f1', durationMs: 60_000, seed: 5 });
    // the finding arrives as an event (progress events keep coming every 250 ms); then Stop ends the session early
    const found = () => c.notifications.some((n) => n.method === 'wasmWarden/runEvent' && (n.params as { kind: string; runId: string }).kind === 'fuzz-finding');
    while (!found()) await c.waitForNotification('wasmWarden/runEvent');
    await c.executeCommand('wasmWarden.server.stopRun', { runId: 'f1' });
    const r = await session;
    assert.equal(r.seed, 5);
    assert.deepEqual(r.findings.map((f) => f.cause.key), ['trap:divide-by-zero@div']);
    assert.equal(path.dirname(r.findings[0].file), path.join(root, 'fuzz-findings'));
    assert.ok(fs.existsSync(r.findings[0].file));
  });
});
