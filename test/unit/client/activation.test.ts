/**
 * Activation of the extension (client/src/extension.ts) against a small fake `vscode` and a fake
 * language client module: activate() registers everything and returns without loading the language
 * client; the client is then started once, by itself right after activation or by whatever needs it
 * first, and a command run before the server is up waits for it.
 */
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';

const ROOT = path.join(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

const disposable = { dispose() {} };

class Uri {
  constructor(readonly scheme: string, readonly path: string, readonly query = '') {}
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}${this.query ? `?${this.query}` : ''}`;
  }
  with(change: { path?: string }): Uri {
    return new Uri(this.scheme, change.path ?? this.path, this.query);
  }
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    const m = /^([\w-]+):\/\/([^?]*)(?:\?(.*))?$/.exec(s);
    return m ? new Uri(m[1], m[2], m[3] ?? '') : new Uri('file', s);
  }
  static from(c: { scheme: string; path: string; query?: string }): Uri {
    return new Uri(c.scheme, c.path, c.query ?? '');
  }
  static joinPath(u: Uri, ...parts: string[]): Uri {
    return new Uri(u.scheme, [u.path, ...parts].join('/'));
  }
}

interface FakeClient {
  started: boolean;
  stopped: boolean;
  requests: { method: string; params: unknown }[];
  start(): Promise<void>;
  stop(): Promise<void>;
  sendRequest(method: string, params: unknown): Promise<unknown>;
  sendNotification(): void;
}

/** What the fakes saw, reset before each test. */
let state: {
  commands: Map<string, (...args: unknown[]) => Promise<unknown>>;
  customEditors: string[];
  contentProviders: string[];
  taskProviders: string[];
  errors: string[];
  clients: FakeClient[];
  /** resolves the fake clients' start() (the server is "up") */
  serverUp: () => void;
  serverUpPromise: Promise<void>;
  /** resolves when the first client is created */
  created: Promise<FakeClient>;
  onCreated: (c: FakeClient) => void;
};

function reset(): void {
  let serverUp!: () => void;
  const serverUpPromise = new Promise<void>((r) => (serverUp = r));
  let onCreated!: (c: FakeClient) => void;
  const created = new Promise<FakeClient>((r) => (onCreated = r));
  state = { commands: new Map(), customEditors: [], contentProviders: [], taskProviders: [], errors: [], clients: [], serverUp, serverUpPromise, created, onCreated };
}
reset();

const fakePanel = () => ({
  title: '',
  webview: { html: '', options: {}, cspSource: 'fake', asWebviewUri: (u: Uri) => u, onDidReceiveMessage: () => disposable, postMessage: async () => true },
  onDidDispose: () => disposable,
  reveal() {},
  dispose() {},
});

const fakeVscode = {
  Uri,
  EventEmitter: class {
    event = () => disposable;
    fire() {}
    dispose() {}
  },
  ProgressLocation: { Notification: 15 },
  ViewColumn: { Beside: -2 },
  TaskScope: { Workspace: 2 },
  TaskGroup: { Build: 'build', Test: 'test' },
  TabInputCustom: class {},
  TabInputText: class {},
  window: {
    createOutputChannel: () => ({ appendLine() {}, info() {}, error() {}, dispose() {} }),
    registerCustomEditorProvider: (viewType: string) => (state.customEditors.push(viewType), disposable),
    withProgress: (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) =>
      task({ report() {} }, { isCancellationRequested: false, onCancellationRequested: () => disposable }),
    showErrorMessage: async (m: string) => void state.errors.push(m),
    showWarningMessage: async () => undefined,
    showTextDocument: async () => undefined,
    createWebviewPanel: fakePanel,
    activeTextEditor: undefined,
    tabGroups: { activeTabGroup: { activeTab: undefined }, all: [], onDidChangeTabs: () => disposable },
  },
  workspace: {
    registerTextDocumentContentProvider: (scheme: string) => (state.contentProviders.push(scheme), disposable),
    onDidGrantWorkspaceTrust: () => disposable,
    onDidOpenTextDocument: () => disposable,
    onDidCloseTextDocument: () => disposable,
    createFileSystemWatcher: () => ({ onDidChange: () => disposable, onDidCreate: () => disposable, onDidDelete: () => disposable, dispose() {} }),
    getConfiguration: () => ({ get: (_k: string, d: unknown) => d }),
    isTrusted: true,
    workspaceFolders: [],
  },
  commands: {
    registerCommand: (id: string, run: (...args: unknown[]) => Promise<unknown>) => (state.commands.set(id, run), disposable),
    executeCommand: async () => undefined,
  },
  tasks: { registerTaskProvider: (type: string) => (state.taskProviders.push(type), disposable) },
};

const fakeLanguageClient = {
  createClient(): FakeClient {
    const client: FakeClient = {
      started: false,
      stopped: false,
      requests: [],
      async start() {
        await state.serverUpPromise;
        client.started = true;
      },
      async stop() {
        client.stopped = true;
      },
      async sendRequest(method, params) {
        assert.ok(client.started, `${method} sent before the client was started`);
        client.requests.push({ method, params });
        return { file: '/w/wasm-warden.policy.json', written: false };
      },
      sendNotification() {},
    };
    state.clients.push(client);
    state.onCreated(client);
    return client;
  },
};

type Extension = typeof import('../../../client/src/extension');

/** client/src/extension.ts with `vscode` and `./language-client` replaced by the fakes above. */
function loadExtension(): Extension {
  const M = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    new (id: string): { exports: unknown; loaded: boolean; filename: string };
  };
  const vscodePath = path.join(__dirname, 'fake-vscode.virtual.js');
  const fake = (file: string, exports: unknown) => {
    const m = new M(file);
    m.filename = file;
    m.exports = exports;
    m.loaded = true;
    require.cache[file] = m as unknown as NodeJS.Module;
  };
  const resolve = M._resolveFilename;
  M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscodePath : resolve.call(this, request, ...rest);
  };
  fake(vscodePath, fakeVscode);
  fake(require.resolve('../../../client/src/language-client'), fakeLanguageClient);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../../client/src/extension');
}
const extension = loadExtension();

function fakeContext() {
  const storage = () => ({ get: (_k: string, d: unknown) => d, update: async () => undefined });
  return {
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: Uri.file('/ext'),
    asAbsolutePath: (p: string) => `/ext/${p}`,
    globalState: storage(),
    workspaceState: storage(),
    secrets: { get: async () => undefined, store: async () => undefined },
  };
}

const dispose = (ctx: ReturnType<typeof fakeContext>) => ctx.subscriptions.forEach((d) => d.dispose());

describe('activation', () => {
  beforeEach(reset);

  test('activate() registers every command, the .wasm editor, the WAT view and the tasks, and does not load the language client', async () => {
    const ctx = fakeContext();
    const api = await extension.activate(ctx as never);
    assert.deepEqual([...state.commands.keys()].sort(), manifest.contributes.commands.map((c: { command: string }) => c.command).sort());
    assert.deepEqual(state.customEditors, manifest.contributes.customEditors.map((e: { viewType: string }) => e.viewType));
    assert.deepEqual(state.contentProviders, ['wasm-warden-wat']);
    assert.deepEqual(state.taskProviders, manifest.contributes.taskDefinitions.map((t: { type: string }) => t.type));
    assert.ok(api.panels);
    assert.equal(state.clients.length, 0, 'the language client is not created during activate()');
    dispose(ctx);
    await assert.rejects(api.client(), /shutting down/, 'no client is started once the extension is disposed');
    assert.equal(state.clients.length, 0);
  });

  test('the server starts by itself after activation, once, and is stopped on dispose', { timeout: 10_000 }, async () => {
    const ctx = fakeContext();
    const api = await extension.activate(ctx as never);
    const client = await state.created;
    state.serverUp();
    assert.equal(await api.client(), client);
    assert.equal(await api.client(), client);
    assert.equal(state.clients.length, 1);
    dispose(ctx);
    assert.ok(client.stopped, 'the client is stopped when the extension is disposed');
  });

  test('a command run before the server is up starts it, waits for it, then runs', async () => {
    const ctx = fakeContext();
    await extension.activate(ctx as never);
    const run = state.commands.get('wasmWarden.writeDefaultPolicy');
    assert.ok(run);
    const done = run(Uri.file('/w/m.wasm'));
    assert.equal(state.clients.length, 1, 'the command started the client');
    const client = state.clients[0];
    await Promise.resolve();
    assert.deepEqual(client.requests, [], 'nothing is sent before the server is up');
    state.serverUp();
    await done;
    assert.deepEqual(state.errors, []);
    assert.deepEqual(client.requests, [
      { method: 'workspace/executeCommand', params: { command: 'wasmWarden.server.writeDefaultPolicy', arguments: [{ uri: 'file:///w/m.wasm' }] } },
    ]);
    // later commands use the same client
    await state.commands.get('wasmWarden.writeDefaultPolicy')!(Uri.file('/w/n.wasm'));
    assert.equal(state.clients.length, 1);
    assert.equal(client.requests.length, 2);
    dispose(ctx);
  });
});
