/**
 * Conformance of the WAT assembler and of WAT validation through it, on the spec test suite (read in
 * place). Per text module:
 *  - a module the spec accepts is accepted (no diagnostic at all: no false positive);
 *  - when wasm-tools (jco, every proposal) and wabt.js also encode it, the binaries decode to the same
 *    module (compared as each tool's text of both binaries, names left out);
 *  - `assert_invalid` modules are rejected, `assert_malformed` text and quoted modules too.
 * Binary modules take the same path, written as `(module binary "...")`. Prints counts per assertion
 * kind and every skip with its reason; the floors fail a regression.
 * Set ASM_SPEC_VERBOSE=1 to print every miss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { validateWatText } from '../../../server/src/engine/validate/wat';
import { assembleWat } from '../../../server/src/engine/assemble';
import { WABT_FEATURES } from '../../../server/src/engine/toolchain/features';
import { CORPUS, corpusModules } from '../validate/wast-modules';
import { withoutNames } from './without-names';

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;

const VERBOSE = process.env.ASM_SPEC_VERBOSE === '1';

/** Floors: counts reached when the test was written (raise them as the assembler grows). */
const FLOORS: Record<string, number> = {
  'assert_invalid (text)': 2695,
  'assert_invalid (quote)': 6,
  'assert_invalid (binary)': 11,
  'assert_malformed (binary)': 711,
  'module (binary)': 88,
  'assert_malformed (quote)': 1229,
  'module (text)': 2148,
  'module (quote)': 7,
  'assert_trap (text)': 52,
  'assert_unlinkable (text)': 200,
  'module (text) encoded as wabt.js does': 1875,
  'module (text) encoded as wasm-tools does': 2144,
  'assert_unlinkable (text) encoded as wasm-tools does': 200,
  'assert_trap (text) encoded as wasm-tools does': 52,
};

function wabtBinary(wabt: Wabt, text: string): Uint8Array | undefined {
  try {
    const mod = wabt.parseWat('m.wat', text, WABT_FEATURES);
    try {
      return new Uint8Array(mod.toBinary({}).buffer);
    } finally {
      mod.destroy();
    }
  } catch {
    return undefined;
  }
}

function wabtText(wabt: Wabt, bytes: Uint8Array): string | undefined {
  try {
    const mod = wabt.readWasm(bytes, { readDebugNames: false, ...WABT_FEATURES });
    try {
      return mod.toText({ foldExprs: false, inlineExport: false });
    } finally {
      mod.destroy();
    }
  } catch (e) {
    return `unreadable: ${e instanceof Error ? e.message : e}`;
  }
}

test('spec test suite: the assembler and WAT validation accept, reject and encode as the spec says', async (t) => {
  assert.ok(fs.existsSync(CORPUS), `spec test suite not found at ${CORPUS}`);
  const wabt: Wabt = await (require('wabt') as typeof import('wabt'))();
  const modules = corpusModules();
  const counts = new Map<string, { passed: number; total: number }>();
  const count = (key: string, ok: boolean): void => {
    const c = counts.get(key) ?? { passed: 0, total: 0 };
    c.total++;
    if (ok) c.passed++;
    counts.set(key, c);
  };
  const skips = new Map<string, string[]>();
  const skip = (reason: string, where: string): void => {
    const l = skips.get(reason) ?? [];
    l.push(where);
    skips.set(reason, l);
  };
  const falsePositives: string[] = [];
  const misses: string[] = [];
  const different: string[] = [];
  for (const m of modules) {
    const where = `${m.file}:${m.line}`;
    // a binary module goes through the same path, written as `(module binary "...")`
    const text = m.form === 'binary' ? `(module binary "${[...m.bytes!].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('')}")` : m.text!;
    const reject = m.command === 'assert_invalid' || m.command === 'assert_malformed';
    const key = `${m.command} (${m.form})`;
    const diags = validateWatText(text);
    if (reject) {
      count(key, diags.length > 0);
      if (diags.length > 0) count(`${key} rejected by the ${diags[0].source}`, true);
      if (diags.length === 0) misses.push(`${where} ${key}: expected "${m.expected}"`);
      continue;
    }
    count(key, diags.length === 0);
    if (diags.length > 0) {
      falsePositives.push(`${where} ${key}: ${diags[0].message} @${diags[0].span.start} ${JSON.stringify(text.slice(diags[0].span.start, diags[0].span.end).slice(0, 60))}`);
      continue;
    }
    if (m.form !== 'text') continue;
    const ours = assembleWat(text).bytes;
    const tools = await wasmToolsEquivalent(text, ours);
    if (tools === undefined) skip('wasm-tools (jco) cannot encode or print it: no binary to compare with', where);
    else {
      count(`${m.command} (text) encoded as wasm-tools does`, tools === '');
      if (tools !== '') different.push(`${where} (wasm-tools): ${tools}`);
    }
    if (/\(ref\s/.test(text)) {
      skip('typed references: wabt.js writes and reads them in the pre-standard encoding (0x6b/0x6c)', where);
      continue;
    }
    if (/[^\x00-\x7f]/.test(text)) {
      skip('non-ASCII source text: wabt.js mangles it (it passes the text as Latin-1)', where);
      continue;
    }
    const theirs = wabtBinary(wabt, text);
    if (!theirs) {
      skip('wabt.js cannot encode it (typed references, GC, newer proposals): no binary to compare with', where);
      continue;
    }
    const a = wabtText(wabt, ours);
    const b = wabtText(wabt, theirs);
    if (b === undefined || b.startsWith('unreadable') || !wabtValidates(wabt, b)) {
      skip('wabt.js cannot read back what it wrote (its text of its own binary does not validate, e.g. data segments of memory 1+)', where);
      continue;
    }
    const same = a === b;
    count(`${m.command} (text) encoded as wabt.js does`, same);
    if (!same) different.push(`${where}: ${firstDifference(a ?? '', b)}`);
  }
  for (const [k, c] of [...counts].sort()) t.diagnostic(`${k}: ${c.passed}/${c.total}`);
  // per assertion kind, over its forms (text, quote, binary): the judgement each module got
  const perKind = new Map<string, { passed: number; total: number }>();
  for (const [k, c] of counts) {
    const m = /^(\S+) \((text|quote|binary)\)$/.exec(k);
    if (!m) continue;
    const e = perKind.get(m[1]) ?? { passed: 0, total: 0 };
    e.passed += c.passed;
    e.total += c.total;
    perKind.set(m[1], e);
  }
  for (const [k, c] of [...perKind].sort()) t.diagnostic(`${k}, all forms: ${c.passed}/${c.total}`);
  for (const [reason, list] of skips) t.diagnostic(`not compared (${list.length}), ${reason}: ${list.join(', ')}`);
  if (VERBOSE) {
    for (const x of misses) t.diagnostic(`not rejected: ${x}`);
    for (const x of different) t.diagnostic(`different: ${x}`);
    for (const x of falsePositives) t.diagnostic(`false positive: ${x}`);
  }
  assert.deepEqual(falsePositives, [], 'modules the spec accepts were flagged');
  assert.deepEqual(misses, [], 'invalid or malformed modules were accepted');
  assert.deepEqual(different, [], 'binaries differ from the reference encoders\'');
  for (const [k, floor] of Object.entries(FLOORS)) {
    const passed = counts.get(k)?.passed ?? 0;
    assert.ok(passed >= floor, `${k}: ${passed} passed, below the floor of ${floor}`);
  }
});

type Jco = { parse(text: string): Promise<Uint8Array> | Uint8Array; print(bytes: Uint8Array): Promise<string> | string };
let jco: Jco | undefined;

/** '' when wasm-tools (jco) encodes `text` to the same module as `ours` (both printed without names), else the first difference; undefined when it cannot. */
async function wasmToolsEquivalent(text: string, ours: Uint8Array): Promise<string | undefined> {
  jco ??= (await import('@bytecodealliance/jco')) as unknown as Jco;
  let b: string;
  try {
    b = await jco.print(withoutNames(await jco.parse(text)));
  } catch {
    return undefined;
  }
  let a: string;
  try {
    a = await jco.print(withoutNames(ours));
  } catch (e) {
    a = `unprintable: ${e instanceof Error ? e.message : e}`;
  }
  return a === b ? '' : firstDifference(a, b);
}

/** Does wabt.js accept (parse and validate) a text? */
function wabtValidates(wabt: Wabt, text: string): boolean {
  try {
    const mod = wabt.parseWat('m.wat', text, WABT_FEATURES);
    try {
      mod.validate();
      return true;
    } finally {
      mod.destroy();
    }
  } catch {
    return false;
  }
}

function firstDifference(a: string, b: string): string {
  const al = a.split('\n');
  const bl = b.split('\n');
  for (let k = 0; k < Math.max(al.length, bl.length); k++) {
    if (al[k] !== bl[k]) return `line ${k + 1}: ours ${JSON.stringify(al[k]?.trim())} wabt ${JSON.stringify(bl[k]?.trim())}`;
  }
  return 'same lines';
}
