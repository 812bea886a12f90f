/**
 * The WAT view of a `.wasm` over LSP, printed by the engine's printer: a module of tens of MB opens
 * as its declarations and function headers, any function body prints on demand however large (a
 * 1 MB body, 100,000-deep nesting), and a finding on an instruction of a small module's binary lands
 * on that instruction's line of the open view. (Timing targets are in the benchmark's `print` group.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { LspClient, workspaceCopy } from './lsp-client';

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([id, ...u32(payload.length)]), payload]);
}

/** A module of functions with the given bodies (each `(func)` of type 0, no params), each exported as f<i>. */
function moduleOf(bodies: Buffer[]): Buffer {
  const n = bodies.length;
  const exports: number[] = [...u32(n)];
  for (let i = 0; i < n; i++) {
    const name = Buffer.from(`f${i}`);
    exports.push(...u32(name.length), ...name, 0, ...u32(i));
  }
  return Buffer.concat([
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, Buffer.from([1, 0x60, 0, 0])),
    section(3, Buffer.from([...u32(n), ...new Array(n).fill(0)])),
    section(5, Buffer.from([1, 0, 1])),
    section(7, Buffer.from(exports)),
    section(10, Buffer.concat([Buffer.from(u32(n)), ...bodies.map((b) => Buffer.concat([Buffer.from(u32(b.length)), b]))])),
  ]);
}

/** `(i32.const 7) (drop)` repeated to about `size` bytes. */
function flatBody(size: number): Buffer {
  const b = Buffer.alloc(size);
  b[0] = 0; // no locals
  let p = 1;
  while (p + 3 < size) {
    b[p++] = 0x41;
    b[p++] = 7;
    b[p++] = 0x1a;
  }
  while (p < size - 1) b[p++] = 0x01; // nop
  b[size - 1] = 0x0b;
  return b;
}

function nestedBody(depth: number): Buffer {
  return Buffer.from([0, ...new Array(depth).fill([0x02, 0x40]).flat(), ...new Array(depth).fill(0x0b), 0x0b]);
}

describe('the WAT view of a .wasm over LSP (printed by the engine)', () => {
  let client: LspClient;
  let root: string;
  const bigFuncs = 40_000;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    // ~20 MB: many functions of 500 bytes, as a real module has them
    const body = flatBody(500);
    fs.writeFileSync(path.join(root, 'big.wasm'), moduleOf(new Array(bigFuncs).fill(body)));
    fs.writeFileSync(path.join(root, 'bodies.wasm'), moduleOf([flatBody(100), flatBody(1024 * 1024), nestedBody(100_000)]));
    // a module whose memory has no maximum (a policy finding on the memory entry), small enough to print whole
    fs.writeFileSync(path.join(root, 'small.wasm'), moduleOf([flatBody(40)]));
    client = await LspClient.start(root);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a 20 MB module opens as its declarations and every function header; a body shows on demand', async () => {
    const view = await client.request<{ text: string; headerOnly: boolean; error?: string }>('wasmWarden/watView', { uri: client.uri('big.wasm') });
    assert.equal(view.error, undefined);
    assert.equal(view.headerOnly, true);
    assert.equal(view.text.match(/^ {2}\(func \(;\d+;\) \(type 0\) \(; body 500 bytes @0x[0-9a-f]+ ;\)\)$/gm)?.length, bigFuncs);
    assert.match(view.text, /\(export "f39999" \(func 39999\)\)/);
    const body = await client.request<{ text: string; error?: string }>('wasmWarden/watView', { uri: client.uri('big.wasm'), func: 39_999 });
    assert.equal(body.error, undefined);
    assert.match(body.text, /^\(func \(;39999;\) \(type 0\)\n {2}i32\.const 7\n {2}drop\n/);
  });

  test('a 1 MB function body and a body nested 100,000 deep print in full, no refusal', async () => {
    const big = await client.request<{ text: string; error?: string }>('wasmWarden/watView', { uri: client.uri('bodies.wasm'), func: 1 });
    assert.equal(big.error, undefined);
    assert.equal(big.text.match(/^ {2}i32\.const 7$/gm)?.length, Math.floor((1024 * 1024 - 2) / 3));
    const deep = await client.request<{ text: string; error?: string }>('wasmWarden/watView', { uri: client.uri('bodies.wasm'), func: 2 });
    assert.equal(deep.error, undefined);
    assert.equal(deep.text.match(/^\s*block \$label\d+$/gm)?.length, 100_000);
    assert.match(deep.text, /block \$label99999\n\s+end\n/);
  });

  test('a finding on a small binary lands on its line of the open full view', async () => {
    const wasmUri = client.uri('small.wasm');
    await client.waitForDiagnostics(wasmUri, (d) => d.some((x) => x.code === 'memory-unbounded'), '.wasm diagnostics');
    const view = await client.request<{ text: string; headerOnly: boolean }>('wasmWarden/watView', { uri: wasmUri });
    assert.equal(view.headerOnly, false);
    assert.match(view.text, /i32\.const 7/);
    const viewUri = `wasm-warden-wat:${new URL(wasmUri).pathname}.wat`;
    client.openUri(viewUri, view.text, 'wat');
    const ds = await client.waitForDiagnostics(viewUri, (d) => d.some((x) => x.code === 'memory-unbounded'), 'view diagnostics');
    const mem = ds.find((d) => d.code === 'memory-unbounded')!;
    assert.equal(mem.range.start.line, view.text.split('\n').findIndex((l) => /^\s*\(memory/.test(l)));
    client.close(viewUri);
  });
});
