/**
 * Opening a large `.wasm` in the editor, the language server's side (the real bundled server over
 * JSON-RPC, test/lsp/lsp-client.ts): what the module editor waits for before its summary is on screen
 * (the inspect command, then rendering the panel's HTML), and the WAT view opened beside it (the view's
 * text, and the editor sending it back in didOpen, after which its findings move onto it).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient } from '../lsp/lsp-client';
import { renderInspection } from '../../client/src/panels/inspect-view';
import { largeModule } from '../e2e/large-module';

export interface ModuleOpenResult {
  bytes: number;
  /** inspect request -> answer, per round (the first is cold: nothing of the file cached) */
  inspectMs: number[];
  /** rendering the summary's HTML from the answer */
  renderMs: number[];
  htmlChars: number;
  /** watView request -> answer (first round) and the text's size */
  viewMs: number;
  viewChars: number;
  /** didOpen of the view -> its findings published on it */
  viewDidOpenMs: number;
}

export async function moduleOpen(rounds: number): Promise<ModuleOpenResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bench-open-'));
  const bytes = largeModule();
  fs.writeFileSync(path.join(dir, 'large.wasm'), bytes);
  // a policy that refuses the module's imports, so the view has findings to carry
  fs.writeFileSync(path.join(dir, 'wasm-warden.policy.json'), '{ "imports": { "deny": ["./app_bg.js.__wbg_import_1*"] } }');
  const client = await LspClient.start(dir, { debounceMs: 0 });
  try {
    const uri = client.uri('large.wasm');
    const inspectMs: number[] = [];
    const renderMs: number[] = [];
    let htmlChars = 0;
    for (let i = 0; i < rounds; i++) {
      let t = performance.now();
      const result = await client.executeCommand<Parameters<typeof renderInspection>[0]>('wasmWarden.server.inspect', { uri });
      inspectMs.push(performance.now() - t);
      t = performance.now();
      htmlChars = renderInspection(result, uri).length;
      renderMs.push(performance.now() - t);
    }
    let t = performance.now();
    const view = await client.request<{ text: string }>('wasmWarden/watView', { uri });
    const viewMs = performance.now() - t;
    const viewUri = `wasm-warden-wat:${new URL(uri).pathname}.wat`;
    t = performance.now();
    client.openUri(viewUri, view.text, 'wat');
    await client.waitForDiagnostics(viewUri, (d) => d.length > 0, 'view findings');
    const viewDidOpenMs = performance.now() - t;
    return { bytes: bytes.length, inspectMs, renderMs, htmlChars, viewMs, viewChars: view.text.length, viewDidOpenMs };
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
