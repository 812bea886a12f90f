/** `wasmWarden.server.inspect`: the inspection of one module (see engine/inspect). */
import { inspectFile } from '../engine/operations/inspect';
import { uriToPath, pathToUri } from '../documents';
import type { CommandHandler } from '.';
import type { FileCommandArgs } from '../protocol';

export const inspectCommand: CommandHandler = async (ws, args) => {
  const { uri } = (args[0] ?? {}) as FileCommandArgs;
  const file = uri ? uriToPath(uri) : undefined;
  if (!file) throw new Error('inspect needs a file URI');
  const open = ws.documents.get(pathToUri(file));
  return inspectFile(file, ws.policies, open ? { text: open.getText() } : undefined);
};
