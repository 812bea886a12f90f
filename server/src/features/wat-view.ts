/**
 * The WAT view of a `.wasm`: `wasmWarden/watView` (the read-only text: header at once, bodies on
 * demand), `wasmWarden/watViewPage` (a large view's text in pages: the first page answers the view's
 * request, printed no further than that, the rest follows page by page) and `wasmWarden/functions`
 * (the defined functions with their names and sizes, for picking one).
 */
import type { Connection } from 'vscode-languageserver/node';
import {
  FunctionListRequest,
  WatViewPageRequest,
  WatViewRequest,
  type FunctionListParams,
  type FunctionListResult,
  type WatViewPageParams,
  type WatViewPageResult,
  type WatViewParams,
  type WatViewResult,
} from '../protocol';
import { disassembleFunction, printFunctionPage, summarizeModule } from '../engine/binary/wat-view';
import type { WasmAnalysis } from '../documents';
import { PagedTexts, pageOf } from '../view-pages';
import { uriToPath } from '../documents';
import type { Workspace } from '../workspace';
import * as path from 'path';
import { readWasm } from '../engine/binary/reader';
import { allNestedModules } from '../engine/component/model';
import { nestedModuleBytes } from '../engine/component/nested-modules';
import { moduleView, moduleViewPage, viewHasBodies } from '../engine/operations/module-view';

export function registerWatView(connection: Connection, workspace: () => Workspace): void {
  const paged = new PagedTexts();
  connection.onRequest(WatViewRequest, async (params: WatViewParams): Promise<WatViewResult> => {
    const file = uriToPath(params.uri);
    if (!file) return { text: ';; not a file', summary: '', headerOnly: true, error: 'not a file URI' };
    if (params.pageChars !== undefined) return firstPage(workspace(), paged, file, params, Math.max(1, Math.floor(Number(params.pageChars) || 1)));
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

  connection.onRequest(WatViewPageRequest, (params: WatViewPageParams) => nextPage(workspace(), paged, params));

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

/** Which reading of a file a paged view belongs to: a page of another one is stale. */
function versionOf(wasm: WasmAnalysis): string {
  return `${wasm.mtimeMs}:${wasm.size}`;
}

function pagedKey(file: string, params: { func?: number; module?: number }): string {
  return params.func !== undefined ? `${file}?func=${params.func}` : `${file}?module=${params.module}`;
}

/**
 * The first page of a view. The whole module's view: sliced from the rendered view when the server
 * has it, else printed up to the page (the whole view is rendered when the rest is asked for, or when
 * the view opens in the editor). A function body: printed up to the page. A nested module's view:
 * rendered whole (it is printed with its bodies only when small) and kept for its pages.
 */
async function firstPage(ws: Workspace, paged: PagedTexts, file: string, params: WatViewParams, pageChars: number): Promise<WatViewResult> {
  let wasm: WasmAnalysis;
  try {
    wasm = ws.cache.viewedWasm(file);
  } catch (err) {
    const message = (err as Error).message;
    return { text: `;; Wasm Warden could not read this module:\n;; ${comment(message)}\n`, summary: message, headerOnly: true, error: message, complete: true };
  }
  const version = versionOf(wasm);
  if (params.module !== undefined) {
    const whole = await nestedModuleView(ws, file, params.module);
    const page = pageOf(whole.text, 0, pageChars);
    if (!page.complete) paged.set(pagedKey(file, params), version, whole.text);
    return { ...whole, text: page.text, complete: page.complete, version };
  }
  const summary = summarizeModule(wasm.read, wasm.size);
  if (params.func !== undefined) {
    try {
      const page = printFunctionPage(wasm.bytes, wasm.read, params.func, pageChars);
      return { text: page.text, summary, headerOnly: false, complete: page.complete, version };
    } catch (err) {
      const message = (err as Error).message;
      return { text: `;; ${comment(message)}\n;; (the rest of the module reads fine: see its WAT view and summary)\n`, summary, headerOnly: false, error: message, complete: true, version };
    }
  }
  const headerOnly = !viewHasBodies(wasm.bytes, wasm.read);
  const rendered = ws.views.peek(file);
  if (rendered && rendered.mtimeMs === wasm.mtimeMs) {
    const page = pageOf(rendered.view.text, 0, pageChars);
    return { text: page.text, summary, headerOnly, complete: page.complete, version };
  }
  const page = moduleViewPage(wasm.bytes, wasm.read, pageChars);
  return { text: page.text, summary, headerOnly, complete: page.complete, version };
}

/** A page of a view after its first: from the rendered view, or the function's (nested module's) whole text printed once and kept until its last page. */
async function nextPage(ws: Workspace, paged: PagedTexts, params: WatViewPageParams): Promise<WatViewPageResult> {
  const file = uriToPath(params.uri);
  const fail = (error: string, stale?: boolean): WatViewPageResult => ({ text: '', complete: true, totalChars: 0, error, stale });
  if (!file) return fail('not a file URI');
  if (typeof params.version !== 'string' || !Number.isFinite(params.start) || !Number.isFinite(params.chars)) return fail('a page needs the version, start and chars of the view');
  try {
    if (params.func === undefined && params.module === undefined) {
      const { wasm, view } = await ws.watView(file);
      if (versionOf(wasm) !== params.version) return fail('the module changed since its first page: ask for the view again', true);
      return pageOf(view.text, params.start, params.chars);
    }
    const key = pagedKey(file, params);
    let text = paged.get(key, params.version);
    if (text === undefined) {
      const wasm = ws.cache.viewedWasm(file);
      if (versionOf(wasm) !== params.version) return fail('the module changed since its first page: ask for the view again', true);
      text = params.func !== undefined ? await disassembleFunction(wasm.bytes, wasm.read, params.func) : (await nestedModuleView(ws, file, params.module!)).text;
      paged.set(key, params.version, text);
    }
    const page = pageOf(text, params.start, params.chars);
    if (page.complete) paged.delete(key);
    return page;
  } catch (err) {
    return fail((err as Error).message);
  }
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
