/**
 * The extension's commands. Each one resolves its target (argument from the explorer, the active
 * editor, the active `.wasm` editor, or the `.wasm` behind a WAT view), runs the server command
 * through `workspace/executeCommand` with cancellable progress, and shows the result in its panel
 * and as plain text in the output channel.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FunctionListRequest, ServerCommands, WAT_VIEW_SCHEME, type ApproveReport, type FunctionListResult, type RollbackReport } from '../../server/src/protocol';
import type { PanelManager } from './panels/panel-manager';
import type { WatViewProvider } from './wasm-view';
import { nestedModuleViewUri, wasmUriOfView, watViewUri } from './wat-view-uri';
import type { Inspection } from '../../server/src/engine/operations/inspect';
import { renderInspection } from './panels/inspect-view';
import { panelRenderers, type PanelKind, type PanelRenderer } from './panels';
import { runInSandbox, saveRunReport, stopRuns } from './run';
import { benchInSandbox } from './bench';
import { fuzzInSandbox } from './fuzz';
import { chooseSecretKeyFile, gitIgnoreIfInWorkspace, pickSignaturePlacement, resolveSecretKey, pickPublicKeys } from './keys';

export interface CommandContext {
  /** the started client: a command run before the server is up waits for it (and starts it if need be) */
  client: () => Promise<LanguageClient>;
  panels: PanelManager;
  output: vscode.LogOutputChannel;
  watViews: WatViewProvider;
}

/** The file a command should act on. */
export function targetUri(arg?: unknown): vscode.Uri | undefined {
  let uri: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (typeof arg === 'string' && arg) uri = vscode.Uri.parse(arg);
  else {
    uri = vscode.window.activeTextEditor?.document.uri;
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (!uri && tab instanceof vscode.TabInputCustom) uri = tab.uri;
    if (!uri && tab instanceof vscode.TabInputText) uri = tab.uri;
  }
  if (uri?.scheme === WAT_VIEW_SCHEME) uri = wasmUriOfView(uri);
  return uri;
}

export async function runServerCommand<T>(ctx: CommandContext, title: string, command: string, args: Record<string, unknown>): Promise<T> {
  const client = await ctx.client();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
    const result = (await client.sendRequest('workspace/executeCommand', { command, arguments: [args] }, token)) as T & { error?: string };
    if (result && typeof result === 'object' && typeof result.error === 'string') throw new Error(result.error);
    return result;
  });
}

/**
 * Runs a file-writing server command. If the output exists, asks: writing alongside it (a free name
 * beside it, the default button) or overwriting it; never overwrites without that explicit choice.
 */
async function runWriting<T extends { exists?: boolean; file?: string }>(
  ctx: CommandContext,
  title: string,
  command: string,
  args: Record<string, unknown>,
): Promise<T | undefined> {
  let result = await runServerCommand<T>(ctx, title, command, args);
  if (result.exists) {
    const name = result.file?.split(/[\\/]/).pop() ?? 'The output';
    const answer = await vscode.window.showWarningMessage(
      `${name} exists. Write the new file alongside it, or overwrite it?`,
      { modal: true, detail: `${result.file}\n"Write Alongside" keeps it and writes a new file with a number added to its name.` },
      WRITE_ALONGSIDE,
      'Overwrite',
    );
    if (answer === WRITE_ALONGSIDE) result = await runServerCommand<T>(ctx, title, command, { ...args, alongside: true });
    else if (answer === 'Overwrite') result = await runServerCommand<T>(ctx, title, command, { ...args, overwrite: true });
    else return undefined;
  }
  return result;
}

const WRITE_ALONGSIDE = 'Write Alongside';
const APPROVE = 'Approve';
const ROLL_BACK = 'Roll Back';
const LAST_APPROVED = 'Last approved version';

function baseName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() ?? uri.toString();
}

/** Said in the confirmations of an untrusted workspace: these commands write into it. */
function restrictedNote(): string {
  return vscode.workspace.isTrusted ? '' : '\n\nThis workspace is in Restricted Mode: this writes files in it only because you ask.';
}

/** What "Compare With..." compares the module with: its last approved version, or a file the user picks. */
async function pickVersionToCompare(uri: vscode.Uri): Promise<Record<string, unknown> | undefined> {
  const items = [
    { label: LAST_APPROVED, description: 'the copy kept when it was approved (wasm-warden.lock.json)' },
    { label: 'Choose a file...', description: 'another build of this module' },
  ];
  const chosen = await vscode.window.showQuickPick(items, { title: `Compare ${baseName(uri)} with...`, placeHolder: 'the older version' });
  if (!chosen) return undefined;
  if (chosen.label === LAST_APPROVED) return { uri: uri.toString(), oldApproved: true };
  const [old] =
    (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Compare', filters: { WebAssembly: ['wasm', 'wat'] }, defaultUri: vscode.Uri.joinPath(uri, '..') })) ?? [];
  return old ? { uri: uri.toString(), oldUri: old.toString() } : undefined;
}

function show(ctx: CommandContext, kind: PanelKind, uri: vscode.Uri, result: unknown): void {
  const r = panelRenderers[kind] as PanelRenderer<unknown>;
  const name = uri.path.split('/').pop() ?? uri.toString();
  ctx.panels.show(kind, uri.toString(), `${r.title}: ${name}`, r.html(result, uri.toString()));
  ctx.output.appendLine(`--- ${r.title}: ${uri.fsPath}`);
  ctx.output.appendLine(r.text(result));
}

/**
 * A quick pick of a module's defined functions: `name (func 123)` and the body's size, searchable by name
 * or index (`123` finds func 123). Built once per call from a compact list (35,000 functions stay quick).
 */
async function pickFunction(ctx: CommandContext, uri: vscode.Uri): Promise<{ index: number; name?: string } | undefined> {
  const client = await ctx.client();
  const list: FunctionListResult = await client.sendRequest(FunctionListRequest, { uri: uri.toString() });
  if (list.error) throw new Error(list.error);
  if (list.functions.length === 0) throw new Error(`${uri.path.split('/').pop()} defines no functions`);
  const items = list.functions.map(([index, size, name]) => ({
    label: name ? `${name} (func ${index})` : `func ${index}`,
    description: formatSize(size),
    index,
    name: name || undefined,
  }));
  const chosen = await vscode.window.showQuickPick(items, {
    title: `Show Function Body: ${uri.path.split('/').pop()} (${items.length} functions)`,
    placeHolder: 'a function name or index',
    matchOnDescription: false,
  });
  return chosen ? { index: chosen.index, name: chosen.name } : undefined;
}

/** Picks one of a component's nested core modules (from its inspection). */
async function pickNestedModule(ctx: CommandContext, uri: vscode.Uri): Promise<number | undefined> {
  const client = await ctx.client();
  const result = (await client.sendRequest('workspace/executeCommand', { command: ServerCommands.inspect, arguments: [{ uri: uri.toString() }] })) as Inspection | { error: string };
  if ('error' in result) throw new Error(result.error);
  const modules = result.component?.modules ?? [];
  if (modules.length === 0) throw new Error(`${uri.path.split('/').pop()} is not a component with core modules inside`);
  const chosen = await vscode.window.showQuickPick(
    modules.map((m, index) => ({ label: `core ${m.path}`, description: `@0x${m.offset.toString(16)}, ${formatSize(m.size)}`, index })),
    { title: `Show Nested Module as WAT: ${uri.path.split('/').pop()}` },
  );
  return chosen?.index;
}

function formatSize(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function registerCommands(context: vscode.ExtensionContext, ctx: CommandContext): void {
  const needTarget = (arg: unknown): vscode.Uri => {
    const uri = targetUri(arg);
    if (!uri) throw new Error('Open a .wat, .wast or .wasm file first (or pick one in the explorer).');
    return uri;
  };
  const needWasm = (arg: unknown): vscode.Uri => {
    const uri = needTarget(arg);
    if (!uri.path.endsWith('.wasm')) throw new Error('Versions are compared, approved and rolled back for .wasm modules: open or pick one.');
    return uri;
  };
  const commands: Record<string, (arg?: unknown, ...rest: unknown[]) => Promise<unknown>> = {
    'wasmWarden.validate': async (arg) => {
      const uri = needTarget(arg);
      show(ctx, 'validate', uri, await runServerCommand(ctx, 'Validating…', ServerCommands.validate, { uri: uri.toString() }));
    },
    'wasmWarden.inspect': async (arg) => {
      const uri = needTarget(arg);
      const result = await runServerCommand(ctx, 'Inspecting…', ServerCommands.inspect, { uri: uri.toString() });
      ctx.panels.show('inspect', uri.toString(), `Inspect: ${uri.path.split('/').pop()}`, renderInspection(result as never, uri.toString()));
      ctx.output.appendLine(`--- Inspect: ${uri.fsPath}\n${JSON.stringify(result, null, 2)}`);
    },
    'wasmWarden.compile': async (arg) => {
      const uri = needTarget(arg);
      const debugNames = vscode.workspace.getConfiguration('wasmWarden').get<boolean>('compile.debugNames', true);
      const result = await runWriting<{ exists?: boolean; file?: string }>(ctx, 'Compiling…', ServerCommands.compile, { uri: uri.toString(), debugNames });
      if (result) show(ctx, 'compile', uri, result);
    },
    'wasmWarden.disassemble': async (arg) => {
      const uri = needTarget(arg);
      const result = await runWriting<{ exists?: boolean; file?: string; written?: boolean }>(ctx, 'Disassembling…', ServerCommands.disassemble, { uri: uri.toString() });
      if (result?.written && result.file) await vscode.window.showTextDocument(vscode.Uri.file(result.file), { preview: false });
    },
    'wasmWarden.optimize': async (arg, level?: unknown) => {
      const uri = needTarget(arg);
      const levels = ['O1', 'O2', 'O3', 'O4', 'Os', 'Oz'];
      const configured = vscode.workspace.getConfiguration('wasmWarden').get<string>('optimizeLevel', 'Os');
      // a level given by the caller (a keybinding, a test) is used as is; otherwise the user picks, the setting first
      let chosen = typeof level === 'string' && levels.includes(level) ? level : undefined;
      if (!chosen) {
        const items = [configured, ...levels.filter((l) => l !== configured)].map((l) => ({ label: l, description: l === configured ? 'wasmWarden.optimizeLevel' : undefined }));
        chosen = (await vscode.window.showQuickPick(items, { title: 'Optimization level', placeHolder: `binaryen -${configured}` }))?.label;
      }
      if (!chosen) return; // Escape cancels
      // strip options come from the settings, read by the server
      const result = await runWriting<{ exists?: boolean; file?: string; signedInput?: boolean }>(ctx, `Optimizing (-${chosen})…`, ServerCommands.optimize, {
        uri: uri.toString(),
        level: chosen,
      });
      if (!result) return;
      // a signed input is told once, in the panel (its signature-removed finding)
      show(ctx, 'optimize', uri, result);
    },
    'wasmWarden.keygen': async () => {
      const target = await chooseSecretKeyFile();
      if (!target) return;
      const pem = target.path.endsWith('.pem');
      const publicKey = target.with({ path: target.path.replace(/(\.secret)?\.(key|pem)$/, '') + (pem ? '.pub.pem' : '.pub') });
      const result = await runWriting<{ exists?: boolean; file?: string; keyId?: string; secretKey?: { file: string }; publicKey?: { file: string } }>(ctx, 'Generating key pair…', ServerCommands.keygen, {
        secretKey: target.fsPath,
        publicKey: publicKey.fsPath,
        format: pem ? 'pem' : 'raw',
      });
      if (!result) return;
      const secretFile = result.secretKey?.file ?? target.fsPath;
      await gitIgnoreIfInWorkspace(vscode.Uri.file(secretFile));
      void vscode.window.showInformationMessage(`Key pair written. Secret key: ${secretFile}; public key: ${result.publicKey?.file ?? publicKey.fsPath} (key id ${result.keyId ?? '?'})`);
    },
    'wasmWarden.sign': async (arg) => {
      const uri = needTarget(arg);
      const secretKey = await resolveSecretKey(context);
      if (!secretKey) return;
      const placement = await pickSignaturePlacement(uri);
      if (!placement) return;
      const result = await runWriting<{ exists?: boolean; file?: string; warnings?: string[] }>(ctx, 'Signing…', ServerCommands.sign, { uri: uri.toString(), ...secretKey, ...placement });
      if (!result) return;
      for (const w of result.warnings ?? []) void vscode.window.showWarningMessage(`Wasm Warden: ${w}`);
      show(ctx, 'signatures', uri, result);
    },
    'wasmWarden.verify': async (arg) => {
      const uri = needTarget(arg);
      const publicKeys = await pickPublicKeys();
      show(ctx, 'signatures', uri, await runServerCommand(ctx, 'Verifying…', ServerCommands.verify, { uri: uri.toString(), publicKeys }));
    },
    'wasmWarden.showSignatures': async (arg) => {
      const uri = needTarget(arg);
      show(ctx, 'signatures', uri, await runServerCommand(ctx, 'Reading signatures…', ServerCommands.showSignatures, { uri: uri.toString() }));
    },
    'wasmWarden.compareWith': async (arg, old?: unknown) => {
      const uri = needWasm(arg);
      let args: Record<string, unknown> | undefined;
      if (old instanceof vscode.Uri || (typeof old === 'string' && old)) args = { uri: uri.toString(), oldUri: old.toString() };
      else if (old === 'approved' || (old && typeof old === 'object' && (old as { approved?: unknown }).approved === true)) args = { uri: uri.toString(), oldApproved: true };
      else args = await pickVersionToCompare(uri);
      if (!args) return;
      show(ctx, 'diff', uri, await runServerCommand(ctx, 'Comparing…', ServerCommands.diff, args));
    },
    'wasmWarden.approve': async (arg) => {
      const uri = needWasm(arg);
      const name = baseName(uri);
      const yes = await vscode.window.showWarningMessage(
        `Approve ${name} as a reviewed version?`,
        { modal: true, detail: `Its SHA-256, size, signers and capabilities are recorded in wasm-warden.lock.json beside the policy, and a copy is kept in .wasm-warden/store for rollback.${restrictedNote()}` },
        APPROVE,
      );
      if (yes !== APPROVE) return;
      let result = await runServerCommand<ApproveReport>(ctx, 'Approving…', ServerCommands.approve, { uri: uri.toString(), confirmed: true });
      if (result.refused) {
        const anyway = await vscode.window.showWarningMessage(
          `${name} has ${result.refused.length} error finding${result.refused.length === 1 ? '' : 's'}. Approve it anyway?`,
          { modal: true, detail: result.refused.slice(0, 5).map((f) => `[${f.rule}] ${f.message}`).join('\n') },
          'Approve Anyway',
        );
        if (anyway !== 'Approve Anyway') return;
        result = await runServerCommand<ApproveReport>(ctx, 'Approving…', ServerCommands.approve, { uri: uri.toString(), confirmed: true, force: true });
      }
      const v = result.version;
      const message = result.alreadyApproved
        ? `${name} is already approved (version ${result.versionNumber}).`
        : `Approved ${name} as version ${result.versionNumber} (SHA-256 ${v?.sha256.slice(0, 12)}…) in ${baseName(vscode.Uri.file(result.lockFile))}.`;
      ctx.output.appendLine(message);
      void vscode.window.showInformationMessage(`Wasm Warden: ${message}`);
    },
    'wasmWarden.rollback': async (arg) => {
      const uri = needWasm(arg);
      const name = baseName(uri);
      const yes = await vscode.window.showWarningMessage(
        `Roll ${name} back to its last approved version?`,
        { modal: true, detail: `The approved copy is checked first (digest, and signatures recorded with it); the current file is kept beside it as ${name}.<digest>.bak.${restrictedNote()}` },
        ROLL_BACK,
      );
      if (yes !== ROLL_BACK) return;
      const r = await runServerCommand<RollbackReport>(ctx, 'Rolling back…', ServerCommands.rollback, { uri: uri.toString(), confirmed: true });
      const which = `approved version ${r.versionNumber} of ${r.versions} (SHA-256 ${r.version.sha256.slice(0, 12)}…${r.version.approvedAt ? `, approved ${r.version.approvedAt.slice(0, 10)}` : ''})`;
      const message = r.restored ? `Restored ${name} to the ${which}. The replaced file is kept as ${r.backup ? baseName(vscode.Uri.file(r.backup)) : '-'}.` : `${name} already is the ${which}.`;
      ctx.output.appendLine(message);
      void vscode.window.showInformationMessage(`Wasm Warden: ${message}`);
    },
    'wasmWarden.run': async (arg) => runInSandbox(context, ctx, needTarget(arg)),
    'wasmWarden.bench': async (arg) => benchInSandbox(ctx, needTarget(arg)),
    'wasmWarden.fuzz': async (arg) => fuzzInSandbox(ctx, needTarget(arg)),
    'wasmWarden.stop': async () => stopRuns(ctx),
    'wasmWarden.saveRunReport': async () => saveRunReport(),
    'wasmWarden.writeDefaultPolicy': async (arg) => {
      const result = await runWriting<{ file: string; written?: boolean }>(ctx, 'Writing policy…', ServerCommands.writeDefaultPolicy, { uri: targetUri(arg)?.toString() });
      if (result?.written) await vscode.window.showTextDocument(vscode.Uri.file(result.file));
    },
    'wasmWarden.writeBaselinePolicy': async (arg) => {
      const uri = targetUri(arg) ?? vscode.workspace.workspaceFolders?.[0]?.uri;
      const result = await runWriting<{ file: string; written?: boolean }>(ctx, 'Writing baseline policy…', ServerCommands.writeBaselinePolicy, { uri: uri?.toString() });
      if (result?.written) await vscode.window.showTextDocument(vscode.Uri.file(result.file));
    },
    'wasmWarden.showWatView': async (arg) => {
      const uri = needTarget(arg);
      const doc = await vscode.workspace.openTextDocument(watViewUri(uri));
      // in the results group, beside the summary (or the source) it was asked from
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: ctx.panels.resultsColumn() });
    },
    'wasmWarden.showNestedModule': async (arg, index?: unknown) => {
      const target = needTarget(arg);
      const given = /(?:^|&)module=(\d+)/.exec(target.query);
      const uri = target.with({ query: '' });
      const picked = typeof index === 'number' ? index : given ? Number(given[1]) : await pickNestedModule(ctx, uri);
      if (picked === undefined) return;
      const doc = await vscode.workspace.openTextDocument(nestedModuleViewUri(uri, picked));
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: ctx.panels.resultsColumn() });
    },
    'wasmWarden.showFunctionBody': async (arg, func?: unknown) => {
      const uri = needTarget(arg);
      const picked = typeof func === 'number' ? { index: func, name: undefined } : await pickFunction(ctx, uri);
      if (!picked) return;
      const doc = await vscode.workspace.openTextDocument(watViewUri(uri, picked.index, picked.name));
      await vscode.window.showTextDocument(doc, { preview: false, viewColumn: ctx.panels.resultsColumn() });
    },
    // a code lens's "N references": the server sends plain JSON, the editor's command wants its own types
    'wasmWarden.showReferences': async (uri, position, locations) => {
      type Pos = { line: number; character: number };
      type Loc = { uri: string; range: { start: Pos; end: Pos } };
      if (typeof uri !== 'string' || !Array.isArray(locations)) return;
      const pos = (p: Pos) => new vscode.Position(p.line, p.character);
      await vscode.commands.executeCommand(
        'editor.action.showReferences',
        vscode.Uri.parse(uri),
        pos(position as Pos),
        (locations as Loc[]).map((l) => new vscode.Location(vscode.Uri.parse(l.uri), new vscode.Range(pos(l.range.start), pos(l.range.end)))),
      );
    },
  };
  for (const [id, run] of Object.entries(commands)) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await (run as (...a: unknown[]) => Promise<unknown>)(...args);
        } catch (err) {
          const message = (err as Error).message ?? String(err);
          if (!/cancel/i.test(message)) void vscode.window.showErrorMessage(`Wasm Warden: ${message}`);
          ctx.output.appendLine(`error: ${message}`);
          return undefined;
        }
      }),
    );
  }
}
