/**
 * Hostile policy files at the sizes an outside fuzzing run used (issue 23), generated here: each one
 * gets one clear error on the policy file, costs time and memory linear in its size, and never
 * replaces the last good policy.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePolicy, POLICY_FILE_NAME } from '../../../server/src/engine/policy/load';
import { PolicyStore } from '../../../server/src/engine/policy/store';
import { globError, matchGlob } from '../../../server/src/engine/policy/glob';
import {
  GLOB_MAX_ALTERNATIVES,
  GLOB_MAX_BRACE_DEPTH,
  GLOB_MAX_LENGTH,
  POLICY_MAX_BYTES,
  POLICY_MAX_DEPTH,
  POLICY_MAX_DIAGNOSTICS,
  POLICY_MAX_GLOBS,
} from '../../../server/src/engine/policy/limits';
import { firstTooDeep } from '../../../server/src/engine/policy/json-depth';
import { scanFolder } from '../../../server/src/engine/scan';
import { checkModel } from '../../../server/src/engine/policy/check';
import { effectivePolicy } from '../../../server/src/engine/policy/load';
import { model } from './model-builder';

const denyList = (globs: string[]) => `{ "imports": { "deny": [${globs.map((g) => JSON.stringify(g)).join(',')}] } }`;
const manyGlobs = (n: number) => denyList(Array.from({ length: n }, (_, i) => `m${i}.f*`));
const nestedArrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
const nestedObjects = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const nestedBraces = (n: number) => '{'.repeat(n) + 'a' + '}'.repeat(n);

/** The one error-severity diagnostic of a parse; fails when there is not exactly one. */
function onlyError(text: string) {
  const r = parsePolicy(text);
  assert.equal(r.ok, false);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors.map((d) => d.message)));
  assert.ok(errors[0].message.length < 400, `a short message: ${errors[0].message.length} characters`);
  return { ...errors[0], policy: r.policy };
}

describe('policy file limits', () => {
  it('a 10 MB file (365,000 globs, or one 10 MB glob, or 10 MB of `[`) is refused by its size, unparsed', () => {
    for (const text of [manyGlobs(365_000), denyList(['a'.repeat(10_000_000)]), '['.repeat(10_000_000)]) {
      assert.ok(text.length > POLICY_MAX_BYTES);
      const e = onlyError(text);
      assert.equal(e.code, 'policy-too-large');
      assert.match(e.message, /too large: [\d,]+ characters, over the limit of 1,048,576 \(1 MiB\)/);
      assert.equal(e.policy, undefined);
    }
  });

  it('a policy file over the limit on disk is not read at all, and the last good policy stays', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-limits-'));
    try {
      const file = path.join(dir, POLICY_FILE_NAME);
      fs.writeFileSync(file, denyList(['env.*']));
      const store = new PolicyStore({ roots: [dir] });
      assert.deepEqual(store.load(file).policy.imports?.deny, ['env.*']);
      fs.writeFileSync(file, manyGlobs(365_000));
      fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
      store.invalidate(file);
      const loaded = store.load(file);
      assert.equal(loaded.stale, true);
      assert.equal(loaded.text, '', 'nothing was read');
      assert.deepEqual(loaded.diagnostics.map((d) => d.code), ['policy-too-large']);
      assert.match(loaded.diagnostics[0].message, /bytes, over the limit/);
      assert.deepEqual(loaded.policy.imports?.deny, ['env.*'], 'the last good policy is in force');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nesting: 10,000 to 1,000,000 levels of lists or objects never reach the parser (no stack overflow)', () => {
    for (const text of [nestedArrays(10_000), nestedObjects(10_000), nestedArrays(100_000), '['.repeat(POLICY_MAX_BYTES)]) {
      const e = onlyError(text);
      assert.equal(e.code, 'policy-too-deep', e.message);
      assert.equal(e.span.start, text.indexOf('[') >= 0 && text[0] === '[' ? POLICY_MAX_DEPTH : e.span.start);
      assert.match(e.message, /more than 64 levels deep/);
    }
    // 1,000,000 levels are over the size limit already: refused before the depth scan
    assert.equal(onlyError(nestedArrays(1_000_000)).code, 'policy-too-large');
    assert.equal(onlyError(nestedObjects(1_000_000)).code, 'policy-too-large');
  });

  it('the depth scan reads strings and comments as the parser does', () => {
    assert.equal(firstTooDeep('{ "a": "[[[[[[", "b": [1] }', 2), undefined, 'brackets in strings do not count');
    assert.equal(firstTooDeep('{ "a\\"[[[": 1 }', 1), undefined, 'an escaped quote does not end the string');
    assert.equal(firstTooDeep('// [[[[\n/* {{{{ */ [ ]', 1), undefined, 'comments do not count');
    // a string ends at a line break (as jsonc-parser reads it): the brackets after it count
    assert.equal(firstTooDeep('["abc\n[[', 2), 7);
    assert.equal(firstTooDeep('[[[]]]', 2), 2);
    assert.equal(firstTooDeep('[][][]', 1), undefined, 'depth, not count');
    // exactly at the limit is accepted and parses
    const atLimit = '{ "rules": ' + nestedArrays(POLICY_MAX_DEPTH - 1) + ' }';
    assert.equal(parsePolicy(atLimit).diagnostics[0]?.code, 'policy-invalid', 'parsed and validated, not refused');
  });

  it('glob count: more than 10,000 globs in one policy is an error on the first one past the limit', () => {
    const text = manyGlobs(POLICY_MAX_GLOBS + 5_000);
    assert.ok(text.length < POLICY_MAX_BYTES);
    const e = onlyError(text);
    assert.equal(e.code, 'policy-too-many-globs');
    assert.match(e.message, /More than 10,000 glob patterns/);
    assert.equal(text.slice(e.span.start, e.span.end), `"m${POLICY_MAX_GLOBS}.f*"`);
    assert.equal(parsePolicy(manyGlobs(POLICY_MAX_GLOBS)).ok, true, 'the limit itself is fine');
  });

  it('glob expansion across the policy is bounded', () => {
    // 8 pairs of braces: 256 alternatives of 13+ characters each; 400 of them spell over 1 Mi characters
    const braced = (i: number) => `m${i}.` + '{a,b}'.repeat(8) + '*';
    assert.equal(parsePolicy(denyList(Array.from({ length: 300 }, (_, i) => braced(i)))).ok, true, '300 are within');
    const text = denyList(Array.from({ length: 400 }, (_, i) => braced(i)));
    const e = onlyError(text);
    assert.equal(e.code, 'policy-too-many-globs');
    assert.match(e.message, /alternatives written out, spell more than 1,048,576 characters/);
  });

  it('a glob over the length limit (one 1,000,000-character glob in a policy under 1 MiB) is named short', () => {
    const e = onlyError(denyList(['x'.repeat(1_000_000)]));
    assert.equal(e.code, 'policy-bad-glob');
    assert.match(e.message, /^Bad pattern `x{79}… \(1,000,000 characters\)`: it is 1,000,000 characters long; the limit is 1,024\.$/);
  });

  it('100,000 nested braces are refused in one pass, and so are 9 levels in a short glob', () => {
    const e = onlyError(denyList([nestedBraces(100_000)]));
    assert.equal(e.code, 'policy-bad-glob');
    assert.match(e.message, /the limit is 1,024/);
    const deep = nestedBraces(GLOB_MAX_BRACE_DEPTH + 1);
    assert.ok(deep.length <= GLOB_MAX_LENGTH);
    assert.match(globError(deep, 'name')!.message, /nested more than 8 deep/);
    assert.equal(globError(deep, 'name')!.offset, GLOB_MAX_BRACE_DEPTH);
    assert.equal(globError(nestedBraces(GLOB_MAX_BRACE_DEPTH), 'name'), undefined);
    assert.ok(matchGlob(nestedBraces(GLOB_MAX_BRACE_DEPTH), 'a', 'name'));
    // a pattern of the longest length made only of braces
    const widest = '{' + Array.from({ length: 300 }, (_, i) => String(i % 10)).join(',') + '}';
    assert.match(globError(widest, 'name')!.message, new RegExp(`more than ${GLOB_MAX_ALTERNATIVES} alternatives`));
    assert.match(globError('{a,b}'.repeat(9), 'path')!.message, /more than 256 alternatives/);
  });

  it('a file full of problems lists the first 100 and counts the rest', () => {
    const text = `{ "imports": { "deny": [${Array(200_000).fill('1').join(',')}] } }`;
    const r = parsePolicy(text);
    assert.equal(r.ok, false);
    assert.equal(r.diagnostics.length, POLICY_MAX_DIAGNOSTICS + 1);
    const last = r.diagnostics[r.diagnostics.length - 1];
    assert.equal(last.code, 'policy-more-problems');
    assert.equal(last.severity, 'error');
    assert.match(last.message, /199,900 more problems/);
    // a syntax error every few characters too
    const garbage = parsePolicy('{ "imports": { "deny": [' + ',,'.repeat(100_000) + '] } }');
    assert.equal(garbage.diagnostics.length, POLICY_MAX_DIAGNOSTICS + 1);
    assert.equal(garbage.policy, undefined);
  });

  it('values quoted in messages stay short', () => {
    const r = parsePolicy(`{ "memory": { "maxPages": "${'x'.repeat(500_000)}" }, "${'k'.repeat(500_000)}": 1 }`);
    assert.equal(r.diagnostics.length, 2);
    for (const d of r.diagnostics) assert.ok(d.message.length < 400, d.message.slice(0, 200));
  });

  it('every limit keeps the last good policy in force (an open buffer edited into each bad form)', () => {
    let text = denyList(['env.*']);
    const store = new PolicyStore({ roots: [os.tmpdir()], readText: () => text });
    const file = path.join(os.tmpdir(), POLICY_FILE_NAME);
    assert.equal(store.load(file).stale, false);
    const bad = [
      manyGlobs(365_000),
      nestedArrays(10_000),
      manyGlobs(POLICY_MAX_GLOBS + 1),
      denyList([nestedBraces(100_000)]),
      denyList(['{a,b}'.repeat(9)]),
      denyList(Array.from({ length: 400 }, (_, i) => `m${i}.` + '{a,b}'.repeat(8) + '*')),
    ];
    for (const b of bad) {
      text = b;
      const loaded = store.load(file);
      assert.equal(loaded.stale, true);
      assert.ok(loaded.diagnostics.some((d) => d.severity === 'error'));
      assert.deepEqual(loaded.policy.imports?.deny, ['env.*'], `last good kept for ${loaded.diagnostics[0].code}`);
    }
  });
});

describe('glob matching cost', () => {
  it('`*a*a*…*b` and `?`-heavy globs against long names: right answers, no backtracking', () => {
    const name = 'a'.repeat(1_000_000);
    const t0 = performance.now();
    assert.equal(matchGlob('*a'.repeat(200) + '*b', name, 'name'), false);
    assert.equal(matchGlob('*a'.repeat(200) + '*', name, 'name'), true);
    assert.equal(matchGlob('*' + '?a'.repeat(100) + 'b*', name, 'name'), false);
    assert.equal(matchGlob('*[ab]'.repeat(100) + '*b', name + 'b', 'name'), true);
    assert.equal(matchGlob('**/' + '*a'.repeat(50) + '*b', 'dir/' + 'a'.repeat(4000), 'path'), false);
    const ms = performance.now() - t0;
    // generous: these are milliseconds' work; a backtracking matcher would not finish at all
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });

  it('the workspace scan compiles its globs the same way: a hostile exclude cannot hang it, a bad one is reported', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-scan-'));
    try {
      const long = 'a'.repeat(200);
      fs.writeFileSync(path.join(dir, `${long}.wat`), '(module)');
      fs.mkdirSync(path.join(dir, 'generated'));
      fs.writeFileSync(path.join(dir, 'generated', 'x.wat'), '(module)');
      const rejected: string[] = [];
      const t0 = performance.now();
      const found = [
        ...scanFolder(dir, {
          // picomatch turned the first into a regular expression that backtracks for minutes on this name
          exclude: ['*a'.repeat(12) + '*b', '**/generated', nestedBraces(100_000), 'x{'],
          onBadGlob: (pattern, error) => rejected.push(`${pattern.slice(0, 5)}: ${error.message}`),
        }),
      ].map((f) => path.relative(dir, f));
      const ms = performance.now() - t0;
      assert.deepEqual(found, [`${long}.wat`]);
      assert.deepEqual(rejected, ['{{{{{: it is 200,001 characters long; the limit is 1,024', 'x{: unclosed `{` alternative']);
      assert.ok(ms < 10_000, `took ${ms} ms`);
      // a list is bounded too: the globs past the 1,000th are left out, once, by name
      const many: string[] = [];
      const kept = [...scanFolder(dir, { exclude: Array.from({ length: 1_500 }, (_, i) => `x${i}/**`), onBadGlob: (p, e) => many.push(`${p}: ${e.message}`) })];
      assert.equal(kept.length, 2);
      assert.deepEqual(many, ['x1000/**: more than 1,000 globs in one list (the limit): this one and the rest are not used']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('glob work per rule and module', () => {
  it('10,000 wildcard globs against 100,000 imports stop with a finding instead of running for minutes', () => {
    const parsed = parsePolicy(denyList(Array.from({ length: POLICY_MAX_GLOBS }, (_, i) => `*x${i}`)));
    assert.equal(parsed.ok, true);
    const b = model('binary');
    for (let i = 0; i < 100_000; i++) b.model.imports.push({ module: 'env', name: `f${i}`, kind: 'func', index: i, span: { start: 8 + i, end: 9 + i } });
    const t0 = performance.now();
    const found = checkModel(b.model, effectivePolicy(parsed.policy!, 'm.wasm')).filter((d) => d.code === 'import-not-allowed');
    const ms = performance.now() - t0;
    assert.equal(found.length, 1, found.map((d) => d.message).join('\n').slice(0, 500));
    assert.match(found[0].message, /^Stopped after [\d,]+ of 100,000 imports: matching them against the policy's globs costs more than the limit \(2,000,000 units/);
    assert.equal(found[0].severity, 'error', 'fails closed');
    assert.ok(ms < 30_000, `took ${ms} ms`);
    console.log(`100,000 imports × 10,000 wildcard globs: stopped after ${ms.toFixed(0)} ms`);
  });

  it('a real-sized check spends far less than the limit and is not cut short', () => {
    const parsed = parsePolicy(denyList(['wasi_snapshot_preview1.path_*', 'wasi_snapshot_preview1.sock_*', '*.unsafe_*']));
    const b = model('wat');
    for (let i = 0; i < 5_000; i++) b.model.imports.push({ module: i % 2 ? 'env' : 'wasi_snapshot_preview1', name: i % 100 === 0 ? `path_open${i}` : `fn${i}`, kind: 'func', index: i, span: { start: 8 + i, end: 9 + i } });
    const found = checkModel(b.model, effectivePolicy(parsed.policy!, 'm.wat')).filter((d) => d.code === 'import-not-allowed');
    assert.equal(found.length, 50);
    assert.ok(found.every((d) => /is denied by the pattern "wasi_snapshot_preview1\.path_\*"/.test(d.message)));
  });
});
