// Checks syntaxes/language-configuration.json: wordPattern keeps $ids and dotted instruction names whole,
// indentation rules indent after an unclosed "(" only. Run: node test/grammar/language-configuration.check.mjs
import { readFileSync } from 'node:fs';
const c = JSON.parse(readFileSync(new URL('../../syntaxes/language-configuration.json', import.meta.url), 'utf8'));
const wp = new RegExp(c.wordPattern, 'g');
const words = (s) => s.match(wp);
const eq = (a, b) => { if (JSON.stringify(a) !== JSON.stringify(b)) { console.log('FAIL', JSON.stringify(a), '!=', JSON.stringify(b)); process.exitCode = 1; } };
eq(words('(local.get $a.b) (i32.add $x_1 $"with space")'), ['local.get', '$a.b', 'i32.add', '$x_1', '$"with space"']);
eq(words('i32.load offset=4 align=2 (f32.const -0x1.8p3) nan:0x7f'), ['i32.load', 'offset', '4', 'align', '2', 'f32.const', '-0x1.8p3', 'nan:0x7f']);
eq(words('i32.atomic.rmw8.add_u'), ['i32.atomic.rmw8.add_u']);
const inc = new RegExp(c.indentationRules.increaseIndentPattern);
const dec = new RegExp(c.indentationRules.decreaseIndentPattern);
for (const [line, want] of [
  ['(module', true], ['  (func $f (param i32) (result i32)', true], ['(func $f (param i32))', false],
  ['(memory 1) ;; (', false], [';; (module', false], ['(data "(" ', true], ['(data "(")', false],
  ['(block (block (block', true], ['(i32.add (local.get 0) (local.get 1))', false], ['(func (; c ;)', true], ['(; comment', false],
  ['(func (local (ref null $t)) ;; hi', true],
]) eq([line, inc.test(line)], [line, want]);
eq(dec.test('  )'), true); eq(dec.test('  (x)'), false);
for (const r of c.onEnterRules) { new RegExp(r.beforeText); new RegExp(r.afterText); }
new RegExp(c.folding.markers.start); new RegExp(c.folding.markers.end);
console.log(process.exitCode ? 'language-configuration checks failed' : 'language-configuration checks ok');
