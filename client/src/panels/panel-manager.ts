/**
 * Webview panels for results: one tab per (kind, file), reused when the same result is shown again,
 * all in one results group (beside the editor the first time, then wherever the results are), strict
 * CSP with a nonce'd local script, state kept while hidden. Bodies come from the pure renderers beside
 * this file, which escape everything from modules.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { page } from './html';
import { watViewUri } from '../wat-view-uri';

export interface PanelMessage {
  type: string;
  [key: string]: unknown;
}

export class PanelManager implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  /** The HTML last shown per panel, so tests and "copy" can read it back. */
  readonly lastHtml = new Map<string, string>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  private key(kind: string, file: string): string {
    return `${kind}:${file}`;
  }

  show(kind: string, file: string, title: string, body: string, onMessage?: (m: PanelMessage) => void): vscode.WebviewPanel {
    const key = this.key(kind, file);
    let panel = this.panels.get(key);
    if (!panel) {
      panel = vscode.window.createWebviewPanel(`wasmWarden.${kind}`, title, { viewColumn: this.resultsColumn(), preserveFocus: true }, {
        ...webviewOptions(this.context.extensionUri),
        retainContextWhenHidden: true,
      });
      this.panels.set(key, panel);
      panel.onDidDispose(() => {
        this.panels.delete(key);
        this.lastHtml.delete(key);
      });
      panel.webview.onDidReceiveMessage((m: PanelMessage) => {
        if (m.type === 'open') void openLocation(m);
        else if (m.type === 'command' && typeof m.command === 'string' && m.command.startsWith('wasmWarden.')) {
          void vscode.commands.executeCommand(m.command, m.arg ? vscode.Uri.parse(String(m.arg)) : undefined);
        }
        onMessage?.(m);
      });
    }
    panel.title = title;
    panel.webview.html = webviewPage(panel.webview, this.context.extensionUri, title, body);
    this.lastHtml.set(key, body);
    panel.reveal(undefined, true);
    return panel;
  }

  /**
   * The editor group results go to: where a result panel already is, unless that is the group of the
   * editor the command runs from (a result never covers its source); else another group than the active
   * one, when there is one; else a new group beside the active editor. Commands run again and again (and
   * the WAT views of modules) so stay in two groups instead of adding one each time.
   */
  resultsColumn(): vscode.ViewColumn {
    const active = vscode.window.tabGroups.activeTabGroup.viewColumn;
    for (const p of this.panels.values()) if (p.viewColumn !== undefined && p.viewColumn !== active) return p.viewColumn;
    const other = vscode.window.tabGroups.all.filter((g) => g.viewColumn !== active).pop();
    return other?.viewColumn ?? vscode.ViewColumn.Beside;
  }

  post(kind: string, file: string, message: PanelMessage): void {
    void this.panels.get(this.key(kind, file))?.webview.postMessage(message);
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
  }
}

/** The webview options every panel uses: scripts on, only the extension's media folder loadable. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'client', 'media')] };
}

/** A full panel page (strict CSP, fresh nonce, the shared script and style sheet) around `body`. */
export function webviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, body: string): string {
  const media = (f: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'client', 'media', f)).toString();
  return page({
    title,
    cspSource: webview.cspSource,
    nonce: crypto.randomBytes(16).toString('base64'),
    styleUri: media('panel.css'),
    scriptUri: media('panel.js'),
    body,
  });
}

async function openLocation(m: PanelMessage): Promise<void> {
  if (typeof m.uri !== 'string' || !m.uri) return;
  let uri = vscode.Uri.parse(m.uri);
  // a binary has no text: open its WAT view, where the finding is marked
  if (uri.scheme === 'file' && uri.path.endsWith('.wasm')) uri = watViewUri(uri);
  const line = Number(m.line);
  const character = Number(m.character);
  const pos = Number.isFinite(line) && m.line !== '' ? new vscode.Position(line, Number.isFinite(character) ? character : 0) : undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { selection: pos ? new vscode.Range(pos, pos) : undefined, preview: false });
}
