/**
 * The printer on the spec test suite: every valid module (`(module binary ...)` as written, text
 * modules encoded by wabt.js) prints, our parser reads the text back with no error, and wabt.js
 * assembles it to an equivalent module: printing the reassembled binary gives the same text (names
 * and custom sections aside: wabt writes neither back).
 */
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ByteSink, printModule, StringSink, type PrintOptions } from '../../../server/src/engine/print';
import { parseWat } from '../../../server/src/engine/wat';
import { WABT_FEATURES } from '../../../server/src/engine/toolchain/features';
import { CORPUS, corpusModules, type WastModule } from '../validate/wast-modules';

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;

/** Commands whose modules are valid (they are instantiated or linked). */
const VALID = new Set(['module', 'assert_unlinkable', 'assert_trap', 'assert_return', 'assert_exhaustion', 'register', 'invoke']);

function print(bytes: Uint8Array, options: PrintOptions = {}): { text: string; errors: string[] } {
  const sink = new StringSink();
  const r = printModule(bytes, sink, options);
  return { text: sink.text(), errors: r.diagnostics.map((d) => d.message) };
}

/** The text as a file gets it: through a `ByteSink` (bytes written without strings), decoded. */
function printBytes(bytes: Uint8Array, options: PrintOptions = {}): string {
  const chunks: Buffer[] = [];
  const sink = new ByteSink((b) => chunks.push(Buffer.from(b)), 4096);
  printModule(bytes, sink, options);
  sink.end();
  return Buffer.concat(chunks).toString('utf8');
}

function encode(wabt: Wabt, m: WastModule): Uint8Array | undefined {
  if (m.form === 'binary') return m.bytes;
  if (m.form !== 'text' || /\(ref\s/.test(m.text!)) return undefined;
  try {
    const mod = wabt.parseWat(`${m.file}.wat`, m.text!, WABT_FEATURES);
    try {
      const bytes = new Uint8Array(mod.toBinary({}).buffer);
      return wabtReadsBack(wabt, bytes) ? bytes : undefined;
    } finally {
      mod.destroy();
    }
  } catch {
    return undefined;
  }
}

/** Does wabt's own reader and validator take the bytes wabt wrote? (wabt.js writes some modules wrongly, e.g. a data segment's memory index) */
function wabtReadsBack(wabt: Wabt, bytes: Uint8Array): boolean {
  try {
    const mod = wabt.readWasm(bytes, { readDebugNames: false, ...WABT_FEATURES });
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

function assemble(wabt: Wabt, text: string): Uint8Array | string {
  try {
    const mod = wabt.parseWat('printed.wat', text, WABT_FEATURES);
    try {
      return new Uint8Array(mod.toBinary({}).buffer);
    } finally {
      mod.destroy();
    }
  } catch (e) {
    return (e as Error).message.split('\n').slice(0, 3).join(' | ');
  }
}

/**
 * Spellings of one segment that an assembler may encode either way (wabt picks the shortest): an
 * explicit `(table 0)` / `(memory 0)`, and function references as `funcref (item (ref.func N))...`.
 */
function normalize(text: string): string {
  return text
    .replace(/^( {2}\((?:elem|data) \(;\d+;\)) \((?:table|memory) 0\)/gm, '$1')
    .replace(/^( {2}\(elem .*?) funcref((?: \(item \(ref\.func \d+\)\))+)\)$/gm, (_, head: string, items: string) => `${head} func${items.replace(/ \(item \(ref\.func (\d+)\)\)/g, ' $1')})`);
}

test('spec test suite: every valid module prints, parses back with no error, and reassembles to an equivalent module', async () => {
  assert.ok(fs.existsSync(CORPUS), `spec test suite not found at ${CORPUS}`);
  const wabt = await (await import('wabt')).default();
  const counts = { binary: 0, text: 0, parsed: 0, reassembled: 0, equivalent: 0, foldedEquivalent: 0, wabtRefused: 0 };
  const parseFailures: string[] = [];
  const mismatches: string[] = [];
  const refused: string[] = [];
  for (const m of corpusModules()) {
    if (!VALID.has(m.command)) continue;
    const bytes = encode(wabt, m);
    if (!bytes) continue;
    counts[m.form === 'binary' ? 'binary' : 'text']++;
    const where = `${m.file}:${m.line}`;
    const named = print(bytes);
    assert.deepEqual(named.errors, [], `${where}: the printer reported problems in a valid module`);
    assert.equal(printBytes(bytes), named.text, `${where}: the text written as bytes differs from the text`);
    const parsed = parseWat(named.text);
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      parseFailures.push(`${where}: ${errors[0].message} at ${errors[0].span.start}: ${JSON.stringify(named.text.slice(Math.max(0, errors[0].span.start - 60), errors[0].span.start + 40))}`);
      continue;
    }
    counts.parsed++;
    const plain = print(bytes, { names: false, customSections: false });
    const again = assemble(wabt, plain.text);
    if (typeof again === 'string') {
      counts.wabtRefused++;
      refused.push(`${where}: ${again}`);
      continue;
    }
    if (!wabtReadsBack(wabt, again)) {
      counts.wabtRefused++;
      refused.push(`${where}: wabt.js wrote a module its own reader rejects`);
      continue;
    }
    counts.reassembled++;
    const second = print(again, { names: false, customSections: false });
    const strip = (t: string) => normalize(t.replace(/^ {2};; custom section .*\n/gm, ''));
    // the folded style with offsets: parses, and assembles to the same module
    const folded = print(bytes, { names: false, customSections: false, fold: true, offsets: true });
    const foldedErrors = parseWat(folded.text).diagnostics.filter((d) => d.severity === 'error');
    if (foldedErrors.length) parseFailures.push(`${where} (folded): ${foldedErrors[0].message}`);
    const fromFolded = assemble(wabt, folded.text);
    if (typeof fromFolded === 'string') mismatches.push(`${where}: the folded text did not assemble: ${fromFolded}`);
    else if (strip(print(fromFolded, { names: false, customSections: false }).text) !== strip(plain.text)) mismatches.push(`${where}: the folded text assembles to another module`);
    else counts.foldedEquivalent++;
    if (strip(second.text) === strip(plain.text)) counts.equivalent++;
    else {
      const a = strip(plain.text).split('\n');
      const b = strip(second.text).split('\n');
      const k = a.findIndex((l, i) => l !== b[i]);
      mismatches.push(`${where}: line ${k + 1}: ${JSON.stringify(a[k])} became ${JSON.stringify(b[k])}`);
    }
  }
  console.log(
    `spec print: ${counts.binary} binary + ${counts.text} text modules; parsed back ${counts.parsed}; reassembled by wabt.js ${counts.reassembled} (refused ${counts.wabtRefused}); equivalent ${counts.equivalent} (folded with offsets: ${counts.foldedEquivalent})`,
  );
  if (refused.length) console.log(`wabt.js refused (first 10):\n  ${refused.slice(0, 10).join('\n  ')}`);
  assert.deepEqual(parseFailures.slice(0, 10), [], `${parseFailures.length} printed modules did not parse back`);
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} reassembled modules differ`);
  assert.ok(counts.binary >= 80 && counts.text >= 1900, 'the corpus gave fewer modules than expected');
  assert.ok(counts.reassembled >= counts.parsed * 0.95, 'wabt.js refused more than 5% of the printed modules');
});

/** The part of binaryen.js used here (its WAT parser knows GC and typed references in today's encoding). */
interface BinaryenModule {
  setFeatures(f: number): void;
  emitBinary(): Uint8Array;
  validate(): number;
  dispose(): void;
}
interface Binaryen {
  parseText(text: string): BinaryenModule;
  Features: Record<string, number>;
}

function binaryenEncode(binaryen: Binaryen, text: string): Uint8Array | string {
  const f = binaryen.Features;
  const { log, error } = console;
  console.log = console.error = () => {};
  try {
    const mod = binaryen.parseText(text);
    try {
      mod.setFeatures(f.All & ~f.CustomDescriptors & ~f.CompactImports);
      if (!mod.validate()) return 'binaryen: invalid';
      return mod.emitBinary();
    } finally {
      mod.dispose();
    }
  } catch (e) {
    return `binaryen: ${String((e as Error)?.message ?? e).split('\n')[0]}`;
  } finally {
    console.log = log;
    console.error = error;
  }
}

test('spec test suite, typed references and GC: modules binaryen encodes print, parse back, and binaryen reads the text', async () => {
  const mod = await import(pathToFileURL(require.resolve('binaryen')).href);
  const binaryen = (mod.default ?? mod) as Binaryen;
  let encoded = 0;
  let accepted = 0;
  const parseFailures: string[] = [];
  const refused: string[] = [];
  const undecodable: string[] = [];
  let identicalTypes = 0;
  for (const m of corpusModules()) {
    if (m.command !== 'module' || m.form !== 'text' || !/\(ref\s/.test(m.text!)) continue;
    const bytes = binaryenEncode(binaryen, m.text!);
    if (typeof bytes === 'string') continue;
    encoded++;
    const where = `${m.file}:${m.line}`;
    const printed = print(bytes);
    if (printed.errors.length) {
      // binaryen writes some types in encodings of later proposals (exact references, 0x62) the instruction table does not know
      undecodable.push(`${where}: ${printed.errors[0]}`);
      continue;
    }
    const errors = parseWat(printed.text).diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) parseFailures.push(`${where}: ${errors[0].message}: ${JSON.stringify(printed.text.slice(errors[0].span.start - 40, errors[0].span.start + 40))}`);
    const again = binaryenEncode(binaryen, printed.text);
    if (typeof again !== 'string') accepted++;
    // binaryen's text parser runs without GC enabled and refuses two identical type definitions (valid: they are one type)
    else if (/distinct rec groups would be identical/.test(again)) identicalTypes++;
    else refused.push(`${where}: ${again}`);
  }
  console.log(`spec print (typed references, GC, via binaryen): ${encoded} modules; in encodings the decoder does not know ${undecodable.length}; binaryen read back ${accepted} (and refused ${identicalTypes} for repeating a type, which is valid)`);
  assert.ok(undecodable.length <= encoded * 0.1, `undecodable: ${undecodable.slice(0, 5).join('; ')}`);
  assert.ok(undecodable.every((u) => /heap type -30|value type 0x62/.test(u)), undecodable.join('; '));
  assert.deepEqual(parseFailures.slice(0, 10), [], `${parseFailures.length} printed modules did not parse back`);
  assert.deepEqual(refused.slice(0, 10), [], `${refused.length} printed modules binaryen could not read`);
  assert.ok(encoded >= 130, `only ${encoded} modules encoded`);
});
