/**
 * Conformance of the binary validator on the spec test suite: every module of every `.wast` script,
 * binary modules as written, text modules encoded by wabt.js (`parseWat(...).toBinary({})`, without
 * wabt's validation: wabt is only the encoder here), and valid text modules wabt cannot encode (typed
 * references, GC) by binaryen.js. Modules of `assert_invalid` must be rejected,
 * `assert_malformed` binary modules too, every other module accepted.
 *
 * Prints the counts per assertion kind and every skip with its reason. Fails when a module the spec
 * accepts is rejected, or when the counts fall below the floors measured when this test was written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { validateWasm } from '../../../server/src/engine/validate/module-validator';
import { WABT_FEATURES } from '../../../server/src/engine/toolchain/features';
import { CORPUS, corpusModules, type WastModule } from './wast-modules';

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;

/** The part of binaryen.js this test uses: its WAT parser (GC and typed references in today's encoding). */
interface BinaryenModule {
  setFeatures(f: number): void;
  emitBinary(): Uint8Array;
  validate(): number;
  dispose(): void;
}
interface Binaryen {
  parseText(text: string): BinaryenModule;
  readBinary(bytes: Uint8Array): BinaryenModule;
  Features: Record<string, number>;
}

/** binaryen.js is ESM only (with top-level await): imported by URL, as the toolchain worker does. */
async function loadBinaryen(): Promise<Binaryen> {
  const mod = await import(pathToFileURL(require.resolve('binaryen')).href);
  return (mod.default ?? mod) as Binaryen;
}

/**
 * Valid text modules wabt.js cannot encode (typed references, GC) are encoded by binaryen.js instead,
 * with every feature but those whose newer encodings the validator does not read (exact types of
 * custom descriptors, compact imports). Only modules the spec accepts: binaryen's parser checks and
 * rewrites, so its output says nothing about an invalid module.
 */
function binaryenEncode(binaryen: Binaryen, text: string): Uint8Array | undefined {
  const f = binaryen.Features;
  try {
    const mod = binaryen.parseText(text);
    try {
      mod.setFeatures(f.All & ~f.CustomDescriptors & ~f.CompactImports);
      return mod.emitBinary();
    } finally {
      mod.dispose();
    }
  } catch {
    return undefined;
  }
}

/** Rejections expected of a correct validator: by assertion. */
const MUST_REJECT = new Set(['assert_invalid', 'assert_malformed']);

/** Floors: passed counts measured when the test was written (raise them as the validator grows). */
const FLOORS: Record<string, number> = {
  'assert_invalid (binary)': 11,
  'assert_invalid (text)': 2544,
  'assert_malformed (binary)': 711,
  'module (binary)': 88,
  'module (text)': 1936,
  'assert_unlinkable (text)': 158,
  'assert_trap (text)': 40,
  'module (text via binaryen)': 169,
  'assert_unlinkable (text via binaryen)': 42,
};

/** Why a module is not checked, or undefined when it is (with its bytes). */
function encode(wabt: Wabt, m: WastModule): { bytes?: Uint8Array; skip?: string } {
  if (m.form === 'binary') return { bytes: m.bytes };
  if (m.form === 'quote') return { skip: 'quoted text module: a text-format test, for the WAT front end (not this binary validator)' };
  if (/\(ref\s/.test(m.text!)) return { skip: 'typed references: wabt.js writes them in the pre-standard encoding (0x6b/0x6c)' };
  try {
    const mod = wabt.parseWat(`${m.file}.wat`, m.text!, WABT_FEATURES);
    try {
      return { bytes: new Uint8Array(mod.toBinary({}).buffer) };
    } finally {
      mod.destroy();
    }
  } catch {
    return { skip: 'wabt.js cannot parse or encode it' };
  }
}

/** Does binaryen's own reader and validator reject the bytes binaryen wrote (a binaryen bug)? Its messages are silenced. */
function binaryenRejectsItsOwn(binaryen: Binaryen, bytes: Uint8Array): boolean {
  const { log, error } = console;
  console.log = console.error = () => {};
  try {
    const mod = binaryen.readBinary(bytes);
    try {
      mod.setFeatures(binaryen.Features.All);
      return !mod.validate();
    } finally {
      mod.dispose();
    }
  } catch {
    return true;
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** Does wabt's own reader and validator reject the bytes wabt wrote (a wabt encoding bug)? */
function wabtRejectsItsOwn(wabt: Wabt, bytes: Uint8Array): boolean {
  try {
    const mod = wabt.readWasm(bytes, { readDebugNames: false, ...WABT_FEATURES });
    try {
      mod.validate();
      return false;
    } finally {
      mod.destroy();
    }
  } catch {
    return true;
  }
}

test('spec test suite: the binary validator accepts and rejects as the spec says', async (t) => {
  assert.ok(fs.existsSync(CORPUS), `spec test suite not found at ${CORPUS}`);
  const wabt: Wabt = await (require('wabt') as typeof import('wabt'))();
  const binaryen = await loadBinaryen();
  const modules = corpusModules();
  assert.ok(modules.length > 5000, `only ${modules.length} modules found`);
  const counts = new Map<string, { passed: number; total: number }>();
  const skips = new Map<string, string[]>();
  const falseRejections: string[] = [];
  const missedRejections: string[] = [];
  for (const m of modules) {
    const where = `${m.file}:${m.line}`;
    let { bytes, skip } = encode(wabt, m);
    const reject = MUST_REJECT.has(m.command);
    let form: string = m.form;
    if (!bytes && m.form === 'text' && !reject) {
      bytes = binaryenEncode(binaryen, m.text!);
      if (bytes) form = 'text via binaryen';
      else skip = `${skip}; binaryen.js cannot parse it either`;
    }
    let verdict = bytes ? validateWasm(bytes) : undefined;
    if (verdict && !reject && !verdict.valid && form === 'text' && wabtRejectsItsOwn(wabt, bytes!)) {
      skip = 'wabt.js writes bytes its own reader rejects (an encoding bug of wabt.js)';
      verdict = undefined;
    }
    if (verdict && !verdict.valid && form === 'text via binaryen') {
      if (/heap type -30\b/.test(verdict.finding!.message)) {
        skip = 'binaryen.js writes exact reference types (0x62, the custom-descriptors proposal), outside this validator';
        verdict = undefined;
      } else if (binaryenRejectsItsOwn(binaryen, bytes!)) {
        skip = 'binaryen.js writes bytes its own validator rejects (a bug of binaryen.js)';
        verdict = undefined;
      }
    }
    if (!verdict) {
      const list = skips.get(skip!) ?? [];
      list.push(`${where} (${m.command})`);
      skips.set(skip!, list);
      continue;
    }
    const key = `${m.command} (${form})`;
    const c = counts.get(key) ?? { passed: 0, total: 0 };
    c.total++;
    if (verdict.valid !== reject) c.passed++;
    else if (reject) missedRejections.push(`${where} ${key}: expected "${m.expected}"`);
    else falseRejections.push(`${where} ${key}: ${verdict.finding!.message}`);
    counts.set(key, c);
  }
  for (const [key, c] of [...counts].sort()) t.diagnostic(`${key}: ${c.passed}/${c.total}`);
  for (const [reason, list] of skips) t.diagnostic(`not judged (${list.length}), ${reason}: ${list.join(', ')}`);
  for (const m of missedRejections) t.diagnostic(`not rejected: ${m}`);
  assert.deepEqual(falseRejections, [], 'modules the spec accepts were rejected');
  assert.deepEqual(missedRejections, [], 'invalid or malformed modules were accepted');
  for (const [key, floor] of Object.entries(FLOORS)) {
    const passed = counts.get(key)?.passed ?? 0;
    assert.ok(passed >= floor, `${key}: ${passed} passed, below the floor of ${floor}`);
  }
});
