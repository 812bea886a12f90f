/** Outline, folding, go to definition and find references for WAT/WAST: adapters over engine/wat/navigation. */
import { SymbolKind, type Connection, type DocumentSymbol, type FoldingRange, type Location } from 'vscode-languageserver/node';
import { definitionAt, documentSymbols, foldingRanges, referencesAt, type SymbolNode } from '../engine/wat/navigation';
import type { LineIndex } from '../engine/span';
import { quickFoldingSpans } from '../engine/wat/quick-outline';
import type { DegradedWatAnalysis } from '../documents';
import { toRange } from '../convert';
import type { Workspace } from '../workspace';
import type { ViewSymbol } from '../engine/component/wit-text';

const KIND: Record<SymbolNode['kind'], SymbolKind> = {
  module: SymbolKind.Module,
  type: SymbolKind.TypeParameter,
  func: SymbolKind.Function,
  table: SymbolKind.Array,
  memory: SymbolKind.Array,
  global: SymbolKind.Variable,
  tag: SymbolKind.Event,
  import: SymbolKind.Interface,
  export: SymbolKind.Key,
  data: SymbolKind.String,
  elem: SymbolKind.Array,
  start: SymbolKind.Constructor,
  local: SymbolKind.Variable,
  param: SymbolKind.Variable,
};

function toSymbol(node: SymbolNode, index: LineIndex): DocumentSymbol {
  return {
    name: node.name || '(anonymous)',
    detail: node.detail,
    kind: KIND[node.kind] ?? SymbolKind.Object,
    range: toRange(index, node.span),
    selectionRange: toRange(index, node.selectionSpan),
    children: node.children.map((c) => toSymbol(c, index)),
  };
}

/** The outline of a text over the analysis budget: its quick scan, and a last entry for what it leaves out. */
function quickSymbols(a: DegradedWatAnalysis): DocumentSymbol[] {
  const outline = a.outline();
  const symbols = outline.symbols.map((s) => toSymbol(s, a.index));
  if (outline.truncated) {
    const last = outline.symbols[outline.symbols.length - 1];
    const at = a.index.positionAt(last?.children[last.children.length - 1]?.span.end ?? 0);
    const range = { start: at, end: at };
    const name = `... more fields not listed (the outline of a file over the analysis limit lists the first ${a.outlineLimit})`;
    symbols.push({ name, kind: SymbolKind.Null, range, selectionRange: range, children: [] });
  }
  return symbols;
}

const VIEW_KIND: Record<ViewSymbol['kind'], SymbolKind> = {
  world: SymbolKind.Namespace,
  import: SymbolKind.Interface,
  export: SymbolKind.Key,
  func: SymbolKind.Function,
  type: SymbolKind.Struct,
  module: SymbolKind.Module,
  component: SymbolKind.Package,
};

/** The outline of a component's WIT-style view. */
function viewSymbol(s: ViewSymbol, index: LineIndex): DocumentSymbol {
  const range = toRange(index, { start: s.start, end: s.end });
  return { name: s.name || '(anonymous)', detail: s.detail, kind: VIEW_KIND[s.kind], range, selectionRange: range, children: s.children.map((c) => viewSymbol(c, index)) };
}

export function registerNavigation(connection: Connection, workspace: () => Workspace): void {
  connection.onDocumentSymbol((params) => {
    const component = workspace().componentView(params.textDocument.uri);
    if (component) return component.view.symbols.map((s) => viewSymbol(s, component.index));
    const a = workspace().openWat(params.textDocument.uri);
    if (!a) return [];
    return a.degraded ? quickSymbols(a) : documentSymbols(a.doc).map((s) => toSymbol(s, a.index));
  });

  connection.onFoldingRanges((params): FoldingRange[] => {
    const out: FoldingRange[] = [];
    const component = workspace().componentView(params.textDocument.uri);
    if (component) {
      const walk = (list: ViewSymbol[]) => {
        for (const s of list) {
          const start = component.index.positionAt(s.start).line;
          const end = component.index.positionAt(s.end).line;
          if (end > start) out.push({ startLine: start, endLine: end });
          walk(s.children);
        }
      };
      walk(component.view.symbols);
      return out;
    }
    const a = workspace().openWat(params.textDocument.uri);
    if (!a) return [];
    for (const span of a.degraded ? quickFoldingSpans(a.outline()) : foldingRanges(a.doc)) {
      const start = a.index.positionAt(span.start).line;
      const end = a.index.positionAt(span.end).line;
      if (end > start) out.push({ startLine: start, endLine: end });
    }
    return out;
  });

  connection.onDefinition((params): Location[] => {
    const uri = params.textDocument.uri;
    const a = workspace().watAnalysis(uri);
    if (!a) return [];
    return definitionAt(a.doc, a.index.offsetAt(params.position)).map((s) => ({ uri, range: toRange(a.index, s) }));
  });

  connection.onReferences((params): Location[] => {
    const uri = params.textDocument.uri;
    const a = workspace().watAnalysis(uri);
    if (!a) return [];
    const offset = a.index.offsetAt(params.position);
    return referencesAt(a.doc, offset, params.context.includeDeclaration).map((s) => ({ uri, range: toRange(a.index, s) }));
  });
}
