/**
 * A cloned repository must not be able to take the language server down (issue 23): the real bundled
 * server, with inputs generated here at the sizes (never committed).
 *
 * - A crafted 32 MB module (32 million empty custom sections) and a WAT of 300,000 functions (seconds of
 *   work) in the workspace: while the scan reads them, a request on a small WAT answers within the
 *   issue's 1 s budget (asserted with a wide margin: it is answered before the scan ends at all); under a
 *   100 ms budget the WAT gets a budget finding instead of results. Under the default budgets the crafted
 *   module is read through (its sections counted, not listed) with the server under 1 GB.
 * - A 100 MB WAT opened in the editor: the server survives, shows a notice and an outline from a quick
 *   scan, and later requests work.
 * - Memory: the server process's peak RSS (VmHWM, worker threads included) stays under 1 GB, and its
 *   RSS goes back near where it started once the hostile files are gone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient, type PublishedDiagnostic } from './lsp-client';

const MB = 1024 * 1024;

/** VmRSS / VmHWM of a process, in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

const SMALL = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 2)
  (func $main (export "_start")
    (drop (call $fd_write (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))))
`;

/** A valid header followed by `bytes` zero bytes: each zero pair is an empty custom section. */
function craftedModule(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const zeros = Buffer.alloc(4 * MB);
    for (let done = 0; done < bytes; done += zeros.length) fs.writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - done));
  } finally {
    fs.closeSync(fd);
  }
}

/** 300,000 empty functions: seconds to parse and check, far past a 100 ms budget on any machine. */
const HEAVY = `(module ${'(func)'.repeat(300_000)})`;

/** An honest WAT module of at least `bytes` characters: many small functions, as a disassembler writes them. */
function bigWat(bytes: number): string {
  const parts = ['(module\n  (memory $mem 1 2)\n'];
  let size = parts[0].length;
  for (let n = 0; size < bytes; n++) {
    const f = `  (func $f${n} (param $a i32) (param $b i32) (result i32)\n    local.get $a\n    local.get $b\n    i32.add\n    i32.const ${n}\n    i32.mul\n  )\n`;
    parts.push(f);
    size += f.length;
  }
  parts.push(')\n');
  return parts.join('');
}

const codes = (ds: PublishedDiagnostic[] | undefined) => (ds ?? []).map((d) => String(d.code));

describe('the language server under hostile and huge files', () => {
  let client: LspClient;
  let root: string;
  let baseline: number;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-budget-'));
    fs.writeFileSync(path.join(root, 'small.wat'), SMALL);
    // the shortest time budget (100 ms, from the moment the worker thread has the file): the heavy WAT
    // is stopped within the test's time, and the scan still runs for the worker's start-up plus the
    // crafted module's read plus 100 ms after it has begun
    client = await LspClient.start(root, {}, { wasmWarden: { debounceMs: 0, analysis: { timeoutMs: 100 } } });
    await client.waitForNotification('wasmWarden/scanDone', true);
    baseline = memoryOf(client.pid!).rss;
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a request answers while the scan reads a crafted 32 MB module and a heavy WAT, which gets a budget finding', async (t) => {
    craftedModule(path.join(root, 'crafted.wasm'), 32 * MB);
    fs.writeFileSync(path.join(root, 'heavy.wat'), HEAVY);
    const progressBefore = client.notifications.length;
    const scanDone = client.waitForNotification('wasmWarden/scanDone');
    const rescan = client.executeCommand('wasmWarden.server.rescanWorkspace', {});
    // the scan has begun (it asks for its work-done progress first)
    await client.waitFor(() => client.notifications.slice(progressBefore).some((n) => n.method === 'window/workDoneProgress/create'), 'the scan to begin');
    let scanEnded = false;
    void scanDone.then(() => (scanEnded = true));
    const uri = client.open('small.wat', SMALL);
    const started = Date.now();
    const symbols = await client.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 20 } });
    const waited = Date.now() - started;
    t.diagnostic(`requests answered in ${waited} ms during the scan`);
    assert.ok(!scanEnded, 'the requests were answered while the scan was still running');
    assert.ok(waited < 1000, `documentSymbol and hover answered in ${waited} ms during the scan (budget: 1 s)`);
    assert.equal(symbols.length, 1);
    assert.match(hover!.contents.value, /fd_write/);
    await rescan;
    await scanDone;

    const found = await client.waitForDiagnostics(client.uri('heavy.wat'), (d) => d.some((x) => /^analysis-(time|memory)-budget$/.test(String(x.code))), 'a budget finding');
    const finding = found.find((x) => /^analysis-(time|memory)-budget$/.test(String(x.code)))!;
    assert.equal(finding.severity, 2, 'a warning: the policy findings of the file are unknown');
    assert.match(finding.message, /Not analysed/);
    assert.match(finding.message, /wasm-warden check/, 'says how to analyse it anyway');
    assert.ok(!finding.codeDescription, 'not a policy rule: no rule page');
    const actions = await client.request<{ title: string }[]>('textDocument/codeAction', {
      textDocument: { uri: client.uri('heavy.wat') },
      range: finding.range,
      context: { diagnostics: [finding] },
    });
    assert.ok(!actions.some((a) => /analysis-/.test(a.title)), `no "set the rule's severity" fix: ${actions.map((a) => a.title)}`);
  });

  test('with the default budgets the crafted module is read through, and the server peaks under 1 GB', async (t) => {
    // back to the default budgets (5 s, 512 MB of heap): the server re-reads its settings and checks again;
    // the heavy WAT is removed first (under 5 s it might be stopped or not, depending on the machine)
    fs.rmSync(path.join(root, 'heavy.wat'));
    client.filesChanged([{ rel: 'heavy.wat', type: 3 }]);
    await client.waitForDiagnostics(client.uri('heavy.wat'), (d) => d.length === 0, 'the heavy WAT cleared');
    client.config.wasmWarden = { debounceMs: 0 };
    const started = Date.now();
    const scanDone = client.waitForNotification('wasmWarden/scanDone');
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.executeCommand('wasmWarden.server.rescanWorkspace', {});
    await scanDone;
    // read through: findings of its own (its sections are counted past the first 1000), none of a budget
    const budget = (d: PublishedDiagnostic) => /^analysis-(time|memory)-budget$/.test(String(d.code));
    // the rescan under the default budgets has published the module's findings before it said it was done
    const ds = client.diagnostics.get(client.uri('crafted.wasm')) ?? [];
    assert.ok(ds.length > 0, 'the crafted module has findings');
    t.diagnostic(`${ds.length} findings (${[...new Set(codes(ds))].join(', ')}) after ${Date.now() - started} ms`);
    assert.ok(!ds.some(budget), `within the default budgets: ${codes(ds)}`);
    const { peak } = memoryOf(client.pid!);
    t.diagnostic(`server peak RSS ${Math.round(peak / MB)} MB (baseline RSS ${Math.round(baseline / MB)} MB)`);
    assert.ok(peak < 1024 * MB, `peak RSS ${Math.round(peak / MB)} MB`);
  });

  test('memory goes back near its baseline once the crafted module is gone', async (t) => {
    fs.rmSync(path.join(root, 'crafted.wasm'));
    client.filesChanged([{ rel: 'crafted.wasm', type: 3 }]);
    await client.waitForDiagnostics(client.uri('crafted.wasm'), (d) => d.length === 0, 'the crafted module cleared');
    // the request round trip after the removal: the server has handled it
    await client.request('textDocument/documentSymbol', { textDocument: { uri: client.uri('small.wat') } });
    // the stopped worker thread's heap is released as the thread is torn down: poll the RSS until it is
    // back near where it started, for at most 15 s
    const started = Date.now();
    let rss = memoryOf(client.pid!).rss;
    while (rss >= baseline + 100 * MB && Date.now() - started < 15_000) {
      await new Promise((r) => setTimeout(r, 100));
      rss = memoryOf(client.pid!).rss;
    }
    t.diagnostic(`server RSS ${Math.round(rss / MB)} MB ${Date.now() - started} ms after the removal, ${Math.round(baseline / MB)} MB at the start`);
    assert.ok(rss < baseline + 100 * MB, `RSS ${Math.round(rss / MB)} MB after, ${Math.round(baseline / MB)} MB at the start`);
  });

  test('900 KiB of `)` after 1500 unknown locals (within the token limit): at most 1000 findings published, plus the summaries', async () => {
    // two codes over the engine's 1000 per code: each gets its summary ("... and K more"), and the
    // server publishes at most 1000 of the other findings, then one that counts the rest
    const text = `(module (func ${'(local.get $x) '.repeat(1500)}))` + ')'.repeat(900 * 1024);
    const uri = client.open('parens.wat', text);
    const ds = await client.waitForDiagnostics(uri, (d) => d.length > 0, 'findings of the parens');
    assert.ok(!ds.some((d) => d.code === 'analysis-size-limit'), 'analysed in full');
    const summaries = ds.filter((d) => /^\.\.\. and \d+ more '/.test(d.message));
    assert.deepEqual(summaries.map((d) => d.code).sort(), ['wat-unbalanced-paren', 'wat-unknown-id']);
    assert.match(summaries.find((d) => d.code === 'wat-unbalanced-paren')!.message, /^\.\.\. and \d{6} more 'wat-unbalanced-paren' findings/);
    const capped = ds.filter((d) => d.code === 'analysis-findings-capped');
    assert.equal(capped.length, 1);
    assert.match(capped[0].message, /^1000 more findings in this file are not shown \(the first 1000 are\)/);
    assert.equal(ds.length, 1000 + summaries.length + 1, `${ds.length} diagnostics published`);
    const small = await client.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri: client.uri('small.wat') } });
    assert.equal(small.length, 1);
    client.close(uri);
  });

  test('a 100 MB WAT opened in the editor: notice, outline, and the server keeps answering', async (t) => {
    const text = bigWat(100 * MB);
    const uri = client.open('huge.wat', text);
    let t0 = Date.now();
    const ds = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'analysis-size-limit'), 'the size notice');
    t.diagnostic(`notice ${Date.now() - t0} ms after didOpen (the 100 MB text sent over JSON-RPC included)`);
    t0 = Date.now();
    const notice = ds.find((x) => x.code === 'analysis-size-limit')!;
    assert.equal(notice.severity, 3, 'information: the file is fine, its analysis is off');
    assert.match(notice.message, /Full analysis is off for this file: it is 100\.\d MB, over the 20\.0 MB limit/);
    assert.match(notice.message, /wasmWarden\.analysis\.maxFileSizeMB/);

    const outline = await client.request<{ name: string; children: { name: string }[] }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(outline[0].children[0].name, '$mem');
    assert.equal(outline[0].children[1].name, '$f0');
    assert.ok(outline[0].children.length >= 10_000, `${outline[0].children.length} fields listed`);
    assert.match(outline[1].name, /^\.\.\. more fields not listed/);
    t.diagnostic(`outline in ${Date.now() - t0} ms`);
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 6 } });
    assert.equal(hover, null, 'no hover without the full analysis');

    // an edit: the notice stays, and the small file is still served
    client.change(uri, ';; edited\n', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    const small = await client.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri: client.uri('small.wat') } });
    assert.equal(small.length, 1);
    client.close(uri);
    assert.ok(client.alive, 'the server is still running');
    const peak = memoryOf(client.pid!).peak;
    t.diagnostic(`server peak RSS ${Math.round(peak / MB)} MB`);
    assert.ok(peak < 1024 * MB, `peak RSS ${Math.round(peak / MB)} MB`);
  });
});
