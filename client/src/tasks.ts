/**
 * Tasks of type `wasm-warden`: `{ "type": "wasm-warden", "command": "check", "args": [...] }` runs the
 * project's CLI (the same engine as the server) in a shell; `$wasm-warden` maps its output to problems.
 */
import * as vscode from 'vscode';

export const TASK_TYPE = 'wasm-warden';

interface WardenTaskDefinition extends vscode.TaskDefinition {
  command: 'check' | 'validate' | 'optimize' | 'sign' | 'verify' | 'run' | 'inspect' | 'compile' | 'disassemble';
  args?: string[];
}

function cliPath(context: vscode.ExtensionContext): string {
  return context.asAbsolutePath('dist/cli.js');
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function taskFor(context: vscode.ExtensionContext, definition: WardenTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope = vscode.TaskScope.Workspace): vscode.Task {
  const args = [definition.command, ...(definition.args ?? [])];
  const line = [quote(process.execPath), quote(cliPath(context)), ...args.map(quote), '--no-color'].join(' ');
  const task = new vscode.Task(
    definition,
    scope,
    `${definition.command}${definition.args?.length ? ' ' + definition.args.join(' ') : ''}`,
    TASK_TYPE,
    new vscode.ShellExecution(line, { env: { ELECTRON_RUN_AS_NODE: '1' } }),
    ['$wasm-warden'],
  );
  task.group = definition.command === 'check' || definition.command === 'validate' ? vscode.TaskGroup.Test : vscode.TaskGroup.Build;
  return task;
}

export function registerTasks(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.tasks.registerTaskProvider(TASK_TYPE, {
      provideTasks: () => {
        if (!vscode.workspace.isTrusted) return [];
        return (vscode.workspace.workspaceFolders ?? []).flatMap((folder) => [
          taskFor(context, { type: TASK_TYPE, command: 'check', args: ['.'] }, folder),
          taskFor(context, { type: TASK_TYPE, command: 'validate', args: ['.'] }, folder),
        ]);
      },
      resolveTask: (task) => {
        const def = task.definition as WardenTaskDefinition;
        if (!def.command) return undefined;
        return taskFor(context, def, task.scope as vscode.WorkspaceFolder);
      },
    }),
  );
}
