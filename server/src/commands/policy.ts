/**
 * Policy commands: write the default policy, write a baseline policy that allows exactly what the
 * given modules use, and re-scan the workspace. Existing files are never overwritten unless the
 * caller says `overwrite: true` (the client asks the user first).
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultPolicyText } from '../engine/policy/check';
import { baselinePolicyText } from '../engine/operations/baseline';
import { POLICY_FILE_NAME } from '../engine/policy/store';
import { scanFolder } from '../engine/scan';
import { ServerCommands } from '../protocol';
import { uriToPath } from '../documents';
import type { CommandHandler } from '.';

interface PolicyArgs {
  /** a file or folder the policy is for; the policy is written to the workspace root that holds it */
  uri?: string;
  overwrite?: boolean;
}

export interface WritePolicyResult {
  file: string;
  written: boolean;
  /** the file exists and `overwrite` was not set: nothing was written */
  exists?: boolean;
  text: string;
}

function targetFile(ws: Parameters<CommandHandler>[0], uri?: string): string {
  const p = uri ? uriToPath(uri) : undefined;
  const root = (p && ws.roots.find((r) => p === r || p.startsWith(r + path.sep))) ?? ws.roots[0] ?? (p ? path.dirname(p) : undefined);
  if (!root) throw new Error('no workspace folder to write the policy to');
  return path.join(root, POLICY_FILE_NAME);
}

function write(file: string, text: string, overwrite: boolean | undefined): WritePolicyResult {
  if (fs.existsSync(file) && !overwrite) return { file, written: false, exists: true, text };
  fs.writeFileSync(file, text);
  return { file, written: true, text };
}

const writeDefault: CommandHandler = async (ws, args) => {
  const { uri, overwrite } = (args[0] ?? {}) as PolicyArgs;
  return write(targetFile(ws, uri), defaultPolicyText(), overwrite);
};

const writeBaseline: CommandHandler = async (ws, args) => {
  const { uri, overwrite } = (args[0] ?? {}) as PolicyArgs;
  const p = uri ? uriToPath(uri) : ws.roots[0];
  if (!p) throw new Error('baseline policy needs a module or folder');
  const files = fs.statSync(p).isDirectory() ? [...scanFolder(p)] : [p];
  const baseline = baselinePolicyText(files, ws.policies);
  return { ...write(targetFile(ws, uri), baseline.text, overwrite), modules: baseline.modules };
};

const rescan: CommandHandler = async (ws) => {
  ws.policies.invalidate();
  await ws.scanWorkspace();
  return { ok: true };
};

export const policyCommands = {
  [ServerCommands.writeDefaultPolicy]: writeDefault,
  [ServerCommands.writeBaselinePolicy]: writeBaseline,
  [ServerCommands.rescanWorkspace]: rescan,
};
