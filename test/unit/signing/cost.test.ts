/**
 * The cost model of the signing inputs a workspace controls (signature sections and detached signature
 * files, key files, trusted key lists, integrity pins): each hostile input, generated at test time, is
 * processed in a child process (cost-child.ts) that reports the outcome, its time and the rise of its
 * peak RSS. Outcomes are asserted exactly; memory against a budget far below what the unbounded code
 * took (1.3 GB for the tiny-section module); time only as a hang guard (measured values go to the report).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CHILD = path.join(__dirname, 'cost-child.ts');

interface Measured {
  ms: number;
  peakDeltaMB: number;
  result: Record<string, unknown>;
}

function measure(scenario: string): Promise<Measured> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-sigcost-'));
  return new Promise((resolve, reject) => {
    // the hang guard: a scenario that does not finish in 240 s fails the test (never a timed assertion below that)
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, scenario, dir], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      fs.rmSync(dir, { recursive: true, force: true });
      if (err) return reject(new Error(`${scenario}: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Measured);
    });
  });
}

/** Peak RSS rise allowed while processing one hostile input (the inputs themselves are built before the baseline). */
const MEMORY_BUDGET_MB = 64;

describe('signing inputs: bounded cost', () => {
  test('16 MiB of 5.6 million tiny custom sections: verify, detached verify, list and the policy rules in one pass each, constant memory', async (t) => {
    const m = await measure('tiny-sections');
    t.diagnostic(`tiny-sections: ${m.ms} ms for 4 passes, peak +${m.peakDeltaMB} MB`);
    assert.equal(m.result.verify, 'no-signature');
    assert.equal(m.result.detached, 'wrong-key');
    assert.equal(m.result.list, false);
    assert.deepEqual((m.result.policy as { code: string }[]).map((f) => f.code), ['signature-missing']);
    assert.ok(m.peakDeltaMB < MEMORY_BUDGET_MB, `peak +${m.peakDeltaMB} MB`);
  });

  test('the same module signed: verified by hashing it once, constant memory', async (t) => {
    const m = await measure('tiny-sections-signed');
    t.diagnostic(`tiny-sections-signed: ${m.ms} ms, peak +${m.peakDeltaMB} MB`);
    assert.deepEqual(m.result, { verify: true, policy: [] });
    assert.ok(m.peakDeltaMB < MEMORY_BUDGET_MB, `peak +${m.peakDeltaMB} MB`);
  });

  test('441,505 signature_delimiter sections: at most 4096 parts recorded; by-parts verification and signing refuse clearly', async (t) => {
    const m = await measure('delimiters');
    t.diagnostic(`delimiters: ${m.ms} ms, peak +${m.peakDeltaMB} MB`);
    assert.deepEqual(m.result.full, ['tampered', 4096]);
    assert.deepEqual(m.result.parts, ['malformed', 'the module has more than 4096 parts (signature_delimiter sections): a signature records at most 4096 hashes, it cannot be verified by parts']);
    assert.equal(m.result.sign, 'the module would have 65 or more parts (signature_delimiter sections): a signature records at most 64 hashes');
    assert.equal(m.result.insert, m.result.sign);
    assert.ok(m.peakDeltaMB < MEMORY_BUDGET_MB, `peak +${m.peakDeltaMB} MB`);
  });

  test('the largest counts the format allows (64 x 64 hashes, 64 x 256 signatures): refused after the check budget, with the reason', async (t) => {
    const m = await measure('max-counts');
    t.diagnostic(`max-counts: ${m.ms} ms, peak +${m.peakDeltaMB} MB`);
    assert.equal(m.result.payloadBytes, 1245572);
    assert.equal((m.result.verify as string[])[0], 'malformed');
    assert.match((m.result.verify as string[])[1], /needs more than 1024 signature checks with 2 key\(s\); refusing/);
    assert.deepEqual((m.result.list as unknown[]).slice(0, 2), [64, 256]);
    assert.match((m.result.list as string[])[2], /more than 1024 signature checks/);
    assert.ok(m.peakDeltaMB < MEMORY_BUDGET_MB, `peak +${m.peakDeltaMB} MB`);
  });

  test('16,384 signatures with key ids that match none of 256 keys: refused by the check budget, not 4 million checks', async (t) => {
    const m = await measure('many-key-ids');
    t.diagnostic(`many-key-ids: ${m.ms} ms, peak +${m.peakDeltaMB} MB`);
    assert.deepEqual((m.result.verify as string[])[0], 'malformed');
    assert.match((m.result.verify as string[])[1], /more than 1024 signature checks with 256 key\(s\)/);
    assert.ok(m.peakDeltaMB < MEMORY_BUDGET_MB, `peak +${m.peakDeltaMB} MB`);
  });

  test('signature payloads: a 4 MiB key id is read and shown cut; 4 MiB + 1 byte is refused, embedded or detached', async (t) => {
    const m = await measure('big-payload');
    t.diagnostic(`big-payload: ${m.ms} ms, peak +${m.peakDeltaMB} MB`);
    const [reason, keyIds, shownLength] = m.result.fits as [string, string[], number];
    assert.equal(reason, 'wrong-key');
    assert.equal(keyIds.length, 1);
    assert.match(keyIds[0], /^(ab){64}\.\.\. \(4194104 bytes\)$/);
    assert.equal(shownLength, keyIds[0].length);
    assert.deepEqual(m.result.over, ['malformed', 'signature section: 4194305 bytes of signature data, at most 4194304 (4 MiB) are read (at byte 23)']);
    assert.deepEqual(m.result.overDetached, ['malformed', true]);
    assert.ok(m.peakDeltaMB < MEMORY_BUDGET_MB, `peak +${m.peakDeltaMB} MB`);
  });

  test('a policy naming 10,000 trusted keys (2,000 files): 64 used, the rest reported in the finding', async (t) => {
    const m = await measure('trusted-keys');
    t.diagnostic(`trusted-keys: ${m.ms} ms (first module, then ${m.result.nextModulesMs} ms per module), peak +${m.peakDeltaMB} MB`);
    const [f] = m.result.policy as { code: string; message: string }[];
    assert.equal(f.code, 'signature-untrusted');
    assert.match(f.message, /none of the 64 trusted key\(s\) verifies it/);
    assert.match(f.message, /the policy lists 2000 distinct key files; only the first 64 are used \(1936 ignored\)/);
    assert.ok(m.peakDeltaMB < MEMORY_BUDGET_MB, `peak +${m.peakDeltaMB} MB`);
  });

  test('hostile trusted key paths (2 GiB file, FIFO, directory, /dev/zero, 1 MB path): each a clear problem, nothing read, no hang', async (t) => {
    const m = await measure('hostile-key-paths');
    t.diagnostic(`hostile-key-paths: ${m.ms} ms, peak +${m.peakDeltaMB} MB`);
    const [f] = m.result.policy as { code: string; message: string }[];
    assert.equal(f.code, 'signature-untrusted');
    assert.match(f.message, /5 trusted key problem\(s\): huge\.pub \(2147483648 bytes, more than the 65536 bytes a key file can have\)/);
    assert.match(f.message, /fifo\.pub \(not a regular file\)/);
    assert.match(f.message, /dir\.pub \(not a regular file\)/);
    assert.match(f.message, /\/dev\/zero \(not a regular file\)/);
    assert.match(f.message, /(a\/){100}\.\.\. \(1000005 characters\) \(the key path is 1000005 characters long, at most 4096 are used\)/);
    assert.ok(f.message.length < 2000, `${f.message.length} characters`);
    assert.ok(m.peakDeltaMB < MEMORY_BUDGET_MB, `peak +${m.peakDeltaMB} MB`);
  });

  test('300,000 integrity pins: one set lookup per module, the finding shows 16 of them and the count', async (t) => {
    const m = await measure('pins');
    t.diagnostic(`pins: ${m.ms} ms for 200 modules, peak +${m.peakDeltaMB} MB`);
    assert.equal(m.result.findings, 200);
    const first = m.result.first as { message: string; allowedShown: number; dataKeys: string[] };
    assert.match(first.message, /is not among the 300000 digest\(s\) pinned for "\*\*\/\*\.wasm"/);
    assert.equal(first.allowedShown, 16);
    assert.deepEqual(first.dataKeys, ['glob', 'digest', 'allowed', 'allowedCount']);
    // the pins themselves are about 20 MB of strings; the set built over them once is what this measures
    assert.ok(m.peakDeltaMB < 2 * MEMORY_BUDGET_MB, `peak +${m.peakDeltaMB} MB`);
  });
});
