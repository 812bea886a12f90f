import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeGlob, firstMatch, globError, importMatcher, matchGlob } from '../../../server/src/engine/policy/glob';

describe('policy globs', () => {
  it('name globs: * spans anything, ? one character, {a,b}, classes', () => {
    assert.ok(matchGlob('wasi_snapshot_preview1.fd_*', 'wasi_snapshot_preview1.fd_write', 'name'));
    assert.ok(!matchGlob('wasi_snapshot_preview1.fd_*', 'wasi_snapshot_preview1.path_open', 'name'));
    assert.ok(matchGlob('env.*', 'env.a/b.c', 'name'));
    assert.ok(matchGlob('.debug_*', '.debug_info', 'name'));
    assert.ok(!matchGlob('.debug_*', 'xdebug_info', 'name'), 'the dot is literal');
    assert.ok(matchGlob('{env,host}.log', 'host.log', 'name'));
    assert.ok(matchGlob('f?o', 'foo', 'name') && !matchGlob('f?o', 'fooo', 'name'));
    assert.ok(matchGlob('[!a]x', 'bx', 'name') && !matchGlob('[!a]x', 'ax', 'name'));
  });

  it('path globs: * stays in a segment, ** spans segments, no slash = base name', () => {
    assert.ok(matchGlob('plugins/**', 'plugins/a/b.wasm', 'path'));
    assert.ok(!matchGlob('plugins/*', 'plugins/a/b.wasm', 'path'));
    assert.ok(matchGlob('**/*.wasm', 'a.wasm', 'path'));
    assert.ok(matchGlob('**/*.wasm', 'x/y/a.wasm', 'path'));
    assert.ok(matchGlob('*.wasm', 'deep/dir/a.wasm', 'path'));
    assert.ok(matchGlob('src/**/*.wat', 'src\\a\\b.wat', 'path'));
  });

  it('reports malformed patterns with an offset', () => {
    assert.equal(globError('a{b,c', 'name')?.offset, 1);
    assert.equal(globError('ab}', 'name')?.offset, 2);
    assert.equal(globError('x[ab', 'name')?.offset, 1);
    assert.match(globError('a\\', 'name')!.message, /backslash/);
    assert.ok(globError('', 'path'));
    assert.equal(globError('env.*', 'name'), undefined);
  });

  it('escapeGlob makes an exact pattern', () => {
    const name = 'weird*name{1,2}[x]';
    assert.ok(matchGlob(escapeGlob(name), name, 'name'));
    assert.ok(!matchGlob(escapeGlob(name), 'weirdXname1', 'name'));
  });
});

describe('policy globs, harder cases', () => {
  it('nested alternatives, ranges, classes with escapes', () => {
    assert.ok(matchGlob('env.{log,trace{,_v2}}', 'env.trace_v2', 'name'));
    assert.ok(matchGlob('env.{log,trace{,_v2}}', 'env.trace', 'name'));
    assert.ok(!matchGlob('env.{log,trace{,_v2}}', 'env.trace_v3', 'name'));
    assert.ok(matchGlob('v[0-9].x', 'v7.x', 'name') && !matchGlob('v[0-9].x', 'va.x', 'name'));
    assert.ok(matchGlob('a[\\]]b', 'a]b', 'name'));
    assert.ok(matchGlob('a,b', 'a,b', 'name'), 'a comma outside braces is literal');
  });

  it('path globs: ** forms', () => {
    assert.ok(matchGlob('src/**/x.wat', 'src/x.wat', 'path'));
    assert.ok(matchGlob('src/**/x.wat', 'src/a/b/x.wat', 'path'));
    assert.ok(!matchGlob('src/**/x.wat', 'src/ax.wat', 'path'));
    assert.ok(matchGlob('**/node_modules/**', 'a/node_modules/b/c.wasm', 'path'));
    assert.ok(matchGlob('**/node_modules/**', 'node_modules/c.wasm', 'path'));
    assert.ok(!matchGlob('src/?.wat', 'src//.wat', 'path'));
  });

  it('stays fast on hostile patterns and names (no backtracking blow-up)', () => {
    const pattern = '*a'.repeat(30) + '*b';
    const name = 'a'.repeat(20_000);
    const t0 = process.hrtime.bigint();
    assert.equal(matchGlob(pattern, name, 'name'), false);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('limits brace expansion', () => {
    assert.match(globError('{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}', 'name')!.message, /alternatives/);
  });
});

/** A seeded generator of small integers and of words over a tiny alphabet (so overlaps and repeats are common). */
function seeded(start: number): { rand: (n: number) => number; word: (max: number, alphabet: string) => string } {
  let seed = start;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 16) % n;
  };
  const word = (max: number, alphabet: string) => Array.from({ length: rand(max + 1) }, () => alphabet[rand(alphabet.length)]).join('');
  return { rand, word };
}

test('name globs of literals and stars match exactly like the regular expression they spell', () => {
  const { rand, word } = seeded(12345);
  for (let i = 0; i < 20000; i++) {
    const pattern = word(6, 'ab**');
    if (pattern === '') continue;
    const text = word(7, 'ab');
    const re = new RegExp('^' + pattern.replace(/\./g, '\\.').replace(/\*+/g, '.*') + '$', 's');
    assert.equal(matchGlob(pattern, text, 'name'), re.test(text), `${JSON.stringify(pattern)} vs ${JSON.stringify(text)}`);
  }
});

test('an import matcher gives what firstMatch gives on the joined `module.name`, for frozen and unfrozen lists', () => {
  // the alphabet has the separator, so patterns end, branch and wildcard before, at and after the
  // module boundary
  const { rand, word } = seeded(777);
  const modules = ['', 'a', 'ab', 'a.b', 'b', 'ba', 'aa'];
  const fixed = ['a.*', 'ab.b', '*.a', 'a*', 'a.', '{a,b}.a*', '[ab]b.*', '?.?', 'a\\.b.*', 'a.b.*', 'ab', '*', '[', ''];
  for (let round = 0; round < 400; round++) {
    const patterns = [...fixed.filter(() => rand(3) === 0), ...Array.from({ length: 1 + rand(3) }, () => word(6, 'ab.*?'))];
    const frozen = importMatcher(Object.freeze([...patterns]))!;
    const plain = importMatcher([...patterns])!;
    for (let i = 0; i < 30; i++) {
      // grouped by module, as real import sections are, then jumping between them
      const module = modules[i < 15 ? Math.floor(i / 5) : rand(modules.length)];
      const name = word(4, 'ab.');
      const expected = firstMatch(patterns, `${module}.${name}`, 'name');
      const where = `${JSON.stringify(patterns)} vs ${JSON.stringify(`${module}.${name}`)}`;
      assert.equal(frozen.first(module, name), expected, `frozen: ${where}`);
      assert.equal(plain.first(module, name), expected, `plain: ${where}`);
    }
  }
  assert.equal(importMatcher(undefined), undefined);
  assert.equal(importMatcher(Object.freeze([])), undefined);
});
