import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_POLICY, type Policy } from '../../../server/src/engine/policy/definition';
import { effectivePolicy, findPolicyFile, parsePolicy, POLICY_FILE_NAME } from '../../../server/src/engine/policy/load';

/** The text a diagnostic's span covers. */
function covered(text: string, d: { span: { start: number; end: number } }): string {
  return text.slice(d.span.start, d.span.end);
}

describe('parsePolicy', () => {
  it('accepts a valid policy with comments', () => {
    const text = `// team policy\n{ "imports": { "allow": ["env.*"], "wasi": { "clock": false } }, "memory": { "maxPages": 16 } }`;
    const r = parsePolicy(text);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.ok, true);
    assert.deepEqual(r.policy, { imports: { allow: ['env.*'], wasi: { clock: false } }, memory: { maxPages: 16 } });
  });

  it('bad JSON: syntax diagnostics at the parser offsets, no policy', () => {
    const text = '{ "memory": { "maxPages": 4 ';
    const r = parsePolicy(text);
    assert.equal(r.policy, undefined);
    assert.equal(r.ok, false);
    assert.ok(r.diagnostics.length >= 1);
    assert.ok(r.diagnostics.every((d) => d.code === 'policy-syntax' && d.severity === 'error'));
    assert.ok(r.diagnostics.every((d) => d.span.start <= text.length));
    const trailing = parsePolicy('{ "include": ["a",] }');
    assert.equal(trailing.policy, undefined);
    assert.equal(trailing.diagnostics[0].span.start, '{ "include": ["a",'.length);
  });

  it('empty text and non-object roots', () => {
    assert.equal(parsePolicy('').ok, false);
    assert.match(parsePolicy('   ').diagnostics[0].message, /empty/);
    const arr = parsePolicy('[1]');
    assert.equal(arr.diagnostics[0].code, 'policy-invalid');
    assert.match(arr.diagnostics[0].message, /must be a JSON object, not a list/);
  });

  it('wrong types: precise span, value dropped, the rest kept', () => {
    const text = '{ "memory": { "maxPages": "lots", "allowShared": true }, "startFunction": { "allowed": 1 } }';
    const r = parsePolicy(text);
    assert.equal(r.ok, false);
    assert.deepEqual(r.policy, { memory: { allowShared: true }, startFunction: {} });
    assert.deepEqual(r.diagnostics.map((d) => [d.code, covered(text, d)]), [
      ['policy-invalid', '"lots"'],
      ['policy-invalid', '1'],
    ]);
    assert.match(r.diagnostics[0].message, /`memory\.maxPages` must be a whole number, not a string/);
  });

  it('numbers: negative and fractional values are refused', () => {
    const text = '{ "memory": { "maxBytes": -1, "maxPages": 1.5 } }';
    const r = parsePolicy(text);
    assert.deepEqual(r.diagnostics.map((d) => covered(text, d)), ['-1', '1.5']);
    assert.match(r.diagnostics[0].message, /at least 0/);
  });

  it('unknown keys: reported on the key with a did-you-mean', () => {
    const text = '{ "memroy": {}, "memory": { "allowShard": false }, "zzz": 1 }';
    const r = parsePolicy(text);
    assert.deepEqual(r.diagnostics.map((d) => [d.code, covered(text, d)]), [
      ['policy-unknown-key', '"memroy"'],
      ['policy-unknown-key', '"allowShard"'],
      ['policy-unknown-key', '"zzz"'],
    ]);
    assert.match(r.diagnostics[0].message, /Did you mean "memory"\?/);
    assert.match(r.diagnostics[1].message, /Did you mean "allowShared"\?/);
    assert.doesNotMatch(r.diagnostics[2].message, /Did you mean/);
    assert.deepEqual(r.policy, { memory: {} });
  });

  it('bad globs: the span points at the offending character', () => {
    const text = '{ "imports": { "deny": ["env.*", "env.{a,b"] }, "overrides": [{ "files": ["x["] }] }';
    const r = parsePolicy(text);
    const globs = r.diagnostics.filter((d) => d.code === 'policy-bad-glob');
    assert.equal(globs.length, 2);
    assert.equal(covered(text, globs[0]), '{');
    assert.deepEqual(r.policy?.imports?.deny, ['env.*']);
    assert.equal(globs[1].code, 'policy-bad-glob');
    // the override lost its only pattern: it is kept with no files, so it matches nothing
    assert.deepEqual(r.policy?.overrides, [{ files: [] }]);
  });

  it('bad severities and unknown rules', () => {
    const text = '{ "rules": { "memory-unbounded": "warn", "memory-unbound": "off", "import-not-allowed": "info" } }';
    const r = parsePolicy(text);
    const bad = r.diagnostics.find((d) => d.code === 'policy-invalid')!;
    assert.equal(covered(text, bad), '"warn"');
    assert.match(bad.message, /Did you mean "warning"\?/);
    const unknown = r.diagnostics.find((d) => d.code === 'policy-unknown-rule')!;
    assert.equal(unknown.severity, 'warning');
    assert.match(unknown.message, /Did you mean "memory-unbounded"\?/);
    assert.deepEqual(r.policy?.rules, { 'memory-unbound': 'off', 'import-not-allowed': 'info' });
  });

  it('bad features, digests, enums in lists, missing required keys, duplicates', () => {
    const text = JSON.stringify({
      features: { deny: ['simd', 'smid'] },
      integrity: { 'a/*.wasm': ['abc', 'a'.repeat(64)] },
      sandbox: { dirs: [{ host: 'data' }, { host: 'out', guest: '/out', readOnly: false }] },
      overrides: [{ memory: {} }],
    });
    const r = parsePolicy(text);
    const msgs = r.diagnostics.map((d) => d.message).join('\n');
    assert.match(msgs, /"smid" is not one of .*Did you mean "simd"\?/);
    assert.match(msgs, /SHA-256/);
    assert.match(msgs, /`sandbox\.dirs\.0` needs "guest"/);
    assert.match(msgs, /`overrides\.0` needs "files"/);
    assert.deepEqual(r.policy?.features, { deny: ['simd'] });
    assert.deepEqual(r.policy?.integrity, { 'a/*.wasm': ['a'.repeat(64)] });
    assert.deepEqual(r.policy?.sandbox?.dirs, [{ host: 'out', guest: '/out', readOnly: false }]);
    assert.deepEqual(r.policy?.overrides, []);
    const dup = parsePolicy('{ "include": ["a"], "include": ["b"] }');
    assert.equal(dup.diagnostics[0].code, 'policy-duplicate-key');
    assert.equal(dup.ok, true);
    assert.deepEqual(dup.policy?.include, ['b']);
  });

  it('refuses __proto__ keys without touching prototypes', () => {
    const r = parsePolicy('{ "integrity": { "__proto__": [] }, "rules": { "__proto__": "off" }, "memory": { "__proto__": {} } }');
    assert.equal(r.diagnostics.filter((d) => d.code === 'policy-invalid').length, 3);
    assert.equal(Object.getPrototypeOf(r.policy!.integrity), Object.prototype);
    assert.equal(Object.getPrototypeOf(r.policy!.rules), Object.prototype);
  });

  it('never throws on garbage', () => {
    for (const text of ['\u0000', '{"a":', '}}}}', '{"memory": [}', '"str"', 'null', '{'.repeat(5000)]) {
      const r = parsePolicy(text);
      assert.equal(r.ok, false, text.slice(0, 10));
    }
  });
});

describe('effectivePolicy', () => {
  it('layers the file over the defaults, objects merged key by key', () => {
    const e = effectivePolicy({ memory: { maxPages: 8 }, imports: { wasi: { sockets: true } } }, 'a.wasm');
    assert.equal(e.memory?.maxPages, 8);
    assert.equal(e.memory?.requireMaximum, DEFAULT_POLICY.memory?.requireMaximum);
    assert.equal(e.imports?.wasi?.sockets, true);
    assert.equal(e.imports?.wasi?.['filesystem-write'], false);
    assert.equal('overrides' in e, false);
  });

  it('applies matching overrides in order, lists replace', () => {
    const policy = {
      imports: { deny: ['a.*'] },
      overrides: [
        { files: ['plugins/**'], imports: { deny: ['b.*'] }, rules: { 'memory-unbounded': 'off' as const } },
        { files: ['*.wat'], imports: { deny: ['c.*'] } },
      ],
    };
    assert.deepEqual(effectivePolicy(policy, 'main.wasm').imports?.deny, ['a.*']);
    assert.deepEqual(effectivePolicy(policy, 'plugins/p.wasm').imports?.deny, ['b.*']);
    assert.deepEqual(effectivePolicy(policy, 'plugins/p.wasm').rules, { 'memory-unbounded': 'off' });
    assert.deepEqual(effectivePolicy(policy, 'plugins/p.wat').imports?.deny, ['c.*']);
    assert.deepEqual(effectivePolicy(policy, './x/y.wat').imports?.deny, ['c.*']);
  });

  it('does not mutate the default policy; effective policies are shared and frozen', () => {
    const e = effectivePolicy({}, 'a.wasm');
    assert.throws(() => e.imports!.deny!.push('x.*'), TypeError);
    assert.deepEqual(DEFAULT_POLICY.imports?.deny, []);
  });

  it('resolves once per policy and set of matching overrides', () => {
    const policy: Policy = { memory: { maxPages: 1 }, overrides: [{ files: ['plugins/**'], memory: { maxPages: 2 } }] };
    const a = effectivePolicy(policy, 'a.wasm');
    assert.equal(effectivePolicy(policy, 'b/c.wasm'), a, 'no override matches either: the same object');
    const p = effectivePolicy(policy, 'plugins/x.wasm');
    assert.notEqual(p, a);
    assert.equal(p.memory?.maxPages, 2);
    assert.equal(a.memory?.maxPages, 1);
    assert.equal(effectivePolicy(policy, 'plugins/y/z.wasm'), p);
    // a changed policy (a new object after a reload) is resolved afresh
    assert.equal(effectivePolicy({ ...policy, memory: { maxPages: 3 } }, 'a.wasm').memory?.maxPages, 3);
  });
});

describe('findPolicyFile', () => {
  it('finds the nearest file walking up, never past the root', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-policy-'));
    try {
      const root = path.join(tmp, 'ws');
      const deep = path.join(root, 'a', 'b', 'c');
      fs.mkdirSync(deep, { recursive: true });
      assert.equal(findPolicyFile(deep, root), undefined);
      fs.writeFileSync(path.join(tmp, POLICY_FILE_NAME), '{}'); // above the root: ignored
      assert.equal(findPolicyFile(deep, root), undefined);
      fs.writeFileSync(path.join(root, POLICY_FILE_NAME), '{}');
      assert.equal(findPolicyFile(deep, root), path.join(root, POLICY_FILE_NAME));
      fs.writeFileSync(path.join(root, 'a', POLICY_FILE_NAME), '{}');
      assert.equal(findPolicyFile(deep, root), path.join(root, 'a', POLICY_FILE_NAME));
      assert.equal(findPolicyFile(tmp, root), undefined, 'outside the root');
      fs.mkdirSync(path.join(root, 'a', 'b', POLICY_FILE_NAME)); // a directory of that name is not a policy
      assert.equal(findPolicyFile(deep, root), path.join(root, 'a', POLICY_FILE_NAME));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
