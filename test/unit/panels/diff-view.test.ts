/**
 * The Compare panel: two versions side by side, hostile names from the modules rendered as text, and the
 * approve / roll back buttons going through the commands (which ask first).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDiff, diffText } from '../../../client/src/panels/diff-view';
import { diffFacts, type ModuleFacts } from '../../../server/src/engine/operations/diff';

const HOSTILE = `<img src=x onerror=alert(1)>`;

function side(file: string, imports: string[], extra: Partial<ModuleFacts> = {}): ModuleFacts {
  return {
    file,
    kind: 'wasm',
    byteLength: 100,
    sha256: file.includes('new') ? 'b'.repeat(64) : 'a'.repeat(64),
    capabilities: { imports, wasi: imports.some((i) => i.includes('sock')) ? ['sockets'] : [], memories: ['min 1, max 2'], tables: [], features: [], start: false },
    exports: [`${HOSTILE} (func)`],
    customSections: [],
    sections: [{ name: 'import', size: 10 * imports.length }],
    signers: [],
    findings: [],
    ...extra,
  };
}

describe('Compare panel', () => {
  const d = diffFacts(
    side('/w/old.wasm', ['env.log', `${HOSTILE}.x`]),
    side('/w/new.wasm', ['env.log', 'wasi_snapshot_preview1.sock_accept'], {
      findings: [{ rule: 'wasi-capability-denied', severity: 'error', source: 'policy', message: `Import ${HOSTILE} denied`, file: '/w/new.wasm', offset: 9 }],
    }),
  );

  test('each import on one row with the side that has it; what was added and removed is marked', () => {
    const html = renderDiff(d, 'file:///w/new.wasm');
    assert.ok(!html.includes(HOSTILE), 'raw hostile text');
    assert.match(html, /<h1>old\.wasm → new\.wasm <span class="badge error"[^>]*>more capabilities<\/span><\/h1>/);
    const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => m[1]);
    const sock = rows.find((r) => r.includes('wasi_snapshot_preview1.sock_accept') && r.includes('added'))!;
    assert.ok(sock, 'the added import row');
    assert.match(sock, /<td><span class="muted">-<\/span><\/td><td class="trunc"[^>]*><code>wasi_snapshot_preview1\.sock_accept<\/code><\/td>$/);
    const removed = rows.find((r) => r.includes('removed') && r.includes('&lt;img'))!;
    assert.match(removed, /<code>&lt;img src=x onerror=alert\(1\)&gt;\.x<\/code><\/td><td><span class="muted">-<\/span><\/td>$/);
    assert.ok(rows.some((r) => r.includes('env.log') && !r.includes('badge')), 'unchanged import without a change badge');
    assert.match(html, /<button data-command="wasmWarden\.approve" data-arg="file:\/\/\/w\/new\.wasm">/);
    assert.match(html, /<button data-command="wasmWarden\.rollback" data-arg="file:\/\/\/w\/new\.wasm">/);
    assert.match(html, /New findings/);
    assert.match(diffText(d), /\+ capability group sockets {2}\(more\)/);
  });

  test('identical versions say so and show no change rows', () => {
    const same = diffFacts(side('/w/a.wasm', ['env.log']), side('/w/a.wasm', ['env.log']));
    const html = renderDiff(same);
    assert.match(html, /<span class="badge ok"[^>]*>identical<\/span>/);
    assert.doesNotMatch(html, />added</);
    assert.doesNotMatch(html, /<button/);
  });
});
