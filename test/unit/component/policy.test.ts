import { test, describe } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkFile } from '../../../server/src/engine/operations/check';
import { PolicyStore } from '../../../server/src/engine/policy/store';
import { readWasmFileHeaders } from '../../../server/src/engine/binary/file-reader';
import assert from 'node:assert/strict';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { baselinePolicy, checkModel } from '../../../server/src/engine/policy/check';
import type { Policy } from '../../../server/src/engine/policy/definition';
import { effectivePolicy, parsePolicy } from '../../../server/src/engine/policy/load';
import { componentNameMatches } from '../../../server/src/engine/policy/component-names';
import type { EngineDiagnostic } from '../../../server/src/engine/diagnostic';
import { clangMissing } from '../../clang';
import { assembleComponent, componentFromC, FILE_WRITER_C, NETWORK_COMPONENT_WAT } from './component-fixtures';

let network: Uint8Array | undefined;
async function networkComponent(): Promise<Uint8Array> {
  return (network ??= await assembleComponent(NETWORK_COMPONENT_WAT));
}

function check(bytes: Uint8Array, policy: Policy = {}): EngineDiagnostic[] {
  const read = readWasm(bytes);
  assert.deepEqual(read.diagnostics, []);
  return checkModel(read.model, effectivePolicy(policy, 'c.wasm'), { bytes });
}

/** The import names the findings of `code` are about. */
function named(ds: EngineDiagnostic[], code: string): string[] {
  return ds.filter((d) => d.code === code).map((d) => String(d.data?.componentImport ?? d.data?.componentExport));
}

describe('component names against policy patterns', () => {
  const cases: [string, string, boolean][] = [
    ['wasi:random', 'wasi:random/random@0.2.3', true],
    ['wasi:random', 'wasi:randomly/thing@0.2.3', false],
    ['wasi:random/*', 'wasi:randomly/thing', false],
    ['wasi:rand*', 'wasi:randomly/thing', true],
    ['wasi:*', 'wasi:sockets/tcp@0.2.3', true],
    ['wasi:cli/*@0.2', 'wasi:cli/stdout@0.2.3', true],
    ['wasi:cli/*@0.2', 'wasi:cli/stdout@0.20.0', false],
    ['wasi:cli/*@0.2', 'wasi:cli/stdout@0.3.0', false],
    ['wasi:cli/*@0.2', 'wasi:cli/stdout', false],
    ['wasi:cli/*', 'wasi:cli/stdout@0.3.0-rc-2025-09-16', true],
    ['wasi:cli/std', 'wasi:cli/stdout', false],
    ['wasi:cli/stdout@0.2.3', 'wasi:cli/stdout@0.2.3', true],
    ['wasi:cli/stdout@0.2.3', 'wasi:cli/stdout@0.2.4', false],
    ['wasi:cli/stdout/x', 'wasi:cli/stdout', false],
    ['wasi:http/*@0.2.*', 'wasi:http/outgoing-handler@0.2.0', true],
    ['*', 'wasi:sockets/tcp@0.2.3', true],
    ['log', 'log', true],
    ['lo?', 'log', true],
    ['wasi:log', 'log', false],
  ];
  for (const [pattern, name, expected] of cases) {
    test(`${pattern} ${expected ? 'matches' : 'does not match'} ${name}`, () => assert.equal(componentNameMatches(pattern, name), expected));
  }
});

describe('component policy', () => {
  test('the default policy denies sockets and outgoing HTTP by capability, with versions', async () => {
    const ds = check(await networkComponent());
    assert.deepEqual(named(ds, 'wasi-capability-denied'), ['wasi:sockets/tcp@0.2.3', 'wasi:http/outgoing-handler@0.2.3']);
    const tcp = ds.find((d) => d.data?.componentImport === 'wasi:sockets/tcp@0.2.3')!;
    assert.match(tcp.message, /needs the WASI capability "sockets" \(use network sockets\), which is off by default \(imports\.wasi\.sockets\)/);
    // the unknown `wasi:randomly` package is not the random package
    assert.deepEqual(named(ds, 'unknown-wasi-import'), ['wasi:randomly/thing@0.2.3']);
    // the nested module's own sock_send import is internal wiring: not reported by default
    assert.ok(!ds.some((d) => /sock_send/.test(d.message)), JSON.stringify(ds));
  });

  test('capabilities switched on allow them; switched off deny them', async () => {
    const bytes = await networkComponent();
    assert.deepEqual(named(check(bytes, { imports: { wasi: { sockets: true, 'http-outgoing': true, unknown: true } } }), 'wasi-capability-denied'), []);
    assert.deepEqual(named(check(bytes, { imports: { wasi: { sockets: true, 'http-outgoing': true, random: false, unknown: true } } }), 'wasi-capability-denied'), ['wasi:random/random@0.2.3']);
  });

  test('imports.deny by name respects package boundaries and versions', async () => {
    const bytes = await networkComponent();
    const on = { sockets: true, 'http-outgoing': true, unknown: true };
    assert.deepEqual(named(check(bytes, { imports: { deny: ['wasi:random'], wasi: on } }), 'import-not-allowed'), ['wasi:random/random@0.2.3']);
    assert.deepEqual(named(check(bytes, { imports: { deny: ['wasi:http/*@0.2'], wasi: on } }), 'import-not-allowed'), ['wasi:http/outgoing-handler@0.2.3']);
    assert.deepEqual(named(check(bytes, { imports: { deny: ['wasi:http/*@0.3'], wasi: on } }), 'import-not-allowed'), []);
    assert.deepEqual(named(check(bytes, { imports: { deny: ['wasi:sockets/tcp@0.2.3'], wasi: on } }), 'import-not-allowed'), ['wasi:sockets/tcp@0.2.3']);
  });

  test('imports.allow by name: what it does not cover is refused', async () => {
    const bytes = await networkComponent();
    const ds = check(bytes, { imports: { allow: ['wasi:random@0.2', 'wasi:sockets/*@0.2', 'wasi:http/*@0.2', 'log'], wasi: { sockets: true, 'http-outgoing': true, unknown: true } } });
    assert.deepEqual(named(ds, 'import-not-allowed'), ['wasi:randomly/thing@0.2.3']);
    assert.match(ds.find((d) => d.code === 'import-not-allowed')!.message, /Import wasi:randomly\/thing@0\.2\.3 matches no pattern in imports\.allow\./);
  });

  test('imports.nestedModules: true checks the nested modules with the core rules, at their offsets', async () => {
    const bytes = await networkComponent();
    const ds = check(bytes, { imports: { nestedModules: true, wasi: { 'http-outgoing': true, unknown: true } } });
    const nested = ds.filter((d) => d.data?.nestedModule === 'module 0');
    assert.equal(nested.length, 1, JSON.stringify(ds));
    assert.match(nested[0].message, /^core module 0 @0x[0-9a-f]+: Import wasi_snapshot_preview1\.sock_send needs the WASI capability "sockets"/);
    assert.equal(new TextDecoder().decode(bytes.subarray(nested[0].span.start, nested[0].span.end)).includes('sock_send'), true);
  });

  test('a C program through the preview1 adapter: filesystem writes denied by default, said to be typical of toolchains', async (t) => {
    const bytes = await componentFromC(FILE_WRITER_C);
    if (!bytes) return clangMissing(t, 'clang could not compile the C program');
    const ds = check(bytes);
    assert.deepEqual(named(ds, 'wasi-capability-denied'), [ds.find((d) => /wasi:filesystem\/types@/.test(d.message))!.data!.componentImport]);
    const f = ds.find((d) => d.code === 'wasi-capability-denied')!;
    assert.match(f.message, /needs the WASI capability "filesystem-write"/);
    assert.match(f.message, /Toolchains add wasi:filesystem interfaces to a component whatever the program calls/);
    assert.equal(ds.filter((d) => d.severity === 'error').length, 1, JSON.stringify(ds, null, 1));
    // by name: the filesystem package, any 0.2 version
    const byName = check(bytes, { imports: { deny: ['wasi:filesystem@0.2'], wasi: { 'filesystem-write': true } } });
    assert.equal(named(byName, 'import-not-allowed').length, 2);

    // the baseline policy allows exactly what it uses and passes; the network component fails it
    const baseline = baselinePolicy([readWasm(bytes).model]);
    assert.deepEqual(parsePolicy(JSON.stringify(baseline)).diagnostics, []);
    assert.ok(baseline.imports!.allow!.some((p) => p.startsWith('wasi:filesystem/types@0.2')));
    assert.equal(baseline.imports!.wasi!['filesystem-write'], true);
    assert.equal(baseline.imports!.wasi!.sockets, false);
    assert.deepEqual(check(bytes, baseline).filter((d) => d.severity === 'error'), []);
    const other = check(await networkComponent(), baseline);
    assert.ok(named(other, 'import-not-allowed').includes('wasi:sockets/tcp@0.2.3'));
  });

  test('exports: required and forbidden by component names; serving HTTP is a capability', async () => {
    const bytes = await assembleComponent(`(component
      (type $h (instance (export "handle" (func (param "r" u32)))))
      (import "wasi:http/incoming-handler@0.2.3" (instance $i (type $h)))
      (export "wasi:http/incoming-handler@0.2.3" (instance $i))
    )`);
    assert.deepEqual(named(check(bytes, { imports: { wasi: { 'http-incoming': false } } }), 'wasi-capability-denied'), ['wasi:http/incoming-handler@0.2.3', 'wasi:http/incoming-handler@0.2.3']);
    assert.equal(check(bytes, { exports: { forbidden: ['wasi:http'] } }).filter((d) => d.code === 'export-forbidden').length, 1);
    assert.equal(check(bytes, { exports: { required: ['wasi:cli/run'] } }).filter((d) => d.code === 'export-missing').length, 1);
    assert.equal(check(bytes, { exports: { required: ['wasi:http/incoming-handler@0.2'] } }).filter((d) => d.code === 'export-missing').length, 0);
  });
});

describe('component policy checks from the file', () => {
  test('the header-only read gives the findings of a full read, without reading the nested parts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-component-'));
    try {
      const bytes = await assembleComponent(NETWORK_COMPONENT_WAT.replace(/\)$/, '(component (import "inner:pkg/x" (func))))'));
      const file = path.join(dir, 'net.wasm');
      fs.writeFileSync(file, bytes);
      const headers = readWasmFileHeaders(file);
      assert.equal(headers.complete, false);
      // nested module and component: their first bytes only
      for (const s of headers.file!.sections.filter((x) => x.id === 1 || x.id === 4)) assert.ok(s.data!.length <= 8 && s.size > 8);
      const store = new PolicyStore({ roots: [] });
      const fromFile = checkFile(file, store);
      assert.equal(fromFile.wasm!.bytes.length, 8);
      const full = check(bytes);
      assert.deepEqual(fromFile.diagnostics.map((d) => [d.code, d.message, d.span]), full.map((d) => [d.code, d.message, d.span]));
      const c = fromFile.models[0].component!;
      assert.equal(c.components.length, 1);
      assert.equal(c.components[0].unread, true);
      assert.equal(c.modules.length, 1);
      // a policy asking for the nested modules gets the whole file read
      fs.writeFileSync(path.join(dir, 'wasm-warden.policy.json'), JSON.stringify({ imports: { nestedModules: true } }));
      const nested = checkFile(file, new PolicyStore({ roots: [dir] }));
      assert.equal(nested.wasm!.bytes.length, bytes.length);
      assert.ok(nested.diagnostics.some((d) => d.data?.nestedModule === 'module 0'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
