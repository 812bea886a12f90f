/**
 * Commands over versions of a module: diff (read only), approve and rollback (they write the lock file,
 * the store or the module). A write runs only once the user said yes: the client says so with
 * `confirmed: true` (VS Code asks in a modal dialog), otherwise the server asks with
 * `window/showMessageRequest`, so a quick fix or any LSP editor gets the same confirmation, trusted
 * workspace or not; nothing in the workspace (settings, policy, lock file) can skip it.
 */
import * as path from 'path';
import type { Connection } from 'vscode-languageserver/node';
import { FileChangeType, MessageType } from 'vscode-languageserver/node';
import { diffFiles, diffWithApproved } from '../engine/operations/diff';
import { approveFile, approvalStatus } from '../engine/operations/approve';
import { rollbackFile } from '../engine/operations/rollback';
import { forgetLock } from '../engine/approvals/lock';
import { pathToUri, uriToPath } from '../documents';
import { APPROVE_ACTION, ROLLBACK_ACTION, ServerCommands, type ApprovalArgs, type DiffArgs } from '../protocol';
import { fileArg } from './toolchain';
import type { CommandHandler } from '.';
import type { Workspace } from '../workspace';

const diff: CommandHandler = async (ws, raw) => {
  const { file } = fileArg(raw);
  const a = (raw[0] ?? {}) as DiffArgs;
  if (a.oldApproved === true) return diffWithApproved(file, ws.policies);
  const oldFile = typeof a.oldUri === 'string' ? uriToPath(a.oldUri) : undefined;
  if (!oldFile) throw new Error('diff needs the URI of the version to compare with (oldUri)');
  return diffFiles(oldFile, file, ws.policies);
};

/** Ask the user through the editor; true only when the answer is `action`. */
async function askUser(connection: Connection, ws: Workspace, message: string, action: string): Promise<boolean> {
  const trust = ws.settings.trusted ? '' : ' This workspace is not trusted: say yes only if you meant to do this.';
  const answer = await connection.sendRequest<{ title: string } | null>('window/showMessageRequest', {
    type: MessageType.Warning,
    message: `${message}${trust}`,
    actions: [{ title: action }, { title: 'Cancel' }],
  });
  return answer?.title === action;
}

const approve: CommandHandler = async (ws, raw, _token, connection) => {
  const { file } = fileArg(raw);
  const a = (raw[0] ?? {}) as ApprovalArgs;
  if (a.confirmed !== true) {
    const s = approvalStatus(file, ws.policies);
    const ok = await askUser(
      connection,
      ws,
      `Approve ${path.basename(file)} (SHA-256 ${s.sha256.slice(0, 12)}…) as a reviewed version? This records it in ${path.basename(s.lockFile)} and keeps a copy in .wasm-warden/store for rollback.`,
      APPROVE_ACTION,
    );
    if (!ok) return { cancelled: true };
  }
  const report = approveFile(file, ws.policies, { force: a.force === true, note: typeof a.note === 'string' ? a.note : undefined });
  forgetLock(report.lockFile);
  ws.recheckAll();
  return report;
};

const rollback: CommandHandler = async (ws, raw, _token, connection) => {
  const { file } = fileArg(raw);
  const a = (raw[0] ?? {}) as ApprovalArgs;
  if (a.confirmed !== true) {
    const s = approvalStatus(file, ws.policies);
    const last = s.versions[s.versions.length - 1];
    if (!last) throw new Error(`no approved version of ${path.basename(file)} to roll back to`);
    const ok = await askUser(
      connection,
      ws,
      `Roll back ${path.basename(file)} to its last approved version ${s.versions.length} (SHA-256 ${last.sha256.slice(0, 12)}…${last.approvedAt ? `, approved ${last.approvedAt.slice(0, 10)}` : ''})? The current file is kept beside it as a .bak.`,
      ROLLBACK_ACTION,
    );
    if (!ok) return { cancelled: true };
  }
  const report = rollbackFile(file, ws.policies);
  // the module changed on disk: its caches go and it is checked again (the watcher may say so later too)
  ws.filesChanged([{ uri: pathToUri(file), type: FileChangeType.Changed }]);
  return report;
};

export const versionCommands = {
  [ServerCommands.diff]: diff,
  [ServerCommands.approve]: approve,
  [ServerCommands.rollback]: rollback,
};
