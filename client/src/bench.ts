/**
 * "Benchmark in Sandbox": asks what to call (an export and its numeric arguments, or the command) and how
 * many iterations, runs the server's `bench` (Stop in the panel while it runs), and shows the result: the
 * figures, a histogram and the comparison with the previous result (`<module>.bench.json`, which the server
 * reads as the baseline and then replaces with this result).
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { ServerCommands } from '../../server/src/protocol';
import type { BenchResult } from '../../server/src/engine/operations/bench';
import { escapeControls } from '../../server/src/engine/sandbox/display-text';
import type { CommandContext } from './commands';
import { renderBench } from './panels/bench-view';
import { esc } from './panels/html';
import { statusBadge } from './panels/status';
import { otherSessions } from './run';

/** `name 1 2.5` -> the export and its numbers; '' -> the command; undefined for text that is not that */
export function parseInvocation(text: string): { export: string; args: number[] } | null | undefined {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return null;
  const args = parts.slice(1).map(Number);
  if (args.some((n) => Number.isNaN(n))) return undefined;
  return { export: parts[0], args };
}

export async function benchInSandbox(ctx: CommandContext, uri: vscode.Uri): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    const ok = await vscode.window.showWarningMessage('This workspace is not trusted. Benchmark the module in the sandbox anyway? (The sandbox is narrowed as for a run.)', { modal: true }, 'Benchmark');
    if (ok !== 'Benchmark') return;
  }
  const call = await vscode.window.showInputBox({
    title: 'Benchmark: what to call',
    prompt: 'An export and its numeric arguments (e.g. "fib 25"); leave empty to run the command (_start)',
    validateInput: (v) => (parseInvocation(v) === undefined ? 'The arguments must be numbers' : undefined),
  });
  if (call === undefined) return;
  const iterationsText = await vscode.window.showInputBox({ title: 'Benchmark: iterations', value: '100', validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 ? undefined : 'A positive whole number') });
  if (iterationsText === undefined) return;
  const invoke = parseInvocation(call) ?? undefined;
  const iterations = Number(iterationsText);
  const client = await ctx.client();
  const runId = crypto.randomUUID();
  const file = uri.toString();
  const name = uri.path.split('/').pop() ?? file;
  ctx.panels.show('bench', file, `Benchmark: ${name}`, [
    `<h1>${esc(name)} ${statusBadge('running', 'info')}</h1>`,
    `<p class="summary">${esc(escapeControls(invoke ? `${invoke.export}(${invoke.args.join(', ')})` : 'the command (_start)'))} · ${iterations} iterations</p>`,
    `<p><button data-command="wasmWarden.stop">Stop</button></p>`,
  ].join('\n'));
  // the panel's Stop runs wasmWarden.stop, which stops this too
  otherSessions.add(runId);
  const result = (await client.sendRequest('workspace/executeCommand', {
    command: ServerCommands.bench,
    arguments: [{ uri: file, runId, invoke, iterations, warmup: Math.min(10, iterations) }],
  }).finally(() => otherSessions.delete(runId))) as (BenchResult & { resultFile?: string; notWritten?: string }) | { error?: string; refused?: { message: string }; needsConfirmation?: unknown };
  if ('error' in result && typeof result.error === 'string') throw new Error(result.error);
  if ('refused' in result && result.refused) throw new Error(escapeControls(result.refused.message));
  if (!('kind' in result)) throw new Error('the benchmark needs a run configuration confirmed first (run the module once)');
  ctx.panels.show('bench', file, `Benchmark: ${name}`, renderBench(result));
  ctx.output.appendLine(`--- Benchmark: ${uri.fsPath}\n${JSON.stringify(result.stats)}${result.resultFile ? `\nwritten to ${result.resultFile}` : ''}`);
  if (result.notWritten) void vscode.window.showWarningMessage(`Wasm Warden: ${escapeControls(result.notWritten)}`);
}
