/**
 * Hostile policy files through the real CLI (issue 23), generated at test time at the sizes an outside
 * fuzzing run used: each is an input error (exit 2) with one clear message on the policy file, no
 * stack trace, and the process's peak memory stays under the 1 GB budget.
 *
 * Peak memory is the child's own maxRSS, written at exit by a preload (peak-rss.cjs) named in
 * NODE_OPTIONS.
 */
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, cli, rm } from './helpers';

const BUDGET_MB = 1024;
const PEAK_RSS = path.join(__dirname, 'peak-rss.cjs');

let dir: string;
before(() => {
  build();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-limits-'));
  fs.writeFileSync(path.join(dir, 'm.wat'), '(module (import "wasi_snapshot_preview1" "fd_write" (func)))\n');
});
after(() => rm(dir));

const globList = (n: number) => `{ "imports": { "deny": [${Array.from({ length: n }, (_, i) => `"some_module_${i}.function_*"`).join(',')}] } }`;

/** Each hostile class: its text, and the code and message the CLI must print for it. */
const CLASSES: { name: string; text: () => string; code: string; message: RegExp }[] = [
  { name: 'a 10 MB deny list of 365,000 globs', text: () => globList(365_000), code: 'policy-too-large', message: /too large: [\d,]+ bytes, over the limit of 1,048,576 \(1 MiB\)/ },
  { name: 'one 10 MB glob', text: () => `{ "imports": { "deny": ["${'a'.repeat(10_000_000)}"] } }`, code: 'policy-too-large', message: /too large/ },
  { name: '10 MB of `[`', text: () => '['.repeat(10_000_000), code: 'policy-too-large', message: /too large/ },
  { name: '10,000 nested lists', text: () => '['.repeat(10_000) + ']'.repeat(10_000), code: 'policy-too-deep', message: /more than 64 levels deep/ },
  { name: '100,000 nested objects', text: () => '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), code: 'policy-too-deep', message: /more than 64 levels deep/ },
  { name: '1,000,000 nested lists (2 MB)', text: () => '['.repeat(1_000_000) + ']'.repeat(1_000_000), code: 'policy-too-large', message: /too large/ },
  { name: '1 MiB of `[`', text: () => '['.repeat(1024 * 1024), code: 'policy-too-deep', message: /more than 64 levels deep/ },
  { name: '100,000 nested braces in a glob', text: () => `{ "imports": { "deny": ["${'{'.repeat(100_000)}a${'}'.repeat(100_000)}"] } }`, code: 'policy-bad-glob', message: /Bad pattern `\{+… \(200,001 characters\)`: it is 200,001 characters long; the limit is 1,024/ },
  { name: '20,000 globs (under the size limit)', text: () => globList(20_000), code: 'policy-too-many-globs', message: /More than 10,000 glob patterns/ },
];

async function checkWith(args: string[]): Promise<{ code: number | null; stderr: string; peakMB: number }> {
  const rssFile = path.join(dir, `rss-${process.hrtime.bigint()}`);
  const r = await cli(args, dir, { NODE_OPTIONS: `--require=${PEAK_RSS}`, WASM_WARDEN_PEAK_RSS_FILE: rssFile });
  const peakMB = Number(fs.readFileSync(rssFile, 'utf8')) / 1024;
  fs.rmSync(rssFile);
  return { code: r.code, stderr: r.stderr, peakMB };
}

describe('hostile policy files through the CLI', () => {
  for (const c of CLASSES) {
    test(`${c.name}: exit 2, [${c.code}] on the policy, no stack trace, under ${BUDGET_MB} MB`, async () => {
      const file = path.join(dir, 'hostile.policy.json');
      fs.writeFileSync(file, c.text());
      const r = await checkWith(['check', 'm.wat', '--policy', 'hostile.policy.json']);
      assert.equal(r.code, 2, r.stderr.slice(0, 2000));
      assert.match(r.stderr, /^wasm-warden: check: the policy hostile\.policy\.json cannot be used:\n/);
      assert.match(r.stderr, new RegExp(`hostile\\.policy\\.json:\\d+:\\d+: error \\[${c.code}\\] `));
      assert.match(r.stderr, c.message);
      assert.doesNotMatch(r.stderr, /\n\s+at |Maximum call stack|RangeError/);
      assert.ok(r.stderr.length < 2000, `a short report: ${r.stderr.length} characters`);
      assert.ok(r.peakMB < BUDGET_MB, `peak ${r.peakMB.toFixed(0)} MB`);
      console.log(`${c.name}: peak ${r.peakMB.toFixed(0)} MB`);
    });
  }

  test('a hostile nearest wasm-warden.policy.json (no --policy) is an input error too', async () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub, { recursive: true });
    fs.copyFileSync(path.join(dir, 'm.wat'), path.join(sub, 'm.wat'));
    fs.writeFileSync(path.join(sub, 'wasm-warden.policy.json'), '['.repeat(50_000));
    const r = await checkWith(['check', 'sub']);
    assert.equal(r.code, 2, r.stderr.slice(0, 2000));
    assert.match(r.stderr, /wasm-warden\.policy\.json:1:65: error \[policy-too-deep\]/);
    assert.doesNotMatch(r.stderr, /\n\s+at |Maximum call stack/);
    assert.ok(r.peakMB < BUDGET_MB, `peak ${r.peakMB.toFixed(0)} MB`);
  });
});
