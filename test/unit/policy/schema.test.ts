import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_POLICY, FEATURES, policySchema } from '../../../server/src/engine/policy/definition';
import { defaultPolicyText } from '../../../server/src/engine/policy/check';
import { RULES } from '../../../server/src/engine/policy/rules';
import { policyJsonSchema } from '../../../server/src/engine/policy/schema';
import { generate } from '../../../scripts/generate';
import { WASI_CAPABILITIES } from '../../../server/src/engine/wasi';

type Schema = Record<string, any>;

/** A small JSON-schema checker for the keywords the policy schema uses. */
function validate(value: unknown, schema: Schema, at = '$'): string[] {
  const errs: string[] = [];
  const t = schema.type;
  if (t === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: not an object`];
    const v = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in v)) errs.push(`${at}: missing ${r}`);
    for (const [k, child] of Object.entries(v)) {
      if (schema.properties?.[k]) errs.push(...validate(child, schema.properties[k], `${at}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${at}: unexpected ${k}`);
      else if (typeof schema.additionalProperties === 'object') errs.push(...validate(child, schema.additionalProperties, `${at}.${k}`));
    }
  } else if (t === 'array') {
    if (!Array.isArray(value)) return [`${at}: not an array`];
    value.forEach((x, i) => errs.push(...validate(x, schema.items, `${at}[${i}]`)));
  } else if (t === 'integer') {
    if (!Number.isInteger(value)) return [`${at}: not an integer`];
    if (schema.minimum !== undefined && (value as number) < schema.minimum) errs.push(`${at}: below minimum`);
  } else if (t === 'boolean') {
    if (typeof value !== 'boolean') errs.push(`${at}: not a boolean`);
  } else if (t === 'string') {
    if (typeof value !== 'string') return [`${at}: not a string`];
    if (schema.enum && !schema.enum.includes(value)) errs.push(`${at}: not in enum`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) errs.push(`${at}: pattern`);
  }
  return errs;
}

function walk(schema: Schema, at: string, visit: (s: Schema, at: string) => void): void {
  visit(schema, at);
  for (const [k, child] of Object.entries(schema.properties ?? {})) walk(child as Schema, `${at}.${k}`, visit);
  if (schema.items) walk(schema.items, `${at}[]`, visit);
  if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${at}{}`, visit);
}

describe('policy JSON schema', () => {
  const schema = policyJsonSchema();

  it('describes every property and closes every object', () => {
    walk(schema, '$', (s, at) => {
      assert.equal(typeof s.description, 'string', `${at} has a description`);
      assert.ok(s.description.length > 3, at);
      if (s.type === 'object' && s.properties && !at.endsWith('.rules')) assert.equal(s.additionalProperties, false, at);
    });
  });

  it('has the sections, enums, defaults and every rule', () => {
    const p = schema.properties as Schema;
    for (const k of ['imports', 'memory', 'tables', 'exports', 'startFunction', 'customSections', 'features', 'signature', 'integrity', 'sandbox', 'monitor', 'overrides', 'rules', 'include', 'exclude']) {
      assert.ok(p[k], k);
    }
    assert.deepEqual(p.features.properties.deny.items.enum, [...FEATURES]);
    assert.deepEqual(Object.keys(p.imports.properties.wasi.properties), [...WASI_CAPABILITIES, 'unknown']);
    assert.equal(p.memory.properties.maxBytes.default, 256 * 1024 * 1024);
    assert.equal(p.memory.properties.requireMaximum.default, true);
    assert.deepEqual(Object.keys(p.rules.properties), RULES.map((r) => r.id));
    assert.deepEqual(p.rules.additionalProperties.enum, ['error', 'warning', 'info', 'off']);
    assert.deepEqual(p.overrides.items.required, ['files']);
    assert.ok(p.overrides.items.properties.memory, 'overrides carry the sections');
    assert.equal(p.overrides.items.properties.include, undefined, 'but not the workspace scan');
  });

  it('accepts the default policy and the default policy text, and rejects wrong values', () => {
    assert.deepEqual(validate(DEFAULT_POLICY, schema), []);
    assert.deepEqual(validate(JSON.parse(defaultPolicyText()), schema), []);
    assert.ok(validate({ memory: { maxPages: -1 } }, schema).length > 0);
    assert.ok(validate({ rules: { 'memory-unbounded': 'loud' } }, schema).length > 0);
    assert.ok(validate({ memroy: {} }, schema).length > 0);
  });

  it('is the same object without rule summaries apart from the rules', () => {
    const bare = policySchema() as Schema;
    assert.deepEqual(Object.keys(bare.properties.rules.properties), []);
    assert.deepEqual(bare.properties.memory, (schema.properties as Schema).memory);
  });

  it('scripts/generate.ts writes policy.schema.json from the definition', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-schema-'));
    try {
      const [file] = generate(dir);
      assert.equal(path.basename(file), 'policy.schema.json');
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), schema);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
