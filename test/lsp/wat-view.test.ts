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
    // 4 MB: its view is headers only, larger than a first page (read in pages)
    fs.writeFileSync(path.join(root, 'headers.wasm'), moduleOf(new Array(8000).fill(flatBody(500))));
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

  /** The rest of a paged view, page by page from the end of its first page, joined to it. */
  async function readPages(params: { uri: string; func?: number; module?: number }, first: { text: string; version?: string }, chars: number): Promise<{ text: string; pages: number }> {
    const parts = [first.text];
    let at = first.text.length;
    for (let pages = 1; ; pages++) {
      const page = await client.request<{ text: string; complete: boolean; totalChars: number; error?: string; stale?: boolean }>('wasmWarden/watViewPage', {
        ...params,
        version: first.version,
        start: at,
        chars,
      });
      assert.equal(page.error, undefined);
      assert.ok(page.text.length > 0, 'every page brings text');
      parts.push(page.text);
      at += page.text.length;
      if (page.complete) {
        assert.equal(at, page.totalChars);
        return { text: parts.join(''), pages: pages + 1 };
      }
      assert.ok(page.text.endsWith('\n'), 'a page ends with a line');
    }
  }

  test('a view larger than a page arrives in pages: the first answers the request, all of them joined are the whole view', async () => {
    // cold: the first page is printed on its own, the rest comes from the view rendered for it
    const uri = client.uri('headers.wasm');
    const first = await client.request<{ text: string; complete?: boolean; version?: string; headerOnly: boolean; summary: string }>('wasmWarden/watView', { uri, pageChars: 50_000 });
    assert.equal(first.complete, false);
    assert.equal(first.headerOnly, true);
    assert.match(first.summary, /functions 8000 defined/);
    assert.ok(first.text.length >= 50_000 && first.text.length < 51_000, String(first.text.length));
    const paged = await readPages({ uri }, first, 200_000);
    assert.ok(paged.pages > 2, `${paged.pages} pages`);
    const whole = await client.request<{ text: string; headerOnly: boolean }>('wasmWarden/watView', { uri });
    assert.equal(paged.text, whole.text);
    assert.equal(whole.text.match(/^ {2}\(func /gm)?.length, 8000);
    // warm: the first page is the rendered view's
    const again = await client.request<{ text: string; complete?: boolean }>('wasmWarden/watView', { uri, pageChars: 50_000 });
    assert.equal(again.text, first.text);
  });

  test('a body on demand in pages: a 1 MB body\'s first page at once, then the rest; a small view in one page', async () => {
    const uri = client.uri('bodies.wasm');
    const whole = await client.request<{ text: string }>('wasmWarden/watView', { uri, func: 1 });
    const first = await client.request<{ text: string; complete?: boolean; version?: string; error?: string }>('wasmWarden/watView', { uri, func: 1, pageChars: 100_000 });
    assert.equal(first.error, undefined);
    assert.equal(first.complete, false);
    assert.match(first.text, /^\(func \(;1;\) \(type 0\)\n {2}i32\.const 7\n {2}drop\n/);
    assert.ok(first.text.length < 101_000);
    const paged = await readPages({ uri, func: 1 }, first, 2_000_000);
    assert.equal(paged.text, whole.text);
    // a body that fits in the page is complete in the first answer
    const small = await client.request<{ text: string; complete?: boolean }>('wasmWarden/watView', { uri, func: 0, pageChars: 100_000 });
    assert.equal(small.complete, true);
    assert.equal(small.text, (await client.request<{ text: string }>('wasmWarden/watView', { uri, func: 0 })).text);
    // a body that cannot be printed says why, in one page
    const none = await client.request<{ text: string; complete?: boolean; error?: string }>('wasmWarden/watView', { uri, func: 9, pageChars: 100_000 });
    assert.equal(none.complete, true);
    assert.match(none.error ?? '', /no such function/);
  });

  test('a paged view opened with its first page, then grown to the whole text: its findings are published on it again', async () => {
    const uri = client.uri('headers.wasm');
    const first = await client.request<{ text: string; complete?: boolean; version?: string }>('wasmWarden/watView', { uri, pageChars: 50_000 });
    assert.equal(first.complete, false);
    // the scan's check is done and the view rendered (by its pages) before it opens: the check at its
    // opening is then the one publication on it, and any later one is the server's answer to its change
    await client.waitForNotification('wasmWarden/scanDone', true);
    const whole = await readPages({ uri }, first, 4_000_000);
    const viewUri = `wasm-warden-wat:${new URL(uri).pathname}.wat`;
    client.openUri(viewUri, first.text, 'wat');
    const ds = await client.waitForDiagnostics(viewUri, (d) => d.some((x) => x.code === 'memory-unbounded'), 'view diagnostics');
    // what the server publishes from now on is what it sends again (the last publication is forgotten here)
    client.diagnostics.delete(viewUri);
    client.change(viewUri, whole.text);
    const again = await client.waitForDiagnostics(viewUri, () => true, 'the view\'s findings sent again');
    assert.deepEqual(again, ds);
    client.close(viewUri);
  });

  test('a page of a module that changed since its first page is stale (the client asks again)', async () => {
    const file = path.join(root, 'changing.wasm');
    fs.writeFileSync(file, moduleOf(new Array(2000).fill(flatBody(40))));
    const uri = client.uri('changing.wasm');
    const first = await client.request<{ text: string; complete?: boolean; version?: string }>('wasmWarden/watView', { uri, pageChars: 1000 });
    assert.equal(first.complete, false);
    fs.writeFileSync(file, moduleOf(new Array(3000).fill(flatBody(40))));
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const page = await client.request<{ stale?: boolean; error?: string }>('wasmWarden/watViewPage', { uri, version: first.version, start: first.text.length, chars: 1000 });
    assert.equal(page.stale, true);
    assert.match(page.error ?? '', /changed/);
    const body = await client.request<{ stale?: boolean }>('wasmWarden/watViewPage', { uri, func: 1, version: first.version, start: 10, chars: 1000 });
    assert.equal(body.stale, true);
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
