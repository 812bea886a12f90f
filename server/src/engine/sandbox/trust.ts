/**
 * Workspace trust for sandbox settings: in an untrusted workspace, the settings and the policy (which
 * come from the workspace) may not widen the sandbox beyond the workspace folder, may not write, may not
 * pass anything of the host's environment, and may not raise a limit above its default (limits.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { LIMIT_NAMES, SANDBOX_LIMITS } from './limits';
import type { SandboxMount, SandboxOptions } from './types';

export type TrustChange =
  | { kind: 'made-read-only' | 'removed-outside-workspace'; host: string; guest: string }
  | { kind: 'removed-stdin-outside-workspace'; host: string }
  /** a host environment variable the policy asked for (`sandbox.env`) was not passed (name only) */
  | { kind: 'host-env-not-passed'; name: string }
  /** a limit above its default (or not a number) was set back to the default */
  | { kind: 'limit-clamped'; limit: string; requested: unknown; applied: number | undefined };

/** One line per change, for a log or a terminal (names only, never an environment value). */
export function describeTrustChange(c: TrustChange): string {
  switch (c.kind) {
    case 'made-read-only':
      return `mount ${c.guest} (${c.host}) made read-only`;
    case 'removed-outside-workspace':
      return `mount ${c.guest} (${c.host}) removed: outside the workspace folder`;
    case 'removed-stdin-outside-workspace':
      return `stdin file ${c.host} removed: outside the workspace folder`;
    case 'host-env-not-passed':
      return `host environment variable ${c.name} not passed`;
    case 'limit-clamped':
      return c.applied === undefined
        ? `${c.limit} ${JSON.stringify(c.requested)} ignored (the default applies)`
        : `${c.limit} ${JSON.stringify(c.requested)} lowered to the default, ${c.applied}`;
  }
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
 * outside it), makes the remaining mounts read-only, and sets every limit above its default back to the
 * default (limitsWithinDefaults). Returns new options and what changed; the input is not modified.
 * Host environment values are kept out earlier, where they would be read (operations/run.ts): `env`
 * here holds only what the caller wrote literally.
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
  const limits = limitsWithinDefaults(out);
  return { options: limits.options, changes: [...changes, ...limits.changes] };
}

/**
 * Every limit (limits.ts) no higher than its default: a larger value, or one that is not a finite
 * non-negative number, becomes the default. A limit without a default (unlimited: `fuel`) may be
 * anything finite, since any value narrows it. A numeric `max...` option this build has no row for
 * is removed, so a limit added later can never be raised by a workspace before it is listed.
 */
export function limitsWithinDefaults(options: SandboxOptions): { options: SandboxOptions; changes: TrustChange[] } {
  const out: Record<string, unknown> = { ...options };
  const changes: TrustChange[] = [];
  for (const name of LIMIT_NAMES) {
    const requested = out[name];
    if (requested === undefined) continue;
    const cap = SANDBOX_LIMITS[name].default;
    const valid = typeof requested === 'number' && Number.isFinite(requested) && requested >= 0;
    if (valid && (cap === undefined || requested <= cap)) continue;
    if (cap === undefined) delete out[name];
    else out[name] = cap;
    changes.push({ kind: 'limit-clamped', limit: name, requested, applied: cap });
  }
  for (const key of Object.keys(out)) {
    if (/^max[A-Z]/.test(key) && !(LIMIT_NAMES as string[]).includes(key) && out[key] !== undefined) {
      changes.push({ kind: 'limit-clamped', limit: key, requested: out[key], applied: undefined });
      delete out[key];
    }
  }
  return { options: out as unknown as SandboxOptions, changes };
}
