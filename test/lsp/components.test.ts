/**
 * Components over LSP (issue 18): their findings are published like a module's, their view is the
 * WIT-style text of their world with findings marked at the import they concern, an outline and
 * hovers; a nested core module opens as WAT; sign and verify take components.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { LspClient, workspaceCopy } from './lsp-client';
import { assembleComponent, NETWORK_COMPONENT_WAT } from '../unit/component/component-fixtures';

interface Sym { name: string; kind: number; range: { start: { line: number } }; children?: Sym[] }

describe('components over LSP', () => {
  let client: LspClient;
  let root: string;
  let wasmUri: string;
  let viewUri: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    fs.writeFileSync(path.join(root, 'net.wasm'), await assembleComponent(NETWORK_COMPONENT_WAT));
    client = await LspClient.start(root);
    wasmUri = client.uri('net.wasm');
    viewUri = URI.from({ scheme: 'wasm-warden-wat', path: URI.file(path.join(root, 'net.wasm')).path + '.wat' }).toString();
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the scan publishes the component\'s findings on the .wasm', async () => {
    const ds = await client.waitForDiagnostics(wasmUri, (d) => d.some((x) => x.code === 'wasi-capability-denied'), 'component findings');
    const messages = ds.map((d) => d.message).join('\n');
    assert.match(messages, /Import wasi:sockets\/tcp@0\.2\.3 needs the WASI capability "sockets"/);
    assert.match(messages, /Import wasi:http\/outgoing-handler@0\.2\.3 needs the WASI capability "http-outgoing"/);
  });

  test('the view shows the world as WIT, findings at their import, an outline and hovers', async () => {
    const view = await client.request<{ text: string; summary: string; error?: string }>('wasmWarden/watView', { uri: wasmUri });
    assert.equal(view.error, undefined);
    assert.match(view.text, /^\/\/ WebAssembly component/);
    assert.match(view.text, /\nworld component \{\n {2}import wasi:sockets\/tcp@0\.2\.3 \{\n {4}connect: func\(host: string\) -> u32;\n {2}\}/);
    assert.match(view.text, /import log: func\(msg: string\);/);
    assert.match(view.text, /\/\/ core module 0 @0x[0-9a-f]+/);
    assert.match(view.summary, /imports 5, exports 0, core modules 1/);
    const lines = view.text.split('\n');
    const tcpLine = lines.findIndex((l) => l.includes('import wasi:sockets/tcp@0.2.3'));

    client.openUri(viewUri, view.text, 'wat');
    const ds = await client.waitForDiagnostics(viewUri, (d) => d.some((x) => x.code === 'wasi-capability-denied'), 'view diagnostics');
    const tcp = ds.find((d) => /wasi:sockets\/tcp/.test(d.message))!;
    assert.equal(tcp.range.start.line, tcpLine);
    // not parsed as WAT: no syntax findings on the WIT text
    assert.ok(!ds.some((d) => d.code === 'wat-syntax'), JSON.stringify(ds));

    const symbols = await client.request<Sym[]>('textDocument/documentSymbol', { textDocument: { uri: viewUri } });
    const world = symbols.find((s) => s.name === 'world component')!;
    assert.deepEqual(world.children!.map((c) => c.name), ['wasi:sockets/tcp@0.2.3', 'wasi:http/outgoing-handler@0.2.3', 'wasi:random/random@0.2.3', 'wasi:randomly/thing@0.2.3', 'log']);
    assert.deepEqual(world.children![0].children!.map((c) => c.name), ['connect']);
    assert.ok(symbols.some((s) => s.name === 'core module 0'));

    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: viewUri }, position: { line: tcpLine, character: 10 } });
    assert.match(hover.contents.value, /\*\*import\*\* ` ?wasi:sockets\/tcp@0\.2\.3 ?` \(interface\)/);
    assert.match(hover.contents.value, /capability \*\*sockets\*\*/);
    assert.match(hover.contents.value, /\*\*Denied\*\* by the workspace policy \(` ?wasi-capability-denied ?`\)/);
    const logLine = lines.findIndex((l) => l.includes('import log:'));
    const log = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: viewUri }, position: { line: logLine, character: 10 } });
    assert.match(log.contents.value, /\*\*Allowed\*\*/);
    client.close(viewUri);
    await client.waitForDiagnostics(wasmUri, (d) => d.some((x) => x.code === 'wasi-capability-denied'), '.wasm findings back');
  });

  test('a nested core module opens as WAT', async () => {
    const view = await client.request<{ text: string; error?: string }>('wasmWarden/watView', { uri: wasmUri, module: 0 });
    assert.equal(view.error, undefined);
    assert.match(view.text, /^;; core module 0 of net\.wasm/);
    assert.match(view.text, /\(import "wasi_snapshot_preview1" "sock_send"/);
    const missing = await client.request<{ error?: string }>('wasmWarden/watView', { uri: wasmUri, module: 5 });
    assert.match(missing.error ?? '', /no core module 5/);
  });

  test('sign and verify a component from the editor', async () => {
    const sk = path.join(root, 'keys', 'c.key');
    const pk = path.join(root, 'keys', 'c.pub');
    await client.executeCommand('wasmWarden.server.keygen', { secretKey: sk, publicKey: pk });
    const signed = await client.executeCommand<{ signed: boolean }>('wasmWarden.server.sign', { uri: wasmUri, secretKey: sk });
    assert.equal(signed.signed, true);
    const ok = await client.executeCommand<{ verified: boolean }>('wasmWarden.server.verify', { uri: wasmUri, publicKeys: [pk] });
    assert.equal(ok.verified, true);
    const inspected = await client.executeCommand<{ kind: string; component?: { modules: unknown[] } }>('wasmWarden.server.inspect', { uri: wasmUri });
    assert.equal(inspected.kind, 'component');
    assert.equal(inspected.component!.modules.length, 1);
  });
});
