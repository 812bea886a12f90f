/**
 * The lints on every valid text module of the spec suite (`../shared/corpus/spec-testsuite`): they
 * never throw, and what they claim is checked against an independent judge where one exists.
 * binaryen's `remove-unused-module-elements` pass removes every function and global that nothing
 * reachable from the exports, the start function or the segments uses: each function or global
 * our lints call unused must be among what it removes (a lint that calls a used item unused is a
 * false positive). Prints counts per lint, and the modules binaryen cannot read (skipped, with why).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseWat } from '../../../server/src/engine/wat';
import { LINTS, lintDocument, lintSeverities } from '../../../server/src/engine/lints';
import { CORPUS, corpusModules } from '../validate/wast-modules';

interface BinaryenModule {
  setFeatures(f: number): void;
  runPasses(p: string[]): void;
  getFunction(name: string): number;
  getGlobal(name: string): number;
  getNumFunctions(): number;
  getFunctionByIndex(i: number): number;
  getNumGlobals(): number;
  getGlobalByIndex(i: number): number;
  dispose(): void;
}
interface Binaryen {
  parseText(text: string): BinaryenModule;
  getFunctionInfo(f: number): { name: string };
  getGlobalInfo(g: number): { name: string };
  Features: Record<string, number>;
}

async function loadBinaryen(): Promise<Binaryen> {
  const mod = await import(pathToFileURL(require.resolve('binaryen')).href);
  return (mod.default ?? mod) as Binaryen;
}

/** Modules the spec accepts. */
const VALID = new Set(['module', 'assert_unlinkable', 'assert_trap', 'assert_return', 'assert_exhaustion']);

test('lints on the spec suite: no throw, and every unused function or global is one binaryen removes', { skip: !fs.existsSync(CORPUS) && !process.env.CI ? 'spec corpus not beside the repo' : false }, async () => {
  const binaryen = await loadBinaryen();
  const all: Record<string, 'hint'> = {};
  for (const l of LINTS) all[l.name] = 'hint';
  const severities = lintSeverities(all);
  const counts: Record<string, number> = {};
  let modules = 0;
  let judged = 0;
  const skipped = new Map<string, number>();
  const wrong: string[] = [];
  for (const m of corpusModules()) {
    if (m.form !== 'text' || !VALID.has(m.command) || !m.text) continue;
    const doc = parseWat(m.text);
    if (doc.diagnostics.some((d) => d.severity === 'error')) continue; // the parser's own conformance is tested elsewhere
    modules++;
    const findings = lintDocument(doc, severities);
    for (const f of findings) counts[f.code] = (counts[f.code] ?? 0) + 1;
    const claims = findings.filter((f) => f.code === 'unused-function' || f.code === 'unused-global');
    const named = claims.map((f) => ({ code: f.code, id: /^(?:function|global) (\S+) /.exec(f.message)![1], name: '' }));
    if (named.length === 0) continue;
    let mod: BinaryenModule;
    try {
      mod = binaryen.parseText(m.text);
    } catch (e) {
      const why = `binaryen cannot parse it (${String((e as Error).message ?? e).split('\n')[0].slice(0, 60)})`;
      skipped.set(why, (skipped.get(why) ?? 0) + named.length);
      continue;
    }
    try {
      mod.setFeatures(binaryen.Features.All);
      // binaryen's names: the `$id` without `$`, or one it makes up for an unnamed item (found by its index)
      const funcNames: string[] = [];
      for (let i = 0; i < mod.getNumFunctions(); i++) funcNames.push(binaryen.getFunctionInfo(mod.getFunctionByIndex(i)).name);
      const globalNames: string[] = [];
      for (let i = 0; i < mod.getNumGlobals(); i++) globalNames.push(binaryen.getGlobalInfo(mod.getGlobalByIndex(i)).name);
      for (const f of named) f.name = f.id.startsWith('$') ? f.id.slice(1) : ((f.code === 'unused-function' ? funcNames : globalNames)[Number(f.id)] ?? '');
      const has = (f: { code: string; name: string }) => f.name !== '' && (f.code === 'unused-function' ? mod.getFunction(f.name) : mod.getGlobal(f.name)) !== 0;
      const present = named.filter(has);
      if (present.length < named.length) skipped.set('binaryen names the item differently', (skipped.get('binaryen names the item differently') ?? 0) + named.length - present.length);
      mod.runPasses(['remove-unused-module-elements']);
      for (const f of present) {
        judged++;
        if (has(f)) wrong.push(`${m.file}:${m.line} ${f.code} ${f.name}`);
      }
    } finally {
      mod.dispose();
    }
  }
  console.log(`lints on ${modules} valid spec text modules: ${JSON.stringify(counts)}`);
  console.log(`unused functions and globals judged by binaryen: ${judged - wrong.length}/${judged} confirmed`);
  for (const [why, n] of skipped) console.log(`skipped ${n} claims: ${why}`);
  assert.ok(modules > 1500, `the corpus has its valid modules (${modules})`);
  assert.ok(judged > 300, `enough claims judged (${judged})`);
  assert.deepEqual(wrong, [], 'every function or global called unused is removed by binaryen');
});
