/** The `wasmWarden/watView` request: the read-only WAT view of a `.wasm` (header at once, bodies on demand). */
import type { Connection } from 'vscode-languageserver/node';
import { WatViewRequest, type WatViewParams, type WatViewResult } from '../protocol';
import { disassembleFunction, summarizeModule } from '../engine/binary/wat-view';
import { uriToPath } from '../documents';
import type { Workspace } from '../workspace';

export function registerWatView(connection: Connection, workspace: () => Workspace): void {
  connection.onRequest(WatViewRequest, async (params: WatViewParams): Promise<WatViewResult> => {
    const file = uriToPath(params.uri);
    if (!file) return { text: ';; not a file', summary: '', headerOnly: true, error: 'not a file URI' };
    try {
      const { wasm, view } = await workspace().watView(file);
      const summary = summarizeModule(wasm.read, wasm.size);
      if (params.func !== undefined) {
        const text = await disassembleFunction(wasm.bytes, wasm.read, params.func);
        return { text, summary, headerOnly: false };
      }
      return { text: view.text, summary, headerOnly: view.headerOnly };
    } catch (err) {
      const message = (err as Error).message;
      return { text: `;; Wasm Warden could not read this module:\n;; ${message.replace(/\n/g, '\n;; ')}\n`, summary: message, headerOnly: true, error: message };
    }
  });
}
