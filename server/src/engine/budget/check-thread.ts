/**
 * The analysis worker thread: checks one file at a time for a `CheckWorker` (./check-worker.ts), off
 * the host's main thread and inside a heap limit, so a file that costs too much can be stopped (the
 * thread is terminated) without freezing or killing the host. Bundled as `dist/analysis-worker.js`.
 *
 * Text positions are worked out here, where the text is: the host gets LSP-shaped line/character
 * ranges for a WAT file and never holds its text.
 */
import { parentPort } from 'worker_threads';
import * as fs from 'fs';
import { checkFile, sourceKindOf } from '../operations/check';
import type { ResolvedPolicy } from '../policy/store';
import type { EngineDiagnostic } from '../diagnostic';
import { LineIndex, type Position } from '../span';
import { countWatTokens } from '../wat/quick-outline';
import { capFindings, sizeLimitFinding, type AnalysisLimits } from './limits';

export interface CheckJob {
  id: number;
  file: string;
  /** the policy in force for the file, by key; sent with the first job that uses it */
  policyKey: number;
  policy?: ResolvedPolicy;
  limits: Pick<AnalysisLimits, 'maxWatBytes' | 'maxWatTokens'> & {
    /** findings sent back at most (the rest summed up in one); undefined: all (the CLI) */
    maxFindings?: number;
  };
}

type Outcome =
  | { id: number; ok: true; diagnostics: EngineDiagnostic[]; ranges?: { start: Position; end: Position }[] }
  /** `code` and `path`: those of a Node.js system error (ENOENT...), so the host can say what went wrong */
  | { id: number; ok: false; error: string; code?: string; path?: string };

/** What the thread posts back for a job: its outcome and the heap it left in use. */
export type CheckJobResult = Outcome & { heapUsed: number };

/** Policies already received, by key (a workspace has a few; the oldest is dropped past this many). */
export const MAX_POLICIES = 32;

function run(job: CheckJob, policies: Map<number, ResolvedPolicy>): Outcome {
  if (job.policy) {
    policies.set(job.policyKey, job.policy);
    if (policies.size > MAX_POLICIES) policies.delete(policies.keys().next().value!);
  }
  const policy = policies.get(job.policyKey);
  if (!policy) return { id: job.id, ok: false, error: 'the analysis worker lost the policy of this file' };
  try {
    const kind = sourceKindOf(job.file);
    if (kind === 'wat' || kind === 'wast') {
      // text over the size or token budget: not parsed (the parse tree's memory follows its tokens)
      const bytes = fs.statSync(job.file).size;
      if (bytes > job.limits.maxWatBytes) return { id: job.id, ok: true, diagnostics: [sizeLimitFinding(job.file, { bytes }, job.limits, false)] };
      const text = fs.readFileSync(job.file, 'utf8');
      const tokens = countWatTokens(text, job.limits.maxWatTokens);
      if (tokens > job.limits.maxWatTokens) return { id: job.id, ok: true, diagnostics: [sizeLimitFinding(job.file, { bytes, tokens }, job.limits, false)] };
      const result = checkFile(job.file, { policyFor: () => policy }, { text });
      const index = new LineIndex(text);
      const diagnostics = job.limits.maxFindings === undefined ? result.diagnostics : capFindings(result.diagnostics, job.limits.maxFindings);
      return {
        id: job.id,
        ok: true,
        diagnostics,
        ranges: diagnostics.map((d) => ({ start: index.positionAt(d.span.start), end: index.positionAt(d.span.end) })),
      };
    }
    const found = checkFile(job.file, { policyFor: () => policy }).diagnostics;
    return { id: job.id, ok: true, diagnostics: job.limits.maxFindings === undefined ? found : capFindings(found, job.limits.maxFindings) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { id: job.id, ok: false, error: e.message, code: typeof e.code === 'string' ? e.code : undefined, path: e.path };
  }
}

if (parentPort) {
  const port = parentPort;
  const policies = new Map<number, ResolvedPolicy>();
  port.on('message', (job: CheckJob) => {
    const result = run(job, policies);
    port.postMessage({ ...result, heapUsed: process.memoryUsage().heapUsed } as CheckJobResult);
  });
  port.postMessage({ ready: true });
}
