import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { allNestedModules } from '../../../server/src/engine/component/model';
import { nestedModuleFindings } from '../../../server/src/engine/component/nested-modules';
import { parseExternName, versionCovers } from '../../../server/src/engine/component/names';
import { renderComponentView } from '../../../server/src/engine/component/wit-text';
import { clangMissing } from '../../clang';
import { assembleComponent, componentFromC, FILE_WRITER_C, NETWORK_COMPONENT_WAT, witWorld } from './component-fixtures';

test('a C program made a component with the preview1 adapter: imports and exports equal what wasm-tools reports', async (t) => {
  const bytes = await componentFromC(FILE_WRITER_C);
  if (!bytes) return clangMissing(t, 'clang could not compile the C program');
  const read = readWasm(bytes);
  assert.equal(read.model.kind, 'component');
  assert.deepEqual(read.diagnostics, []);
  const c = read.model.component!;
  const oracle = await witWorld(bytes);
  assert.ok(oracle.imports.length > 5, oracle.wit);
  assert.deepEqual(c.imports.map((i) => i.name), oracle.imports);
  assert.deepEqual(c.exports.map((e) => e.name), oracle.exports);
  // every import is an interface (an instance) with its functions
  for (const imp of c.imports) {
    assert.equal(imp.sort, 'instance', imp.name);
    assert.equal(imp.parsed.form, 'interface', imp.name);
    assert.equal(imp.parsed.namespace, 'wasi');
  }
  const fsTypes = c.imports.find((i) => i.name.startsWith('wasi:filesystem/types@'))!;
  assert.equal(fsTypes.type?.k, 'instance');
  const names = fsTypes.type!.k === 'instance' ? fsTypes.type!.exports.map((d) => d.name) : [];
  assert.ok(names.includes('[method]descriptor.open-at'), names.join(', '));
  // the interface's functions as the WIT oracle lists them for each import
  const view = renderComponentView(bytes, read).text;
  assert.match(view, /import wasi:filesystem\/types@[0-9.]+ \{/);
  assert.match(view, /\[method\]descriptor\.open-at: func\(self: borrow<descriptor>, path-flags: path-flags, path: string, open-flags: open-flags, flags: descriptor-flags\) -> result<descriptor, error-code>;/);
  assert.match(oracle.wit, /export wasi:cli\/run@/);
  assert.match(view, /export wasi:cli\/run@[0-9.]+ \{\n {4}run: func\(\) -> result;/);
  // the program's module, the adapter and the shims are nested core modules, each a valid core module
  const modules = allNestedModules(c);
  assert.ok(modules.length >= 2);
  assert.deepEqual(nestedModuleFindings(bytes, read.model), []);
  for (const m of modules) assert.deepEqual([...bytes.subarray(m.start, m.start + 8)], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  // canonical lowerings carry their options
  assert.ok(c.canons.some((k) => k.op === 'lower' && k.options.some((o) => o.startsWith('(memory'))));
});

test('component WAT: interface, plain, URL and hash names, nested module and component, each at its offset', async () => {
  const bytes = await assembleComponent(NETWORK_COMPONENT_WAT);
  const read = readWasm(bytes);
  assert.deepEqual(read.diagnostics, []);
  const c = read.model.component!;
  const oracle = await witWorld(bytes);
  assert.deepEqual(c.imports.map((i) => i.name), oracle.imports);
  assert.deepEqual(
    c.imports.map((i) => [i.sort, i.parsed.form]),
    [
      ['instance', 'interface'],
      ['instance', 'interface'],
      ['instance', 'interface'],
      ['instance', 'interface'],
      ['func', 'plain'],
    ],
  );
  assert.deepEqual(parseExternName('wasi:sockets/tcp@0.2.3'), { form: 'interface', namespace: 'wasi', package: 'sockets', interface: 'tcp', version: '0.2.3' });
  for (const imp of c.imports) assert.equal(new TextDecoder().decode(bytes.subarray(imp.nameSpan.start, imp.nameSpan.end)), imp.name);
  assert.equal(c.modules.length, 1);

  const named = await assembleComponent(`(component
    (import "url=<https://example.com/x.wasm>" (func))
    (import "integrity=<sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=>" (func))
    (component (import "inner:pkg/i@1.0.0" (func)) (core module))
    (export "f" (func 0))
  )`);
  const r2 = readWasm(named);
  assert.deepEqual(r2.diagnostics, []);
  const c2 = r2.model.component!;
  assert.deepEqual(c2.imports.map((i) => i.parsed.form), ['url', 'hash']);
  assert.deepEqual(c2.exports.map((e) => [e.name, e.sort]), [['f', 'func']]);
  assert.equal(c2.components.length, 1);
  assert.deepEqual(c2.components[0].imports.map((i) => i.name), ['inner:pkg/i@1.0.0']);
  const inner = allNestedModules(c2);
  assert.equal(inner.length, 1);
  assert.equal(inner[0].path, 'component 0 / module 0');
});

test('version patterns cover versions by dot-separated prefix', () => {
  assert.ok(versionCovers('0.2', '0.2.3'));
  assert.ok(versionCovers('0.2.*', '0.2.0'));
  assert.ok(!versionCovers('0.2', '0.20.1'));
  assert.ok(!versionCovers('0.2.3', '0.2.3-rc1'));
  assert.ok(!versionCovers('0.2.3', '0.2'));
});
