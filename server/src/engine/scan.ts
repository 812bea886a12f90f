/**
 * Finding the WebAssembly sources of a workspace: every `.wat`, `.wast` and `.wasm` below a folder,
 * skipping `node_modules`, VCS folders and excluded globs (unless a glob explicitly includes them).
 * Iterative (no recursion), never follows symlinked folders, and reads directories lazily.
 *
 * The globs come from settings a cloned workspace can set (`.vscode/settings.json`), so they are
 * compiled like policy globs (policy/glob.ts: bounded, matched without backtracking) and matched
 * against the whole relative path; a glob that is malformed or over a limit is skipped and reported.
 */
import * as fs from 'fs';
import * as path from 'path';
import { sourceKindOf } from './operations/check';
import { pathListMatcher, type GlobError } from './policy/glob';

export interface ScanOptions {
  /** globs (relative to the folder) scanned even under skipped folders */
  include?: string[];
  /** globs (relative to the folder) never scanned */
  exclude?: string[];
  /** stop after this many files (a safety net for enormous trees) */
  maxFiles?: number;
  /** told about each include/exclude glob that is malformed or over a limit (it is left out) */
  onBadGlob?: (pattern: string, error: GlobError) => void;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '.vscode-test']);

export function* scanFolder(root: string, options: ScanOptions = {}): Generator<string> {
  const include = options.include?.length ? pathListMatcher(options.include, options.onBadGlob) : undefined;
  const exclude = options.exclude?.length ? pathListMatcher(options.exclude, options.onBadGlob) : undefined;
  const includePrefixes = (options.include ?? []).map((g) => g.split(/[*?{[]/)[0]).filter(Boolean);
  const max = options.maxFiles ?? 100_000;
  let count = 0;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: skip it
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : -1)); // stack order gives a stable, sorted walk
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (exclude?.(rel) || exclude?.(rel + '/')) continue;
        const skipped = SKIPPED_DIRS.has(entry.name);
        if (skipped && !includePrefixes.some((p) => p.startsWith(rel + '/') || rel.startsWith(p.replace(/\/$/, '')))) continue;
        stack.push(full);
      } else if (entry.isFile() && sourceKindOf(entry.name)) {
        if (exclude?.(rel)) continue;
        const underSkipped = rel.split('/').slice(0, -1).some((part) => SKIPPED_DIRS.has(part));
        if (underSkipped && !include?.(rel)) continue;
        yield full;
        if (++count >= max) return;
      }
    }
  }
}
