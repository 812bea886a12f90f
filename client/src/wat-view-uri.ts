/**
 * The URIs of the read-only WAT view of a `.wasm` (virtual documents of scheme `wasm-warden-wat`,
 * served by the language server), in both directions. Their own module: the WAT view provider, the
 * panels and the commands all link to the view, and none of them should have to import another.
 *
 * The whole module's view of `/d/m.wasm` is `/d/m.wasm.wat`; one function's body is
 * `/d/m.wasm/<name> (func 123).wat?func=123`, so each body's tab has its own title; a component's nested
 * core module N is `/d/c.wasm/module N.wat?module=N`.
 */
import * as vscode from 'vscode';
import { WAT_VIEW_SCHEME, WAT_VIEW_SUFFIX, functionViewName } from '../../server/src/protocol';

/** The WAT view of `wasm`, or of its function `func` alone (titled with its `name` when it has one). */
export function watViewUri(wasm: vscode.Uri, func?: number, name?: string): vscode.Uri {
  if (func === undefined) return vscode.Uri.from({ scheme: WAT_VIEW_SCHEME, path: wasm.path + WAT_VIEW_SUFFIX });
  return vscode.Uri.from({ scheme: WAT_VIEW_SCHEME, path: `${wasm.path}/${functionViewName(func, name)}`, query: `func=${func}` });
}

/** The WAT view of a component's nested core module (index in file order). */
export function nestedModuleViewUri(wasm: vscode.Uri, index: number): vscode.Uri {
  return vscode.Uri.from({ scheme: WAT_VIEW_SCHEME, path: `${wasm.path}/module ${index}${WAT_VIEW_SUFFIX}`, query: `module=${index}` });
}

/** The `.wasm` a WAT view shows. */
export function wasmUriOfView(view: vscode.Uri): vscode.Uri {
  if (/(?:^|&)(func|module)=\d+/.test(view.query)) return vscode.Uri.file(view.path.slice(0, view.path.lastIndexOf('/')));
  return vscode.Uri.file(view.path.slice(0, -WAT_VIEW_SUFFIX.length));
}
