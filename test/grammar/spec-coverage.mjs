// Tokenizes every .wast/.wat file of a directory (e.g. the WebAssembly spec test suite) with the
// grammar and lists instruction-looking words that did not get an instruction scope.
//   node test/grammar/spec-coverage.mjs <dir>      (or set WAT_SPEC_SUITE=<dir>)
// Exits 1 if a word outside strings/comments was left without any scope, or if a dotted word
// (`x.y`) outside strings/comments got no instruction/result scope; `-v` prints every word seen.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = dirname(fileURLToPath(import.meta.url));
const grammarPath = join(here, '..', '..', 'syntaxes', 'wat.tmLanguage.json');
const dir = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? process.env.WAT_SPEC_SUITE;
const verbose = process.argv.includes('-v');
if (!dir) {
  console.error('usage: node test/grammar/spec-coverage.mjs <dir with .wast files>');
  process.exit(2);
}
if (!existsSync(dir)) {
  // the spec suite lives beside the project (../shared/corpus/spec-testsuite); without it there is nothing to cover
  console.log(`spec-coverage: skipped: ${dir} not found`);
  process.exit(0);
}

const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
await oniguruma.loadWASM(wasm);
const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (p) => new oniguruma.OnigScanner(p),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async () => vsctm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath),
});
const grammar = await registry.loadGrammar('source.wat');

const INSTR = /^(keyword\.control\.flow|support\.function\.instruction\.[a-z]+)\.wat$/;
const RESULT = /^support\.function\.result\.wat$/;
const SKIP = /^(string|comment|meta\.annotation)/;
const WORD = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

const unscoped = new Map(); // word -> count
const dottedWrong = new Map(); // word -> scopes
const other = new Map(); // word+scopes -> count (with -v)
const seen = { instr: 0, result: 0, words: 0 };
const unclosed = [];
const add = (m, k, v = 1) => m.set(k, (m.get(k) ?? 0) + v);
const files = readdirSync(dir).filter((f) => /\.wa?st$/.test(f)).sort();
let lines = 0;
let timeMs = 0;
for (const f of files) {
  const text = readFileSync(join(dir, f), 'utf8');
  let state = vsctm.INITIAL;
  const t0 = performance.now();
  for (const line of text.split(/\r?\n/)) {
    lines++;
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    r.tokens.forEach((tok) => {
      const scopes = tok.scopes.slice(1);
      if (scopes.some((s) => SKIP.test(s))) return;
      const text = line.slice(tok.startIndex, tok.endIndex);
      const inner = scopes.filter((s) => !s.startsWith('meta.'));
      for (const w of text.split(/[\s()]+/).filter(Boolean)) {
        if (!WORD.test(w)) continue;
        seen.words++;
        if (inner.some((s) => INSTR.test(s))) seen.instr++;
        else if (inner.some((s) => RESULT.test(s))) seen.result++;
        else if (inner.length === 0) add(unscoped, w);
        else if (w.includes('.')) dottedWrong.set(w, inner.join(' '));
        else if (verbose) add(other, `${w}  ${inner.join(" ")}`);
      }
    });
  }
  timeMs += performance.now() - t0;
  // A file must not end inside a (block) comment, annotation or other multi-line construct.
  if (state.depth > 1) unclosed.push(`${f} (open rule depth ${state.depth})`);
}
console.log(`${files.length} files, ${lines} lines tokenized in ${Math.round(timeMs)} ms`);
console.log(`${seen.words} keyword-like words outside strings/comments: ${seen.instr} instruction-scoped, ${seen.result} wast result patterns`);
const report = (title, m) => {
  console.log(`${title}: ${m.size}`);
  for (const [k, v] of [...m].sort((a, b) => a[0].localeCompare(b[0]))) console.log(`  ${k}  ${v}`);
};
report('words with no scope', unscoped);
report('dotted words without instruction scope', dottedWrong);
if (verbose) report('other scoped words', other);
console.log(`files ending inside an open construct: ${unclosed.length}`);
for (const u of unclosed) console.log(`  ${u}`);
process.exit(unscoped.size || dottedWrong.size || unclosed.length ? 1 : 0);
