/**
 * Starting the language server: a Node module (dist/server.js) over IPC, for WAT, WAST, `.wasm` and
 * the policy file. Settings and the workspace's trust state are passed to the server.
 *
 * This file and vscode-languageclient are bundled on their own, to dist/language-client.js
 * (scripts/build.mjs), and required by extension.ts only when the client is started, after activate()
 * has returned: loading vscode-languageclient is most of the extension's load time.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { WAT_VIEW_SCHEME } from '../../server/src/protocol';

export function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'wat' },
      { scheme: 'file', language: 'wast' },
      { scheme: 'file', pattern: '**/wasm-warden.policy.json' },
      { scheme: WAT_VIEW_SCHEME, language: 'wat' },
    ],
    outputChannel: output,
    // the real trust state (without it the server treats the workspace as untrusted), and the promise that
    // every configuration answer carries it too (the middleware below), so granting trust takes effect
    initializationOptions: { ...vscode.workspace.getConfiguration('wasmWarden'), trusted: vscode.workspace.isTrusted, trustInConfiguration: true },
    synchronize: { configurationSection: 'wasmWarden' },
    middleware: {
      workspace: {
        // the trust state is not a setting; add it to every configuration answer
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          return Array.isArray(result) ? result.map((r) => (r && typeof r === 'object' ? { ...r, trusted: vscode.workspace.isTrusted } : r)) : result;
        },
      },
    },
  };
  return new LanguageClient('wasmWarden', 'Wasm Warden', serverOptions, clientOptions);
}
