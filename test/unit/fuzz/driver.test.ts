/**
 * The fuzzer's driver (server/src/engine/fuzz/driver.ts): its generator makes the same inputs as
 * ExportBatch.next for the same seed and corpus; `run` stops at the slot that needs the loop (a coverage bit
 * not seen, the host's stop) and tells which slot trapped.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExportBatch } from '../../../server/src/engine/fuzz/batch';
import { buildDriver, driverLayout } from '../../../server/src/engine/fuzz/driver';
import { Rng, type InputContext } from '../../../server/src/engine/fuzz/inputs';
import type { FuzzTarget } from '../../../server/src/engine/fuzz/types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const WA = (globalThis as any).WebAssembly;
const SLOTS = 64;

function setup(targets: FuzzTarget[], f: (...a: number[]) => number, gen: boolean) {
  const layout = driverLayout(targets.map((t) => t.params.length), 1, SLOTS + 1);
  const memory = new WA.Memory({ initial: layout.pages, maximum: layout.pages });
  const fuel = new WA.Global({ value: 'i64', mutable: true }, 0n);
  const cov = new WA.Global({ value: 'i32', mutable: true }, 0);
  const bytes = buildDriver(targets.map((t) => ({ params: t.params, results: t.results as 'i32'[] })), { coverageGlobals: 1, growGlobal: false, fuelPerExec: 1000, layout, name: 'driver', gen });
  const imports: Record<string, unknown> = { batch: memory, fuel, cov0: cov };
  targets.forEach((_, k) => (imports[`f${k}`] = f));
  const e = new WA.Instance(new WA.Module(bytes), { w: imports }).exports;
  return { layout, batch: new ExportBatch(memory.buffer, layout, 1, targets), e, fuel, cov };
}

describe('fuzz driver', () => {
  const targets: FuzzTarget[] = [
    { export: 'a', params: ['i32', 'i32'], results: ['i32'] },
    { export: 'b', params: [], results: [] },
    { export: 'c', params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: [] },
  ];
  const ctx: InputContext = { numbers: [0x5eed1234n, 63n, -1n, 65535n], strings: [], memoryBytes: 3 * 65536 };

  it('generates in wasm exactly the inputs ExportBatch.next makes in JavaScript (same seed, same corpus)', () => {
    for (const seed of [1, 7, 123456]) {
      const { batch, e } = setup(targets, () => 0, true);
      const js = new ExportBatch(new ArrayBuffer(driverLayout([2, 0, 5], 1, SLOTS + 1).pages * 65536), driverLayout([2, 0, 5], 1, SLOTS + 1), 1, targets);
      const rngJs = new Rng(seed);
      batch.generatorSetup(new Rng(seed).state(), ctx);
      const corpus = [];
      for (let round = 0; round < 6; round++) {
        batch.generatorMemory(ctx);
        e.gen(SLOTS, corpus.length, ctx.numbers.length);
        for (let s = 0; s < SLOTS; s++) js.next(s, rngJs, corpus, ctx);
        for (let s = 0; s < SLOTS; s++) assert.deepEqual(batch.read(s).vals, js.read(s).vals, `seed ${seed}, round ${round}, slot ${s}`);
        // a few entries join the corpus, as the loop adds them
        for (const s of [round, 2 * round + 1]) {
          const c = js.read(s);
          batch.corpusAdd(corpus.length, c);
          corpus.push(c);
        }
      }
    }
  });

  it('run: executes the slots in order, stops after one that set a coverage bit not seen, and names the slot that trapped', () => {
    const calls: number[][] = [];
    const holder: { cov?: { value: number } } = {};
    const { batch, e, cov, fuel } = setup([targets[0]], (x: number, y: number) => {
      calls.push([x, y]);
      if (x === 3) holder.cov!.value |= 4;
      if (x === 5) throw new Error('boom');
      return 0;
    }, false);
    holder.cov = cov;
    for (let s = 0; s < 8; s++) batch.write(s, { target: 0, vals: [s, 10 * s], texts: [] });
    assert.equal(e.run(0, 3), 3, 'no slot needed the loop');
    assert.deepEqual(calls, [[0, 0], [1, 10], [2, 20]]);
    assert.equal(fuel.value, 1000n, 'each execution starts with the budget');
    assert.equal(e.run(3, 8), 3, 'slot 3 reached a bit not seen');
    batch.seen[0] |= cov.value;
    assert.throws(() => e.run(4, 8), /boom/, 'nothing new at 4: the run goes on to 5, which throws');
    assert.equal(e.at.value, 5, 'the slot that threw');
    assert.deepEqual(calls.map((c) => c[0]), [0, 1, 2, 3, 4, 5]);
    // the host's stop (a violation): the run ends after the execution that set it
    e.stop.value = 1;
    assert.equal(e.run(6, 8), 6);
  });
});
