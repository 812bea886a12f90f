/**
 * The Wasm Warden language server: an LSP adapter over the engine. Started by the VS Code client over
 * IPC (or by any LSP editor with `--stdio`). All analysis is done by `./engine`; this file only wires
 * LSP requests and notifications to the feature modules.
 */
import {
  createConnection,
  DidChangeWatchedFilesNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Workspace, wasmFileOfView } from './workspace';
import { WatViewShownNotification, type WatViewShown } from './protocol';
import { registerNavigation } from './features/navigation';
import { registerCodeActions } from './features/code-actions';
import { registerHover } from './features/hover';
import { registerWatView } from './features/wat-view';
import { registerHighlights } from './features/highlights';
import { registerSelectionRanges } from './features/selection-ranges';
import { registerTypeDefinition } from './features/type-definition';
import { registerCallHierarchy } from './features/call-hierarchy';
import { registerSemanticTokens, SEMANTIC_TOKENS_LEGEND } from './features/semantic-tokens';
import { registerCodeLens } from './features/code-lens';
import { registerInlayHints } from './features/inlay-hints';
import { formatsDynamically, registerFormatting, registerFormattingFor } from './features/formatting';
import { registerCompletion } from './features/completion';
import { registerSignatureHelp } from './features/signature-help';
import { registerRename } from './features/rename';
import { registerCommands, serverCommandIds } from './commands';
import { shutdownToolchain } from './engine/toolchain';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let workspace: Workspace | undefined;
let dynamicFormatting = false;

connection.onInitialize((params): InitializeResult => {
  const roots = (params.workspaceFolders ?? []).map((f) => f.uri);
  if (roots.length === 0 && params.rootUri) roots.push(params.rootUri);
  workspace = new Workspace(connection, documents, roots, params.capabilities, params.initializationOptions);
  dynamicFormatting = formatsDynamically(params.capabilities);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      hoverProvider: true,
      documentHighlightProvider: true,
      selectionRangeProvider: true,
      typeDefinitionProvider: true,
      callHierarchyProvider: true,
      semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true, range: true },
      codeLensProvider: { resolveProvider: false },
      inlayHintProvider: { resolveProvider: false },
      codeActionProvider: { codeActionKinds: ['quickfix', 'refactor.rewrite'], resolveProvider: false },
      // registered for WAT/WAST only after initialization when the client can (see formatsDynamically)
      documentFormattingProvider: !dynamicFormatting,
      documentRangeFormattingProvider: !dynamicFormatting,
      completionProvider: { triggerCharacters: ['$', '"', '(', '.'], resolveProvider: false },
      signatureHelpProvider: { triggerCharacters: [' ', '('], retriggerCharacters: [')'] },
      renameProvider: { prepareProvider: true },
      executeCommandProvider: { commands: serverCommandIds() },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'wasm-warden', version: '0.1.0' },
  };
});

connection.onInitialized(async () => {
  const ws = workspace!;
  if (ws.canWatchFiles) {
    await connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [
        { globPattern: '**/*.{wasm,wat,wast}' },
        { globPattern: '**/wasm-warden.policy.json' },
        { globPattern: '**/wasm-warden.lock.json' },
      ],
    });
  }
  if (dynamicFormatting) {
    try {
      await registerFormattingFor(connection);
    } catch (err) {
      connection.console.error(`wasm-warden: could not register formatting: ${(err as Error)?.message ?? err}`);
    }
  }
  await ws.refreshSettings();
  // buffers opened before the settings arrived were analysed under the default budgets: again under
  // the user's (a cached analysis under the same budgets is reused), then the workspace scan
  ws.recheckAll();
});

documents.onDidOpen((e) => workspace?.documentChanged(e.document, true));
documents.onDidChangeContent((e) => workspace?.documentChanged(e.document, false));
documents.onDidClose((e) => workspace?.documentClosed(e.document));
connection.onDidChangeWatchedFiles((e) => workspace?.filesChanged(e.changes));
connection.onNotification(WatViewShownNotification, (e: WatViewShown) => {
  const view = typeof e?.uri === 'string' ? wasmFileOfView(e.uri) : undefined;
  if (view && view.func === undefined) workspace?.viewShown(view.file, e.shown === true);
});
connection.onDidChangeConfiguration(() => void workspace?.refreshSettings().then(() => workspace?.recheckAll()));

registerNavigation(connection, () => workspace!);
registerHover(connection, () => workspace!);
registerCodeActions(connection, () => workspace!);
registerWatView(connection, () => workspace!);
registerHighlights(connection, () => workspace!);
registerSelectionRanges(connection, () => workspace!);
registerTypeDefinition(connection, () => workspace!);
registerCallHierarchy(connection, () => workspace!);
registerSemanticTokens(connection, () => workspace!);
registerCodeLens(connection, () => workspace!);
registerInlayHints(connection, () => workspace!);
registerFormatting(connection, () => workspace!);
registerCompletion(connection, () => workspace!);
registerSignatureHelp(connection, () => workspace!);
registerRename(connection, () => workspace!);
registerCommands(connection, () => workspace!);

connection.onShutdown(async () => {
  await workspace?.checker.dispose();
  shutdownToolchain();
});

documents.listen(connection);
connection.listen();

process.on('uncaughtException', (err) => {
  // Never die on one bad input: log it and keep serving.
  connection.console.error(`wasm-warden: unexpected error: ${err?.stack ?? err}`);
});
