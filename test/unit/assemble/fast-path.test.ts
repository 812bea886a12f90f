/**
 * assembleWat's fast path (function bodies encoded straight from the tokens, no syntax tree for them:
 * assemble/token-body-encoder.ts) against the full path (the whole tree, the tree encoder): for every
 * text module of the spec test suite, its flat form as wabt.js prints it (the form the fast path is
 * made for) and mutations of that flat form (tokens dropped, repeated, swapped, numbers pushed out of
 * range), both paths give the same bytes, the same source map and the same diagnostics. The fast path
 * must also take a good share of them (it is not allowed to leave everything to the full path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { assembleModule, assembleWat, assembleWithoutBodyTrees, type Assembly } from '../../../server/src/engine/assemble';
import { parse } from '../../../server/src/engine/wat/parser';
import type { Root } from '../../../server/src/engine/wat/syntax';
import { tokensOf, type KeptTokens } from '../../../server/src/engine/wat/tree-builder';
import { parseWat } from '../../../server/src/engine/wat';
import { reparseWat } from '../../../server/src/engine/wat/incremental';
import { ModuleAssembler } from '../../../server/src/engine/assemble/module-assembler';
import type { EngineDiagnostic } from '../../../server/src/engine/diagnostic';
import { lex, TokenKind, type TokenStream } from '../../../server/src/engine/wat/lexer';
import { WABT_FEATURES } from '../../../server/src/engine/toolchain/features';
import { CORPUS, corpusModules } from '../validate/wast-modules';

/** V8's verdict (the DOM lib's WebAssembly types are not loaded in the tests' compilation) */
const v8Validate = (b: Uint8Array): boolean => (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(b);

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;

function fullPath(text: string, names: boolean): Assembly {
  const { root, diagnostics } = parse(text, { script: false });
  const a = assembleModule(text, root, root.modules[0], { names });
  return { bytes: a.bytes, map: a.map, diagnostics: [...diagnostics, ...a.diagnostics] };
}

function mapEntries(a: Assembly): number[][] {
  const m = a.map;
  const out: number[][] = [];
  for (let k = 0; k < m.count; k++) out.push([m.offsets[k], m.starts[k], m.ends[k]]);
  return out;
}

/** wabt.js's flat text of a module (wasm2wat's style), or undefined when it cannot encode it. */
function flatText(wabt: Wabt, text: string): string | undefined {
  try {
    const m = wabt.parseWat('m.wat', text, WABT_FEATURES);
    try {
      m.resolveNames();
      const bin = m.toBinary({ write_debug_names: true }).buffer;
      const back = wabt.readWasm(bin, { readDebugNames: true, ...WABT_FEATURES });
      try {
        back.applyNames();
        return back.toText({ foldExprs: false, inlineExport: false });
      } finally {
        back.destroy();
      }
    } finally {
      m.destroy();
    }
  } catch {
    return undefined;
  }
}

/** A small deterministic PRNG (mutations are the same on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Mutations of `text` at random tokens: dropped, doubled, replaced by another token of the text, numbers out of range. */
function mutations(text: string, seed: number, n: number): string[] {
  const ts = lex(text);
  if (ts.count < 4) return [];
  const r = rng(seed);
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const t = Math.floor(r() * ts.count);
    const s = ts.starts[t];
    const e = ts.ends[t];
    const other = Math.floor(r() * ts.count);
    const o = text.slice(ts.starts[other], ts.ends[other]);
    switch (k % 5) {
      case 0:
        out.push(text.slice(0, s) + text.slice(e));
        break;
      case 1:
        out.push(text.slice(0, e) + ' ' + text.slice(s, e) + text.slice(e));
        break;
      case 2:
        out.push(text.slice(0, s) + o + text.slice(e));
        break;
      case 3: {
        // a number made large, negative or a float
        let u = t;
        while (u < ts.count && ts.kinds[u] !== TokenKind.Int) u++;
        if (u === ts.count) break;
        const big = ['4294967296', '-2147483649', '18446744073709551616', '0x1_0000_0000', '1.5', '-0', '99999999999'][Math.floor(r() * 7)];
        out.push(text.slice(0, ts.starts[u]) + big + text.slice(ts.ends[u]));
        break;
      }
      case 4:
        out.push(text.slice(0, s) + ['end', 'else', 'block', 'if', '(', ')', '$x', 'offset=4', 'align=3', '(type 0)', '(result i32)'][Math.floor(r() * 11)] + ' ' + text.slice(s));
        break;
    }
  }
  return out;
}

test('assembleWat: the fast path gives what the full path gives (bytes, source map, diagnostics)', async (t) => {
  assert.ok(fs.existsSync(CORPUS), `spec test suite not found at ${CORPUS}`);
  const wabt: Wabt = await (require('wabt') as typeof import('wabt'))();
  let compared = 0;
  let fast = 0;
  let flat = 0;
  let flatFast = 0;
  const differences: string[] = [];
  const compare = (text: string, where: string, names: boolean): boolean => {
    const a = assembleWat(text, { names });
    const b = fullPath(text, names);
    compared++;
    const took = assembleWithoutBodyTrees(text, { names }) !== undefined;
    if (took) fast++;
    if (took && b.diagnostics.length > 0) differences.push(`${where}: the fast path took a text the full path rejects (${b.diagnostics[0].message})`);
    try {
      assert.deepEqual(a.diagnostics, b.diagnostics);
      assert.deepEqual(Buffer.from(a.bytes), Buffer.from(b.bytes));
      assert.deepEqual(mapEntries(a), mapEntries(b));
    } catch (e) {
      differences.push(`${where}: ${(e as Error).message.split('\n')[0]}`);
    }
    return took;
  };
  let seed = 1;
  for (const m of corpusModules()) {
    if (m.form !== 'text' || m.text === undefined) continue;
    const where = `${m.file}:${m.line}`;
    compare(m.text, where, true);
    if (m.command === 'assert_invalid' || m.command === 'assert_malformed') continue;
    const f = flatText(wabt, m.text);
    if (f === undefined) continue;
    flat++;
    if (compare(f, `${where} (flat)`, seed % 2 === 0)) flatFast++;
    for (const v of mutations(f, seed++, 6)) compare(v, `${where} (flat, mutated)`, true);
  }
  t.diagnostic(`${compared} texts compared, ${fast} through the fast path; ${flatFast}/${flat} flat texts through the fast path`);
  assert.deepEqual(differences.slice(0, 20), []);
  // the flat texts of the suite are mostly plain code: most must go through the fast path
  assert.ok(flatFast >= flat * 0.6, `only ${flatFast}/${flat} flat texts took the fast path`);
});

/** `text` takes the fast path, with the full path's bytes and source map, and V8 accepts the module. */
function assertFastAndValid(text: string): void {
  const a = assembleWithoutBodyTrees(text, { names: true });
  assert.ok(a, 'the fast path took it');
  const b = fullPath(text, true);
  assert.deepEqual(b.diagnostics, []);
  assert.deepEqual(Buffer.from(a.bytes), Buffer.from(b.bytes));
  assert.deepEqual(mapEntries(a), mapEntries(b));
  assert.ok(v8Validate(a.bytes), 'V8 accepts the module');
}

test('assembleWat: a flat module with blocks, labels, memargs and calls takes the fast path', () => {
  const text = `(module
  (type (;0;) (func (param i32 i64) (result i32)))
  (memory 1)
  (table 1 funcref)
  (global $g (mut i32) (i32.const 0))
  (func $f (type 0) (param $a i32) (param i64) (result i32)
    (local i32 f64)
    block $out (result i32)
      loop $l
        local.get $a
        i32.load8_u offset=16 align=1
        local.set 2
        i32.const 7
        local.get 2
        br_if $out
        drop
        local.get 0
        i32.const -2147483648
        i32.add
        local.tee 2
        global.set $g
        local.get 0
        local.get 1
        i64.const -1
        i64.add
        i64.store offset=8
        f64.const 0x1p-3
        local.set 3
        memory.size
        memory.grow
        drop
        local.get 2
        br_table 0 $l 0
      end
      i32.const 5
      if (result i32)
        i32.const 1
      else
        i32.const 2
        i64.const 0
        i32.const 0
        call_indirect (type 0)
      end
    end)
  (export "f" (func $f)))`;
  assertFastAndValid(text);
});

test('assembleWat: a memarg offset up to 2^32 - 1 takes the fast path (emscripten loads at -4 from 0); past it, the full path', () => {
  for (const offset of ['4294967292', '4294967295', '1000000000']) {
    const text = `(module (memory 1) (func (result i32) i32.const 0 i32.load offset=${offset}))`;
    const a = assembleWithoutBodyTrees(text, { names: true });
    assert.ok(a, `offset=${offset}: the fast path took it`);
    const b = fullPath(text, true);
    assert.deepEqual(b.diagnostics, []);
    assert.deepEqual(Buffer.from(a.bytes), Buffer.from(b.bytes));
    assert.deepEqual(mapEntries(a), mapEntries(b));
  }
  assert.equal(assembleWithoutBodyTrees('(module (memory 1) (func (result i32) i32.const 0 i32.load offset=4294967296))', { names: true }), undefined);
});

test('assembleWat: legacy exceptions in the flat form (emscripten C++ code) take the fast path, and their mutations give what the full path gives', () => {
  // try/catch/catch_all/delegate/rethrow/throw, named and numeric labels, labels repeated after
  // catch_all and end, delegate to an outer try and to the function
  const text = `(module
  (type (func (param i32) (result i32)))
  (tag $e (param i32)) (tag $f)
  (func $g (type 0) (param i32) (result i32)
    try $outer (result i32)
      try
        local.get 0
        throw $e
      catch $e
        drop
        try
          call $h
        delegate $outer
        rethrow 0
      catch_all
        rethrow 0
      end
      i32.const 1
    catch $e
    catch_all $outer
      i32.const 2
    end $outer)
  (func $h
    try
      nop
    delegate 0
    block $b
      try $t
        br 1
      catch 1
        rethrow $t
      catch_all
        br $b
      end $t
    end))`;
  assertFastAndValid(text);
  // misplaced clauses (catch outside a try, delegate closing a block, else in a try...) and other
  // mutations: whatever path takes them, the result is the full path's
  const differences: string[] = [];
  let compared = 0;
  const extra = ['catch $e', 'catch_all', 'delegate 0', 'rethrow 1', 'try', 'else', 'end', 'throw $f', 'catch 7', 'delegate $nope'];
  for (let seed = 1; seed <= 150; seed++) {
    const variants = mutations(text, seed, 4);
    const r = rng(seed * 7919);
    const ts = lex(text);
    const t = Math.floor(r() * ts.count);
    variants.push(text.slice(0, ts.starts[t]) + extra[Math.floor(r() * extra.length)] + ' ' + text.slice(ts.starts[t]));
    for (const v of variants) {
      compared++;
      const x = assembleWat(v, { names: true });
      const y = fullPath(v, true);
      try {
        assert.deepEqual(x.diagnostics, y.diagnostics);
        assert.deepEqual(Buffer.from(x.bytes), Buffer.from(y.bytes));
        assert.deepEqual(mapEntries(x), mapEntries(y));
      } catch (e) {
        differences.push(`seed ${seed}: ${(e as Error).message.split('\n')[0]}\n${v}`);
      }
    }
  }
  assert.deepEqual(differences.slice(0, 3), [], `${differences.length} of ${compared} mutated texts differ`);
});

/**
 * The first module of a parsed text assembled from the tree alone and with `tokens` beside it: asserts
 * the same bytes, source map and diagnostics; returns how many bodies came from the tokens.
 */
function assembledAsFromTree(text: string, root: Root, tokens: TokenStream): number {
  const m = root.modules[0];
  const d1: EngineDiagnostic[] = [];
  const d2: EngineDiagnostic[] = [];
  const tree = new ModuleAssembler(text, m, root.customAnnotations, d1, true).run();
  const byTokens = new ModuleAssembler(text, m, root.customAnnotations, d2, true, { tokens });
  const hinted = byTokens.run();
  assert.deepEqual(d2, d1);
  assert.deepEqual(Buffer.from(hinted.bytes), Buffer.from(tree.bytes));
  assert.deepEqual(mapEntries({ ...hinted, diagnostics: [] }), mapEntries({ ...tree, diagnostics: [] }));
  return byTokens.bodiesFromTokens;
}

test('validation encodes a parsed text\'s bodies from its tokens where it can, else from the tree: the same bytes, source map and diagnostics as the tree alone', async (t) => {
  const wabt: Wabt = await (require('wabt') as typeof import('wabt'))();
  let compared = 0;
  let fromTokens = 0;
  const differences: string[] = [];
  const compare = (text: string, where: string): void => {
    const { root, diagnostics } = parse(text, { script: false });
    if (diagnostics.some((d) => d.severity === 'error') || root.modules[0]?.form !== 'text') return;
    const tokens = tokensOf(root, text);
    assert.ok(tokens, 'a whole parse keeps its tokens');
    compared++;
    try {
      if (assembledAsFromTree(text, root, tokens) > 0) fromTokens++;
    } catch (e) {
      differences.push(`${where}: ${(e as Error).message.split('\n')[0]}`);
    }
  };
  for (const m of corpusModules()) {
    if (m.form !== 'text' || m.text === undefined || m.command === 'assert_invalid' || m.command === 'assert_malformed') continue;
    compare(m.text, `${m.file}:${m.line}`);
    const f = flatText(wabt, m.text);
    if (f === undefined) continue;
    compare(f, `${m.file}:${m.line} (flat)`);
    // mutated (unknown ids, misplaced else/end, numbers out of range...: a token encoding that stops
    // half-way is taken back)
    for (const v of mutations(f, compared, 2)) compare(v, `${m.file}:${m.line} (flat, mutated)`);
  }
  // another text, or a tree reparsed in part, has no tokens to give (and keeps none)
  const { root } = parse('(module (func nop))', { script: false });
  assert.equal(tokensOf(root, '(module (func nop nop))'), undefined);
  const before = '(module (func $a nop) (func $b nop))';
  const doc = parseWat(before);
  assert.ok(tokensOf(doc.tree, before));
  let full = false;
  const after = reparseWat(doc, { start: before.indexOf('nop'), end: before.indexOf('nop') + 3, text: 'drop' }, { onFullParse: () => (full = true) });
  assert.equal(full, false, 'the edit was reparsed in part');
  assert.equal(after.tree, doc.tree, 'the same tree, reparsed in part');
  assert.equal(tokensOf(doc.tree, before), undefined);
  assert.equal(tokensOf(after.tree, after.text), undefined);
  t.diagnostic(`${compared} texts compared, ${fromTokens} with bodies from the tokens`);
  assert.ok(fromTokens > compared / 4, `only ${fromTokens}/${compared} texts had their bodies from the tokens`);
  assert.deepEqual(differences.slice(0, 20), []);
});

test('a whole parse keeps the word it interned for each keyword and $id token, and the token encoder reads instructions and ids by it: an id too long to intern is read from the text, with the same result', () => {
  const long = '$a_label_name_longer_than_the_forty_characters_interned';
  const text = `(module
  (func $f (param $x i32) (result i32)
    block ${long} (result i32)
      local.get $x
      br_if ${long}
      local.get $x
      i32.const 1
      i32.add
    end ${long}
    call $f)
  (func ${long} (result i32) i32.const 7 call ${long} drop i32.const 0))`;
  const { root, diagnostics } = parse(text, { script: false });
  assert.deepEqual(diagnostics, []);
  const tokens = tokensOf(root, text)!;
  let interned = 0;
  for (let t = 0; t < tokens.count; t++) {
    const kind = tokens.kinds[t];
    const word = tokens.wordOf[t];
    const own = text.slice(tokens.starts[t], tokens.ends[t]);
    if (kind !== TokenKind.Keyword && kind !== TokenKind.Id) {
      assert.equal(word, 0, `${own}: not a keyword or id, no word`);
    } else if (own.length > 40) {
      assert.equal(word, 0, `${own}: too long to intern`);
    } else {
      assert.equal(tokens.words[word - 1], own, `token ${t}: its word is its text`);
      interned++;
    }
  }
  assert.ok(interned > 20);
  assert.equal(assembledAsFromTree(text, root, tokens), 2, 'both bodies from the tokens, by their words');
  // without the words, the encoder reads the same from the text
  const noWords: KeptTokens = { ...tokens, wordOf: new Uint16Array(tokens.count) };
  assert.equal(assembledAsFromTree(text, root, noWords), 2, 'both bodies from the tokens, by their text');
});
