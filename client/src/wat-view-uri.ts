/**
 * The URIs of the read-only WAT view of a `.wasm` (virtual documents of scheme `wasm-warden-wat`,
 * served by the language server), in both directions. Their own module: the WAT view provider, the
 * panels and the commands all link to the view, and none of them should have to import another.
 */
import * as vscode from 'vscode';
import { WAT_VIEW_SCHEME, WAT_VIEW_SUFFIX } from '../../server/src/protocol';

/** The WAT view of `wasm`, or of its function `func` alone. */
export function watViewUri(wasm: vscode.Uri, func?: number): vscode.Uri {
  return vscode.Uri.from({ scheme: WAT_VIEW_SCHEME, path: wasm.path + WAT_VIEW_SUFFIX, query: func === undefined ? '' : `func=${func}` });
}

/** The `.wasm` a WAT view shows. */
export function wasmUriOfView(view: vscode.Uri): vscode.Uri {
  return vscode.Uri.file(view.path.slice(0, -WAT_VIEW_SUFFIX.length));
}
