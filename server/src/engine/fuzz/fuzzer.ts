/**
 * The fuzzing loop, run on the sandbox's guest thread (guest.ts gives it an Executor over the instrumented
 * instance): generate or mutate an input (a corpus entry that reached new coverage is mutated 3 times in 4),
 * execute it, merge the coverage bits (function entries and loop headers, instrument.ts), keep inputs that
 * reached something new, and report each distinct cause once, minimised. Deterministic for a seed: the time
 * budget only decides how far along the same sequence it gets.
 */
import { candidateInput, candidateSignature, copyCandidate, genCandidate, genCommandInput, mutateCandidate, mutateCommandInput, newCandidate, reductions, Rng, type ExportCandidate, type InputContext } from './inputs';
import type { CommandInput, FindingKind, FuzzFinding, FuzzInput, FuzzPlan, FuzzProgress } from './types';

export interface ExecCause {
  kind: FindingKind;
  key: string;
  detail: string;
  stack?: string[];
}

export interface Executor {
  /** runs one input; its coverage bits are left in `coverage` (one i32 per 32 sites) */
  exec(input: FuzzInput): ExecCause | undefined;
  /** the export mode's fast path: calls target `target` of the plan with these values (same as `exec`) */
  execValues(target: number, vals: (number | bigint)[]): ExecCause | undefined;
  readonly coverage: Int32Array;
  /** the linear memory's size now (bytes) */
  memoryBytes(): number;
}

export interface FuzzSummary {
  execs: number;
  elapsedMs: number;
  progress: FuzzProgress;
  /** replay: what the input did (undefined: nothing wrong) */
  replayCause?: ExecCause;
}

const MAX_CORPUS = 1024;
const MINIMISE_EXECS = 400;
const PROGRESS_MS = 250;
const MAX_HANGS = 10_000;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function fuzzLoop(
  plan: FuzzPlan, module: string, ex: Executor, sites: { func: number }[],
  onProgress: (p: FuzzProgress) => void, onFinding: (f: FuzzFinding) => void,
): FuzzSummary {
  const t0 = performance.now();
  if (plan.replay) {
    const cause = ex.exec(plan.replay);
    const progress = progressOf(0, 1, sites, 0, cause ? 1 : 0, performance.now() - t0, new Int32Array(ex.coverage));
    return { execs: 1, elapsedMs: performance.now() - t0, progress, replayCause: cause };
  }
  const rng = new Rng(plan.seed);
  const ctx: InputContext = {
    numbers: plan.dictionary.numbers.map((n) => BigInt(n)),
    strings: plan.dictionary.strings,
    memoryBytes: ex.memoryBytes(),
  };
  const seen = new Int32Array(ex.coverage.length);
  const causes = new Set<string>();
  const hangs = new Set<string>();
  let execs = 0;
  let lastProgress = t0;
  let findings = 0;
  /** the corpus: inputs that reached a site no earlier one had (export mode: as candidates) */
  const corpus: FuzzInput[] = [];
  const candidates: ExportCandidate[] = [];
  const corpusSize = () => (plan.targets ? candidates.length : corpus.length);
  const report = () => onProgress(progressOf(execs, performance.now() - t0 > 0 ? execs / ((performance.now() - t0) / 1000) : 0, sites, corpusSize(), findings, performance.now() - t0, seen));
  /** merges the execution's coverage; true if it reached a site no earlier execution had */
  const grew = (): boolean => {
    const cov = ex.coverage;
    let g = false;
    for (let k = 0; k < cov.length; k++) {
      const bits = cov[k] & ~seen[k];
      if (bits) {
        seen[k] |= bits;
        g = true;
      }
    }
    return g;
  };
  const found = (cause: ExecCause, input: FuzzInput) => {
    causes.add(cause.key);
    findings++;
    const minimised = minimise(ex, input, cause.key);
    onFinding({ kind: 'wasm-warden-fuzz-finding', version: 1, module, cause, seed: plan.seed, exec: execs - 1, input: minimised, original: input });
  };
  const cur = newCandidate();
  const targets = plan.targets;

  for (;;) {
    if (plan.maxExecs !== undefined && execs >= plan.maxExecs) break;
    if ((execs & 63) === 0) {
      const now = performance.now();
      if (now - t0 >= plan.durationMs) break;
      if (now - lastProgress >= PROGRESS_MS) {
        lastProgress = now;
        ctx.memoryBytes = ex.memoryBytes();
        report();
      }
    }
    execs++;
    if (targets) {
      // export mode: generated or mutated into one reused candidate, called with its values
      if (candidates.length && rng.chance(0.75)) mutateCandidate(rng, candidates[rng.int(candidates.length)], targets, ctx, cur);
      else genCandidate(rng, targets, ctx, cur);
      // an input already seen to use up its budget costs the whole budget again and tells nothing new
      if (hangs.size && hangs.has(candidateSignature(cur, targets))) continue;
      const cause = ex.execValues(cur.target, cur.vals);
      if (cause?.kind === 'timeout' && hangs.size < MAX_HANGS) hangs.add(candidateSignature(cur, targets));
      if (grew() && !cause && candidates.length < MAX_CORPUS) candidates.push(copyCandidate(cur));
      if (cause && !causes.has(cause.key)) found(cause, candidateInput(cur, targets));
      continue;
    }
    const input = corpus.length && rng.chance(0.75) ? mutateCommandInput(rng, rng.pick(corpus) as CommandInput, ctx) : genCommandInput(rng, ctx);
    const cause = ex.exec(input);
    if (grew() && !cause && corpus.length < MAX_CORPUS) corpus.push(input);
    if (cause && !causes.has(cause.key)) found(cause, input);
  }
  report();
  const elapsedMs = performance.now() - t0;
  return { execs, elapsedMs, progress: progressOf(execs, elapsedMs > 0 ? execs / (elapsedMs / 1000) : 0, sites, corpusSize(), findings, elapsedMs, seen) };
}

/** The smallest input found (by reductions, within MINIMISE_EXECS) that still shows the same cause. */
function minimise(ex: Executor, input: FuzzInput, key: string): FuzzInput {
  let best = input;
  let tries = 0;
  outer: while (tries < MINIMISE_EXECS) {
    for (const candidate of reductions(best)) {
      if (++tries > MINIMISE_EXECS) break outer;
      if (ex.exec(candidate)?.key === key) {
        best = candidate;
        continue outer;
      }
    }
    break;
  }
  return best;
}

function progressOf(execs: number, perSec: number, sites: { func: number }[], corpusSize: number, findings: number, elapsedMs: number, seen: Int32Array): FuzzProgress {
  let covered = 0;
  const funcs = new Set<number>();
  const reached = new Set<number>();
  for (let i = 0; i < sites.length; i++) {
    funcs.add(sites[i].func);
    const k = i >> 5;
    if (k < seen.length && seen[k] & (1 << (i & 31))) {
      covered++;
      reached.add(sites[i].func);
    }
  }
  if (!sites.length) for (let k = 0; k < seen.length; k++) covered += popcount(seen[k]);
  return {
    execs,
    execsPerSec: Math.round(perSec),
    elapsedMs: Math.round(elapsedMs),
    coverage: { sites: sites.length, covered, functions: funcs.size, functionsCovered: reached.size },
    corpus: corpusSize,
    findings,
  };
}
