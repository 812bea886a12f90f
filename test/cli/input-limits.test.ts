/**
 * The real `wasm-warden` on hostile inputs a cloned repository can carry (issue 23), generated here at
 * the reported sizes: a clear report and exit code, and peak memory of the CLI process under 1 GB.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, build, rm, type CliResult } from './helpers';

before(() => build());

/** Run the CLI with a preload that records the process's peak RSS (bytes) when it exits. */
function cliWithPeak(args: string[], cwd: string): Promise<CliResult & { peak: number }> {
  const preload = path.join(cwd, '.peak-rss.cjs');
  const out = path.join(cwd, '.peak-rss');
  fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS * 1024)));\n`);
  const env = { ...process.env };
  delete env.CI;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--require', preload, BIN, ...args], { cwd, env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr, peak: Number(fs.readFileSync(out, 'utf8')) });
    });
  });
}

function dir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-cli-limits-'));
}

const GB = 1024 ** 3;
const mb = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MB`;

test("check --format json on 10 MiB of ')': a JSON report of 1001 findings (exit 1, not 3), under 1 GB", async () => {
  const d = dir();
  try {
    fs.writeFileSync(path.join(d, 'parens.wat'), ')'.repeat(10 * 1024 * 1024));
    const r = await cliWithPeak(['check', '--format', 'json', 'parens.wat'], d);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    const findings = report.files[0].findings as { rule: string; message: string }[];
    assert.equal(findings.length, 1001);
    assert.match(findings[1000].message, /^\.\.\. and 10484760 more 'wat-unbalanced-paren' findings/);
    assert.ok(r.peak < GB, `peak RSS ${mb(r.peak)}`);
  } finally {
    rm(d);
  }
});

test('check and inspect of 16 MB of zeros after a valid header, and of a million empty custom sections: clear findings, under 1 GB', async () => {
  const d = dir();
  try {
    const header = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    fs.writeFileSync(path.join(d, 'zeros.wasm'), Buffer.concat([header, Buffer.alloc(16 * 1024 * 1024)]));
    fs.writeFileSync(path.join(d, 'customs.wasm'), Buffer.concat([header, Buffer.alloc(3 * 1_000_000, Buffer.from([0, 1, 0]))]));
    for (const command of ['check', 'inspect']) {
      const zeros = await cliWithPeak([command, 'zeros.wasm'], d);
      // check gates on findings; inspect shows them and exits 0
      assert.equal(zeros.code, command === 'check' ? 1 : 0, zeros.stderr);
      assert.match(zeros.stdout, /error \[wasm-malformed\] section 0 \(custom\) at 0x8: unexpected end while reading custom section name length/);
      assert.ok(zeros.peak < GB, `${command} zeros: peak RSS ${mb(zeros.peak)}`);
      const customs = await cliWithPeak([command, 'customs.wasm'], d);
      assert.equal(customs.code, 0, customs.stderr);
      assert.match(customs.stdout, /warning \[input-limit\] 1000000 custom sections: only the first 1000 are listed/);
      assert.ok(customs.peak < GB, `${command} customs: peak RSS ${mb(customs.peak)}`);
    }
  } finally {
    rm(d);
  }
});
