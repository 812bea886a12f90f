/**
 * Hostile WAT over LSP (issue 23), generated at the reported sizes: a function with a million locals
 * (documentSymbol, hover and definition overflowed the stack), expressions nested 100,000 deep, and
 * 2 MiB of `)` (a million diagnostics): every request answers, the diagnostics are capped.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { LspClient, workspaceCopy } from './lsp-client';

interface Sym { name: string; children?: Sym[] }

/** Line and character of an offset of `text`. */
function position(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

describe('hostile WAT over LSP', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    // these texts are over the default analysis limit (20 MB, 1 million tokens), which would answer them
    // from a quick outline; raised, so that the full parser and navigation meet them
    client = await LspClient.start(root, {}, { wasmWarden: { analysis: { maxFileSizeMB: 200 } } });
    await client.waitForNotification('wasmWarden/scanDone', true); // the settings are in force
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('a function with 1,000,000 locals: outline, hover and definition answer', async () => {
    const text = '(module (func $f' + ' (local i32)'.repeat(1_000_000) + ' (local $last i64)\n  local.get $last drop))';
    const uri = client.open('locals.wat', text);
    const symbols = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const f = symbols[0].children!.find((s) => s.name === '$f')!;
    assert.equal(f.children!.length, 1001);
    assert.equal(f.children![1000].name, '... 999001 more params and locals');
    const use = position(text, text.lastIndexOf('$last') + 1);
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: use });
    assert.match(hover.contents.value, /\(local \$last i64\) ;; local 1000000/);
    const defs = await client.request<{ range: { start: { line: number; character: number } } }[]>('textDocument/definition', { textDocument: { uri }, position: use });
    assert.deepEqual(defs.map((d) => d.range.start), [position(text, text.indexOf('$last'))]);
    client.close(uri);
  });

  test('expressions nested 100,000 deep: outline and hover answer', async () => {
    const n = 100_000;
    const text = '(module (func $f ' + '(block $b '.repeat(n) + '(br $b)' + ')'.repeat(n) + '))';
    const uri = client.open('deep.wat', text);
    const symbols = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.ok(JSON.stringify(symbols).includes('$f'));
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: position(text, text.indexOf('br $b') + 4) });
    assert.match(hover.contents.value, /label/);
    client.close(uri);
  });

  test("2 MiB of ')': 1000 diagnostics and one that counts the rest", async () => {
    const uri = client.open('parens.wat', ')'.repeat(2 * 1024 * 1024));
    const diagnostics = await client.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.equal(diagnostics.length, 1001);
    assert.match(diagnostics[1000].message, /^\.\.\. and 2096152 more 'wat-unbalanced-paren' findings/);
    client.close(uri);
  });
});
