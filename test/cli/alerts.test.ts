/**
 * `wasm-warden run` and the policy's alert rules: alerts on stderr as they fire, in the report, appended to
 * --events FILE as JSON lines; a `stop` rule ends the run with exit 1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, cli, rm, wat2wasm } from './helpers';

describe('run: alert rules', () => {
  let dir: string;
  before(async () => {
    build();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-alerts-'));
    fs.writeFileSync(path.join(dir, 'spin.wasm'), await wat2wasm('(module (func (export "_start") (loop $l (br $l))))'));
    fs.writeFileSync(path.join(dir, 'wasm-warden.policy.json'), JSON.stringify({
      monitor: { alerts: [{ name: 'note', when: 'execution-time', above: 100, severity: 'info' }, { name: 'hang', when: 'execution-time', above: 500, severity: 'critical', action: 'stop' }] },
    }));
  });
  after(() => rm(dir));

  test('a stop rule ends the run (exit 1); alerts on stderr, in the report and in the events file', async () => {
    fs.writeFileSync(path.join(dir, 'events.jsonl'), '{"earlier":"line"}\n');
    const r = await cli(['run', 'spin.wasm', '--events', 'events.jsonl', '--report', 'report.json'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /wasm-warden: alert note \(info, execution-time\): still running after 100 ms/);
    assert.match(r.stderr, /wasm-warden: alert hang \(critical, execution-time, action stop\): still running after 500 ms/);
    assert.match(r.stderr, /wasm-warden run: stopped by the alert rule hang/);
    const lines = fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], { earlier: 'line' }, 'appended, not replaced');
    assert.deepEqual(lines.slice(1).map((l) => [l.type, l.rule, l.severity, l.action]), [['alert', 'note', 'info', 'notify'], ['alert', 'hang', 'critical', 'stop']]);
    assert.equal(lines[1].module, 'spin.wasm');
    assert.ok(!Number.isNaN(Date.parse(lines[1].time)));
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    assert.equal(report.outcome, 'killed');
    assert.equal(report.stoppedBy.rule, 'hang');
    assert.deepEqual(report.alerts.map((a: { rule: string }) => a.rule), ['note', 'hang']);
  });

  test('--events in a folder that does not exist is an input error before the run', async () => {
    const r = await cli(['run', 'spin.wasm', '--events', 'nowhere/events.jsonl'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--events nowhere\/events\.jsonl: its folder does not exist/);
  });
});
