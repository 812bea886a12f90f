/**
 * `.wasm` in the editor: a read-only WAT view (virtual documents of scheme `wasm-warden-wat`, served by
 * the language server) and a custom editor for `*.wasm` that shows the module summary and opens the
 * WAT view beside it.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { WatViewRequest, type WatViewResult } from '../../server/src/protocol';
import { wasmUriOfView, watViewUri } from './wat-view-uri';
import type { Inspection } from '../../server/src/engine/operations/inspect';
import { ServerCommands } from '../../server/src/protocol';
import { renderInspection } from './panels/inspect-view';
import { esc } from './panels/html';
import { webviewOptions, webviewPage, type PanelManager } from './panels/panel-manager';

export class WatViewProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: () => Promise<LanguageClient>) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const m = /(?:^|&)func=(\d+)/.exec(uri.query);
    const client = await this.client();
    const result: WatViewResult = await client.sendRequest(
      WatViewRequest,
      { uri: wasmUriOfView(uri).toString(), func: m ? Number(m[1]) : undefined },
      token,
    );
    return result.text;
  }

  refresh(wasm: vscode.Uri): void {
    this.changed.fire(watViewUri(wasm));
  }
}

/** The default editor for `*.wasm`: the module summary, with the WAT view opened beside it. */
export class WasmEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static readonly viewType = 'wasmWarden.wasmModule';

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: () => Promise<LanguageClient>,
    private readonly panels: PanelManager,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const webview = panel.webview;
    webview.options = webviewOptions(this.context.extensionUri);
    const title = document.uri.path.split('/').pop() ?? 'module';
    const render = (body: string) => webviewPage(webview, this.context.extensionUri, title, body);
    webview.html = render('<p class="summary">Reading module…</p>');
    webview.onDidReceiveMessage((m: { type: string; command?: string; arg?: string }) => {
      if (m.type === 'command' && m.command?.startsWith('wasmWarden.')) {
        void vscode.commands.executeCommand(m.command, m.arg ? vscode.Uri.parse(m.arg) : document.uri);
      }
    });
    const show = async () => {
      try {
        const client = await this.client();
        const result = (await client.sendRequest('workspace/executeCommand', {
          command: ServerCommands.inspect,
          arguments: [{ uri: document.uri.toString() }],
        })) as Inspection | { error: string };
        webview.html = render('error' in result ? `<h1>Cannot read module</h1><pre>${esc(result.error)}</pre>` : renderInspection(result, document.uri.toString()));
      } catch (err) {
        webview.html = render(`<h1>Cannot read module</h1><pre>${esc((err as Error).message)}</pre>`);
      }
    };
    await show();
    // the summary follows the file: a change in place, and a new file renamed over it (how Sign,
    // Optimize and other tools write)
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), document.uri.path.split('/').pop()!));
    watcher.onDidChange(() => void show());
    watcher.onDidCreate(() => void show());
    panel.onDidDispose(() => watcher.dispose());
    if (vscode.workspace.getConfiguration('wasmWarden').get<boolean>('openWatViewWithModule', true)) {
      const view = watViewUri(document.uri);
      // one WAT view per module: not opened again when a tab shows it already
      const open = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === view.toString()));
      if (!open) {
        const doc = await vscode.workspace.openTextDocument(view);
        await vscode.window.showTextDocument(doc, { viewColumn: this.panels.resultsColumn(), preview: false, preserveFocus: true });
      }
    }
  }
}
