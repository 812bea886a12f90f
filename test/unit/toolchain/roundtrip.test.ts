/**
 * compile -> disassemble -> compile on plain `(module ...)` texts from the spec test suite
 * (`../shared/corpus/spec-testsuite` relative to the project root; skipped when absent).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileWat, disassemble, shutdownToolchain, validateWasm } from '../../../server/src/engine/toolchain/index';

after(() => shutdownToolchain());

const ROOT = path.resolve(__dirname, '../../..');
const SUITE = path.resolve(ROOT, '../shared/corpus/spec-testsuite');

/** Top-level `(module ...)` forms (not `binary`/`quote`/`definition` ones), by a balanced-paren scan. */
export function extractModules(src: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === '\\') i++;
    } else if (c === ';' && src[i + 1] === ';') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '(' && src[i + 1] === ';') {
      let nest = 1;
      for (i += 2; i < src.length && nest > 0; i++) {
        if (src[i] === '(' && src[i + 1] === ';') (nest++, i++);
        else if (src[i] === ';' && src[i + 1] === ')') (nest--, i++);
      }
      i--;
    } else if (c === '(') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0 && start >= 0) {
        const form = src.slice(start, i + 1);
        if (/^\(module\b/.test(form) && !/^\(module\s+(?:\$\S+\s+)?(?:binary|quote|definition|instance)\b/.test(form)) out.push(form);
        start = -1;
      }
      if (depth < 0) depth = 0;
    }
  }
  return out;
}

test('balanced-paren extraction skips strings, comments and binary/quote modules', () => {
  const src = '(module $a (func (export ")(")))\n;; (module (x))\n(; (module) ;)\n(module binary "\\00asm")\n(assert_invalid (module (func)) "x")\n(module)';
  assert.deepEqual(extractModules(src), ['(module $a (func (export ")(")))', '(module)']);
});

test('spec suite: compile -> disassemble -> compile round trips', { skip: !fs.existsSync(SUITE) && `spec test suite not found at ../shared/corpus/spec-testsuite` }, async () => {
  const files = fs.readdirSync(SUITE).filter((f) => f.endsWith('.wast')).sort();
  const sample: { file: string; text: string }[] = [];
  for (const f of files) {
    const mods = extractModules(fs.readFileSync(path.join(SUITE, f), 'utf8')).filter((m) => m.length < 50_000);
    for (const text of mods.slice(0, 2)) sample.push({ file: f, text });
  }
  const counts = { sampled: sample.length, compiled: 0, compileFailed: 0, identical: 0, sameValidity: 0, disassembleFailed: 0, mismatch: 0 };
  const problems: string[] = [];
  for (const { file, text } of sample) {
    const a = await compileWat(text, { timeoutMs: 5000 });
    if (!a.bytes) {
      counts.compileFailed++;
      continue;
    }
    counts.compiled++;
    const d = await disassemble(a.bytes);
    if (d.text === undefined) {
      counts.disassembleFailed++;
      problems.push(`${file}: disassemble: ${d.diagnostics[0]?.message}`);
      continue;
    }
    const b = await compileWat(d.text, { timeoutMs: 5000 });
    if (b.bytes && Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes)) === 0) {
      counts.identical++;
      continue;
    }
    const va = (await validateWasm(a.bytes)).valid;
    const vb = b.bytes ? (await validateWasm(b.bytes)).valid : false;
    if (va === vb) counts.sameValidity++;
    else {
      counts.mismatch++;
      problems.push(`${file}: recompile: ${b.diagnostics[0]?.message ?? 'validity differs'}`);
    }
  }
  console.log(`spec round trip: ${JSON.stringify(counts)}`);
  if (problems.length) console.log(problems.slice(0, 10).join('\n'));
  assert.ok(counts.compiled >= 100, `only ${counts.compiled} modules compiled: ${JSON.stringify(counts)}`);
  // wabt.js 1.0.39 itself fails on a few multi-memory modules (it writes data segments that neither
  // it, Debian's wasm2wat nor binaryen read back) and on a few names: allow up to 3 %
  assert.ok(counts.disassembleFailed + counts.mismatch <= Math.ceil(counts.compiled * 0.03), problems.join('\n'));
  assert.ok(counts.identical >= counts.compiled * 0.9, JSON.stringify(counts));
});
