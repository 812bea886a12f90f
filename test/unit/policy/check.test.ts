import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowImportEdit,
  baselinePolicy,
  checkModel,
  defaultPolicyText,
  setRuleSeverityEdit,
  type TextEdit,
} from '../../../server/src/engine/policy/check';
import { DEFAULT_POLICY, FEATURES } from '../../../server/src/engine/policy/definition';
import { effectivePolicy, parsePolicy } from '../../../server/src/engine/policy/load';
import { limits, model, ORIGINS } from './model-builder';

function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.span.start - a.span.start);
  for (const e of sorted) text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
  return text;
}

describe('defaultPolicyText', () => {
  it('parses cleanly to the default policy sections', () => {
    const r = parsePolicy(defaultPolicyText());
    assert.equal(r.ok, true);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.policy?.imports, DEFAULT_POLICY.imports);
    assert.deepEqual(r.policy?.memory, DEFAULT_POLICY.memory);
  });
});

describe('DEFAULT_POLICY', () => {
  it('is the documented default: no fs-write, sockets, unknown wasi; bounded memory up to 256 MiB; no shared', () => {
    assert.equal(DEFAULT_POLICY.imports?.wasi?.['filesystem-write'], false);
    assert.equal(DEFAULT_POLICY.imports?.wasi?.sockets, false);
    assert.equal(DEFAULT_POLICY.imports?.wasi?.unknown, false);
    assert.equal(DEFAULT_POLICY.imports?.wasi?.['filesystem-read'], true);
    assert.equal(DEFAULT_POLICY.memory?.requireMaximum, true);
    assert.equal(DEFAULT_POLICY.memory?.maxBytes, 256 * 1024 * 1024);
    assert.equal(DEFAULT_POLICY.memory?.allowShared, false);
    assert.equal(DEFAULT_POLICY.imports?.allow, undefined);
    assert.ok(Object.isFrozen(DEFAULT_POLICY.memory));
  });
});

for (const origin of ORIGINS) {
  describe(`baselinePolicy (${origin})`, () => {
    it('allows exactly what the modules use', () => {
      const a = model(origin)
        .import('env', 'log')
        .import('wasi_snapshot_preview1', 'path_unlink_file')
        .import('wasi_snapshot_preview1', 'sock_open')
        .memory(limits(1, 20, { shared: true }))
        .export('memory', 'memory')
        .custom('name', 40)
        .features('threads')
        .build();
      const b = model(origin).import('we*rd', 'x{1}').memory(limits(2)).func().start(0).table(limits(3, 7)).build();
      const policy = baselinePolicy([a, b]);
      assert.equal(parsePolicy(JSON.stringify(policy)).ok, true, 'the baseline is a valid policy');
      for (const m of [a, b]) assert.deepEqual(checkModel(m, effectivePolicy(policy, 'm.wasm')), [], 'both modules pass');
      assert.equal(policy.imports?.wasi?.['filesystem-write'], true);
      assert.equal(policy.imports?.wasi?.sockets, false);
      assert.equal(policy.imports?.wasi?.unknown, true);
      assert.equal(policy.memory?.requireMaximum, false);
      assert.equal(policy.memory?.maxBytes, 20 * 65536);
      assert.equal(policy.tables?.maxElements, 7);
      assert.deepEqual(policy.features?.deny, FEATURES.filter((f) => f !== 'threads'));
      // and it is tight: one more import, a bigger memory, an unused feature are each refused
      const c = model(origin).import('env', 'other').memory(limits(1, 21)).features('simd').build();
      const codes = checkModel(c, effectivePolicy(policy, 'm.wasm')).map((d) => d.code).sort();
      assert.deepEqual(codes, ['feature-denied', 'import-not-allowed', 'memory-too-large']);
    });

    it('of no modules denies every import', () => {
      const policy = baselinePolicy([]);
      const m = model(origin).import('env', 'f').build();
      assert.deepEqual(checkModel(m, effectivePolicy(policy, 'm.wasm')).map((d) => d.code), ['import-not-allowed']);
    });
  });
}

describe('allowImportEdit', () => {
  const m = model('wat').import('env', 'f').import('wasi_snapshot_preview1', 'path_rename').import('wasi_unstable', 'sock_open').build();
  const codesAfter = (text: string) => checkModel(m, effectivePolicy(parsePolicy(text).policy!, 'm.wat')).map((d) => `${d.code}:${d.data?.name}`);

  it('adds to an allow list, keeping comments and layout', () => {
    const text = '{\n  // only env\n  "imports": { "allow": ["env.g"], "wasi": { "filesystem-write": true, "unknown": true } }\n}\n';
    assert.deepEqual(codesAfter(text), ['import-not-allowed:f', 'import-not-allowed:path_rename', 'import-not-allowed:sock_open']);
    let t = text;
    for (const [mod, name] of [['env', 'f'], ['wasi_snapshot_preview1', 'path_rename'], ['wasi_unstable', 'sock_open']]) {
      t = applyEdits(t, allowImportEdit(t, mod, name));
    }
    assert.ok(t.includes('// only env'));
    assert.equal(parsePolicy(t).ok, true);
    assert.deepEqual(codesAfter(t), []);
    assert.deepEqual(allowImportEdit(t, 'env', 'f'), [], 'nothing to do the second time');
  });

  it('removes an exact deny entry and switches on the WASI group', () => {
    const text = '{ "imports": { "deny": ["env.f", "env.z*"] } }';
    assert.deepEqual(codesAfter(text).sort(), ['import-not-allowed:f', 'unknown-wasi-import:sock_open', 'wasi-capability-denied:path_rename']);
    let t = applyEdits(text, allowImportEdit(text, 'env', 'f'));
    t = applyEdits(t, allowImportEdit(t, 'wasi_snapshot_preview1', 'path_rename'));
    t = applyEdits(t, allowImportEdit(t, 'wasi_unstable', 'sock_open'));
    assert.deepEqual(codesAfter(t), []);
    const deny = parsePolicy(t).policy?.imports?.deny ?? [];
    assert.equal(deny[0], 'env.z*');
    assert.equal(parsePolicy(t).policy?.imports?.wasi?.['filesystem-write'], true);
    // the group is on for path_rename only: the group's other functions are denied by name
    assert.equal(deny.length, 2);
    const others = model('wat').import('wasi_snapshot_preview1', 'path_unlink_file').import('wasi_unstable', 'fd_allocate').import('wasi_snapshot_preview1', 'fd_write').build();
    const after = checkModel(others, effectivePolicy(parsePolicy(t).policy!, 'm.wat')).map((d) => `${d.code}:${d.data?.name}`);
    assert.deepEqual(after, ['import-not-allowed:path_unlink_file', 'import-not-allowed:fd_allocate']);
  });

  it('allows one import that a WASI deny glob refuses: the glob is narrowed to the others, by name', () => {
    const one = model('wat').import('wasi_snapshot_preview1', 'path_open').import('wasi_snapshot_preview1', 'path_unlink_file').build();
    const codes = (text: string) => checkModel(one, effectivePolicy(parsePolicy(text).policy!, 'm.wat')).map((d) => `${d.code}:${d.data?.name}`);
    const text = '{ "imports": { "deny": ["wasi_snapshot_preview1.path_*"], "wasi": { "filesystem-write": true } } }';
    assert.deepEqual(codes(text), ['import-not-allowed:path_open', 'import-not-allowed:path_unlink_file']);
    const t = applyEdits(text, allowImportEdit(text, 'wasi_snapshot_preview1', 'path_open'));
    assert.deepEqual(codes(t), ['import-not-allowed:path_unlink_file'], t);
    const narrowed = parsePolicy(t).policy?.imports?.deny?.[0] ?? '';
    assert.match(narrowed, /^wasi_snapshot_preview1\.\{path_/);
    assert.doesNotMatch(narrowed, /path_open/);
    // a glob over a module that is not WASI cannot single one import out: no edit rather than a weaker policy
    assert.deepEqual(allowImportEdit('{ "imports": { "deny": ["env.*"] } }', 'env', 'f'), []);
  });

  it('creates the file content when there is none, and refuses broken JSON', () => {
    const edits = allowImportEdit('', 'wasi_snapshot_preview1', 'sock_send');
    assert.equal(edits.length, 1);
    assert.deepEqual(edits[0].span, { start: 0, end: 0 });
    const created = parsePolicy(edits[0].newText);
    assert.equal(created.ok, true);
    assert.equal(created.policy?.imports?.wasi?.sockets, true);
    assert.equal(created.policy?.memory?.requireMaximum, true, 'the rest is the default policy');
    assert.deepEqual(allowImportEdit('{ "imports": ', 'env', 'f'), []);
  });
});

describe('setRuleSeverityEdit', () => {
  it('sets and changes a rule severity', () => {
    const m = model('binary').memory(limits(1)).build();
    let t = '{ "memory": { "maxPages": 10 } }';
    t = applyEdits(t, setRuleSeverityEdit(t, 'memory-unbounded', 'warning'));
    let ds = checkModel(m, effectivePolicy(parsePolicy(t).policy!, 'x.wasm'));
    assert.deepEqual(ds.map((d) => [d.code, d.severity]), [['memory-unbounded', 'warning']]);
    t = applyEdits(t, setRuleSeverityEdit(t, 'memory-unbounded', 'off'));
    ds = checkModel(m, effectivePolicy(parsePolicy(t).policy!, 'x.wasm'));
    assert.deepEqual(ds, []);
    assert.equal(parsePolicy(t).policy?.memory?.maxPages, 10);
    const fresh = setRuleSeverityEdit('', 'start-function', 'info');
    assert.deepEqual(parsePolicy(fresh[0].newText).policy?.rules, { 'start-function': 'info' });
  });
});
