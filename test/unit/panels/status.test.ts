/**
 * One status vocabulary in every panel: valid/invalid for the spec, pass/fail for the policy, a run's
 * outcome in words. A module that validates but breaks the policy never gets a green word alone.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderValidate } from '../../../client/src/panels/validate-view';
import { renderCompile } from '../../../client/src/panels/compile-view';
import { renderInspection } from '../../../client/src/panels/inspect-view';
import { renderRunFinal, memoryGraph } from '../../../client/src/panels/run-view';
import type { Finding } from '../../../server/src/protocol';
import type { RunReport } from '../../../server/src/engine/sandbox/types';

const policyError = (n: number): Finding => ({ rule: 'import-not-allowed', severity: 'error', source: 'policy', message: `denied ${n}`, file: '/w/m.wasm', offset: n });

/** The badges of a heading: [class, word] pairs. */
function badges(html: string): [string, string][] {
  const h1 = /<h1>(.*?)<\/h1>/s.exec(html)?.[1] ?? '';
  return [...h1.matchAll(/<span class="badge (\w+)"[^>]*>([^<]*)<\/span>/g)].map((m) => [m[1], m[2]]);
}

function run(over: Partial<RunReport>): RunReport {
  return {
    outcome: 'exit', exitCode: 0, durationMs: 10, startupMs: 1, peakMemoryBytes: 65536, memoryTimeline: [],
    wasiCalls: {}, bytesRead: 0, bytesWritten: 0, violations: [], violationCount: 0, violationKinds: [], alerts: [], stdout: '', stderr: '', ...over,
  };
}

describe('Validate of a binary', () => {
  test('the panel names our validator and shows the finding with its function, instruction and byte offset', () => {
    const message = 'func 12 ($foo), i32.add at 0x1a2b: i32.add expects [i32 i32] but the stack has [i32 f32]';
    const finding: Finding = { rule: 'wasm-invalid', severity: 'error', source: 'validator', message, file: '/w/m.wasm', offset: 0x1a2b };
    const html = renderValidate({ file: '/w/m.wasm', valid: false, validators: ['wasm-warden'], timeMs: 12, findings: [finding] });
    assert.deepEqual(badges(html), [['error', 'invalid'], ['ok', 'policy: pass']]);
    assert.match(html, /validated by wasm-warden in 12 ms/);
    assert.ok(html.includes('func 12 ($foo), i32.add at 0x1a2b: i32.add expects [i32 i32] but the stack has [i32 f32]'), html);
    assert.match(html, /m\.wasm @0x1a2b/);
  });
});

describe('status vocabulary', () => {
  test('Validate: a valid module with two policy errors is "valid" and "policy: fail", never a green word alone', () => {
    const html = renderValidate({ file: '/w/m.wasm', valid: true, validators: ['wabt'], timeMs: 1, findings: [policyError(1), policyError(2)] });
    assert.deepEqual(badges(html), [['ok', 'valid'], ['error', 'policy: fail (2 errors)']]);
    assert.doesNotMatch(html, />ok</);
  });

  test('Validate: a clean module is valid and passes', () => {
    assert.deepEqual(badges(renderValidate({ file: '/w/m.wat', valid: true, validators: ['wabt'], timeMs: 1, findings: [] })), [['ok', 'valid'], ['ok', 'policy: pass']]);
    const invalid = renderValidate({ file: '/w/m.wat', valid: false, validators: ['wabt'], timeMs: 1, findings: [{ rule: 'validation', severity: 'error', source: 'wabt', message: 'type mismatch', file: '/w/m.wat', line: 3 }] });
    assert.deepEqual(badges(invalid), [['error', 'invalid'], ['ok', 'policy: pass']]);
  });

  test('Compile: policy errors of the source make it "policy: fail", not "ok · no findings"', () => {
    const html = renderCompile({ file: '/w/m.wasm', written: true, size: 10, findings: [policyError(1), policyError(2)] });
    assert.deepEqual(badges(html), [['ok', 'valid'], ['error', 'policy: fail (2 errors)']]);
    assert.doesNotMatch(html, /no findings/);
  });

  test('Inspect: the same module is "policy: fail" (not "error"); imports show pass/fail first', () => {
    const html = renderInspection(
      {
        file: '/w/m.wasm', kind: 'wasm', byteLength: 10, imports: [
          { module: 'wasi_snapshot_preview1', name: 'path_open', kind: 'func', findings: [{ rule: 'import-not-allowed', severity: 'error', message: 'denied' }] },
          { module: 'wasi_snapshot_preview1', name: 'proc_exit', kind: 'func', findings: [] },
        ],
        exports: [], memories: [], tables: [], globals: 0, functions: { imported: 2, defined: 0 }, customSections: [], features: [], sections: [],
        findings: [{ code: 'import-not-allowed', severity: 'error', message: 'denied', span: { start: 0, end: 1 }, source: 'policy' }],
      },
      'file:///w/m.wasm',
    );
    assert.deepEqual(badges(html), [['error', 'policy: fail (1 error)']]);
    const rows = [...html.matchAll(/<tr><td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);
    assert.match(rows[0], /badge error">fail</);
    assert.match(rows[1], /badge ok">pass</);
  });

  test('a long summary is cut: refused imports first, at most 200 exports, and it says where the rest is', () => {
    const imports = Array.from({ length: 600 }, (_, n) => ({ module: 'env', name: `i${n}`, kind: 'func', findings: n === 599 ? [{ rule: 'import-not-allowed', severity: 'error', message: 'no' }] : [] }));
    const html = renderInspection(
      {
        file: '/w/m.wasm', kind: 'wasm', imports, exports: Array.from({ length: 2000 }, (_, n) => ({ name: `e${n}`, kind: 'func', index: n })),
        memories: [], tables: [], globals: 0, functions: { imported: 600, defined: 2000 }, customSections: [], features: [], sections: [], findings: [],
      },
      'file:///w/m.wasm',
    );
    const section = (title: string) => new RegExp(`<h2>${title}</h2>(.*?)</section>`, 's').exec(html)?.[1] ?? '';
    const importRows = [...section('Imports \\(600\\)').matchAll(/<tr><td/g)].length;
    const exportRows = [...section('Exports \\(2000\\)').matchAll(/<tr><td/g)].length;
    assert.equal(importRows, 500);
    assert.equal(exportRows, 200);
    assert.match(section('Imports \\(600\\)'), /<tr><td[^>]*><span class="badge error">fail<\/span><\/td><td class="trunc" title="i599">/, 'the refused import is listed first');
    assert.match(html, /The first 200 of 2000 exports; all of them are in the WAT view/);
  });

  test('a run: each outcome in its own words', () => {
    assert.deepEqual(badges(renderRunFinal('/w/m.wasm', run({}))), [['ok', 'exited (0)']]);
    assert.deepEqual(badges(renderRunFinal('/w/m.wasm', run({ exitCode: 3 }))), [['warning', 'exited (3)']]);
    assert.deepEqual(badges(renderRunFinal('/w/m.wasm', run({ outcome: 'killed', exitCode: undefined }))), [['info', 'stopped by you']]);
    assert.deepEqual(badges(renderRunFinal('/w/m.wasm', run({ outcome: 'timeout', exitCode: undefined }))), [['warning', 'timed out']]);
    assert.deepEqual(badges(renderRunFinal('/w/m.wasm', run({ outcome: 'trap', exitCode: undefined, trap: { kind: 'unreachable', message: 'x', stack: [] } }))), [['error', 'trapped']]);
    assert.deepEqual(badges(renderRunFinal('/w/m.wasm', run({ outcome: 'limit', exitCode: undefined, message: 'memory' }))), [['error', 'limit']]);
  });

  test('the memory chart has labelled axes: 0 and the peak in bytes, 0 and the length in ms', () => {
    const svg = memoryGraph([{ atMs: 0, bytes: 65536 }, { atMs: 500, bytes: 131072 }, { atMs: 1000, bytes: 2 * 1024 * 1024 }]);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    assert.deepEqual(texts, ['2.0 MiB', '0 B', '0 ms', '1000 ms', 'time since start', 'memory']);
    assert.equal((svg.match(/<line class="axis"/g) ?? []).length, 2);
  });
});
