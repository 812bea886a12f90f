/**
 * The fuzz group: executions per second of `wasm-warden fuzz` (the bundled CLI, the loop's own rate as it
 * reports it, start-up excluded) on a small export, against a plain JavaScript loop calling the same export
 * of an uninstrumented instance with the same kind of arguments. Target: the fuzzer runs at least 50% of it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { WA } from '../../server/src/engine/sandbox/wasm-api';
import { ROOT } from './util';

/** a small export: a checksum of up to 64 bytes of memory at a pointer (a loop, loads, arithmetic) */
export const SMALL_EXPORT_WAT = `(module (memory (export "memory") 1)
  (func $sum (export "sum") (param $ptr i32) (param $len i32) (result i32) (local $i i32) (local $h i32)
    (local.set $len (i32.and (local.get $len) (i32.const 63)))
    (block $done (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31))
        (i32.load8_u (i32.and (i32.add (local.get $ptr) (local.get $i)) (i32.const 0xffff)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
    (local.get $h)))`;

export async function smallExportModule(): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wabt = await require('wabt')();
  const m = wabt.parseWat('sum.wat', SMALL_EXPORT_WAT);
  try {
    return new Uint8Array(m.toBinary({}).buffer);
  } finally {
    m.destroy();
  }
}

/** calls per second of a plain loop: `sum(ptr, len)` with arguments from a precomputed table */
export function plainLoopRate(module: Uint8Array, ms = 2000): number {
  const inst = new WA.Instance(new WA.Module(module), {});
  const sum = inst.exports.sum as (p: number, l: number) => number;
  const ptrs = Int32Array.from({ length: 4096 }, (_, i) => (i * 2654435761) | 0);
  const lens = Int32Array.from({ length: 4096 }, (_, i) => (i * 40503) & 127);
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 4096; i++) sink ^= sum(ptrs[i], lens[i]);
    n += 4096;
  }
  if (sink === 0.5) console.log(sink);
  return n / ((performance.now() - t0) / 1000);
}

/** the fuzzer's own rate (execs/s, as it reports it) over a run of `seconds` */
export function fuzzerRate(module: Uint8Array, seconds: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bench-fuzz-'));
  try {
    fs.writeFileSync(path.join(dir, 'sum.wasm'), module);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'wasm-warden.js'), 'fuzz', 'sum.wasm', '--seed', '1', '--duration', `${seconds}s`, '--format', 'json', '-q', '--out', 'findings'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`fuzz exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    return JSON.parse(r.stdout).progress.execsPerSec;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
