/** Call hierarchy for WAT/WAST: an adapter over engine/editing/call-hierarchy. */
import { SymbolKind, type CallHierarchyItem, type Connection } from 'vscode-languageserver/node';
import { incomingCalls, outgoingCalls, prepareCallHierarchy, type CallItem } from '../engine/editing/call-hierarchy';
import { toRange } from '../convert';
import type { LineIndex } from '../engine/span';
import type { Workspace } from '../workspace';

function toItem(uri: string, index: LineIndex, c: CallItem): CallHierarchyItem {
  return {
    name: c.name,
    detail: c.detail,
    kind: SymbolKind.Function,
    uri,
    range: toRange(index, c.span),
    selectionRange: toRange(index, c.selectionSpan),
    data: { module: c.module, index: c.index },
  };
}

/** The function an item names (given back by the client as we sent it). */
function itemRef(item: CallHierarchyItem): { module: number; index: number } | undefined {
  const d = item.data as { module?: unknown; index?: unknown } | undefined;
  return typeof d?.module === 'number' && typeof d.index === 'number' ? { module: d.module, index: d.index } : undefined;
}

export function registerCallHierarchy(connection: Connection, workspace: () => Workspace): void {
  connection.languages.callHierarchy.onPrepare((params) => {
    const uri = params.textDocument.uri;
    const a = workspace().watAnalysis(uri);
    const item = a && prepareCallHierarchy(a.doc, a.index.offsetAt(params.position));
    return a && item ? [toItem(uri, a.index, item)] : null;
  });
  connection.languages.callHierarchy.onIncomingCalls((params) => {
    const a = workspace().watAnalysis(params.item.uri);
    const at = itemRef(params.item);
    if (!a || !at) return [];
    return incomingCalls(a.doc, at).map((e) => ({ from: toItem(params.item.uri, a.index, e.item), fromRanges: e.sites.map((s) => toRange(a.index, s)) }));
  });
  connection.languages.callHierarchy.onOutgoingCalls((params) => {
    const a = workspace().watAnalysis(params.item.uri);
    const at = itemRef(params.item);
    if (!a || !at) return [];
    return outgoingCalls(a.doc, at).map((e) => ({ to: toItem(params.item.uri, a.index, e.item), fromRanges: e.sites.map((s) => toRange(a.index, s)) }));
  });
}
