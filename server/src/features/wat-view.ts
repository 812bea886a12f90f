/**
 * The WAT view of a `.wasm`: `wasmWarden/watView` (the read-only text: header at once, bodies on
 * demand) and `wasmWarden/functions` (the defined functions with their names and sizes, for picking one).
 */
import type { Connection } from 'vscode-languageserver/node';
import { FunctionListRequest, WatViewRequest, type FunctionListParams, type FunctionListResult, type WatViewParams, type WatViewResult } from '../protocol';
import { disassembleFunction, summarizeModule } from '../engine/binary/wat-view';
import { uriToPath } from '../documents';
import type { Workspace } from '../workspace';
import * as path from 'path';
import { readWasm } from '../engine/binary/reader';
import { allNestedModules } from '../engine/component/model';
import { nestedModuleBytes } from '../engine/component/nested-modules';
import { moduleView } from '../engine/operations/module-view';

export function registerWatView(connection: Connection, workspace: () => Workspace): void {
  connection.onRequest(WatViewRequest, async (params: WatViewParams): Promise<WatViewResult> => {
    const file = uriToPath(params.uri);
    if (!file) return { text: ';; not a file', summary: '', headerOnly: true, error: 'not a file URI' };
    if (params.module !== undefined) return nestedModuleView(workspace(), file, params.module);
    let read;
    try {
      read = params.func === undefined ? await workspace().watView(file) : { wasm: workspace().cache.viewedWasm(file), view: undefined };
    } catch (err) {
      const message = (err as Error).message;
      return { text: `;; Wasm Warden could not read this module:\n;; ${comment(message)}\n`, summary: message, headerOnly: true, error: message };
    }
    const { wasm, view } = read;
    const summary = summarizeModule(wasm.read, wasm.size);
    if (params.func === undefined) return { text: view!.text, summary, headerOnly: view!.headerOnly };
    try {
      return { text: await disassembleFunction(wasm.bytes, wasm.read, params.func), summary, headerOnly: false };
    } catch (err) {
      // the module reads fine: only this body was refused, and the text says which and why
      const message = (err as Error).message;
      return { text: `;; ${comment(message)}\n;; (the rest of the module reads fine: see its WAT view and summary)\n`, summary, headerOnly: false, error: message };
    }
  });

  connection.onRequest(FunctionListRequest, async (params: FunctionListParams): Promise<FunctionListResult> => {
    const file = uriToPath(params.uri);
    if (!file) return { functions: [], error: 'not a file URI' };
    try {
      const m = workspace().cache.viewedWasm(file).read.model;
      const exported = new Map<number, string>();
      for (const e of m.exports) if (e.kind === 'func' && !exported.has(e.index)) exported.set(e.index, e.name);
      const functions: [number, number, string][] = [];
      for (const f of m.funcs) {
        if (f.imported) continue;
        const name = f.id ? f.id.slice(1) : (exported.get(f.index) ?? '');
        functions.push([f.index, f.bodySize ?? 0, name]);
      }
      return { functions };
    } catch (err) {
      return { functions: [], error: (err as Error).message };
    }
  });
}

function comment(message: string): string {
  return message.replace(/\n/g, '\n;; ');
}

/** The WAT view of a component's nested core module, rendered from its bytes at their offset. */
async function nestedModuleView(ws: Workspace, file: string, index: number): Promise<WatViewResult> {
  try {
    const wasm = ws.cache.viewedWasm(file);
    const c = wasm.read.model.component;
    if (!c) throw new Error('this is not a component');
    const mod = allNestedModules(c)[index];
    if (!mod) throw new Error(`the component has no core module ${index}`);
    const bytes = nestedModuleBytes(wasm.bytes, mod);
    const read = readWasm(bytes);
    const view = await moduleView(bytes, read);
    const head = `;; core ${mod.path} of ${path.basename(file)}, bytes 0x${mod.start.toString(16)}..0x${mod.end.toString(16)} of the component (offsets below are the module's own)\n`;
    return { text: head + view.text, summary: summarizeModule(read, bytes.length), headerOnly: view.headerOnly };
  } catch (err) {
    const message = (err as Error).message;
    return { text: `;; Wasm Warden could not show this module:\n;; ${comment(message)}\n`, summary: message, headerOnly: true, error: message };
  }
}
