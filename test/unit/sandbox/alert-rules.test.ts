/**
 * Alert rules (sandbox/alert-rules.ts) in real runs: each metric fires when its value passes the threshold,
 * with the rule's severity and action; `stop` ends the run and leaves no process behind; `restart` (through
 * the `run` operation) runs the module once more and stops it when the rule fires again; the policy's
 * default rules are the seed's thresholds.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSandboxed, type SandboxOptions } from '../../../server/src/engine/sandbox/runner';
import type { Alert } from '../../../server/src/engine/sandbox/types';
import type { AlertRule } from '../../../server/src/engine/sandbox/alert-rules';
import { DEFAULT_ALERT_RULES } from '../../../server/src/engine/sandbox/alert-rules';
import { runFile } from '../../../server/src/engine/operations/run';
import { PolicyStore } from '../../../server/src/engine/policy/store';
import { DEFAULT_POLICY } from '../../../server/src/engine/policy/definition';
import { rmrf, tempDir, wat2wasm, watString } from './helpers';

const T = { timeout: 60_000 };
const base = (alertRules: AlertRule[], extra: Partial<SandboxOptions> = {}): SandboxOptions => ({ dirs: [], env: {}, args: ['guest'], timeoutMs: 20_000, alertRules, ...extra });
const WRITE = `(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))`;
const CLOCK = `(import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))`;
const OPEN = `(import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))`;
const SPIN = `(loop $spin (br $spin))`;

/** true when no process has this pid (a reaped child) */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** runs the guest with the rules; returns the report, the alerts as they came, and the pid of the sandbox process */
async function run(wat: string, rules: AlertRule[], extra: Partial<SandboxOptions> = {}) {
  const alerts: Alert[] = [];
  let pid = 0;
  const r = await runSandboxed(await wat2wasm(wat), base(rules, extra), { onAlert: (a) => alerts.push(a), onSpawn: (p) => (pid = p) });
  return { r, alerts, pid };
}

describe('alert rules', () => {
  it('memory as a share of the cap: fires once memory reaches it, and `stop` ends the run with no process left', T, async () => {
    const cap = 8 * 1024 * 1024;
    // grows one page at a time up to 6 MiB (75% of the cap), then spins: only the rule can end it
    const { r, alerts, pid } = await run(`(module (memory (export "memory") 1)
      (func (export "_start")
        (loop $l (if (i32.lt_u (memory.size) (i32.const 96)) (then (drop (memory.grow (i32.const 1))) (br $l))))
        ${SPIN}))`, [{ name: 'mem-share', when: 'memory', percentOfCap: 50, severity: 'critical', action: 'stop' }], { maxMemoryBytes: cap });
    assert.equal(r.outcome, 'killed');
    assert.equal(r.stoppedBy?.rule, 'mem-share');
    assert.equal(r.stoppedBy?.severity, 'critical');
    assert.equal(r.stoppedBy?.action, 'stop');
    assert.ok(r.stoppedBy!.value >= cap / 2, `fired at ${r.stoppedBy!.value} bytes`);
    assert.match(r.message ?? '', /alert rule mem-share/);
    assert.deepEqual(alerts.map((a) => a.rule), ['mem-share']);
    assert.ok(pid > 0);
    assert.ok(gone(pid), `the sandbox process ${pid} is gone when the run has ended`);
  });

  it('memory in bytes below the threshold does not fire', T, async () => {
    const { r, alerts } = await run(`(module (memory (export "memory") 2) (func (export "_start")))`, [{ when: 'memory', above: 2 * 65536, action: 'stop' }]);
    assert.equal(r.outcome, 'exit');
    assert.deepEqual(alerts, []);
  });

  it('execution time: `stop` fires after the threshold, not before, and the process is gone', T, async () => {
    const { r, alerts, pid } = await run(`(module (func (export "_start") ${SPIN}))`, [{ name: 'slow', when: 'execution-time', above: 400, action: 'stop' }]);
    assert.equal(r.outcome, 'killed');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].kind, 'execution-time');
    assert.ok(alerts[0].atMs >= 400, `fired at ${alerts[0].atMs} ms`);
    assert.ok(r.durationMs < 10_000, 'ended by the rule, long before the timeout');
    assert.ok(gone(pid), `process ${pid} gone`);
  });

  it('calls of one WASI function: a count rule fires past the count; `notify` lets the run finish', T, async () => {
    // 50 writes of 3 bytes, then exit 0
    const { r, alerts } = await run(`(module ${WRITE} (memory (export "memory") 1) (data (i32.const 16) "ab\\n")
      (func (export "_start") (local $i i32)
        (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
        (loop $l (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 50))))))`,
      [{ name: 'writes', when: 'wasi-calls', function: 'fd_write', above: 40, severity: 'info' }, { name: 'many-writes', when: 'wasi-calls', function: 'fd_write', above: 50 }]);
    assert.equal(r.outcome, 'exit');
    assert.deepEqual(alerts.map((a) => [a.rule, a.severity, a.action]), [['writes', 'info', 'notify']]);
    assert.equal(alerts[0].value, 50);
    assert.deepEqual(r.alerts, alerts, 'the report holds the alerts');
  });

  it('calls of a capability group as a rate: fires on a busy clock loop and stops it', T, async () => {
    const { r, alerts, pid } = await run(`(module ${CLOCK} (memory 1)
      (func (export "_start") (loop $l (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 8))) (br $l))))`,
      [{ name: 'clock-rate', when: 'capability-calls', capability: 'clock', perSecond: true, above: 10_000, action: 'stop' }]);
    assert.equal(r.outcome, 'killed');
    assert.equal(alerts[0].rule, 'clock-rate');
    assert.ok(alerts[0].value > 10_000, `rate ${alerts[0].value}/s`);
    assert.match(alerts[0].detail, /calls per second/);
    assert.ok(gone(pid));
  });

  it('violations: the first one fires a `stop` rule at once, with the violation in the detail', T, async () => {
    const dir = tempDir('alerts');
    try {
      const p = '../outside';
      const { r, alerts, pid } = await run(`(module ${OPEN} (memory (export "memory") 1) (data (i32.const 64) "${watString(p)}")
        (func (export "_start")
          (drop (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const ${p.length}) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))
          ${SPIN}))`, [{ name: 'isolate', when: 'violations', above: 0, severity: 'critical', action: 'stop' }], { dirs: [{ host: dir, guest: '/data', readOnly: true }] });
      assert.equal(r.outcome, 'killed');
      assert.equal(r.stoppedBy?.rule, 'isolate');
      assert.match(alerts[0].detail, /path-escape/);
      assert.equal(r.violationCount, 1);
      assert.ok(gone(pid));
    } finally {
      rmrf(dir);
    }
  });

  it('output bytes: fires when stdout and stderr together pass the threshold', T, async () => {
    const { r, alerts } = await run(`(module ${WRITE} (memory (export "memory") 1) (data (i32.const 16) "0123456789")
      (func (export "_start") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 10))
        (loop $l (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))))`,
      [{ name: 'chatty', when: 'output-bytes', above: 5000, action: 'stop' }]);
    assert.equal(r.outcome, 'killed');
    assert.equal(alerts[0].rule, 'chatty');
    assert.ok(alerts[0].value > 5000);
    assert.ok(Buffer.byteLength(r.stdout) + Buffer.byteLength(r.stderr) > 5000);
  });
});

describe('alert rules in the run operation', () => {
  const ws = tempDir('alerts-policy');
  const write = (name: string, policy: unknown) => {
    const dir = path.join(ws, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'wasm-warden.policy.json'), JSON.stringify(policy));
    return dir;
  };

  it('`restart` ends the run, runs it once more, and stops it when the rule fires again', T, async () => {
    const dir = write('restart', { monitor: { alerts: [{ name: 'hang', when: 'execution-time', above: 300, severity: 'critical', action: 'restart' }] } });
    const file = path.join(dir, 'spin.wasm');
    fs.writeFileSync(file, await wat2wasm(`(module (func (export "_start") ${SPIN}))`));
    const pids: number[] = [];
    const restarts: Alert[] = [];
    const r = await runFile(file, { store: new PolicyStore({ roots: [ws] }), events: { onSpawn: (p) => pids.push(p), onRestart: (a) => restarts.push(a) } });
    assert.ok('outcome' in r);
    assert.equal(restarts.length, 1);
    assert.equal(restarts[0].action, 'restart');
    assert.equal(pids.length, 2, 'two runs');
    assert.equal(r.outcome, 'killed');
    assert.equal(r.stoppedBy?.rule, 'hang');
    assert.equal(r.stoppedBy?.action, 'stop', 'the second run stops');
    assert.equal(r.restartedAfter?.stoppedBy?.action, 'restart');
    for (const p of pids) assert.ok(gone(p), `process ${p} gone`);
  });

  it('the default rules are the seed thresholds; any violation raises a critical alert', T, async () => {
    assert.deepEqual(DEFAULT_POLICY.monitor?.alerts, DEFAULT_ALERT_RULES);
    assert.deepEqual(DEFAULT_ALERT_RULES.map((r) => [r.when, r.above]), [['memory', 100 * 1024 * 1024], ['execution-time', 5000], ['violations', 0]]);
    const dir = write('defaults', { sandbox: { dirs: [{ host: '.', guest: '/data' }] } });
    const file = path.join(dir, 'escape.wasm');
    const p = '/etc/passwd';
    fs.writeFileSync(file, await wat2wasm(`(module ${OPEN} (memory (export "memory") 1) (data (i32.const 64) "${watString(p)}")
      (func (export "_start") (drop (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const ${p.length}) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))))`));
    const r = await runFile(file, { store: new PolicyStore({ roots: [ws] }) });
    assert.ok('outcome' in r);
    assert.equal(r.outcome, 'exit', 'notify: the run goes on');
    assert.deepEqual(r.alerts.map((a) => [a.rule, a.severity, a.action]), [['security-violation', 'critical', 'notify']]);
  });

  it('a rule that watches nothing is refused before the run, with the reason', T, async () => {
    const dir = write('bad', { monitor: { alerts: [{ name: 'x', when: 'capability-calls', above: 3 }] } });
    const file = path.join(dir, 'm.wasm');
    fs.writeFileSync(file, await wat2wasm(`(module (func (export "_start")))`));
    await assert.rejects(runFile(file, { store: new PolicyStore({ roots: [ws] }) }), /monitor\.alerts: alert rule x: capability-calls needs a capability/);
  });

  it('cleans up', () => rmrf(ws));
});
