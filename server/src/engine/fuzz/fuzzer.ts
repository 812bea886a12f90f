/**
 * The fuzzing loop, run on the sandbox's guest thread (guest.ts gives it an Executor over the instrumented
 * instance): generate or mutate inputs (a corpus entry that reached new coverage is mutated 3 times in 4;
 * exports: a batch of BATCH_SLOTS at a time, executor.ts), execute them, merge the coverage bits (function
 * entries and loop headers, instrument.ts), keep inputs that reached something new, and report each
 * distinct cause once, minimised. Deterministic for a seed: the time budget only decides how far along the
 * same sequence it gets.
 */
import type { ExportBatch } from './batch';
import { GEN_MAX_CORPUS } from './driver';
import { candidateInput, genCommandInput, mutateCommandInput, reductions, Rng, type ExportCandidate, type InputContext } from './inputs';
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
  /** export mode: the slots the loop fills, and the coverage seen so far (`seen`, kept up to date by the loop) */
  readonly batch?: ExportBatch;
  /** export mode: whether a driver runs the batch (else every input is a call from JavaScript) */
  readonly driver: boolean;
  /**
   * export mode: runs the batch's slots from..to-1 until one needs the loop (a cause, a coverage bit not in
   * `batch.seen`, or time to look at the clock): its index, with its cause in `cause` and its coverage bits in
   * `coverage`; `to` when none did
   */
  run(from: number, to: number): number;
  /**
   * export mode, when the driver generates the inputs (every target takes i32 arguments only): ExportBatch.next
   * into slots 0..count-1, in wasm, from the corpus entries 0..corpus-1 given to the batch (`corpusAdd`)
   */
  generate?(count: number, corpus: number): void;
  /** the cause of the slot `run` stopped at */
  cause: ExecCause | undefined;
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

/** the corpus's size at most (the driver's generator holds as many entries) */
const MAX_CORPUS = GEN_MAX_CORPUS;
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
  const batch = plan.targets ? ex.batch : undefined;
  // export mode: the executor's (the driver reads it), so an execution that reaches nothing new is not returned to the loop
  const seen = batch ? batch.seen : new Int32Array(ex.coverage.length);
  const causes = new Set<string>();
  const hangs = new Set<string>();
  /** inputs generated so far (their execution numbers), and consumed (run or skipped) */
  let generated = 0;
  let execs = 0;
  let lastProgress = t0;
  let findings = 0;
  /** the corpus: inputs that reached a site no earlier one had (export mode: as candidates) */
  const corpus: FuzzInput[] = [];
  const candidates: ExportCandidate[] = [];
  const corpusSize = () => (batch ? candidates.length : corpus.length);
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
  const found = (cause: ExecCause, input: FuzzInput, exec: number) => {
    causes.add(cause.key);
    findings++;
    const minimised = minimise(ex, input, cause.key);
    onFinding({ kind: 'wasm-warden-fuzz-finding', version: 1, module, cause, seed: plan.seed, exec, input: minimised, original: input });
  };
  /** true when the time budget is spent; reports progress on the way */
  const timeUp = (): boolean => {
    const now = performance.now();
    if (now - t0 >= plan.durationMs) return true;
    if (now - lastProgress >= PROGRESS_MS) {
      lastProgress = now;
      report();
    }
    return false;
  };

  if (batch) {
    const targets = plan.targets!;
    /** the execution number of each slot's input */
    const execOf = new Float64Array(batch.capacity);
    let filled = 0;
    let pos = 0;
    // the driver's generator continues the seeded sequence
    if (ex.generate) batch.generatorSetup(rng.state(), ctx);
    for (;;) {
      if (pos === filled) {
        execs = generated;
        if (plan.maxExecs !== undefined && generated >= plan.maxExecs) break;
        if (timeUp()) break;
        // the next batch, from the corpus as it is now (the memory's size: what the inputs near its end use)
        ctx.memoryBytes = ex.memoryBytes();
        filled = 0;
        pos = 0;
        if (ex.generate) {
          const count = plan.maxExecs === undefined ? batch.capacity : Math.min(batch.capacity, plan.maxExecs - generated);
          batch.generatorMemory(ctx);
          ex.generate(count, candidates.length);
          for (let s = 0; s < count; s++) {
            generated++;
            if (hangs.size && hangs.has(batch.signature(s))) continue;
            if (filled !== s) batch.move(s, filled);
            execOf[filled++] = generated - 1;
          }
          continue;
        }
        while (filled < batch.capacity && (plan.maxExecs === undefined || generated < plan.maxExecs)) {
          generated++;
          batch.next(filled, rng, candidates, ctx);
          // an input already seen to use up its budget costs the whole budget again and tells nothing new
          if (hangs.size && hangs.has(batch.signature(filled))) continue;
          execOf[filled++] = generated - 1;
        }
        continue;
      }
      if (pos > 0) {
        execs = execOf[pos];
        if (timeUp()) break;
      }
      const r = ex.run(pos, filled);
      if (r === filled) {
        pos = filled;
        continue;
      }
      const cause = ex.cause;
      if (cause?.kind === 'timeout' && hangs.size < MAX_HANGS) hangs.add(batch.signature(r));
      if (grew() && !cause && candidates.length < MAX_CORPUS) {
        const c = batch.read(r);
        if (ex.generate) batch.corpusAdd(candidates.length, c);
        candidates.push(c);
      }
      if (cause && !causes.has(cause.key)) found(cause, candidateInput(batch.read(r), targets), execOf[r]);
      pos = r + 1;
    }
  } else {
    for (;;) {
      if (plan.maxExecs !== undefined && execs >= plan.maxExecs) break;
      if ((execs & 63) === 0 && timeUp()) break;
      execs++;
      const input = corpus.length && rng.chance(0.75) ? mutateCommandInput(rng, rng.pick(corpus) as CommandInput, ctx) : genCommandInput(rng, ctx);
      const cause = ex.exec(input);
      if (grew() && !cause && corpus.length < MAX_CORPUS) corpus.push(input);
      if (cause && !causes.has(cause.key)) found(cause, input, execs - 1);
    }
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
