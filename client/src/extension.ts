/**
 * Wasm Warden extension entry point: starts the language server and registers the commands, the
 * `.wasm` editor and WAT view, and the task provider. Everything heavy happens in the server.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';
import { registerCommands } from './commands';
import { PanelManager } from './panels/panel-manager';
import { WasmEditorProvider, WatViewProvider } from './wasm-view';
import { WAT_VIEW_SCHEME } from '../../server/src/protocol';
import { registerTasks } from './tasks';

export interface ExtensionApi {
  /** the running language client (tests use it to wait for server events) */
  client(): Promise<LanguageClient>;
  panels: PanelManager;
}

export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const output = vscode.window.createOutputChannel('Wasm Warden', { log: true });
  const client = createClient(context, output);
  const started = client.start().then(() => client);
  const getClient = () => started;
  const panels = new PanelManager(context);
  const watViews = new WatViewProvider(getClient);

  context.subscriptions.push(
    output,
    panels,
    { dispose: () => void client.stop() },
    vscode.workspace.registerTextDocumentContentProvider(WAT_VIEW_SCHEME, watViews),
    vscode.window.registerCustomEditorProvider(WasmEditorProvider.viewType, new WasmEditorProvider(context, getClient), {
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client.sendNotification('workspace/didChangeConfiguration', { settings: null })),
  );
  registerCommands(context, { client: getClient, panels, output, watViews });
  registerTasks(context);
  return { client: getClient, panels };
}

export function deactivate(): void {
  // the client is stopped through its disposable in context.subscriptions
}
