/**
 * A minimal LSP client for tests: starts the real bundled server (dist/server.js) over stdio, speaks
 * JSON-RPC to it, answers the server's requests like an editor would, and lets tests wait for
 * events (published diagnostics, the workspace scan) instead of sleeping.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { URI } from 'vscode-uri';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SERVER = path.join(ROOT, 'dist', 'server.js');

export interface PublishedDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
  data?: unknown;
  codeDescription?: { href: string };
}

type Waiter = { predicate: () => boolean; resolve: () => void };

export class LspClient {
  readonly connection: MessageConnection;
  readonly diagnostics = new Map<string, PublishedDiagnostic[]>();
  readonly notifications: { method: string; params: unknown }[] = [];
  /** what the "editor" answers to workspace/configuration, by section */
  config: Record<string, unknown> = { wasmWarden: { debounceMs: 0 }, 'files.exclude': { '**/.git': true } };
  /** what the server answered to `initialize` */
  serverCapabilities: Record<string, any> | undefined;
  /** what the server registered dynamically (client/registerCapability) */
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  /** how many workspace/configuration requests the server has sent (answered) so far */
  configurationRequests = 0;
  /** the server's window/showMessageRequest requests so far, and what the "user" answers (the action's title, or null: dismissed) */
  readonly messageRequests: { type: number; message: string; actions?: { title: string }[] }[] = [];
  answerMessage: (p: { message: string; actions?: { title: string }[] }) => string | null = () => null;
  private waiters: Waiter[] = [];
  private versions = new Map<string, number>();
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly root: string,
  ) {
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    child.stderr!.on('data', (d) => (this.stderr += d));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: PublishedDiagnostic[] }) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.wake();
    });
    this.connection.onNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
      this.wake();
    });
    this.connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => {
      this.configurationRequests++;
      setImmediate(() => this.wake());
      return p.items.map((i) => this.config[i.section ?? ''] ?? null);
    });
    this.connection.onRequest('client/registerCapability', (p: { registrations: { method: string; registerOptions?: unknown }[] }) => {
      this.registrations.push(...(p?.registrations ?? []));
      setImmediate(() => this.wake());
      return null;
    });
    this.connection.onRequest('window/workDoneProgress/create', (p: unknown) => {
      // recorded like a notification: tests wait for work (e.g. the workspace scan) to begin
      this.notifications.push({ method: 'window/workDoneProgress/create', params: p });
      this.wake();
      return null;
    });
    this.connection.onRequest('workspace/applyEdit', () => ({ applied: true }));
    this.connection.onRequest('window/showMessageRequest', (p: { type: number; message: string; actions?: { title: string }[] }) => {
      this.messageRequests.push(p);
      setImmediate(() => this.wake());
      const title = this.answerMessage(p);
      return title === null ? null : { title };
    });
    this.connection.listen();
  }

  static async start(
    root: string,
    initializationOptions: Record<string, unknown> = {},
    config?: Record<string, unknown>,
    textDocumentCapabilities: Record<string, unknown> = {},
  ): Promise<LspClient> {
    if (!fs.existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first`);
    // WW_SERVER_ARGS: node options for the server, e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile it in a bench
    const child = spawn(process.execPath, [...(process.env.WW_SERVER_ARGS ? process.env.WW_SERVER_ARGS.split(' ') : []), SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new LspClient(child, root);
    if (config) Object.assign(client.config, config);
    const init = await client.connection.sendRequest<{ capabilities: Record<string, any> }>('initialize', {
      processId: process.pid,
      rootUri: URI.file(root).toString(),
      workspaceFolders: [{ uri: URI.file(root).toString(), name: path.basename(root) }],
      initializationOptions: { debounceMs: 0, ...initializationOptions },
      capabilities: {
        workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true } },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { relatedInformation: true }, hover: { contentFormat: ['markdown'] }, ...textDocumentCapabilities },
      },
    });
    client.serverCapabilities = init.capabilities;
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  /** The server process's id (to read its memory from the outside). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  uri(rel: string): string {
    return URI.file(path.join(this.root, rel)).toString();
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.predicate());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Resolves when `predicate` holds (checked now and after every message from the server). */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; server stderr:\n${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits until the diagnostics published for `uri` satisfy `predicate`, and returns them. */
  async waitForDiagnostics(uri: string, predicate: (d: PublishedDiagnostic[]) => boolean, what = 'diagnostics'): Promise<PublishedDiagnostic[]> {
    await this.waitFor(() => this.diagnostics.has(uri) && predicate(this.diagnostics.get(uri)!), `${what} for ${uri}`);
    return this.diagnostics.get(uri)!;
  }

  /** Waits for the next notification `method` after this call (or an earlier one if `includePast`). */
  async waitForNotification<T>(method: string, includePast = false): Promise<T> {
    const start = includePast ? 0 : this.notifications.length;
    await this.waitFor(() => this.notifications.slice(start).some((n) => n.method === method), method);
    return this.notifications.slice(start).find((n) => n.method === method)!.params as T;
  }

  open(rel: string, text?: string, languageId?: string): string {
    const uri = this.uri(rel);
    const content = text ?? fs.readFileSync(path.join(this.root, rel), 'utf8');
    const ext = path.extname(rel).slice(1);
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: languageId ?? (ext === 'json' ? 'json' : ext), version: 1, text: content },
    });
    return uri;
  }

  /** Open a document by URI (e.g. a virtual WAT view), as an editor does after reading its content. */
  openUri(uri: string, text: string, languageId: string): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Replace a range (or the whole text when `range` is undefined). */
  change(uri: string, text: string, range?: PublishedDiagnostic['range']): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [range ? { range, text } : { text }],
    });
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Tell the server files changed on disk (as an editor's file watcher would). */
  filesChanged(changes: { rel: string; type: 1 | 2 | 3 }[]): void {
    void this.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: changes.map((c) => ({ uri: this.uri(c.rel), type: c.type })),
    });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  executeCommand<T>(command: string, args: unknown): Promise<T> {
    return this.request<T>('workspace/executeCommand', { command, arguments: [args] });
  }

  /** Whether the server process is still running. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      /* already gone */
    }
    // the server exits on `exit`; if it does not within 5 s, kill it so the test run never hangs
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}

/** A fresh copy of a fixture folder in a temp dir. */
export function workspaceCopy(fixture: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-lsp-'));
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', fixture), dir, { recursive: true });
  return dir;
}
