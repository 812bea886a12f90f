/**
 * Which policy applies to a file: discovery (nearest `wasm-warden.policy.json`, or an explicit path),
 * loading with a cache keyed by modification time, and the "last good" rule: a policy file that stops
 * parsing keeps its previous valid contents in force (or the default policy if it never parsed), and
 * its problems are reported against the policy file itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import { keepLatest } from '../jit';
import type { EngineDiagnostic } from '../diagnostic';
import { DEFAULT_POLICY, type EffectivePolicy, type Policy } from './definition';
import { effectivePolicy, findPolicyFile, parsePolicy, policyTooLarge } from './load';
import { POLICY_MAX_BYTES } from './limits';
import { LOCK_FILE_NAME } from '../approvals/lock';

export const POLICY_FILE_NAME = 'wasm-warden.policy.json';

export interface ResolvedPolicy {
  /** the policy file in force, or undefined for the built-in default */
  file?: string;
  /** folder that relative paths in the policy (trusted keys, override globs) are relative to */
  dir?: string;
  /** the policy with the overrides for this file applied */
  effective: EffectivePolicy;
  /** true when the file currently fails to parse and an older valid version (or the default) is used */
  stale: boolean;
  /** where the lock file of approved versions is, beside the policy file (it may not exist) */
  lockFile?: string;
}

export interface LoadedPolicyFile {
  file: string;
  mtimeMs: number;
  text: string;
  /** the policy in force for this file: the current text if it parsed, otherwise the last good one */
  policy: Policy;
  /** problems of the current text (empty when it is fine) */
  diagnostics: EngineDiagnostic[];
  stale: boolean;
  /** an I/O error reading it, if any */
  readError?: string;
}

export interface PolicyStoreOptions {
  /** workspace roots: discovery never walks above them */
  roots: string[];
  /** explicit policy file (absolute), overriding discovery */
  explicitPath?: string;
  /** read a file's text; defaults to fs (the language server passes open buffers first) */
  readText?: (file: string) => string | undefined;
  /** called after a policy file was (re)loaded, with its current problems (the server shows them on the file) */
  onLoaded?: (loaded: LoadedPolicyFile) => void;
}

export class PolicyStore {
  private readonly files = new Map<string, LoadedPolicyFile>();
  private readonly places = new Map<string, { dir: string; lockFile: string }>();

  constructor(private options: PolicyStoreOptions) {}

  configure(options: Partial<PolicyStoreOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** The policy file that governs `file` (explicit setting first, then nearest parent), if any. */
  policyFileFor(file: string): string | undefined {
    if (this.options.explicitPath) return this.options.explicitPath;
    const dir = path.dirname(path.resolve(file));
    const root = this.options.roots
      .map((r) => path.resolve(r))
      .filter((r) => dir === r || dir.startsWith(r + path.sep))
      .sort((a, b) => b.length - a.length)[0];
    return findPolicyFile(dir, root ?? path.parse(dir).root);
  }

  /**
   * Load (or reuse) a policy file, keeping the last good policy when it does not parse or crosses a
   * limit (limits.ts). A file over POLICY_MAX_BYTES on disk is not read at all.
   */
  load(file: string, stat?: fs.Stats): LoadedPolicyFile {
    const previous = this.files.get(file);
    let text: string | undefined;
    let mtimeMs = 0;
    let readError: string | undefined;
    let tooLarge: EngineDiagnostic | undefined;
    try {
      text = this.options.readText?.(file);
      if (text === undefined) {
        const st = stat ?? fs.statSync(file);
        mtimeMs = st.mtimeMs;
        if (previous && previous.mtimeMs === mtimeMs && !previous.readError) return previous;
        if (st.size > POLICY_MAX_BYTES) tooLarge = policyTooLarge(st.size, 'bytes');
        else text = fs.readFileSync(file, 'utf8');
      } else if (previous && previous.text === text) {
        return previous;
      }
    } catch (err) {
      readError = `cannot read policy file ${file}: ${(err as Error).message}`;
    }
    // a stale entry already holds the last good policy, so this is always the last good one
    const lastGood = previous?.policy ?? DEFAULT_POLICY;
    let loaded: LoadedPolicyFile;
    if (tooLarge) {
      loaded = { file, mtimeMs, text: '', policy: lastGood, diagnostics: [tooLarge], stale: true };
    } else if (text === undefined) {
      loaded = {
        file,
        mtimeMs,
        text: '',
        policy: lastGood,
        diagnostics: [{ code: 'policy-unreadable', severity: 'error', message: readError!, span: { start: 0, end: 0 }, source: 'policy' }],
        stale: true,
        readError,
      };
    } else {
      const parsed = parsePolicy(text);
      const hasError = parsed.diagnostics.some((d) => d.severity === 'error');
      loaded = {
        file,
        mtimeMs,
        text,
        policy: parsed.policy && !hasError ? parsed.policy : lastGood,
        diagnostics: parsed.diagnostics,
        stale: !parsed.policy || hasError,
      };
    }
    this.files.set(file, loaded);
    this.options.onLoaded?.(loaded);
    return loaded;
  }

  /** The effective policy for a file. */
  policyFor(file: string): ResolvedPolicy {
    const policyFile = this.policyFileFor(file);
    if (!policyFile) return { effective: effectivePolicy(DEFAULT_POLICY, path.basename(file)), stale: false };
    // one stat: whether the file exists, and (in load) whether it changed; an open buffer needs none
    let stat: fs.Stats | undefined;
    if (this.options.readText?.(policyFile) === undefined) {
      try {
        stat = fs.statSync(policyFile, { throwIfNoEntry: false });
        keepLatest('policy stat', stat); // fs.Stats' shape survives major GCs (see ../jit.ts)
        if (!stat) return { effective: effectivePolicy(DEFAULT_POLICY, path.basename(file)), stale: false };
      } catch {
        // exists but cannot be looked at: load reports it
      }
    }
    const loaded = this.load(policyFile, stat);
    const { dir, lockFile } = this.placesOf(policyFile);
    // the path overrides match against (none: no path to work out)
    const relative = loaded.policy.overrides?.length ? path.relative(dir, path.resolve(file)).split(path.sep).join('/') : '';
    return { file: policyFile, dir, effective: effectivePolicy(loaded.policy, relative), stale: loaded.stale, lockFile };
  }

  /** The policy file's folder and the lock file's path beside it, worked out once per policy file (every check asks). */
  private placesOf(policyFile: string): { dir: string; lockFile: string } {
    let places = this.places.get(policyFile);
    if (!places) {
      const dir = path.dirname(policyFile);
      places = { dir, lockFile: path.join(dir, LOCK_FILE_NAME) };
      this.places.set(policyFile, places);
    }
    return places;
  }

  /** Forget a cached policy file (after it changed or was deleted on disk). */
  invalidate(file?: string): void {
    if (file) {
      const cur = this.files.get(file);
      // keep it as the last good policy for the next load, but make sure the next load re-reads it
      if (cur) this.files.set(file, { ...cur, mtimeMs: Number.NaN, text: '\0' });
    } else {
      for (const f of [...this.files.keys()]) this.invalidate(f);
    }
  }

  loadedFiles(): LoadedPolicyFile[] {
    return [...this.files.values()];
  }
}
