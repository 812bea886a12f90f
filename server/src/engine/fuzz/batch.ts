/**
 * A batch of export inputs (see docs/sandbox.md, Fuzzing): the fuzzing loop generates and mutates inputs
 * straight into the slots of the driver's memory (driver.ts: the target's index, then each argument in 8
 * bytes), the executor runs them. Typed-array views write a value as a JavaScript call would pass it (an
 * f32 is rounded as the call would round it). An i64 or float argument's text (`ArgValue`, with its bits) is
 * kept beside its slot; an i32 argument is only its number. One slot more than `capacity` is kept for the
 * single executions of the minimiser and of --replay, so they leave the batch as it is.
 */
import { GEN_EDGES, GEN_MAX_NUMS, GEN_MEM, GEN_NUMS, GEN_PARAMS, GEN_RNG, type DriverLayout } from './driver';
import { argToWasm, genArg, genI32, I32_EDGES, memoryValues32, mutateArg, mutateI32, numbers32Of, type ExportCandidate, type InputContext, type Rng } from './inputs';
import type { ArgValue, FuzzTarget, NumType } from './types';

export class ExportBatch {
  /** the slots the loop fills; slot `capacity` is the single executions' */
  readonly capacity: number;
  readonly i32: Int32Array;
  private readonly i64: BigInt64Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  /** the coverage bits seen so far (the fuzzer's, read by the driver): one i32 per coverage global */
  readonly seen: Int32Array;
  /** per slot, per argument: the text of an i64 or float argument (what it holds for an i32 one is stale) */
  private readonly texts: (ArgValue | undefined)[][];
  /** i32 index of slot 0's target; slot s's at base + s * step */
  private readonly base: number;
  private readonly step: number;
  private readonly i32Only: boolean[];
  /** i32 index of the driver generator's data (driver.ts, generator) */
  private readonly gen: number;
  private readonly corpusBase: number;
  private readonly corpusStep: number;

  constructor(buffer: ArrayBuffer, layout: DriverLayout, coverageGlobals: number, private readonly targets: FuzzTarget[]) {
    this.capacity = layout.slots - 1;
    this.i32 = new Int32Array(buffer);
    this.i64 = new BigInt64Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.seen = new Int32Array(buffer, 0, coverageGlobals);
    this.base = layout.slotBase >> 2;
    this.step = layout.stride >> 2;
    const maxParams = (layout.stride - 8) / 8;
    this.texts = Array.from({ length: layout.slots }, () => new Array<ArgValue | undefined>(maxParams).fill(undefined));
    this.i32Only = targets.map((t) => t.params.every((p) => p === 'i32'));
    this.gen = layout.gen.base >> 2;
    this.corpusBase = this.gen + (GEN_PARAMS >> 2) + targets.length;
    this.corpusStep = layout.gen.corpusStride >> 2;
  }

  /** whether the driver's generator can make this session's inputs (i32 arguments only, a dictionary it holds) */
  generatorFits(ctx: InputContext): boolean {
    return this.i32Only.every(Boolean) && numbers32Of(ctx).length <= GEN_MAX_NUMS;
  }

  /** the driver generator's data: its state (the seeded sequence's), the edge values, the constants, the targets' parameter counts */
  generatorSetup(state: Int32Array, ctx: InputContext): void {
    const g = this.gen;
    this.i32.set(state, g + (GEN_RNG >> 2));
    this.i32.set(I32_EDGES, g + (GEN_EDGES >> 2));
    this.i32.set(numbers32Of(ctx), g + (GEN_NUMS >> 2));
    this.i32.set(this.targets.map((t) => t.params.length), g + (GEN_PARAMS >> 2));
  }

  /** the memory's values now, for the driver's generator (before each batch) */
  generatorMemory(ctx: InputContext): void {
    this.i32.set(memoryValues32(ctx), this.gen + (GEN_MEM >> 2));
  }

  /** corpus entry k, for the driver's generator */
  corpusAdd(k: number, c: ExportCandidate): void {
    const o = this.corpusBase + k * this.corpusStep;
    this.i32[o] = c.target;
    for (let j = 0; j < c.vals.length; j++) this.i32[o + 1 + j] = c.vals[j] as number;
  }

  /** slot `from` copied to slot `to` (the batch without the inputs skipped) */
  move(from: number, to: number): void {
    const a = this.base + from * this.step;
    this.i32.copyWithin(this.base + to * this.step, a, a + this.step);
    const t = this.texts[from];
    this.texts[from] = this.texts[to];
    this.texts[to] = t;
  }

  target(s: number): number {
    return this.i32[this.base + s * this.step];
  }

  /** the i32 index of argument j of slot s (an i64 or f64 is at half of it in their views) */
  private at(s: number, j: number): number {
    return this.base + s * this.step + 2 + 2 * j;
  }

  private setValue(s: number, j: number, type: NumType, v: number | bigint): void {
    const k = this.at(s, j);
    if (type === 'i32') this.i32[k] = v as number;
    else if (type === 'i64') this.i64[k >> 1] = v as bigint;
    else if (type === 'f32') this.f32[k] = v as number;
    else this.f64[k >> 1] = v as number;
  }

  private value(s: number, j: number, type: NumType): number | bigint {
    const k = this.at(s, j);
    if (type === 'i32') return this.i32[k];
    if (type === 'i64') return this.i64[k >> 1];
    if (type === 'f32') return this.f32[k];
    return this.f64[k >> 1];
  }

  private setArg(s: number, j: number, a: ArgValue): void {
    this.setValue(s, j, a.type, argToWasm(a));
    this.texts[s][j] = a;
  }

  /** slot s holds candidate c */
  write(s: number, c: ExportCandidate): void {
    this.i32[this.base + s * this.step] = c.target;
    const params = this.targets[c.target].params;
    const texts = this.texts[s];
    for (let j = 0; j < params.length; j++) {
      this.setValue(s, j, params[j], c.vals[j]);
      texts[j] = c.texts[j];
    }
  }

  /** the candidate slot s holds (a new object: for the corpus and the findings) */
  read(s: number): ExportCandidate {
    const target = this.target(s);
    const params = this.targets[target].params;
    const vals = params.map((p, j) => this.value(s, j, p));
    const c: ExportCandidate = { target, vals, texts: params.map((p, j) => (p === 'i32' ? undefined : this.texts[s][j])) };
    if (this.i32Only[target]) c.ints = Int32Array.from(vals as number[]);
    return c;
  }

  /** the arguments of slot s, for a call from JavaScript */
  values(s: number): (number | bigint)[] {
    const params = this.targets[this.target(s)].params;
    return params.map((p, j) => this.value(s, j, p));
  }

  /** the key of slot s's input in the set of inputs that used up their budget (fuzzer.ts) */
  signature(s: number): string {
    const t = this.target(s);
    const params = this.targets[t].params;
    let key = `${t}`;
    for (let j = 0; j < params.length; j++) {
      const text = this.texts[s][j];
      key += ` ${params[j] === 'i32' ? this.i32[this.at(s, j)] : text ? text.bits ?? text.value : ''}`;
    }
    return key;
  }

  /**
   * A fresh input into slot s (target `t`): each argument generated by its type (inputs.ts).
   */
  generate(s: number, t: number, rng: Rng, ctx: InputContext): void {
    const params = this.targets[t].params;
    this.i32[this.base + s * this.step] = t;
    if (this.i32Only[t]) {
      const numbers32 = numbers32Of(ctx);
      const i32 = this.i32;
      const k = this.at(s, 0);
      for (let j = 0; j < params.length; j++) i32[k + 2 * j] = genI32(rng, ctx, numbers32);
      return;
    }
    const texts = this.texts[s];
    for (let j = 0; j < params.length; j++) {
      if (params[j] === 'i32') {
        this.i32[this.at(s, j)] = genI32(rng, ctx, numbers32Of(ctx));
        texts[j] = undefined;
      } else this.setArg(s, j, genArg(rng, params[j], ctx));
    }
  }

  /**
   * The next input of the loop into slot s, from one draw for the choices: three in four mutate a corpus
   * entry (chosen by the upper 16 bits) unless the corpus is empty, else (and for about 1 mutation in 11) a
   * fresh input of a target chosen at random. A mutation changes one argument, or (5 in 16) up to all of
   * them, one draw each (mutateI32, or mutateArg for the other types).
   */
  next(s: number, rng: Rng, corpus: ExportCandidate[], ctx: InputContext): void {
    const r = rng.next();
    if (!corpus.length || (r & 3) === 0 || ((r >>> 2) & 63) < 6) {
      this.generate(s, ((r >>> 16) * this.targets.length) >>> 16, rng, ctx);
      return;
    }
    const src = corpus[((r >>> 16) * corpus.length) >>> 16];
    const n = src.vals.length;
    if (!n) {
      this.generate(s, src.target, rng, ctx);
      return;
    }
    // bits 8-11: several arguments change (5 in 16), bits 12-15: how many
    let times = 1;
    if (n > 1 && ((r >>> 8) & 15) < 5) times = 1 + ((((r >>> 12) & 15) * n) >>> 4);
    const ints = src.ints;
    if (ints) {
      // i32 arguments only: copied and changed in place, no type to look at
      const i32 = this.i32;
      const o = this.base + s * this.step;
      i32[o] = src.target;
      for (let j = 0; j < n; j++) i32[o + 2 + 2 * j] = ints[j];
      const numbers32 = numbers32Of(ctx);
      for (let m = 0; m < times; m++) {
        const r2 = rng.next();
        const k = o + 2 + 2 * (((r2 >>> 24) * n) >>> 8);
        i32[k] = mutateI32(rng, r2, i32[k], ctx, numbers32);
      }
      return;
    }
    this.write(s, src);
    const params = this.targets[src.target].params;
    for (let m = 0; m < times; m++) {
      const r2 = rng.next();
      const j = ((r2 >>> 24) * n) >>> 8;
      if (params[j] === 'i32') {
        const k = this.at(s, j);
        this.i32[k] = mutateI32(rng, r2, this.i32[k], ctx, numbers32Of(ctx));
      } else this.setArg(s, j, mutateArg(rng, this.texts[s][j]!, ctx));
    }
  }
}
