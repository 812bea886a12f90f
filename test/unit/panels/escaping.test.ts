/**
 * Panel HTML never lets a module's strings become markup: hostile import, export and custom-section
 * names render as text in every panel, and pages carry a strict Content-Security-Policy.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { esc, page, table } from '../../../client/src/panels/html';
import { renderInspection } from '../../../client/src/panels/inspect-view';
import { renderValidate } from '../../../client/src/panels/validate-view';
import { renderOptimize } from '../../../client/src/panels/optimize-view';
import { renderSignatures } from '../../../client/src/panels/signatures-view';
import { renderRunFinal, renderRunStats, violationLine } from '../../../client/src/panels/run-view';
import type { Inspection } from '../../../server/src/engine/operations/inspect';

const HOSTILE = [`<img src=x onerror=alert(1)>`, `<script>alert(1)</script>`, `"><svg onload=alert(1)>`, `' onmouseover='x`, '`${x}`'];

/** No element or attribute from a hostile string survives: every `<` in output comes from our own markup. */
function assertInert(html: string): void {
  for (const h of HOSTILE) assert.ok(!html.includes(h), `raw hostile text in output: ${h}`);
  assert.ok(!/<(img|script|svg)\b[^>]*\bon\w+=/i.test(html), 'an event-handler element leaked');
  assert.ok(!/<script\b/i.test(html.replace(/<script nonce="[^"]+" src="[^"]+"><\/script>/g, '')), 'a script element leaked');
}

function inspection(): Inspection {
  return {
    file: '/w/<script>alert(1)</script>.wasm',
    kind: 'wasm',
    byteLength: 100,
    policyFile: '/w/"><svg onload=alert(1)>.json',
    imports: HOSTILE.map((h) => ({ module: h, name: h, kind: 'func', capability: undefined, findings: [{ rule: 'import-not-allowed', severity: 'error', message: `Import ${h} denied` }] })),
    exports: HOSTILE.map((h, i) => ({ name: h, kind: 'func', index: i })),
    memories: [{ index: 0, id: '$<img src=x onerror=alert(1)>', limits: 'min 1, no max', minBytes: 65536 }],
    tables: [],
    globals: 0,
    functions: { imported: 5, defined: 1 },
    customSections: HOSTILE.map((h) => ({ name: h, size: 3 })),
    features: [],
    sections: HOSTILE.map((h) => ({ name: `custom:${h}`, size: 10 })),
    findings: [{ code: 'export-forbidden', severity: 'warning', message: `<script>alert(1)</script>`, span: { start: 0, end: 1 }, source: 'policy' }],
    code: {
      functions: 1,
      codeBytes: 10,
      instructions: 5,
      mix: [{ category: 'bitwise', count: 5, share: 1 }],
      indirectCalls: 0,
      indirectCallsPerThousand: 0,
      largest: HOSTILE.map((h, i) => ({ index: i, name: h, size: 10, share: 0.2, instructions: 5 })),
      start: { index: 0, name: HOSTILE[0], size: 10, share: 1, instructions: 5, calls: 0, loops: 0, indirectCalls: 0 },
      kernels: HOSTILE.map((h, i) => ({ index: i, name: h, size: 10, share: 0.2, instructions: 5, why: [h] })),
      dataSegments: 1,
      dataBytes: 10,
      highEntropySegments: [],
      strings: [{ kind: 'url', label: 'URL', count: HOSTILE.length, examples: HOSTILE }],
      error: HOSTILE[1],
      timeMs: 1,
    },
    dependencies: {
      providers: [{ provider: { id: 'host', name: HOSTILE[0], description: HOSTILE[2] }, imports: HOSTILE.map((h) => ({ module: h, name: h, kind: 'func' })) }],
      toolchain: HOSTILE.map((h) => ({ field: h, name: h, version: h })),
      rust: { packages: HOSTILE.map((h) => ({ name: h, version: h, source: h, kind: 'runtime', dependencies: [], root: false })) },
      notes: [HOSTILE[3]],
    },
  };
}

describe('panel escaping', () => {
  test('esc escapes every markup-significant character', () => {
    assert.equal(esc(`<a href="x" onclick='y'>&\``), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
    assert.equal(esc(undefined), '');
  });

  test('inspect panel renders hostile names as text', () => {
    const html = renderInspection(inspection(), 'file:///w/x.wasm');
    assertInert(html);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the name is shown, escaped');
    assert.ok(html.includes('<h2>Code</h2>') && html.includes('<h2>Dependencies</h2>'), 'the code summary and dependencies are shown');
  });

  test('a component\'s inspect panel renders hostile interface and module names as text, with a Show WAT button per nested module', () => {
    const i = inspection();
    i.kind = 'component';
    i.component = { modules: HOSTILE.map((h, k) => ({ path: `component 0 / module ${k} ${h}`, offset: 100 * k, size: 10 })), components: 1, canonicalFunctions: 2, toolchainImports: HOSTILE };
    const html = renderInspection(i, 'file:///w/x.wasm');
    assertInert(html);
    assert.ok(html.includes('Core modules inside (5)'));
    assert.ok(html.includes('data-command="wasmWarden.showNestedModule" data-arg="file:///w/x.wasm?module=4"'));
  });

  test('validate, optimize, signatures and run panels escape module strings', () => {
    const f = { rule: 'wabt', severity: 'error' as const, source: '<script>alert(1)</script>', message: '<img src=x onerror=alert(1)>', file: '/w/"><svg onload=alert(1)>.wat', line: 1, column: 1 };
    assertInert(renderValidate({ file: '/w/<script>alert(1)</script>.wat', valid: false, validators: ['wabt'], timeMs: 1, findings: [f] }));
    assertInert(
      renderOptimize({
        file: '/w/<script>alert(1)</script>.wasm',
        written: true,
        level: 'Os',
        before: { total: 10, sections: [{ name: 'custom:<img src=x onerror=alert(1)>', size: 10 }] },
        after: { total: 5, sections: [{ name: 'custom:<img src=x onerror=alert(1)>', size: 5 }] },
        funcsBefore: 1,
        funcsAfter: 1,
        timeMs: 1,
        signedInput: false,
        findings: [f],
      }),
    );
    assertInert(renderSignatures({ file: '/w/x.wasm', signed: true, warnings: [], message: '<script>alert(1)</script>', entries: [{ hashes: 1, signatures: [{ keyId: '<img src=x onerror=alert(1)>', algorithm: 'ed25519' }] }] }));
    assertInert(renderRunStats({ elapsedMs: 1, memoryBytes: 1, peakMemoryBytes: 1, wasiCalls: { '<script>alert(1)</script>': { count: 1, timeMs: 0 } }, bytesRead: 0, bytesWritten: 0, violationCount: 0 }));
    assertInert(
      renderRunFinal('/w/x.wasm', {
        outcome: 'trap',
        trap: { kind: 'unreachable', message: '<img src=x onerror=alert(1)>', stack: ['<script>alert(1)</script>'] },
        durationMs: 1,
        startupMs: 1,
        peakMemoryBytes: 1,
        memoryTimeline: [{ atMs: 0, bytes: 1 }, { atMs: 1, bytes: 2 }],
        wasiCalls: {},
        bytesRead: 0,
        bytesWritten: 0,
        violations: [{ kind: 'path-escape', detail: '"><svg onload=alert(1)>', atMs: 1 }],
        violationCount: 1,
        violationKinds: [{ kind: '<b>k</b>', count: 1, first: { kind: '<b>k</b>', detail: '<i>x</i>', atMs: 1 }, latest: { kind: '<b>k</b>', detail: '<u>y</u>', atMs: 1 } }],
        alerts: [],
        stdout: '<script>alert(1)</script>',
        stderr: `' onmouseover='x`,
      }),
    );
  });

  test('the run panel shows guest-chosen text with control and bidi characters visible, counts by kind and what trust narrowed', () => {
    const nasty = 'a\r\x1b[2Kno violations\u202egnp.exe\x9b';
    const v = { kind: 'absolute-path', detail: nasty, atMs: 1 };
    const html = renderRunFinal('/w/x.wasm', {
      outcome: 'trap',
      trap: { kind: 'unreachable', message: nasty, stack: [nasty] },
      durationMs: 1, startupMs: 1, peakMemoryBytes: 0, memoryTimeline: [], wasiCalls: {}, bytesRead: 0, bytesWritten: 0,
      violations: [v],
      violationCount: 5000,
      violationKinds: [{ kind: 'absolute-path', count: 5000, first: v, latest: { ...v, detail: '/last' } }],
      alerts: [],
      stdout: '',
      stderr: '',
      trustChanges: [{ kind: 'host-env-not-passed', name: 'AWS_SECRET_ACCESS_KEY' }, { kind: 'limit-clamped', limit: 'timeoutMs', requested: 20000, applied: 10000 }],
    });
    assert.doesNotMatch(html, /[\r\x1b\u202e\x9b]/);
    assert.match(html, /a\\r\\x1b\[2Kno violations\\u\{202e\}gnp\.exe\\x9b/);
    assert.match(html, /Violations by kind \(5000\)/);
    assert.match(html, /<td[^>]*>absolute-path<\/td><td>5000<\/td>/);
    assert.match(html, /5000 in all; the first 1 listed/);
    assert.match(html, /host environment variable AWS_SECRET_ACCESS_KEY not passed/);
    assert.match(html, /timeoutMs 20000 lowered to the default, 10000/);
    assert.equal(violationLine(v), 'absolute-path: a\\r\\x1b[2Kno violations\\u{202e}gnp.exe\\x9b\n');
  });

  test('the final run report keeps what the run did with the imports (denied, allowed, stubs), names escaped', () => {
    const base = {
      outcome: 'exit' as const, exitCode: 0, durationMs: 1, startupMs: 1, peakMemoryBytes: 0, memoryTimeline: [], wasiCalls: {}, bytesRead: 0, bytesWritten: 0,
      violations: [], violationCount: 0, violationKinds: [], alerts: [], stdout: '', stderr: '',
    };
    const denied = [{ module: 'wasi_snapshot_preview1', name: 'path_unlink_file', kind: 'function', reasons: ['denied'] }];
    const plan = { denied, deniedAllowed: false, unlinkable: [], stubs: [] };
    assert.match(renderRunFinal('/w/x.wasm', { ...base, imports: plan }), /<pre id="imports">policy denies \(a call stops the run\): wasi_snapshot_preview1\.path_unlink_file<\/pre>/);
    assert.match(renderRunFinal('/w/x.wasm', { ...base, imports: { ...plan, deniedAllowed: true } }), /policy denies, allowed for this run: wasi_snapshot_preview1\.path_unlink_file/);
    const stubs = [{ module: 'env', name: '<img src=x onerror=alert(1)>\u202e', kind: 'function' as const, mode: 'trap' as const, results: ['i32'] }];
    const html = renderRunFinal('/w/x.wasm', { ...base, imports: { denied: [], deniedAllowed: false, unlinkable: ['env.x (function)'], stubs } });
    assertInert(html);
    assert.doesNotMatch(html, /\u202e/);
    assert.match(html, /generated stubs \(trap\): env\.&lt;img src=x onerror=alert\(1\)&gt;\\u\{202e\}/);
    // nothing to say: no section
    assert.doesNotMatch(renderRunFinal('/w/x.wasm', { ...base, imports: { denied: [], deniedAllowed: false, unlinkable: [], stubs: [] } }), /id="imports"/);
  });

  test('pages allow no inline script and only nonce-tagged local scripts', () => {
    const html = page({ title: '<script>alert(1)</script>', cspSource: 'vscode-resource:', nonce: 'abc123', styleUri: 'style.css', scriptUri: 'panel.js', body: table(['a'], [['<b>x</b>']]) });
    const csp = /content="([^"]+)"/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal((html.match(/<script\b/g) ?? []).length, 1);
    assert.match(html, /<script nonce="abc123" src="panel.js"><\/script>/);
    assert.match(html, /&lt;b&gt;x&lt;\/b&gt;/);
    assertInert(html);
  });
});
