/**
 * Workspace trust for sandbox settings: in an untrusted workspace, the settings (which come from the
 * workspace) may not widen the sandbox beyond the workspace folder and may not write.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SandboxMount, SandboxOptions } from './types';

export interface TrustChange {
  kind: 'made-read-only' | 'removed-outside-workspace' | 'removed-stdin-outside-workspace';
  host: string;
  guest?: string;
}

function real(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    // not there (yet): resolve the closest existing ancestor, so a symlinked parent still counts
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(real(parent), path.basename(abs));
  }
}

/** true when `p` (symlinks resolved) is `root` or inside it */
export function isInside(p: string, root: string): boolean {
  const rp = real(p);
  const rr = real(root);
  return rp === rr || rp.startsWith(rr.endsWith(path.sep) ? rr : rr + path.sep);
}

/** The mounts whose host directory (symlinks resolved) is not inside the workspace folder. */
export function mountsOutsideWorkspace(options: SandboxOptions, workspaceRoot: string): SandboxMount[] {
  return options.dirs.filter((d) => !isInside(d.host, workspaceRoot));
}

/**
 * For an untrusted workspace: removes the mounts outside the workspace folder (and a stdin file
 * outside it) and makes the remaining mounts read-only. Returns new options and what changed;
 * the input is not modified.
 */
export function restrictForUntrusted(options: SandboxOptions, workspaceRoot: string): { options: SandboxOptions; changes: TrustChange[] } {
  const changes: TrustChange[] = [];
  const dirs: SandboxMount[] = [];
  for (const d of options.dirs) {
    if (!isInside(d.host, workspaceRoot)) {
      changes.push({ kind: 'removed-outside-workspace', host: d.host, guest: d.guest });
      continue;
    }
    if (!d.readOnly) changes.push({ kind: 'made-read-only', host: d.host, guest: d.guest });
    dirs.push({ ...d, readOnly: true });
  }
  const out: SandboxOptions = { ...options, dirs, env: { ...options.env }, args: [...options.args] };
  if (options.stdinFile && !isInside(options.stdinFile, workspaceRoot)) {
    changes.push({ kind: 'removed-stdin-outside-workspace', host: options.stdinFile });
    delete out.stdinFile;
  }
  return { options: out, changes };
}
