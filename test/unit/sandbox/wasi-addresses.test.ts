/**
 * Guest addresses at and above 2 GiB: wasm passes an i32 to JavaScript as a signed number, so those
 * arrive negative. Our preview1 must take them as the u32 addresses they are (memories over 2 GiB are
 * allowed when the policy's memory cap is raised).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toErrno, WasiPreview1 } from '../../../server/src/engine/sandbox/wasi/preview1';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const WA = (globalThis as any).WebAssembly;

test('preview1 functions take i32 addresses as unsigned: writes at 2 GiB land at 2 GiB', (t) => {
  let memory: { buffer: ArrayBuffer; grow(pages: number): number };
  try {
    memory = new WA.Memory({ initial: 32768 + 1, maximum: 32768 + 1 }); // 2 GiB + 64 KiB
  } catch (e) {
    t.skip(`cannot reserve a 2 GiB memory here: ${(e as Error).message}`);
    return;
  }
  const wasi = new WasiPreview1({ args: ['prog', 'x'], env: { A: 'b' }, mounts: [], stdout: { write() {} }, stderr: { write() {} }, onViolation() {} });
  wasi.setMemory(memory);
  const at = 2 ** 31; // as wasm hands it to JavaScript: -2147483648
  const signed = at | 0;
  assert.equal(signed < 0, true);
  assert.equal(wasi.functions.args_sizes_get(signed, signed + 4), 0);
  const dv = new DataView(memory.buffer);
  assert.equal(dv.getUint32(at, true), 2, 'argc');
  assert.equal(dv.getUint32(at + 4, true), 'prog\0x\0'.length, 'argv buffer size');
  assert.equal(wasi.functions.clock_res_get(1, signed + 8), 0);
  assert.equal(dv.getBigUint64(at + 8, true), 1n);
  // random_get fills exactly the range asked for
  assert.equal(wasi.functions.random_get(signed + 16, 8), 0);
  assert.equal(dv.getUint32(at + 24, true), 0, 'nothing written past the range');
  // and an address past the end is still a fault (as the monitor maps it), not a write somewhere else
  const errno = (f: () => number) => {
    try {
      return f();
    } catch (e) {
      return toErrno(e);
    }
  };
  assert.equal(errno(() => wasi.functions.args_sizes_get((memory.buffer.byteLength - 2) | 0, 0)), 21 /* EFAULT */);
});
