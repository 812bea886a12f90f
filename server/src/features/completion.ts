/**
 * Completion for WAT/WAST: an adapter over engine/editing/completion. Imports of WASI functions carry
 * the workspace policy's verdict (a denied one is marked in its label and sorted after the others).
 */
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type CompletionList, type Connection } from 'vscode-languageserver/node';
import { completionsAt, type CompletionKind } from '../engine/editing/completion';
import { uriToPath } from '../documents';
import { toRange } from '../convert';
import { wasmFileOfView, type Workspace } from '../workspace';

const KIND: Record<CompletionKind, CompletionItemKind> = {
  instruction: CompletionItemKind.Function,
  keyword: CompletionItemKind.Keyword,
  valtype: CompletionItemKind.TypeParameter,
  type: CompletionItemKind.Interface,
  func: CompletionItemKind.Function,
  table: CompletionItemKind.Struct,
  memory: CompletionItemKind.Struct,
  global: CompletionItemKind.Variable,
  tag: CompletionItemKind.Event,
  data: CompletionItemKind.Constant,
  elem: CompletionItemKind.Constant,
  local: CompletionItemKind.Variable,
  label: CompletionItemKind.Reference,
  field: CompletionItemKind.Field,
  module: CompletionItemKind.Module,
  import: CompletionItemKind.Function,
};

export function registerCompletion(connection: Connection, workspace: () => Workspace): void {
  connection.onCompletion((params): CompletionList => {
    const ws = workspace();
    const uri = params.textDocument.uri;
    // the WAT view of a `.wasm` is read-only
    if (wasmFileOfView(uri)) return { isIncomplete: false, items: [] };
    const a = ws.watAnalysis(uri);
    if (!a) return { isIncomplete: false, items: [] };
    const file = uriToPath(uri);
    const policy = file ? ws.policies.policyFor(file)?.effective : undefined;
    const result = completionsAt(a.doc, a.index.offsetAt(params.position), { policy });
    const items: CompletionItem[] = result.items.map((e) => ({
      label: e.label,
      kind: KIND[e.kind],
      detail: e.detail,
      labelDetails: e.denied ? { description: 'denied by the policy' } : e.kind === 'import' ? { description: e.detail?.split(' · ')[1] } : undefined,
      documentation: e.documentation ? { kind: MarkupKind.Markdown, value: e.documentation } : undefined,
      textEdit: { range: toRange(a.index, e.replace), newText: e.insertText ?? e.label },
      insertTextFormat: e.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      sortText: e.sortText,
      filterText: e.label,
    }));
    return { isIncomplete: result.incomplete, items };
  });
}
