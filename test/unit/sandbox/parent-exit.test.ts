/**
 * The sandbox process dies with its parent, even when the parent is SIGKILLed (no exit handlers run)
 * and the guest keeps the sandbox's main thread busy. There is no event for the death of a process that
 * is not our child (Node closes inherited descriptors, so a pipe cannot tell us), so after the parent's
 * own 'exit' event the test checks /proc for the sandbox process, re-checking on a short timer with a
 * hard deadline: a state check, not a sleep standing in for synchronisation.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { wat2wasm } from './helpers';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'sandbox', 'orphan-parent.ts');

function gone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

it('kills the sandbox process when its parent is SIGKILLed', { timeout: 60_000, skip: !fs.existsSync('/proc/self/stat') && 'needs /proc' }, async () => {
  const wasm = await wat2wasm(`(module (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
    (func (export "_start") (loop $l (drop (call $y)) (br $l))))`);
  const parent = spawn(process.execPath, ['--import', 'tsx', FIXTURE, Buffer.from(wasm).toString('base64')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(parent, 'exit');
  try {
    const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
    const pid = Number(line.toString().trim());
    assert.ok(pid > 0 && pid !== parent.pid);
    assert.equal(gone(pid), false, 'sandbox process runs');
    parent.kill('SIGKILL');
    await exited;
    const deadline = performance.now() + 10_000;
    while (!gone(pid) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.equal(gone(pid), true, `sandbox process ${pid} outlived its parent by 10 s`);
  } finally {
    parent.kill('SIGKILL');
  }
});
