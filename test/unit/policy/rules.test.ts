import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkModel } from '../../../server/src/engine/policy/check';
import type { Policy } from '../../../server/src/engine/policy/definition';
import { effectivePolicy } from '../../../server/src/engine/policy/load';
import { RULES, ruleDocPath } from '../../../server/src/engine/policy/rules';
import type { EngineDiagnostic } from '../../../server/src/engine/diagnostic';
import type { ModuleModel } from '../../../server/src/engine/model';
import { parsePolicy } from '../../../server/src/engine/policy/load';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { limits, model, ORIGINS } from './model-builder';

function check(m: ModuleModel, policy: Policy = {}, path = 'mod.wasm'): EngineDiagnostic[] {
  return checkModel(m, effectivePolicy(policy, path));
}
function only(ds: EngineDiagnostic[], code: string): EngineDiagnostic[] {
  return ds.filter((d) => d.code === code);
}

describe('rule registry', () => {
  it('has unique ids, titles and a doc page path per rule', () => {
    const ids = RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of RULES) {
      assert.ok(r.title.length > 0);
      assert.equal(ruleDocPath(r.id), `docs/rules/${r.id}.md`);
    }
  });

  it('every rule has a doc page whose policy example is a valid policy', () => {
    const root = path.resolve(__dirname, '../../..');
    for (const r of RULES) {
      const md = fs.readFileSync(path.join(root, ruleDocPath(r.id)), 'utf8');
      assert.ok(md.startsWith(`# \`${r.id}\``), r.id);
      assert.ok(md.includes(`Default severity: **${r.defaultSeverity}**`), r.id);
      for (const key of r.policyKeys) assert.ok(md.includes(key.replace('.<group>', '')), `${r.id} documents ${key}`);
      const example = /```json\n([\s\S]*?)```/.exec(md)![1];
      const parsed = parsePolicy(example);
      assert.deepEqual(parsed.diagnostics, [], r.id);
    }
  });
});

for (const origin of ORIGINS) {
  describe(`policy rules on a ${origin}-origin model`, () => {
    it('default policy accepts a plain bounded module', () => {
      const m = model(origin).import('env', 'log').memory(limits(1, 16)).export('run').build();
      assert.deepEqual(check(m), []);
    });

    it('import-not-allowed: allow list, deny list, deny wins and the message names the pattern', () => {
      const b = model(origin).import('env', 'log').import('env', 'secret').import('host', 'x');
      const m = b.build();
      const ds = only(check(m, { imports: { allow: ['env.*'], deny: ['env.sec*'] } }), 'import-not-allowed');
      assert.equal(ds.length, 2);
      const secret = ds.find((d) => d.data?.name === 'secret')!;
      assert.match(secret.message, /"env\.sec\*"/);
      assert.deepEqual(secret.span, m.imports[1].span);
      assert.deepEqual(secret.data, { module: 'env', name: 'secret', kind: 'func', pattern: 'env.sec*', list: 'deny' });
      assert.equal(secret.source, 'policy');
      assert.equal(secret.severity, 'error');
      const host = ds.find((d) => d.data?.module === 'host')!;
      assert.match(host.message, /imports\.allow/);
      assert.deepEqual(host.span, m.imports[2].span);
    });

    it('import-not-allowed: no allow list means everything not denied is allowed', () => {
      const m = model(origin).import('a', 'b').import('c', 'd').build();
      assert.deepEqual(only(check(m, { imports: { deny: ['c.*'] } }), 'import-not-allowed').map((d) => d.data?.module), ['c']);
    });

    it('wasi-capability-denied: default denies filesystem-write and sockets, allows fd-io', () => {
      const m = model(origin)
        .import('wasi_snapshot_preview1', 'fd_write')
        .import('wasi_snapshot_preview1', 'path_unlink_file')
        .import('wasi_unstable', 'sock_send')
        .build();
      const ds = only(check(m), 'wasi-capability-denied');
      assert.deepEqual(ds.map((d) => d.data?.capability), ['filesystem-write', 'sockets']);
      assert.deepEqual(ds[0].span, m.imports[1].span);
      assert.deepEqual(only(check(m, { imports: { wasi: { 'filesystem-write': true, sockets: true } } }), 'wasi-capability-denied'), []);
      assert.equal(only(check(m, { imports: { wasi: { 'fd-io': false } } }), 'wasi-capability-denied').length, 3);
    });

    it('unknown-wasi-import: non-standard wasi functions, unless allowed', () => {
      const m = model(origin).import('wasi_snapshot_preview1', 'sock_open').import('wasi_snapshot_preview1', 'args_get').build();
      const ds = only(check(m), 'unknown-wasi-import');
      assert.equal(ds.length, 1);
      assert.deepEqual(ds[0].data, { module: 'wasi_snapshot_preview1', name: 'sock_open' });
      assert.deepEqual(only(check(m, { imports: { wasi: { unknown: true } } }), 'unknown-wasi-import'), []);
    });

    it('memory-unbounded: defined and imported memories, on the limits span', () => {
      const m = model(origin).import('env', 'mem', 'memory', limits(1)).memory(limits(1)).memory(limits(1, 2)).build();
      const ds = only(check(m), 'memory-unbounded');
      assert.equal(ds.length, 2);
      assert.deepEqual(ds[0].span, m.memories[0].limitsSpan);
      assert.deepEqual(ds[0].data, { memoryIndex: 0, module: 'env', name: 'mem', min: 1 });
      assert.deepEqual(ds[1].data, { memoryIndex: 1, min: 1 });
      assert.deepEqual(only(check(m, { memory: { requireMaximum: false } }), 'memory-unbounded'), []);
    });

    it('memory-unbounded: an imported memory listed only among the imports', () => {
      const m = model(origin).importOnly('env', 'mem', 'memory', limits(1)).build();
      const ds = only(check(m), 'memory-unbounded');
      assert.equal(ds.length, 1);
      assert.deepEqual(ds[0].span, m.imports[0].span);
    });

    it('memory-too-large: 256 MiB default cap is 4096 pages of 64 KiB', () => {
      const ok = model(origin).memory(limits(1, 4096)).build();
      assert.deepEqual(only(check(ok), 'memory-too-large'), []);
      const big = model(origin).memory(limits(1, 4097)).build();
      const ds = only(check(big), 'memory-too-large');
      assert.equal(ds.length, 1);
      assert.equal(ds[0].data?.bytes, 4097 * 65536);
      assert.equal(ds[0].data?.maxPages, 4096);
      assert.deepEqual(ds[0].span, big.memories[0].limitsSpan);
    });

    it('memory-too-large: maxPages counts pages of the memory own page size (custom-page-sizes)', () => {
      // 1-byte pages: 100000 pages = 100000 bytes, far below maxBytes but above maxPages 1000
      const tiny = model(origin).memory(limits(1, 100_000, { pageSizeLog2: 0 })).build();
      assert.equal(only(check(tiny, { memory: { maxPages: 1000 } }), 'memory-too-large').length, 1);
      assert.equal(only(check(tiny, { memory: { maxPages: 100_000 } }), 'memory-too-large').length, 0);
      // maxBytes compares bytes: 100000 one-byte pages fit in 128 KiB; 3 pages of 64 KiB do not
      const mixed = model(origin).memory(limits(1, 100_000, { pageSizeLog2: 0 })).memory(limits(1, 3)).build();
      const ds = only(check(mixed, { memory: { maxBytes: 128 * 1024 } }), 'memory-too-large');
      assert.deepEqual(ds.map((d) => d.data?.memoryIndex), [1]);
    });

    it('memory-too-large: an unbounded memory is judged by its minimum; imported memories too', () => {
      const m = model(origin).import('env', 'mem', 'memory', limits(5)).build();
      assert.equal(only(check(m, { memory: { maxPages: 4 } }), 'memory-too-large').length, 1);
      assert.equal(only(check(m, { memory: { maxPages: 5 } }), 'memory-too-large').length, 0);
    });

    it('memory-shared: refused by default, allowed by allowShared', () => {
      const m = model(origin).memory(limits(1, 2, { shared: true })).build();
      assert.equal(only(check(m), 'memory-shared').length, 1);
      assert.deepEqual(only(check(m, { memory: { allowShared: true } }), 'memory-shared'), []);
    });

    it('memory64: allowed by default, refused when allowMemory64 is false', () => {
      const m = model(origin).memory(limits(1, 2, { index64: true })).build();
      assert.deepEqual(only(check(m), 'memory64'), []);
      const ds = only(check(m, { memory: { allowMemory64: false } }), 'memory64');
      assert.equal(ds.length, 1);
      assert.deepEqual(ds[0].data, { memoryIndex: 0 });
    });

    it('memory-count: imported plus defined, reported on each extra memory', () => {
      const m = model(origin).import('env', 'mem', 'memory', limits(1, 1)).memory(limits(1, 1)).memory(limits(1, 1)).build();
      const ds = only(check(m, { memory: { maxMemories: 1 } }), 'memory-count');
      assert.deepEqual(ds.map((d) => d.data?.memoryIndex), [1, 2]);
      assert.deepEqual(ds[0].span, m.memories[1].span);
      assert.deepEqual(only(check(m, { memory: { maxMemories: 3 } }), 'memory-count'), []);
    });

    it('table-unbounded and table-too-large', () => {
      const m = model(origin).table(limits(2)).table(limits(1, 50)).import('env', 't', 'table', limits(1, 5)).build();
      assert.deepEqual(only(check(m), 'table-unbounded'), []); // not required by default
      const ub = only(check(m, { tables: { requireMaximum: true } }), 'table-unbounded');
      assert.equal(ub.length, 1);
      assert.deepEqual(ub[0].span, m.tables[0].limitsSpan);
      const big = only(check(m, { tables: { maxElements: 10 } }), 'table-too-large');
      assert.deepEqual(big.map((d) => d.data?.elements), [50]);
    });

    it('export-missing and export-forbidden', () => {
      const m = model(origin).export('_start').export('debug_dump').build();
      const missing = only(check(m, { exports: { required: ['_start', 'memory', '_init*'] } }), 'export-missing');
      assert.deepEqual(missing.map((d) => d.data?.pattern), ['memory', '_init*']);
      assert.ok(missing[0].span.end > missing[0].span.start);
      const forbidden = only(check(m, { exports: { forbidden: ['debug_*'] } }), 'export-forbidden');
      assert.equal(forbidden.length, 1);
      assert.deepEqual(forbidden[0].span, m.exports[1].nameSpan);
      assert.match(forbidden[0].message, /"debug_\*"/);
    });

    it('export-memory and export-table', () => {
      const m = model(origin).memory(limits(1, 1)).table(limits(1, 1)).export('memory', 'memory').export('tbl', 'table').build();
      assert.deepEqual(only(check(m), 'export-memory'), []);
      const p = { exports: { allowMemoryExport: false, allowTableExport: false } };
      assert.deepEqual(only(check(m, p), 'export-memory')[0].data, { name: 'memory', memoryIndex: 0 });
      assert.deepEqual(only(check(m, p), 'export-table')[0].span, m.exports[1].span);
    });

    it('start-function', () => {
      const m = model(origin).func().start(0).build();
      assert.deepEqual(only(check(m), 'start-function'), []);
      const ds = only(check(m, { startFunction: { allowed: false } }), 'start-function');
      assert.deepEqual(ds[0].span, m.start!.span);
    });

    it('custom-section-forbidden, -too-large, -missing', () => {
      const m = model(origin).custom('.debug_info', 300).custom('name', 20).custom('producers', 10).build();
      const forbidden = only(check(m, { customSections: { forbidden: ['.debug_*', 'sourceMappingURL'] } }), 'custom-section-forbidden');
      assert.deepEqual(forbidden.map((d) => d.data?.section), ['.debug_info']);
      assert.deepEqual(forbidden[0].span, m.customSections[0].span);
      const large = only(check(m, { customSections: { maxBytes: 100 } }), 'custom-section-too-large');
      assert.deepEqual(large.map((d) => d.data?.size), [300]);
      assert.equal(large[0].severity, 'warning');
      const missing = only(check(m, { customSections: { required: ['producers', 'signature*'] } }), 'custom-section-missing');
      assert.deepEqual(missing.map((d) => d.data?.pattern), ['signature*']);
    });

    it('feature-denied points at the item that needs the feature', () => {
      const m = model(origin).memory(limits(1, 1)).memory(limits(1, 1, { shared: true })).features('threads', 'simd').build();
      const ds = only(check(m, { memory: { allowShared: true }, features: { deny: ['threads', 'simd', 'gc'] } }), 'feature-denied');
      assert.deepEqual(ds.map((d) => d.data?.feature), ['threads', 'simd']);
      assert.deepEqual(ds[0].span, m.memories[1].span);
    });

    it('rules severities: off skips, warning downgrades', () => {
      const m = model(origin).memory(limits(1)).build();
      assert.deepEqual(only(check(m, { rules: { 'memory-unbounded': 'off' } }), 'memory-unbounded'), []);
      assert.equal(only(check(m, { rules: { 'memory-unbounded': 'warning' } }), 'memory-unbounded')[0].severity, 'warning');
    });

    it('overrides: later entries win, plugins/** can be stricter', () => {
      const m = model(origin).import('env', 'log').memory(limits(1, 100)).build();
      const policy: Policy = {
        overrides: [
          { files: ['plugins/**'], imports: { deny: ['env.*'] }, memory: { maxPages: 10 } },
          { files: ['plugins/trusted/**'], imports: { deny: [] } },
        ],
      };
      assert.deepEqual(check(m, policy, 'app/main.wasm'), []);
      const plugin = check(m, policy, 'plugins/x/p.wasm').map((d) => d.code).sort();
      assert.deepEqual(plugin, ['import-not-allowed', 'memory-too-large']);
      assert.deepEqual(check(m, policy, 'plugins/trusted/p.wasm').map((d) => d.code), ['memory-too-large']);
    });
  });
}

describe('components', () => {
  it('a model marked component without a component reading gets no core findings, and no crash', () => {
    const m = model('binary').build();
    m.kind = 'component';
    assert.deepEqual(check(m), []);
  });
});
