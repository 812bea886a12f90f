/**
 * The limit on repeated findings (engine/diagnostic-limit.ts): at most 1000 per code per file, then
 * one summary finding, whoever made them: the check of a module with thousands of denied imports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineDiagnostic } from '../../../server/src/engine/diagnostic';
import { limitDiagnostics, MAX_FINDINGS_PER_CODE, pushLimited, appendWithheldSummaries, withheldCount } from '../../../server/src/engine/diagnostic-limit';
import { checkFile } from '../../../server/src/engine/operations/check';
import { PolicyStore } from '../../../server/src/engine/policy/store';

const finding = (code: string, at: number): EngineDiagnostic => ({ code, severity: 'error', message: `${code} at ${at}`, span: { start: at, end: at + 1 }, source: 'test' });

test('limitDiagnostics keeps the first 1000 of each code in order, then one summary at the first left out', () => {
  const list: EngineDiagnostic[] = [];
  for (let i = 0; i < 2500; i++) list.push(finding(i % 2 ? 'a' : 'b', i));
  list.push(finding('c', 9999));
  const out = limitDiagnostics(list);
  assert.equal(out.filter((d) => d.code === 'a').length, MAX_FINDINGS_PER_CODE + 1);
  const summaryA = out.find((d) => d.code === 'a' && withheldCount(d) > 0)!;
  assert.equal(withheldCount(summaryA), 250);
  assert.deepEqual(summaryA.span, { start: 2001, end: 2002 });
  assert.equal(summaryA.message, `... and 250 more 'a' findings (only the first 1000 of each kind are listed; the next one: a at 2001)`);
  assert.ok(out.some((d) => d.code === 'c'));
  // under the limit: the very same list
  const small = [finding('a', 1)];
  assert.equal(limitDiagnostics(small), small);
});

test('summaries made while filling a list (pushLimited) merge with later findings of their code', () => {
  const list: EngineDiagnostic[] = [];
  for (let i = 0; i < 1500; i++) pushLimited(list, finding('a', i));
  appendWithheldSummaries(list);
  assert.equal(list.length, MAX_FINDINGS_PER_CODE + 1);
  assert.equal(withheldCount(list[MAX_FINDINGS_PER_CODE]), 500);
  const merged = limitDiagnostics([...list, finding('a', 5000), finding('a', 5001)]);
  assert.equal(merged.length, MAX_FINDINGS_PER_CODE + 1);
  const summary = merged[MAX_FINDINGS_PER_CODE];
  assert.equal(withheldCount(summary), 502);
  assert.match(summary.message, /the next one: a at 1000\)$/);
});

test('check of a module with 3000 imports the policy denies: 1000 findings and a summary for the other 2000', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-limit-'));
  try {
    const text = '(module\n' + Array.from({ length: 3000 }, (_, i) => `  (import "env" "f${i}" (func))`).join('\n') + ')';
    fs.writeFileSync(path.join(dir, 'm.wat'), text);
    fs.writeFileSync(path.join(dir, 'wasm-warden.policy.json'), JSON.stringify({ imports: { allow: [] } }));
    const found = checkFile(path.join(dir, 'm.wat'), new PolicyStore({ roots: [dir] })).diagnostics;
    const codes = new Set(found.map((d) => d.code));
    assert.equal(codes.size, 1, [...codes].join());
    assert.equal(found.length, MAX_FINDINGS_PER_CODE + 1);
    assert.equal(withheldCount(found[MAX_FINDINGS_PER_CODE]), 2000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
