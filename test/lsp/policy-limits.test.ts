/**
 * Hostile policy files in the workspace of the real server (issue 23), generated at test time at the
 * sizes an outside fuzzing run used: each one gets one clear diagnostic on the policy file, the last
 * good policy stays in force, hover and documentSymbol on a WAT file answer promptly and without error
 * while it is there, and the server's peak memory stays under the 1 GB budget.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { LspClient, workspaceCopy, type PublishedDiagnostic } from './lsp-client';

const BUDGET_MB = 1024;
/** The budget is 1 s; the margin is for a loaded CI machine. */
const ANSWER_MS = 5_000;
const POLICY = 'wasm-warden.policy.json';

const globList = (n: number) => `{ "imports": { "deny": [${Array.from({ length: n }, (_, i) => `"some_module_${i}.function_*"`).join(',')}] } }`;

const CLASSES: { name: string; text: () => string; code: string; message: RegExp }[] = [
  { name: 'a 10 MB deny list of 365,000 globs', text: () => globList(365_000), code: 'policy-too-large', message: /too large: [\d,]+ bytes, over the limit/ },
  { name: 'one 10 MB glob', text: () => `{ "imports": { "deny": ["${'a'.repeat(10_000_000)}"] } }`, code: 'policy-too-large', message: /too large/ },
  { name: '10 MB of `[`', text: () => '['.repeat(10_000_000), code: 'policy-too-large', message: /too large/ },
  { name: '100,000 nested braces in a glob', text: () => `{ "imports": { "deny": ["${'{'.repeat(100_000)}a${'}'.repeat(100_000)}"] } }`, code: 'policy-bad-glob', message: /the limit is 1,024/ },
  { name: '10,000 nested lists', text: () => '['.repeat(10_000) + ']'.repeat(10_000), code: 'policy-too-deep', message: /more than 64 levels deep/ },
  { name: '100,000 nested objects', text: () => '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), code: 'policy-too-deep', message: /more than 64 levels deep/ },
  { name: '20,000 globs', text: () => globList(20_000), code: 'policy-too-many-globs', message: /More than 10,000 glob patterns/ },
];

/** The server's peak resident memory in MB (Linux: VmHWM; elsewhere its current RSS from ps). */
function peakMB(pid: number): number {
  if (process.platform === 'linux') {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (!m) throw new Error(`no VmHWM in /proc/${pid}/status`);
    return Number(m[1]) / 1024;
  }
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
}

function positionOf(text: string, needle: string): { line: number; character: number } {
  const at = text.indexOf(needle);
  const before = text.slice(0, at).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length + 1 };
}

describe('hostile policy files in the language server', () => {
  let client: LspClient;
  let root: string;
  let appUri: string;
  let appText: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    client = await LspClient.start(root);
    await client.waitForNotification('wasmWarden/scanDone', true);
    appText = fs.readFileSync(path.join(root, 'app.wat'), 'utf8');
    appUri = client.open('app.wat');
    await client.waitForDiagnostics(appUri, (d) => d.some((x) => x.code === 'import-not-allowed'), 'the good policy in force');
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** hover on the denied import and the outline, each timed; both must answer, without error */
  async function requestsAnswer(): Promise<{ hoverMs: number; symbolsMs: number; hover: string }> {
    let t0 = performance.now();
    const h = await client.request<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri: appUri },
      position: positionOf(appText, '"path_open"'),
    });
    const hoverMs = performance.now() - t0;
    t0 = performance.now();
    const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri: appUri } });
    const symbolsMs = performance.now() - t0;
    assert.ok(h?.contents.value, 'hover answers');
    assert.ok(Array.isArray(symbols) && symbols.length > 0, 'documentSymbol answers');
    return { hoverMs, symbolsMs, hover: h.contents.value };
  }

  for (const c of CLASSES) {
    test(`${c.name} on disk: [${c.code}] on the policy, the last good policy kept, requests answered`, async () => {
      fs.writeFileSync(path.join(root, POLICY), c.text());
      client.filesChanged([{ rel: POLICY, type: 2 }]);
      const ds = await client.waitForDiagnostics(client.uri(POLICY), (d) => d.some((x) => x.code === c.code), c.code);
      const errors = ds.filter((d: PublishedDiagnostic) => d.severity === 1);
      assert.equal(errors.length, 1, JSON.stringify(ds).slice(0, 1000));
      assert.match(errors[0].message, c.message);
      assert.ok(errors[0].message.length < 400);
      const r = await requestsAnswer();
      // the last good policy (deny wasi_snapshot_preview1.path_*) still decides
      assert.match(r.hover, /import-not-allowed/);
      assert.ok(client.diagnostics.get(appUri)!.some((d) => d.code === 'import-not-allowed'), 'the open file keeps its finding');
      assert.ok(r.hoverMs < ANSWER_MS && r.symbolsMs < ANSWER_MS, `hover ${r.hoverMs} ms, documentSymbol ${r.symbolsMs} ms`);
      console.log(`${c.name}: hover ${r.hoverMs.toFixed(0)} ms, documentSymbol ${r.symbolsMs.toFixed(0)} ms, server peak ${peakMB(client.pid!).toFixed(0)} MB`);
    });
  }

  test('a 10 MB deny list typed into the open policy buffer: reported, nothing parsed', async () => {
    const uri = client.open(POLICY, globList(365_000), 'json');
    const ds = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'policy-too-large' && /characters/.test(x.message)), 'buffer too large');
    assert.equal(ds.length, 1);
    const r = await requestsAnswer();
    assert.match(r.hover, /import-not-allowed/);
    // a good policy again clears the file's diagnostics and is put in force
    client.change(uri, '{ "imports": { "deny": ["wasi_snapshot_preview1.fd_*"] } }');
    await client.waitForDiagnostics(uri, (d) => d.length === 0, 'policy clean');
    const after = await requestsAnswer();
    assert.doesNotMatch(after.hover, /import-not-allowed/, 'path_open is allowed by the new policy');
    client.close(uri);
  });

  test(`the server's peak memory stayed under ${BUDGET_MB} MB through all of them`, () => {
    const peak = peakMB(client.pid!);
    console.log(`server peak: ${peak.toFixed(0)} MB`);
    assert.ok(peak < BUDGET_MB, `peak ${peak} MB`);
  });
});

describe('a hostile policy already in the workspace when the server starts', () => {
  test('is reported on the policy file without opening it, and the default policy applies', async () => {
    const root = workspaceCopy('lsp-workspace');
    fs.writeFileSync(path.join(root, POLICY), '['.repeat(1_000_000));
    const client = await LspClient.start(root);
    try {
      const ds = await client.waitForDiagnostics(client.uri(POLICY), (d) => d.length > 0, 'policy diagnostics');
      assert.deepEqual(ds.map((d) => d.code), ['policy-too-deep']);
      assert.equal(ds[0].range.start.character, 64);
      const uri = client.open('app.wat');
      const text = fs.readFileSync(path.join(root, 'app.wat'), 'utf8');
      const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, '"path_open"') });
      assert.ok(h.contents.value, 'hover answers');
      assert.doesNotMatch(h.contents.value, /stack|Maximum call/);
      // the default policy: no deny list, so path_open is not refused by name
      assert.doesNotMatch(h.contents.value, /import-not-allowed/);
      assert.match(h.contents.value, /filesystem/);
      assert.ok(peakMB(client.pid!) < BUDGET_MB);
    } finally {
      await client.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
