/**
 * The server's `workspace/executeCommand` table. One file per command; each handler calls one engine
 * operation and returns plain JSON the client (or any LSP editor, or a test) can show.
 */
import type { CancellationToken, Connection } from 'vscode-languageserver/node';
import type { Workspace } from '../workspace';
import { ServerCommands } from '../protocol';
import { policyCommands } from './policy';
import { inspectCommand } from './inspect';
import { toolchainCommands } from './toolchain';
import { signingCommands } from './signing';
import { runCommands } from './run';
import { benchCommand } from './bench';
import { fuzzCommand } from './fuzz';
import { versionCommands } from './versions';

export type CommandHandler = (ws: Workspace, args: unknown[], token: CancellationToken, connection: Connection) => Promise<unknown>;

const handlers: Partial<Record<(typeof ServerCommands)[keyof typeof ServerCommands], CommandHandler>> = {
  ...policyCommands,
  ...toolchainCommands,
  ...signingCommands,
  ...runCommands,
  ...versionCommands,
  [ServerCommands.inspect]: inspectCommand,
  [ServerCommands.bench]: benchCommand,
  [ServerCommands.fuzz]: fuzzCommand,
};

export function serverCommandIds(): string[] {
  return Object.keys(handlers);
}

export function registerCommands(connection: Connection, workspace: () => Workspace): void {
  connection.onExecuteCommand(async (params, token) => {
    const handler = handlers[params.command as keyof typeof handlers];
    if (!handler) throw new Error(`unknown command ${params.command}`);
    try {
      return await handler(workspace(), params.arguments ?? [], token, connection);
    } catch (err) {
      // a failed command answers with a clear error; the server keeps running
      return { error: (err as Error).message ?? String(err) };
    }
  });
}
