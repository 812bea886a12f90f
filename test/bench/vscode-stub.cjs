// A stand-in for the `vscode` module: every property is a callable, constructible stub that returns
// another stub, so the extension's activate() can run outside VS Code. Never thenable.
'use strict';
function stub(name) {
  const target = function () {};
  return new Proxy(target, {
    ownKeys(t) {
      return Reflect.ownKeys(t);
    },
    getOwnPropertyDescriptor(t, prop) {
      return Reflect.getOwnPropertyDescriptor(t, prop);
    },
    get(t, prop) {
      if (prop === 'then') return undefined;
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === Symbol.iterator) return function* () {};
      if (prop === 'prototype') return t.prototype;
      if (prop === 'toString' || prop === 'toJSON') return () => name;
      if (prop === 'version') return '1.100.0';
      if (prop === 'length') return 0;
      if (!Object.prototype.hasOwnProperty.call(t, prop)) t[prop] = stub(`${name}.${String(prop)}`);
      return t[prop];
    },
    apply() {
      return stub(`${name}()`);
    },
    construct() {
      return stub(`new ${name}`);
    },
  });
}
// esbuild's ESM interop copies the module's own properties at require time, so the namespaces and
// classes the bundle uses must exist up front.
const vscode = stub('vscode');
const NAMES = `window workspace commands languages tasks env extensions debug scm tests l10n notebooks authentication comments chat lm
  CancellationError CancellationTokenSource CodeAction CodeActionKind CodeLens CompletionItem CompletionItemKind CompletionList
  ConfigurationTarget CustomExecution Diagnostic DiagnosticRelatedInformation DiagnosticSeverity DiagnosticTag Disposable
  DocumentLink DocumentSymbol EndOfLine EventEmitter ExtensionMode FileSystemError FileType FoldingRange Hover InlayHint Location
  LogLevel MarkdownString NotebookCellKind Position ProcessExecution ProgressLocation QuickPickItemKind Range RelativePattern
  Selection SemanticTokens SemanticTokensLegend ShellExecution SignatureHelp SnippetString StatusBarAlignment SymbolInformation
  SymbolKind TabInputCustom TabInputNotebook TabInputText TabInputTextDiff Task TaskGroup TaskPanelKind TaskRevealKind TaskScope
  TextEdit TextEditorRevealType ThemeColor ThemeIcon TreeItem TreeItemCollapsibleState UIKind Uri ViewColumn WorkspaceEdit`.split(/\s+/);
for (const n of NAMES) void vscode[n];
module.exports = vscode;
