/**
 * "Run in sandbox": runs the module in the server's sandbox and shows a live panel (output, clock,
 * memory graph, WASI call counts, violations, Stop). Respects Workspace Trust: in an untrusted
 * workspace the user is asked before every run, and the server narrows the sandbox; mounts outside
 * the workspace need the user's confirmation the first time. The policy's denied imports trap when called:
 * after such a trap the user may confirm one run with them allowed; a module with imports the sandbox does
 * not provide (emscripten, wasm-bindgen) is refused until the user picks stubs for them.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { RunEventNotification, ServerCommands, type ImportPlan, type RunArgs, type RunEvent, type RunNeedsConfirmation, type RunRefused } from '../../server/src/protocol';
import type { Alert, LiveStats } from '../../server/src/engine/sandbox/types';
import type { CommandContext } from './commands';
import { alertLine, importPlanLines, renderRunFinal, renderRunShell, renderRunStats, violationLine } from './panels/run-view';
import { escapeControls, jsonDisplaySafe } from '../../server/src/engine/sandbox/display-text';

const CONFIRMED_KEY = 'wasmWarden.confirmedMounts';
const active = new Map<string, { file: string }>();
let lastReport: { file: string; report: unknown } | undefined;
let listening = false;

/** The user's choices for one run about the module's imports (RunArgs), and the configuration already picked. */
type RunChoices = Pick<RunArgs, 'allowDeniedImports' | 'stubImports'> & { configuration?: string };

export async function runInSandbox(context: vscode.ExtensionContext, ctx: CommandContext, uri: vscode.Uri, choices: RunChoices = {}): Promise<void> {
  if (!vscode.workspace.isTrusted && !choices.allowDeniedImports) {
    const ok = await vscode.window.showWarningMessage(
      'This workspace is not trusted. Run the module in the sandbox anyway? (Workspace settings and the policy cannot widen the sandbox: mounts are read-only and inside the workspace, no host environment variable is passed, and limits stay at their defaults.)',
      { modal: true },
      'Run',
    );
    if (ok !== 'Run') return;
  }
  const client = await ctx.client();
  listenToRunEvents(ctx, client);
  const configs = vscode.workspace.getConfiguration('wasmWarden').get<{ name: string }[]>('sandbox.configurations', []);
  const configuration = choices.configuration ?? (configs.length > 1 ? (await vscode.window.showQuickPick(configs.map((c) => c.name), { title: 'Run configuration' })) : configs[0]?.name);
  let { allowDeniedImports, stubImports } = choices;
  const runId = crypto.randomUUID();
  const file = uri.toString();
  let confirmedOutside = context.globalState.get<string[]>(CONFIRMED_KEY, []);
  active.set(runId, { file });
  ctx.panels.show('run', file, `Run: ${uri.path.split('/').pop()}`, renderRunShell(uri.fsPath), (m) => {
    if (m.type === 'command' && m.command === 'wasmWarden.stop') void stopRun(ctx, runId);
  });
  try {
    for (;;) {
      const result = (await client.sendRequest('workspace/executeCommand', {
        command: ServerCommands.run,
        arguments: [{ uri: file, runId, configuration, confirmedOutside, allowDeniedImports, stubImports } satisfies RunArgs],
      })) as Record<string, unknown> & Partial<RunNeedsConfirmation> & Partial<RunRefused>;
      if (result?.needsConfirmation) {
        const dirs = result.needsConfirmation.outsideWorkspace;
        const ok = await vscode.window.showWarningMessage(
          // folder names come from the workspace's settings: a bidi override could disguise which folder it is
          `The sandbox configuration mounts folders outside the workspace: ${dirs.map(escapeControls).join(', ')}. Allow?`,
          { modal: true },
          'Allow',
        );
        if (ok !== 'Allow') return;
        confirmedOutside = [...new Set([...confirmedOutside, ...dirs])];
        await context.globalState.update(CONFIRMED_KEY, confirmedOutside);
        continue;
      }
      if (result?.refused) {
        // the message quotes the module's import names (guest-chosen): controls and bidi overrides shown escaped
        const { imports } = result.refused;
        const message = escapeControls(result.refused.message);
        const stub = imports.unlinkable.length > 0 && imports.stubs.length === 0;
        const choice = await vscode.window.showWarningMessage(
          `${message[0].toUpperCase()}${message.slice(1)}`,
          { modal: true },
          ...(stub ? ['Run With Stubs That Trap', 'Run With Stubs That Return Zero'] : ['Run Allowing Denied Imports']),
        );
        if (!choice) {
          ctx.panels.post('run', file, { type: 'append', target: 'stderr', text: `Not run: ${message}\n` });
          return;
        }
        if (stub) stubImports = choice.includes('Trap') ? 'trap' : 'zero';
        else allowDeniedImports = true;
        continue;
      }
      if (typeof result?.error === 'string') throw new Error(result.error);
      lastReport = { file: uri.fsPath, report: result };
      ctx.panels.post('run', file, { type: 'replace', html: renderRunFinal(uri.fsPath, result as never) });
      // JSON escapes C0 controls; jsonDisplaySafe escapes DEL, C1 and bidi controls too (guest-chosen text)
      ctx.output.appendLine(`--- Run: ${uri.fsPath}\n${jsonDisplaySafe(JSON.stringify(result, null, 2))}`);
      const trap = result.trap as { kind?: string; message?: string } | undefined;
      if (trap?.kind === 'denied-import' && !allowDeniedImports) {
        const again = await vscode.window.showWarningMessage(
          `The run stopped: the module ${escapeControls(trap.message ?? '')}. Run it again with the imports the policy denies allowed, this once?`,
          { modal: true },
          'Run Again Allowing Them',
        );
        if (again) void runInSandbox(context, ctx, uri, { configuration, stubImports, allowDeniedImports: true });
      }
      return;
    }
  } finally {
    active.delete(runId);
  }
}

/** Other live views over run events (a benchmark's, a fuzzing session's): each says whether the event was its own. */
export const runEventHandlers: ((e: RunEvent) => boolean)[] = [];

/** The one listener of the server's run events (a second registration would replace the first). */
export function listenToRunEvents(ctx: CommandContext, client: { onNotification(method: string, handler: (e: RunEvent) => void): unknown }): void {
  if (listening) return;
  listening = true;
  client.onNotification(RunEventNotification, (e: RunEvent) => onEvent(ctx, e));
}

function onEvent(ctx: CommandContext, e: RunEvent): void {
  const run = active.get(e.runId);
  if (!run) {
    for (const h of runEventHandlers) if (h(e)) return;
    return;
  }
  if (e.kind === 'imports') {
    // before the guest starts: what the policy denies in it, and the stubs, in the panel's violations area
    const text = importPlanLines(e.data as ImportPlan).map((l) => `${l}\n`).join('');
    if (text) ctx.panels.post('run', run.file, { type: 'append', target: 'violations', text });
  } else if (e.kind === 'stdout' || e.kind === 'stderr') ctx.panels.post('run', run.file, { type: 'append', target: e.kind, text: String(e.data) });
  else if (e.kind === 'stats') ctx.panels.post('run', run.file, { type: 'replace', target: 'stats', html: renderRunStats(e.data as LiveStats) });
  else if (e.kind === 'alert') ctx.panels.post('run', run.file, { type: 'append', target: 'alerts', text: alertLine(e.data as Alert) });
  else if (e.kind === 'restart') ctx.panels.post('run', run.file, { type: 'append', target: 'alerts', text: `restarting the module once (alert ${escapeControls((e.data as Alert).rule)})\n` });
  else if (e.kind === 'violation') {
    const v = e.data as { kind: string; detail: string };
    ctx.panels.post('run', run.file, { type: 'append', target: 'violations', text: violationLine(v) });
  }
}

async function stopRun(ctx: CommandContext, runId: string): Promise<void> {
  const client = await ctx.client();
  await client.sendRequest('workspace/executeCommand', { command: ServerCommands.stopRun, arguments: [{ runId }] });
}

/** the ids of benchmarks and fuzzing sessions going on (stopped by Stop, like runs) */
export const otherSessions = new Set<string>();

export async function stopRuns(ctx: CommandContext): Promise<void> {
  await Promise.all([...active.keys(), ...otherSessions].map((id) => stopRun(ctx, id)));
}

/** Save the last run's final report as JSON (the panel's "Save report" button). */
export async function saveRunReport(): Promise<void> {
  if (!lastReport) throw new Error('no finished run to save');
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(lastReport.file.replace(/\.(wasm|wat)$/, '') + '.run-report.json'),
    filters: { JSON: ['json'] },
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(JSON.stringify(lastReport.report, null, 2) + '\n'));
}
