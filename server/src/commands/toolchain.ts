/**
 * Commands over the toolchain operations: validate, compile, disassemble, optimize. Each calls one
 * engine operation; cancellation from the client aborts the worker running it. Validation findings
 * are also published as diagnostics (text position for WAT, WAT-view position for binaries).
 */
import * as path from 'path';
import type { CancellationToken } from 'vscode-languageserver/node';
import { validateFile } from '../engine/operations/validate';
import { compileFile } from '../engine/operations/compile';
import { disassembleFile } from '../engine/operations/disassemble';
import { optimizeFile } from '../engine/operations/optimize';
import { alongsidePath, outputPath } from '../engine/operations/output';
import { checkFile } from '../engine/operations/check';
import { locateFindings } from '../engine/operations/findings';
import type { OptimizeLevel } from '../engine/toolchain';
import { pathToUri, uriToPath } from '../documents';
import { ServerCommands, type FileCommandArgs } from '../protocol';
import type { CommandHandler } from '.';
import type { Workspace } from '../workspace';

export function fileArg(args: unknown[]): { file: string; args: FileCommandArgs } {
  const a = (args[0] ?? {}) as FileCommandArgs;
  const file = typeof a.uri === 'string' ? uriToPath(a.uri) : undefined;
  if (!file) throw new Error('this command needs a file URI');
  return { file, args: a };
}

/** An AbortSignal that fires when the client cancels the request. */
export function abortOn(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

/** The output a command writes: the configured one, or with `alongside` a free name beside it (never over a file). */
export function target(args: FileCommandArgs, configured: string): string {
  return args.alongside === true ? alongsidePath(configured) : configured;
}

function openText(ws: Workspace, file: string): string | undefined {
  return ws.documents.get(pathToUri(file))?.getText();
}

const validate: CommandHandler = async (ws, raw, token) => {
  const { file } = fileArg(raw);
  const result = await validateFile(file, ws.policies, { text: openText(ws, file), signal: abortOn(token) });
  ws.setValidation(file, result.findings);
  return result;
};

const compile: CommandHandler = async (ws, raw, token) => {
  const { file, args } = fileArg(raw);
  const output = target(args, outputPath(ws.settings.output.compile, file));
  if (path.resolve(output) === path.resolve(file)) throw new Error('the compile output setting points at the source itself');
  const text = openText(ws, file);
  const result = await compileFile(file, output, {
    text,
    debugNames: typeof args.debugNames === 'boolean' ? args.debugNames : ws.settings.compile.debugNames,
    overwrite: args.overwrite === true,
    signal: abortOn(token),
  });
  if (result.exists) return result;
  // the panel gives the policy's verdict on what was compiled, next to the compiler's
  const checked = checkFile(file, ws.policies, { text });
  const policy = checked.diagnostics.filter((d) => d.source === 'policy');
  return { ...result, findings: [...result.findings, ...locateFindings(file, policy, checked.wat?.text)] };
};

const disassemble: CommandHandler = async (ws, raw, token) => {
  const { file, args } = fileArg(raw);
  return disassembleFile(file, target(args, outputPath(ws.settings.output.disassemble, file)), { overwrite: args.overwrite === true, signal: abortOn(token), inWorker: true });
};

const optimize: CommandHandler = async (ws, raw, token) => {
  const { file, args } = fileArg(raw);
  const output = target(args, outputPath(ws.settings.output.optimize, file));
  if (path.resolve(output) === path.resolve(file)) throw new Error('the optimize output setting points at the input itself');
  return optimizeFile(file, output, {
    level: (typeof args.level === 'string' ? args.level : ws.settings.optimizeLevel) as OptimizeLevel,
    stripDebug: typeof args.stripDebug === 'boolean' ? args.stripDebug : ws.settings.optimize.stripDebug,
    stripProducers: typeof args.stripProducers === 'boolean' ? args.stripProducers : ws.settings.optimize.stripProducers,
    keepCustomSections: typeof args.keepCustomSections === 'boolean' ? args.keepCustomSections : ws.settings.optimize.keepCustomSections,
    overwrite: args.overwrite === true,
    signal: abortOn(token),
  });
};

export const toolchainCommands = {
  [ServerCommands.validate]: validate,
  [ServerCommands.compile]: compile,
  [ServerCommands.disassemble]: disassemble,
  [ServerCommands.optimize]: optimize,
};
