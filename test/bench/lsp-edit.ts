/**
 * Edit to diagnostics over LSP: the real bundled server (dist/server.js via test/lsp/lsp-client.ts),
 * debounce 0 (initializationOptions), a large WAT buffer open. Each sample is the time from a
 * one-character didChange to the next publishDiagnostics for that document.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient } from '../lsp/lsp-client';

export interface EditResult {
  openMs: number;
  samples: number[];
  diagnosticsCount: number;
}

/** Resolves once no diagnostics were published for `uri` during `ms`. */
async function quiet(client: LspClient, uri: string, ms: number): Promise<void> {
  for (;;) {
    const d = client.diagnostics.get(uri);
    await new Promise((r) => setTimeout(r, ms));
    if (client.diagnostics.get(uri) === d) return;
  }
}

export async function editToDiagnostics(watFile: string, edits: number): Promise<EditResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bench-lsp-'));
  const text = fs.readFileSync(watFile, 'utf8');
  fs.writeFileSync(path.join(dir, 'big.wat'), text);
  const client = await LspClient.start(dir, { debounceMs: 0 });
  try {
    const t0 = performance.now();
    const uri = client.open('big.wat', text, 'wat');
    await client.waitFor(() => client.diagnostics.has(uri), 'first diagnostics', 120_000);
    const openMs = performance.now() - t0;
    // the server may publish more than once after opening (e.g. again when its configuration arrives):
    // wait until it has been quiet, so no late publish is taken for an edit's answer
    await quiet(client, uri, 1500);
    // edit inside a comment-free spot: append/remove a space at the end of a line in the middle of the buffer
    const lines = text.split('\n');
    const line = Math.floor(lines.length / 2);
    const character = lines[line].length;
    const samples: number[] = [];
    for (let i = 0; i < edits; i++) {
      const before = client.diagnostics.get(uri);
      const insert = i % 2 === 0;
      const t = performance.now();
      client.change(
        uri,
        insert ? ' ' : '',
        insert
          ? { start: { line, character }, end: { line, character } }
          : { start: { line, character }, end: { line, character: character + 1 } },
      );
      await client.waitFor(() => client.diagnostics.get(uri) !== before, 'diagnostics after edit', 120_000);
      samples.push(performance.now() - t);
      await quiet(client, uri, 300);
    }
    return { openMs, samples, diagnosticsCount: client.diagnostics.get(uri)?.length ?? 0 };
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
