/**
 * `.wasm` in the editor: a read-only WAT view (virtual documents of scheme `wasm-warden-wat`, served by
 * the language server) and a custom editor for `*.wasm` that shows the module summary and opens the
 * WAT view beside it.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { WAT_VIEW_FIRST_PAGE_CHARS, WAT_VIEW_PAGE_CHARS, WatViewPageRequest, WatViewRequest, type WatViewPageParams, type WatViewPageResult, type WatViewResult } from '../../server/src/protocol';
import { wasmUriOfView, watViewUri } from './wat-view-uri';
import type { Inspection } from '../../server/src/engine/operations/inspect';
import { ServerCommands } from '../../server/src/protocol';
import { renderInspection } from './panels/inspect-view';
import { esc } from './panels/html';
import { webviewOptions, webviewPage, type PanelManager } from './panels/panel-manager';

/**
 * The WAT view documents. A view's text arrives in pages (`wasmWarden/watView` with `pageChars`, then
 * `wasmWarden/watViewPage`): the first page is the document's text at once, and once the rest has
 * arrived the document is updated to the whole text (its first page unchanged, the rest appended).
 */
export class WatViewProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** whole texts that arrived after their first page, until the editor asks for them again */
  private readonly whole = new Map<string, string>();
  /** per view: the reading of its pages under way (a newer one replaces it) */
  private readonly readings = new Map<string, number>();
  private nextReading = 0;
  /** whole texts that arrived before their document was open: the change is sent when it opens */
  private readonly waitingForOpen = new Map<string, vscode.Uri>();

  constructor(private readonly client: () => Promise<LanguageClient>) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const key = uri.toString();
    const done = this.whole.get(key);
    if (done !== undefined) {
      this.whole.delete(key);
      return done;
    }
    const m = /(?:^|&)func=(\d+)/.exec(uri.query);
    const nested = /(?:^|&)module=(\d+)/.exec(uri.query);
    const client = await this.client();
    const params = { uri: wasmUriOfView(uri).toString(), func: m ? Number(m[1]) : undefined, module: nested ? Number(nested[1]) : undefined };
    const result: WatViewResult = await client.sendRequest(WatViewRequest, { ...params, pageChars: WAT_VIEW_FIRST_PAGE_CHARS }, token);
    const reading = ++this.nextReading;
    this.readings.set(key, reading);
    if (result.complete === false && result.version !== undefined) void this.readRest(uri, client, { ...params, version: result.version }, result.text, reading);
    return result.text;
  }

  /** Reads the pages after the first, then updates the document to the whole text (the editor asks for it again). */
  private async readRest(uri: vscode.Uri, client: LanguageClient, params: Omit<WatViewPageParams, 'start' | 'chars'>, first: string, reading: number): Promise<void> {
    const key = uri.toString();
    const parts = [first];
    let at = first.length;
    try {
      for (;;) {
        const page: WatViewPageResult = await client.sendRequest(WatViewPageRequest, { ...params, start: at, chars: WAT_VIEW_PAGE_CHARS });
        if (this.readings.get(key) !== reading) return; // a newer reading of the view took over
        if (page.stale) {
          // the module changed meanwhile: the view is read again from its first page
          this.readings.delete(key);
          this.changed.fire(uri);
          return;
        }
        if (page.error) throw new Error(page.error);
        parts.push(page.text);
        at += page.text.length;
        if (page.complete || !page.text) break;
      }
    } catch (err) {
      if (this.readings.get(key) !== reading) return;
      parts.push(`\n;; Wasm Warden could not read the rest of this view: ${(err as Error).message.replace(/\n/g, ' ')}\n`);
    }
    this.readings.delete(key);
    this.whole.set(key, parts.join(''));
    // the editor takes a change only of a document it has: a short view's pages can come back before the
    // document it was first asked for is open (then it fires when it opens, see onDidOpen)
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) this.changed.fire(uri);
    else this.waitingForOpen.set(key, uri);
  }

  /** A view document opened: the rest of its text, if it came before, goes in now. */
  onDidOpen(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const uri = this.waitingForOpen.get(key);
    if (uri === undefined) return;
    this.waitingForOpen.delete(key);
    this.changed.fire(uri);
  }

  /** A view document closed: what was kept for it goes (a view opened again is read again). */
  onDidClose(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.whole.delete(key);
    this.waitingForOpen.delete(key);
    this.readings.delete(key);
  }

  refresh(wasm: vscode.Uri): void {
    const view = watViewUri(wasm);
    this.whole.delete(view.toString());
    this.readings.delete(view.toString());
    this.changed.fire(view);
  }
}

/** Modules up to this size get their WAT view opened beside the summary; larger ones on demand (Show WAT). */
export const AUTO_WAT_VIEW_MAX_BYTES = 8 * 1024 * 1024;

/** The default editor for `*.wasm`: the module summary, with the WAT view opened beside it (modules up to 8 MB) once the summary is on screen. */
export class WasmEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static readonly viewType = 'wasmWarden.wasmModule';

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: () => Promise<LanguageClient>,
    private readonly panels: PanelManager,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const started = Date.now();
    const webview = panel.webview;
    webview.options = webviewOptions(this.context.extensionUri);
    const title = document.uri.path.split('/').pop() ?? 'module';
    const render = (body: string) => webviewPage(webview, this.context.extensionUri, title, body);
    webview.html = render('<p class="summary">Reading module…</p>');
    // the summary page reports itself loaded (panel.js posts `ready` with its heading): the WAT view waits
    // for that, so a large module's summary is on screen first (the view's text of a 45 MB module is
    // 4 MB, and the editor held the summary back while it took that in)
    let summaryShown!: () => void;
    const onScreen = new Promise<void>((resolve) => (summaryShown = resolve));
    webview.onDidReceiveMessage((m: { type: string; command?: string; arg?: string; heading?: boolean }) => {
      if (m.type === 'ready' && m.heading) summaryShown();
      if (m.type === 'command' && m.command?.startsWith('wasmWarden.')) {
        void vscode.commands.executeCommand(m.command, m.arg ? vscode.Uri.parse(m.arg) : document.uri);
      }
    });
    const show = async () => {
      try {
        const t0 = Date.now();
        const client = await this.client();
        const t1 = Date.now();
        const result = (await client.sendRequest('workspace/executeCommand', {
          command: ServerCommands.inspect,
          arguments: [{ uri: document.uri.toString() }],
        })) as Inspection | { error: string };
        const t2 = Date.now();
        webview.html = render('error' in result ? `<h1>Cannot read module</h1><pre>${esc(result.error)}</pre>` : renderInspection(result, document.uri.toString()));
        // where the time to the summary goes (issue 22): the e2e run reads this line
        this.output.info(
          `module summary ${title}: editor resolved at ${started} (epoch ms), server ready +${t1 - t0} ms, inspect +${t2 - t1} ms, rendered +${Date.now() - t2} ms`,
        );
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
    const size = await vscode.workspace.fs.stat(document.uri).then((st) => st.size, () => 0);
    // a large module's WAT view opens on demand (Show WAT): its text (4 MB for a 45 MB module) held the
    // editor up for seconds, the summary with it
    if (vscode.workspace.getConfiguration('wasmWarden').get<boolean>('openWatViewWithModule', true) && size <= AUTO_WAT_VIEW_MAX_BYTES) {
      await Promise.race([onScreen, new Promise((r) => setTimeout(r, 3000))]);
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
