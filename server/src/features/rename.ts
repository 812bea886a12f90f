/** Rename of `$id`s and labels in WAT/WAST (each module of a `.wast` on its own): an adapter over engine/editing/rename. */
import { ResponseError, ErrorCodes, type Connection, type WorkspaceEdit } from 'vscode-languageserver/node';
import { prepareRename, renameAt } from '../engine/editing/rename';
import { toRange } from '../convert';
import { wasmFileOfView, type Workspace } from '../workspace';

export function registerRename(connection: Connection, workspace: () => Workspace): void {
  connection.onPrepareRename((params) => {
    const uri = params.textDocument.uri;
    const a = wasmFileOfView(uri) ? undefined : workspace().watAnalysis(uri);
    if (!a) return null;
    const r = prepareRename(a.doc, a.index.offsetAt(params.position));
    if ('error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error);
    return { range: toRange(a.index, r.span), placeholder: r.placeholder };
  });

  connection.onRenameRequest((params): WorkspaceEdit | null => {
    const uri = params.textDocument.uri;
    const a = wasmFileOfView(uri) ? undefined : workspace().watAnalysis(uri);
    if (!a) return null;
    const r = renameAt(a.doc, a.index.offsetAt(params.position), params.newName);
    if ('error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error);
    return { changes: { [uri]: r.changes.map((c) => ({ range: toRange(a.index, c.span), newText: c.newText })) } };
  });
}
