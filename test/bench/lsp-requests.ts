/**
 * Request latency over LSP on a large WAT buffer: the real bundled server, the buffer opened and its
 * first diagnostics in, then each request sent `n` times in turn (the time from sending to the answer).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient } from '../lsp/lsp-client';

export interface LspRequest {
  /** a label for the bench row */
  op: string;
  method: string;
  /** the request's params, given the document's URI and text */
  params: (uri: string, text: string) => unknown;
  /** a short description of the answer (its size), for the row's note */
  describe?: (answer: unknown) => string;
}

export interface RequestTimes {
  op: string;
  samples: number[];
  note: string;
}

export async function requestLatency(watFile: string, requests: LspRequest[], n: number): Promise<RequestTimes[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bench-req-'));
  const text = fs.readFileSync(watFile, 'utf8');
  fs.writeFileSync(path.join(dir, 'big.wat'), text);
  const client = await LspClient.start(dir, { debounceMs: 0 });
  try {
    const uri = client.open('big.wat', text, 'wat');
    await client.waitFor(() => client.diagnostics.has(uri), 'first diagnostics', 120_000);
    const out: RequestTimes[] = [];
    for (const r of requests) {
      const samples: number[] = [];
      let note = '';
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const answer = await client.request(r.method, r.params(uri, text));
        samples.push(performance.now() - t);
        note = r.describe?.(answer) ?? '';
      }
      out.push({ op: r.op, samples, note });
    }
    return out;
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
