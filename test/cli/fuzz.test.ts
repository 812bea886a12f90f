/**
 * `wasm-warden fuzz` against guests with planted bugs (test/fixtures/fuzz): an out-of-bounds write behind a
 * magic value, a division by zero on an edge value, an endless loop on a length (the memory's size), a path
 * traversal through one argv, 100 KiB of output in one execution (and 1 KiB in every other one). Each is found by the default strategy within a short budget of executions (the
 * budget, not the time, bounds these tests: the same seed gives the same executions on any machine), once per
 * cause, minimised, written as JSON and replayable; the same seed finds the same things at the same executions.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, cli, ROOT, rm } from './helpers';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'fuzz');

interface Finding {
  cause: { kind: string; key: string; detail: string; stack?: string[] };
  seed: number;
  exec: number;
  input: { kind: string; export?: string; args?: { type: string; value: string }[]; argv?: string[] };
  file: string;
}
interface Result {
  seed: number;
  mode: string;
  findings: Finding[];
  progress: { execs: number; coverage: { sites: number; covered: number; functions: number; functionsCovered: number } };
}

describe('fuzz', () => {
  let dir: string;
  before(() => {
    build();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-fuzz-'));
    for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
  });
  after(() => rm(dir));

  const fuzz = async (args: string[]) => {
    const r = await cli(['fuzz', ...args, '--format', 'json', '--duration', '120s'], dir);
    return { ...r, result: r.stdout ? (JSON.parse(r.stdout) as Result) : undefined };
  };

  test('exports: the magic-value OOB write, the edge-value division by zero and the endless loop are each found once', async () => {
    const { code, stderr, result } = await fuzz(['planted-exports.wat', '--seed', '7', '--runs', '4000', '--out', 'found']);
    assert.equal(code, 1, stderr);
    const r = result!;
    assert.equal(r.mode, 'exports');
    assert.equal(r.seed, 7);
    const byKey = new Map(r.findings.map((f) => [f.cause.key, f]));
    assert.equal(byKey.size, r.findings.length, 'each cause once');
    const oob = byKey.get('trap:out-of-bounds@process');
    assert.ok(oob, `out-of-bounds in process: ${[...byKey.keys()]}`);
    assert.equal(oob.input.args![0].value, String(0x5eed1234), 'the magic value (from the module\'s constants)');
    assert.equal(oob.input.args![1].value, '0', 'minimised: the other argument is 0');
    const div = byKey.get('trap:divide-by-zero@ratio');
    assert.ok(div, `divide-by-zero in ratio: ${[...byKey.keys()]}`);
    assert.deepEqual(div.input.args!.map((a) => a.value), ['0', '-2147483648'], 'minimised to the edge value alone');
    const hang = byKey.get('timeout@scan');
    assert.ok(hang, `timeout in scan: ${[...byKey.keys()]}`);
    assert.equal(hang.input.args![1].value, '65536', 'the length is the memory\'s size');
    assert.match(stderr, /finding trap:out-of-bounds@process/);
    // written, one file per finding
    const files = fs.readdirSync(path.join(dir, 'found'));
    assert.equal(files.length, r.findings.length);
    for (const f of r.findings) assert.ok(fs.existsSync(f.file));
    assert.equal(r.progress.coverage.functions, 3);
    assert.equal(r.progress.coverage.functionsCovered, 3);
    assert.ok(r.progress.coverage.covered >= 4, 'coverage: function entries and loop headers reached');
  });

  test('the same seed finds the same causes at the same executions with the same inputs', async () => {
    const a = (await fuzz(['planted-exports.wat', '--seed', '7', '--runs', '4000', '--out', 'again'])).result!;
    const b = (await fuzz(['planted-exports.wat', '--seed', '7', '--runs', '4000', '--out', 'again2'])).result!;
    const summary = (r: Result) => r.findings.map((f) => [f.cause.key, f.exec, JSON.stringify(f.input)]);
    assert.deepEqual(summary(a), summary(b));
    assert.equal(a.progress.execs, b.progress.execs);
    const c = (await fuzz(['planted-exports.wat', '--seed', '8', '--runs', '4000', '--out', 'other'])).result!;
    assert.notDeepEqual(summary(c), summary(a), 'another seed, another sequence');
  });

  test('a command: the path traversal through one argv is found as a sandbox violation', async () => {
    const { code, stderr, result } = await fuzz(['planted-command.wat', '--seed', '3', '--runs', '3000', '--out', 'cmd']);
    assert.equal(code, 1, stderr);
    assert.equal(result!.mode, 'command');
    const escape = result!.findings.find((f) => f.cause.key === 'violation:path-escape');
    assert.ok(escape, result!.findings.map((f) => f.cause.key).join(', '));
    assert.equal(escape.input.argv![0], '--config');
    assert.match(escape.input.argv![1], /\.\./);
    assert.equal(escape.input.argv!.length, 2, 'minimised: nothing else');
  });

  test('--replay runs a finding again: exit 1 while the bug is there, 0 once it is fixed', async () => {
    const r = (await fuzz(['planted-exports.wat', '--seed', '7', '--runs', '4000', '--out', 'replay'])).result!;
    const div = r.findings.find((f) => f.cause.key === 'trap:divide-by-zero@ratio')!;
    const again = await cli(['fuzz', 'planted-exports.wat', '--replay', div.file], dir);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stdout, /^reproduced: trap:divide-by-zero@ratio: /);
    fs.writeFileSync(path.join(dir, 'fixed.wat'), fs.readFileSync(path.join(dir, 'planted-exports.wat'), 'utf8').replace('(i32.const 0x80000000))))', '(i32.const 1))))'));
    const fixed = await cli(['fuzz', 'fixed.wat', '--replay', div.file], dir);
    assert.equal(fixed.code, 0, fixed.stderr + fixed.stdout);
    assert.match(fixed.stdout, /^not reproduced: expected trap:divide-by-zero@ratio, got no finding/);
    fs.writeFileSync(path.join(dir, 'not-a-finding.json'), '{"kind":"something else"}');
    const bad = await cli(['fuzz', 'planted-exports.wat', '--replay', 'not-a-finding.json'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a wasm-warden fuzz finding/);
  });

  test('output is capped per execution, also within a batch: 1 KiB on every call is no finding, 100 KiB in one call is', async () => {
    const { code, stderr, result } = await fuzz(['output-per-exec.wat', '--seed', '3', '--runs', '4000', '--out', 'output']);
    assert.equal(code, 1, stderr);
    assert.deepEqual(result!.findings.map((f) => f.cause.key), ['output@burst'], 'log\'s 1 KiB a call is never past the cap of its execution');
    assert.equal(result!.findings[0].input.args![0].value, String(0x0badf00d));
  });

  test('a module without bugs: exit 0, no finding, nothing written', async () => {
    const { code, stderr, result } = await fuzz(['clean.wat', '--seed', '1', '--runs', '3000', '--out', 'clean']);
    assert.equal(code, 0, stderr);
    assert.deepEqual(result!.findings, []);
    assert.equal(result!.progress.execs, 3000);
    assert.equal(fs.existsSync(path.join(dir, 'clean')), false);
  });

  test('usage errors', async () => {
    for (const [args, re] of [
      [['--duration', 'soon'], /--duration takes a time/],
      [['--seed', '-4'], /--seed takes a whole number/],
      [['--invoke', 'nothing'], /exports no function nothing/],
    ] as const) {
      const r = await cli(['fuzz', 'planted-exports.wat', ...args], dir);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });
});
