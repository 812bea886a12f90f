/** Go to type definition for WAT/WAST: an adapter over engine/editing/type-definition. */
import type { Connection, Location } from 'vscode-languageserver/node';
import { typeDefinitionAt } from '../engine/editing/type-definition';
import { toRange } from '../convert';
import type { Workspace } from '../workspace';

export function registerTypeDefinition(connection: Connection, workspace: () => Workspace): void {
  connection.onTypeDefinition((params): Location[] => {
    const uri = params.textDocument.uri;
    const a = workspace().watAnalysis(uri);
    if (!a) return [];
    return typeDefinitionAt(a.doc, a.index.offsetAt(params.position)).map((s) => ({ uri, range: toRange(a.index, s) }));
  });
}
