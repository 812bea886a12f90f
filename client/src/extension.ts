/**
 * Wasm Warden extension entry point: registers the commands, the `.wasm` editor and WAT view, and the
 * task provider, and starts the language server. Everything heavy happens in the server.
 *
 * What activate() does not do itself: loading vscode-languageclient (dist/language-client.js, most of
 * the extension's load time) and starting the server process. activate() registers everything VS Code
 * asks for synchronously and returns; the client is loaded and started in the next turn of the event
 * loop (setImmediate), or earlier if something needs it first (a command, the WAT view, the `.wasm`
 * editor, the API's `client()`): all of them await the same start. That load is still synchronous
 * JavaScript on the extension host's thread, only no longer inside the activation call.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type * as LanguageClientModule from './language-client';
import { registerCommands } from './commands';
import { PanelManager } from './panels/panel-manager';
import { WasmEditorProvider, WatViewProvider } from './wasm-view';
import { WAT_VIEW_SCHEME, WatViewShownNotification } from '../../server/src/protocol';
import { registerTasks } from './tasks';

export interface ExtensionApi {
  /** the running language client (tests use it to wait for server events) */
  client(): Promise<LanguageClient>;
  panels: PanelManager;
}

/** The language client, loaded and started once, on first need. */
class LazyClient implements vscode.Disposable {
  private started: Promise<LanguageClient> | undefined;
  private client: LanguageClient | undefined;
  private disposed = false;
  private readonly timer: NodeJS.Immediate;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {
    // The server is needed whatever activated the extension (a WAT or policy file, a `.wasm` in the
    // workspace, the `.wasm` editor, the WAT view, a command): start it right after activation.
    this.timer = setImmediate(() => void this.get().catch(() => undefined));
  }

  /** The started client; the first call loads vscode-languageclient and starts the server. */
  get(): Promise<LanguageClient> {
    this.started ??= this.start();
    return this.started;
  }

  private async start(): Promise<LanguageClient> {
    if (this.disposed) throw new Error('Wasm Warden is shutting down');
    try {
      // scripts/build.mjs leaves this require to the separate bundle dist/language-client.js
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createClient } = require('./language-client') as typeof LanguageClientModule;
      const client = createClient(this.context, this.output);
      this.client = client;
      await client.start();
      return client;
    } catch (err) {
      this.output.error(`the language server did not start: ${(err as Error)?.message ?? err}`);
      throw err;
    }
  }

  dispose(): void {
    this.disposed = true;
    clearImmediate(this.timer);
    void this.client?.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const output = vscode.window.createOutputChannel('Wasm Warden', { log: true });
  const lazyClient = new LazyClient(context, output);
  const getClient = () => lazyClient.get();
  const panels = new PanelManager(context);
  const watViews = new WatViewProvider(getClient);

  context.subscriptions.push(
    output,
    panels,
    lazyClient,
    vscode.workspace.registerTextDocumentContentProvider(WAT_VIEW_SCHEME, watViews),
    vscode.workspace.onDidOpenTextDocument((d) => d.uri.scheme === WAT_VIEW_SCHEME && watViews.onDidOpen(d)),
    vscode.workspace.onDidCloseTextDocument((d) => d.uri.scheme === WAT_VIEW_SCHEME && watViews.onDidClose(d)),
    vscode.window.registerCustomEditorProvider(WasmEditorProvider.viewType, new WasmEditorProvider(context, getClient, panels, output), {
      supportsMultipleEditorsPerDocument: true,
    }),
    // a client started after this reads the trust state itself (initializationOptions, configuration middleware)
    vscode.workspace.onDidGrantWorkspaceTrust(
      () => void getClient().then((c) => c.sendNotification('workspace/didChangeConfiguration', { settings: null }), () => undefined),
    ),
  );
  // an open WAT view follows its module on disk (after Sign, Optimize, a rebuild)
  const modules = vscode.workspace.createFileSystemWatcher('**/*.wasm', false, false, true);
  modules.onDidChange((uri) => watViews.refresh(uri));
  modules.onDidCreate((uri) => watViews.refresh(uri));
  context.subscriptions.push(modules);
  // where a module's findings are listed follows its WAT view's tabs (see WatViewShownNotification)
  context.subscriptions.push(
    vscode.window.tabGroups.onDidChangeTabs((e) => {
      const views = new Set<string>();
      for (const tab of [...e.opened, ...e.closed]) {
        if (tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === WAT_VIEW_SCHEME && !tab.input.uri.query) views.add(tab.input.uri.toString());
      }
      if (views.size === 0) return;
      const shown = new Set(
        vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => (t.input instanceof vscode.TabInputText ? t.input.uri.toString() : ''))),
      );
      void getClient().then((c) => {
        for (const uri of views) void c.sendNotification(WatViewShownNotification, { uri, shown: shown.has(uri) });
      }, () => undefined);
    }),
  );
  registerCommands(context, { client: getClient, panels, output, watViews });
  registerTasks(context);
  return { client: getClient, panels };
}

export function deactivate(): void {
  // the client is stopped through its disposable in context.subscriptions
}
