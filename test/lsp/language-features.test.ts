/**
 * Language features over LSP: outline, folding, go to definition, references, hover (identifiers and
 * imports with their WASI capability and policy verdict), the WAT view of a binary, quick fixes, and
 * the inspect / policy commands.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { LspClient, workspaceCopy, type PublishedDiagnostic } from './lsp-client';

const wabt = require('wabt')();

type Range = PublishedDiagnostic['range'];
interface Sym { name: string; kind: number; range: Range; children?: Sym[] }

function positionOf(text: string, needle: string, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not found`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('language features over LSP', () => {
  let client: LspClient;
  let root: string;
  let text: string;
  let uri: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    const w = await wabt;
    const mod = w.parseWat('m.wat', '(module (import "env" "<img src=x onerror=alert(1)>" (func $evil)) (memory (export "mem") 1) (func $f (export "f") (param i32) (result i32) local.get 0) (func (call $evil)))');
    mod.resolveNames();
    fs.writeFileSync(path.join(root, 'named.wasm'), mod.toBinary({ write_debug_names: true }).buffer);
    mod.destroy();
    client = await LspClient.start(root);
    text = fs.readFileSync(path.join(root, 'app.wat'), 'utf8');
    uri = client.open('app.wat');
    await client.waitForDiagnostics(uri, (d) => d.length > 0);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('outline lists the module fields with their names', async () => {
    const symbols = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const names = JSON.stringify(symbols.map((s) => [s.name, ...(s.children ?? []).map((c) => c.name)]));
    for (const n of ['$add', '$main', '$mem', '$counter']) assert.ok(names.includes(n), `${n} in ${names}`);
  });

  test('folding ranges cover multi-line functions', async () => {
    const ranges = await client.request<{ startLine: number; endLine: number }[]>('textDocument/foldingRange', { textDocument: { uri } });
    const add = positionOf(text, '(func $add').line;
    assert.ok(ranges.some((r) => r.startLine === add && r.endLine === add + 3), JSON.stringify(ranges));
  });

  test('go to definition of a call target, a local and a global', async () => {
    const def = async (needle: string, nth = 0) =>
      (await client.request<{ range: Range }[]>('textDocument/definition', { textDocument: { uri }, position: positionOf(text, needle, nth) }))[0]?.range;
    assert.deepEqual((await def('$add (i32.const'))?.start, positionOf(text, '$add (param'));
    assert.deepEqual((await def('$a\n'))?.start, positionOf(text, '$a i32'));
    assert.deepEqual((await def('$counter (call'))?.start, positionOf(text, '$counter (mut'));
    assert.deepEqual((await def('$fd_write (i32'))?.start, positionOf(text, '$fd_write (param'));
  });

  test('find references of a function', async () => {
    const refs = await client.request<{ range: Range }[]>('textDocument/references', {
      textDocument: { uri },
      position: positionOf(text, '$add (param'),
      context: { includeDeclaration: true },
    });
    assert.equal(refs.length, 2);
  });

  test('hover shows a function signature, and an import\'s capability and verdict', async () => {
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, '$add (i32.const') });
    assert.match(h.contents.value, /param/);
    assert.match(h.contents.value, /result i32/);
    const imp = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, '"path_open"') });
    assert.match(imp.contents.value, /filesystem/);
    assert.match(imp.contents.value, /\*\*Denied\*\* by the workspace policy \(` import-not-allowed `\)/);
    // the finding's message is not repeated (the editor shows the diagnostic in the same hover), and no emoji
    assert.doesNotMatch(imp.contents.value, /is denied by the pattern/);
    assert.doesNotMatch(imp.contents.value, /\p{Extended_Pictographic}/u);
    const ok = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, '"fd_write"') });
    assert.match(ok.contents.value, /\*\*Allowed\*\* by the workspace policy/);
  });

  test('quick fixes: allow an import in the policy, add a memory maximum, never a no-op', async () => {
    type Action = { title: string; isPreferred?: boolean; edit?: { changes?: Record<string, { newText: string }[]> } };
    const actionsFor = async (u: string) => {
      const ds = client.diagnostics.get(u)!;
      return client.request<Action[]>('textDocument/codeAction', { textDocument: { uri: u }, range: ds[0].range, context: { diagnostics: ds } });
    };
    const app = await actionsFor(uri);
    // path_open is denied by the glob path_*: the fix allows that one import (the glob narrowed to the
    // other path_* functions, by name), not the whole rule; it is the preferred fix
    const one = app.find((a) => /Allow only this import \(wasi_snapshot_preview1\.path_open\)/.test(a.title));
    assert.ok(one, app.map((a) => a.title).join(' | '));
    assert.equal(one.isPreferred, true);
    const narrowed = Object.values(one.edit!.changes!)[0].map((e) => e.newText).join('');
    assert.match(narrowed, /\{path_\w+(,path_\w+)+\}/, narrowed);
    assert.doesNotMatch(narrowed, /path_open/, narrowed);
    assert.ok(app.some((a) => /Add a maximum/.test(a.title)), 'memory maximum fix offered');
    assert.ok(app.some((a) => /Set rule import-not-allowed to "warning"/.test(a.title)));
    // a socket import is refused by the capability switch (default policy): the fix switches it on
    const sock = client.open('sock.wat', '(module (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32 i32) (result i32))) (memory 1 1))', 'wat');
    await client.waitForDiagnostics(sock, (d) => d.some((x) => x.code === 'wasi-capability-denied'));
    const allow = (await actionsFor(sock)).find((a) => /Allow only this import \(wasi_snapshot_preview1\.sock_accept\)/.test(a.title));
    assert.ok(allow);
    const edits = Object.values(allow.edit!.changes!)[0];
    assert.ok(edits.some((e) => /"sockets": true/.test(e.newText)), JSON.stringify(edits));
  });

  test('the WAT view of a binary shows its header with names escaped as WAT strings', async () => {
    const view = await client.request<{ text: string; summary: string; error?: string }>('wasmWarden/watView', { uri: client.uri('named.wasm') });
    assert.equal(view.error, undefined);
    assert.match(view.text, /\(import "env" "<img src=x onerror=alert\(1\)>"/);
    assert.match(view.text, /\(memory/);
    assert.match(view.text, /\(export "mem"/);
    // a small module is shown fully disassembled, bodies included
    assert.match(view.text, /local\.get/);
    const body = await client.request<{ text: string }>('wasmWarden/watView', { uri: client.uri('named.wasm'), func: 1 });
    assert.match(body.text, /local\.get/);
  });

  test('findings on a binary are marked at the matching place of its WAT view while it is open, listed once, and go back when it closes', async () => {
    const wasmUri = client.uri('named.wasm');
    await client.waitForDiagnostics(wasmUri, (d) => d.some((x) => x.code === 'memory-unbounded'), '.wasm diagnostics');
    const view = await client.request<{ text: string }>('wasmWarden/watView', { uri: wasmUri });
    const viewUri = URI.from({ scheme: 'wasm-warden-wat', path: URI.file(path.join(root, 'named.wasm')).path + '.wat' }).toString();
    // the editor opens the view's document with the text it was given
    client.openUri(viewUri, view.text, 'wat');
    const ds = await client.waitForDiagnostics(viewUri, (d) => d.some((x) => x.code === 'memory-unbounded'), 'view diagnostics');
    const mem = ds.find((d) => d.code === 'memory-unbounded')!;
    const memoryLine = view.text.split('\n').findIndex((l) => /^\s*\(memory/.test(l));
    assert.ok(memoryLine >= 0);
    assert.equal(mem.range.start.line, memoryLine);
    // one entry per problem: the .wasm does not repeat what its open view shows
    await client.waitForDiagnostics(wasmUri, (d) => !d.some((x) => x.code === 'memory-unbounded'), '.wasm without the view\'s findings');
    // closed: nothing left on the view, and the .wasm has its findings again
    client.close(viewUri);
    await client.waitForDiagnostics(viewUri, (d) => d.length === 0, 'view cleared');
    await client.waitForDiagnostics(wasmUri, (d) => d.some((x) => x.code === 'memory-unbounded'), '.wasm diagnostics back');
  });

  test('inspect returns imports with verdicts, memories and sections', async () => {
    const r = await client.executeCommand<{ imports: { module: string; name: string; capability?: string; findings: unknown[] }[]; memories: unknown[]; sections: unknown[] }>(
      'wasmWarden.server.inspect',
      { uri: client.uri('app.wat') },
    );
    const pathOpen = r.imports.find((i) => i.name === 'path_open')!;
    assert.equal(pathOpen.capability, 'filesystem-read');
    assert.ok(pathOpen.findings.length > 0);
    assert.ok(r.imports.find((i) => i.name === 'fd_write')!.findings.length === 0);
    const bin = await client.executeCommand<{ sections: { name: string }[] }>('wasmWarden.server.inspect', { uri: client.uri('named.wasm') });
    assert.ok(bin.sections.some((s) => s.name === 'import'));
  });

  test('write default policy never overwrites an existing file unless asked', async () => {
    const r = await client.executeCommand<{ written: boolean; exists?: boolean }>('wasmWarden.server.writeDefaultPolicy', { uri: client.uri('app.wat') });
    assert.equal(r.written, false);
    assert.equal(r.exists, true);
    assert.match(fs.readFileSync(path.join(root, 'wasm-warden.policy.json'), 'utf8'), /path_\*/, 'untouched');
  });

  test('baseline policy allows exactly what the modules use', async () => {
    fs.rmSync(path.join(root, 'wasm-warden.policy.json'));
    const r = await client.executeCommand<{ written: boolean; text: string }>('wasmWarden.server.writeBaselinePolicy', { uri: client.uri('app.wat') });
    assert.equal(r.written, true);
    const policy = JSON.parse(r.text);
    assert.ok(JSON.stringify(policy.imports).includes('path_open'));
  });
});
