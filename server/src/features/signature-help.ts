/** Signature help on calls in WAT/WAST (also in a `.wasm`'s WAT view): an adapter over engine/editing/signature-help. */
import type { Connection, SignatureHelp } from 'vscode-languageserver/node';
import { signatureHelpAt } from '../engine/editing/signature-help';
import type { Workspace } from '../workspace';

export function registerSignatureHelp(connection: Connection, workspace: () => Workspace): void {
  connection.onSignatureHelp((params): SignatureHelp | null => {
    const a = workspace().watAnalysis(params.textDocument.uri);
    if (!a) return null;
    const s = signatureHelpAt(a.doc, a.index.offsetAt(params.position));
    if (!s) return null;
    return {
      signatures: [{ label: s.label, documentation: s.callee, parameters: s.params.map((p) => ({ label: p })) }],
      activeSignature: 0,
      activeParameter: s.active ?? null,
    } as SignatureHelp;
  });
}
