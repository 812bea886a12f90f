/**
 * Seeded random inputs for the policy loader and the glob compiler (issue 23): 10,000 cases each per
 * run. The loader must never throw, list a bounded number of problems inside the text and agree with
 * itself on `ok`; an accepted glob must match exactly what a plain reference matcher (the documented
 * rules turned into a regular expression, on short texts) matches.
 *
 * The seed is printed; `WASM_WARDEN_FUZZ_SEED=<seed>` replays a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePolicy, POLICY_FILE_NAME } from '../../../server/src/engine/policy/load';
import { PolicyStore } from '../../../server/src/engine/policy/store';
import { globError, importMatcher, matchGlob, type GlobKind } from '../../../server/src/engine/policy/glob';
import { POLICY_MAX_DIAGNOSTICS } from '../../../server/src/engine/policy/limits';
import { prng as mulberry32 } from '../binary/wasm-fixtures';

const CASES = 10_000;
const SEED = Number(process.env.WASM_WARDEN_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`policy fuzz seed: ${SEED} (replay with WASM_WARDEN_FUZZ_SEED=${SEED})`);

/** The fixtures' mulberry32, with the helpers the cases are drawn with. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const word = (max: number, alphabet: string) => {
    let s = '';
    for (let i = int(max + 1); i > 0; i--) s += alphabet[int(alphabet.length)];
    return s;
  };
  return { next, int, pick, word };
}

// ---------------------------------------------------------------------------------------------
// The policy loader

const KEYS = ['imports', 'deny', 'allow', 'wasi', 'memory', 'maxPages', 'overrides', 'files', 'rules', 'exports', 'required',
  'forbidden', 'customSections', 'integrity', 'signature', 'trustedKeys', 'sandbox', 'dirs', '__proto__', 'include', 'x'];
const GLOBISH = 'ab.*?[]{},!^-\\/';

function randomValue(r: ReturnType<typeof prng>, depth: number): unknown {
  const roll = r.int(depth > 8 ? 6 : 9);
  switch (roll) {
    case 0: return r.int(2) === 0;
    case 1: return r.pick([0, 1, -1, 1.5, 2 ** 60, 256, 65536]);
    case 2: return null;
    case 3: case 4: return r.word(12, GLOBISH);
    case 5: return r.pick(['error', 'warning', 'off', 'info', 'env.*', 'wasi_snapshot_preview1.*', '**/*.wasm', 'a'.repeat(64)]);
    case 6: case 7: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--) o[r.pick(KEYS)] = randomValue(r, depth + 1);
      return o;
    }
    default: return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
  }
}

/** A policy-shaped text: a random structure, sometimes mutated, sometimes pure noise, now and then huge or deep. */
function randomPolicyText(r: ReturnType<typeof prng>): string {
  const kind = r.int(100);
  if (kind < 2) {
    // deep: past the limit or right around it
    const n = r.pick([63, 64, 65, 200, 5_000, 50_000]);
    const open = r.pick(['[', '{"a":', '{"imports":']);
    return open.repeat(n) + (r.int(2) ? ']'.repeat(n) : '');
  }
  if (kind < 3) {
    // big: many globs or many problems
    const n = r.pick([1_000, 12_000, 12_000, 60_000]);
    const item = r.pick(['"m.f*"', '1', '"{a,b}{c,d}{e,f}"', '"["', ',']);
    return `{ "imports": { "deny": [${Array(n).fill(item).join(',')}] } }`;
  }
  if (kind < 30) {
    // noise over the JSON alphabet, comments included
    const parts = ['{', '}', '[', ']', '"', ':', ',', '\\', '/', '*', '\n', ' ', '1', 'true', '//', '/*', '*/', '"imports"', '"deny"', '"a{b"'];
    return Array.from({ length: r.int(200) }, () => r.pick(parts)).join('');
  }
  let text = JSON.stringify(kind < 60 ? { imports: randomValue(r, 1), overrides: randomValue(r, 1) } : randomValue(r, 0), null, r.int(3));
  if (text === undefined) text = '';
  for (let m = r.int(4); m > 0; m--) {
    const at = r.int(text.length + 1);
    const op = r.int(3);
    const piece = r.pick(['{', '}', '[', ']', '"', ',', '//', '/*', '\\', '\n', 'x']);
    text = op === 0 ? text.slice(0, at) + piece + text.slice(at) : op === 1 ? text.slice(0, at) + text.slice(at + 1 + r.int(8)) : text.slice(0, at) + piece + text.slice(at + 1);
  }
  return text;
}

test(`the policy loader: ${CASES} random texts, never a throw, bounded problems, the last good policy kept`, () => {
  const r = prng(SEED);
  let text = '{ "imports": { "deny": ["env.*"] } }';
  const store = new PolicyStore({ roots: [os.tmpdir()], readText: () => text });
  const file = path.join(os.tmpdir(), POLICY_FILE_NAME);
  let lastGood = store.load(file).policy;
  let slowest = 0;
  const started = performance.now();
  for (let i = 0; i < CASES; i++) {
    text = randomPolicyText(r);
    const t0 = performance.now();
    let parsed: ReturnType<typeof parsePolicy>;
    try {
      parsed = parsePolicy(text);
    } catch (err) {
      assert.fail(`case ${i} (seed ${SEED}) threw ${(err as Error).stack}\ntext: ${JSON.stringify(text.slice(0, 300))}`);
    }
    slowest = Math.max(slowest, performance.now() - t0);
    const where = `case ${i} (seed ${SEED}): ${JSON.stringify(text.slice(0, 200))}`;
    assert.ok(parsed.diagnostics.length <= POLICY_MAX_DIAGNOSTICS + 1, where);
    for (const d of parsed.diagnostics) {
      assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length, `${where}: span ${JSON.stringify(d.span)}`);
      assert.ok(d.message.length < 600, `${where}: a ${d.message.length}-character message`);
    }
    assert.equal(parsed.ok, parsed.policy !== undefined && !parsed.diagnostics.some((d) => d.severity === 'error'), where);
    // every tenth case through the store too: a bad text never replaces the policy in force
    if (i % 10 === 0) {
      const loaded = store.load(file);
      if (parsed.ok) lastGood = loaded.policy;
      else assert.equal(loaded.policy, lastGood, where);
      assert.equal(loaded.stale, !parsed.ok, where);
    }
  }
  const total = performance.now() - started;
  console.log(`policy loader: ${CASES} cases in ${Math.round(total)} ms, slowest ${slowest.toFixed(1)} ms`);
  // generous bounds: the whole run is a few seconds; a hang or a quadratic case would blow through them
  assert.ok(total < 120_000, `took ${total} ms`);
  assert.ok(slowest < 10_000, `one case took ${slowest} ms`);
});

// ---------------------------------------------------------------------------------------------
// The glob compiler, against a reference

/** The `{}` alternatives of a pattern, written out (reference: plain recursion, small inputs only). */
function refExpand(p: string): string[] | undefined {
  // split the top level into literal chunks and brace groups
  let out = [''];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 >= p.length) return undefined;
      out = out.map((s) => s + p.slice(i, i + 2));
      i += 2;
    } else if (c === '[') {
      const close = refClassEnd(p, i);
      if (close < 0) return undefined;
      out = out.map((s) => s + p.slice(i, close + 1));
      i = close + 1;
    } else if (c === '{') {
      // find the matching close, then split its inside at top-level commas
      let depth = 0;
      let j = i;
      const commas: number[] = [];
      for (; j < p.length; j++) {
        if (p[j] === '\\') j++;
        else if (p[j] === '[') {
          const close = refClassEnd(p, j);
          if (close < 0) return undefined;
          j = close;
        } else if (p[j] === '{') depth++;
        else if (p[j] === '}' && --depth === 0) break;
        else if (p[j] === ',' && depth === 1) commas.push(j);
      }
      if (j >= p.length) return undefined;
      const bounds = [i, ...commas, j];
      const alts: string[] = [];
      for (let k = 0; k + 1 < bounds.length; k++) {
        const inner = refExpand(p.slice(bounds[k] + 1, bounds[k + 1]));
        if (!inner) return undefined;
        alts.push(...inner);
      }
      out = out.flatMap((s) => alts.map((a) => s + a));
      i = j + 1;
    } else if (c === '}') {
      return undefined;
    } else {
      out = out.map((s) => s + c);
      i++;
    }
  }
  return out;
}

function refClassEnd(p: string, open: number): number {
  let j = open + 1;
  if (p[j] === '!' || p[j] === '^') j++;
  if (p[j] === ']') j++;
  for (; j < p.length; j++) {
    if (p[j] === '\\') j++;
    else if (p[j] === ']') return j;
  }
  return -1;
}

const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;

/** One brace-free glob as a regular expression source. */
function refRegex(p: string, kind: GlobKind): string {
  const notSlash = kind === 'path' ? '[^/]' : '[\\s\\S]';
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') re += hex(p.charCodeAt(++i));
    else if (c === '?') re += notSlash;
    else if (c === '*') {
      let run = 1;
      while (p[i + 1] === '*') {
        i++;
        run++;
      }
      if (kind === 'name') re += '[\\s\\S]*';
      else if (run === 1) re += '[^/]*';
      else if (p[i + 1] === '/') {
        i++;
        re += '(?:[\\s\\S]*/)?';
      } else re += '[\\s\\S]*';
    } else if (c === '[') {
      const close = refClassEnd(p, i);
      let body = p.slice(i + 1, close);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      let set = '';
      for (let k = 0; k < body.length; k++) {
        let a = body[k];
        if (a === '\\' && k + 1 < body.length) a = body[++k];
        if (body[k + 1] === '-' && k + 2 < body.length) {
          let b = body[k + 2];
          let skip = 2;
          if (b === '\\' && k + 3 < body.length) {
            b = body[k + 3];
            skip = 3;
          }
          if (a.charCodeAt(0) <= b.charCodeAt(0)) set += `${hex(a.charCodeAt(0))}-${hex(b.charCodeAt(0))}`;
          k += skip;
        } else set += hex(a.charCodeAt(0));
      }
      const slash = kind === 'path' ? '(?!/)' : '';
      re += negate ? `${slash}[^${set}]` : set ? `${slash}[${set}]` : '(?!)';
      i = close;
    } else re += hex(c.charCodeAt(0));
  }
  return re;
}

/** The reference: does `text` match `pattern` (undefined when the reference cannot read the pattern)? */
function refMatch(pattern: string, text: string, kind: GlobKind): boolean | undefined {
  const alts = refExpand(pattern);
  if (!alts || pattern === '') return undefined;
  let subject = text;
  if (kind === 'path') {
    subject = text.replace(/\\/g, '/').replace(/^\.\//, '');
    if (!pattern.includes('/')) subject = subject.slice(subject.lastIndexOf('/') + 1);
  }
  return alts.some((a) => new RegExp(`^(?:${refRegex(a, kind)})$`).test(subject));
}

test(`the glob compiler: ${CASES} random globs, never a throw, matching agrees with the reference`, () => {
  const r = prng(SEED ^ 0x5eed);
  let accepted = 0;
  let matched = 0;
  let slowest = 0;
  const started = performance.now();
  for (let i = 0; i < CASES; i++) {
    const kind: GlobKind = r.int(2) ? 'name' : 'path';
    // mostly short globs over the metacharacters, now and then a long or hostile one
    const roll = r.int(100);
    const pattern =
      roll < 2 ? r.pick(['{'.repeat(2_000) + 'a' + '}'.repeat(2_000), '*a'.repeat(400) + '*b', '{a,b}'.repeat(12), '['.repeat(900), '\\'.repeat(1_025)])
      : roll < 10 ? r.word(60, GLOBISH + 'ab')
      : r.word(10, r.int(3) ? 'ab.*?{},' : GLOBISH);
    let ours = 0; // time in our code only (the reference's regular expressions backtrack)
    let t0 = performance.now();
    let error: ReturnType<typeof globError>;
    try {
      error = globError(pattern, kind);
    } catch (err) {
      assert.fail(`case ${i} (seed ${SEED}) threw on ${JSON.stringify(pattern.slice(0, 100))}: ${(err as Error).stack}`);
    }
    ours += performance.now() - t0;
    const texts = Array.from({ length: 6 }, () => r.word(9, kind === 'path' ? 'ab./' : 'ab.'));
    texts.push('a'.repeat(2_000) + 'b'); // long enough to expose backtracking
    for (const text of texts) {
      let got: boolean;
      t0 = performance.now();
      try {
        got = matchGlob(pattern, text, kind);
      } catch (err) {
        assert.fail(`case ${i} (seed ${SEED}) threw matching ${JSON.stringify(pattern)}: ${(err as Error).stack}`);
      }
      ours += performance.now() - t0;
      if (error) {
        assert.equal(got, false, `a refused glob matches nothing: ${JSON.stringify(pattern)}`);
        continue;
      }
      // the reference backtracks: long texts only against patterns with few stars
      if (text.length > 100 && (pattern.length > 40 || pattern.split('*').length > 3)) continue;
      const want = refMatch(pattern, text, kind);
      assert.notEqual(want, undefined, `case ${i} (seed ${SEED}): accepted ${JSON.stringify(pattern)} the reference cannot read`);
      assert.equal(got, want, `case ${i} (seed ${SEED}): ${kind} glob ${JSON.stringify(pattern)} vs ${JSON.stringify(text.slice(0, 40))}`);
      if (got) matched++;
      if (kind === 'name' && text.includes('.')) {
        // the import matcher (specialised per module) agrees too
        const dot = text.indexOf('.');
        const first = importMatcher(Object.freeze([pattern]))!.first(text.slice(0, dot), text.slice(dot + 1));
        assert.equal(first !== undefined, want, `case ${i} (seed ${SEED}): import matcher, ${JSON.stringify(pattern)} vs ${JSON.stringify(text)}`);
      }
    }
    if (!error) accepted++;
    slowest = Math.max(slowest, ours);
  }
  const total = performance.now() - started; // ours and the reference's
  console.log(`glob compiler: ${CASES} cases (${accepted} accepted, ${matched} matches) in ${Math.round(total)} ms, slowest ${slowest.toFixed(1)} ms`);
  assert.ok(accepted > CASES / 4 && matched > 1_000, 'the generator reaches the matchers');
  assert.ok(total < 120_000, `took ${total} ms`);
  assert.ok(slowest < 10_000, `one case took ${slowest} ms`);
});
