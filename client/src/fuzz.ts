/**
 * "Fuzz in Sandbox": asks what to fuzz (one export, or all of them / the command) and for how long, runs the
 * server's `fuzz` with a live panel (progress, coverage, findings as they come) and Stop, then shows the result.
 * Findings are written to `fuzz-findings/` beside the module.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { ServerCommands, type RunEvent } from '../../server/src/protocol';
import type { FuzzResult } from '../../server/src/engine/operations/fuzz';
import type { FuzzFinding, FuzzProgress } from '../../server/src/engine/fuzz/types';
import { escapeControls } from '../../server/src/engine/sandbox/display-text';
import type { CommandContext } from './commands';
import { findingLine, renderFuzzFinal, renderFuzzProgress, renderFuzzShell } from './panels/fuzz-view';
import { listenToRunEvents, otherSessions, runEventHandlers } from './run';

const sessions = new Map<string, string>();
let registered = false;

/** `60s`, `5m`, `1500ms`, or seconds; undefined for anything else */
export function durationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm']);
}

export async function fuzzInSandbox(ctx: CommandContext, uri: vscode.Uri): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    const ok = await vscode.window.showWarningMessage('This workspace is not trusted. Fuzz the module in the sandbox anyway? (The sandbox is narrowed as for a run: its time limit stays at the default.)', { modal: true }, 'Fuzz');
    if (ok !== 'Fuzz') return;
  }
  const invoke = await vscode.window.showInputBox({ title: 'Fuzz: which export', prompt: 'An export to fuzz; leave empty for every export with numeric parameters (or the command, for a module with _start)' });
  if (invoke === undefined) return;
  const time = await vscode.window.showInputBox({ title: 'Fuzz: for how long', value: '60s', validateInput: (v) => (durationMs(v) ? undefined : 'A time such as 60s, 5m or 1500ms') });
  if (time === undefined) return;
  const client = await ctx.client();
  listenToRunEvents(ctx, client);
  if (!registered) {
    registered = true;
    runEventHandlers.push((e: RunEvent) => {
      const file = sessions.get(e.runId);
      if (!file) return false;
      if (e.kind === 'fuzz-progress') ctx.panels.post('fuzz', file, { type: 'replace', target: 'progress', html: renderFuzzProgress(e.data as FuzzProgress) });
      else if (e.kind === 'fuzz-finding') ctx.panels.post('fuzz', file, { type: 'append', target: 'findings', text: findingLine(e.data as FuzzFinding) });
      return true;
    });
  }
  const runId = crypto.randomUUID();
  const file = uri.toString();
  const name = uri.path.split('/').pop() ?? file;
  sessions.set(runId, file);
  // the panel's Stop runs wasmWarden.stop, which stops this too
  otherSessions.add(runId);
  ctx.panels.show('fuzz', file, `Fuzz: ${name}`, renderFuzzShell(uri.fsPath, invoke.trim() ? `export ${invoke.trim()}, for ${time}` : `every export (or the command), for ${time}`));
  try {
    const result = (await client.sendRequest('workspace/executeCommand', {
      command: ServerCommands.fuzz,
      arguments: [{ uri: file, runId, invoke: invoke.trim() || undefined, durationMs: durationMs(time) }],
    })) as FuzzResult | { error?: string; refused?: { message: string } };
    if ('error' in result && typeof result.error === 'string') throw new Error(result.error);
    if ('refused' in result && result.refused) throw new Error(escapeControls(result.refused.message));
    if (!('kind' in result)) throw new Error('the module cannot be fuzzed as it is (run it once first)');
    ctx.panels.show('fuzz', file, `Fuzz: ${name}`, renderFuzzFinal(result));
    ctx.output.appendLine(`--- Fuzz: ${uri.fsPath}: ${result.findings.length} finding(s), seed ${result.seed}${result.findings.map((f) => `\n  ${escapeControls(f.cause.key)}: ${f.file ?? ''}`).join('')}`);
  } finally {
    sessions.delete(runId);
    otherSessions.delete(runId);
  }
}
