/**
 * Live type errors and instruction hover over LSP, on the real bundled server: typing a wrong operand
 * publishes the validator's finding on the instruction (what it expects, what the stack has), fixing it
 * clears it; one finding per invalid function; a `.wast` script's modules are checked apart and those
 * inside assertions not at all; hover on an instruction shows its type and the stack before it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { LspClient, workspaceCopy, type PublishedDiagnostic } from './lsp-client';

type Range = PublishedDiagnostic['range'];
type Pos = Range['start'];

const WAT = `(module
  (func $add (param $x i32) (result i32)
    (i32.add (local.get $x) (i32.const 1)))
  (func $other (result i32)
    (i32.const 2))
  (func $third (param f32) (result f32)
    (f32.neg (local.get 0)))
)
`;

const WAST = `(module $ok (func (result i32) (i32.const 1)))
(assert_invalid (module (func (result i32) (f32.const 1))) "type mismatch")
(module $bad (func (result i32) (i64.const 1)))
`;

function pos(text: string, needle: string, nth = 0): Pos {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not found`);
  const lines = text.slice(0, at).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

function rangeOf(text: string, needle: string): Range {
  const start = pos(text, needle);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

function textAt(text: string, r: Range): string {
  const lines = text.split('\n');
  if (r.start.line === r.end.line) return lines[r.start.line].slice(r.start.character, r.end.character);
  return [lines[r.start.line].slice(r.start.character), ...lines.slice(r.start.line + 1, r.end.line), lines[r.end.line].slice(0, r.end.character)].join('\n');
}

const typeErrors = (d: PublishedDiagnostic[]): PublishedDiagnostic[] => d.filter((x) => x.code === 'wasm-invalid' || x.code === 'wasm-malformed');

describe('live type errors over LSP', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    fs.writeFileSync(path.join(root, 'typed.wat'), WAT);
    fs.writeFileSync(path.join(root, 'script.wast'), WAST);
    client = await LspClient.start(root);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('type a wrong operand: the finding is on the instruction with what it expects; fix it: gone', async () => {
    const uri = client.open('typed.wat');
    const first = await client.waitForDiagnostics(uri, () => true, 'the first diagnostics of typed.wat');
    assert.deepEqual(typeErrors(first), []);
    let text = WAT;
    // one character: (i32.const 1) -> (f32.const 1)
    const r = rangeOf(text, 'i32.const 1');
    client.change(uri, 'f', { start: r.start, end: { line: r.start.line, character: r.start.character + 1 } });
    text = text.replace('i32.const 1', 'f32.const 1');
    const bad = await client.waitForDiagnostics(uri, (d) => typeErrors(d).length > 0, 'the type error');
    const [e] = typeErrors(bad);
    assert.equal(typeErrors(bad).length, 1);
    assert.equal(e.message, 'i32.add expects [i32 i32] but the stack has [i32 f32]');
    assert.equal(e.severity, 1);
    // the instruction's own text (of a folded one: its opening and name; its operands are underlined apart by their own errors)
    assert.equal(textAt(text, e.range), '(i32.add');
    // the operand at fault, as related information
    const related = (e as PublishedDiagnostic & { relatedInformation?: { location: { uri: string; range: Range }; message: string }[] }).relatedInformation;
    assert.equal(related?.length, 1);
    assert.equal(related[0].location.uri, uri);
    assert.equal(textAt(text, related[0].location.range), '(f32.const 1');
    assert.equal(related[0].message, 'this operand is f32, not i32');
    client.change(uri, 'i', { start: r.start, end: { line: r.start.line, character: r.start.character + 1 } });
    await client.waitForDiagnostics(uri, (d) => typeErrors(d).length === 0, 'the type error gone');
    client.close(uri);
  });

  test('one finding per invalid function, each on its own function', async () => {
    const text = WAT.replace('(i32.const 2)', '(i64.const 2)').replace('(local.get 0)', '(local.get 3)').replace('(i32.const 1)', '(f64.const 1)');
    const uri = client.open('typed.wat', text);
    const found = typeErrors(await client.waitForDiagnostics(uri, (d) => typeErrors(d).length >= 3, 'three type errors'));
    const byLine = found.map((d) => [d.range.start.line, d.message]).sort((a, b) => (a[0] as number) - (b[0] as number));
    assert.deepEqual(byLine.map((x) => x[0]), [2, 4, 6]);
    assert.equal(byLine[0][1], 'i32.add expects [i32 i32] but the stack has [i32 f64]');
    assert.match(byLine[1][1] as string, /i64/);
    assert.match(byLine[2][1] as string, /unknown local 3/);
    client.close(uri);
  });

  test('.wast: each top-level module on its own; a module inside an assertion is not flagged', async () => {
    const uri = client.open('script.wast');
    const found = typeErrors(await client.waitForDiagnostics(uri, (d) => typeErrors(d).length > 0, 'the .wast type error'));
    assert.equal(found.length, 1);
    assert.equal(found[0].range.start.line, 2);
    assert.match(found[0].message, /i64/);
    client.close(uri);
  });

  test('hover on an instruction: its type and the operand stack before it', async () => {
    const text = WAT.replace('(i32.const 1)', '(f32.const 1)');
    const uri = client.open('typed.wat', text);
    await client.waitForDiagnostics(uri, (d) => typeErrors(d).length > 0, 'the type error');
    const at = pos(text, 'i32.add');
    const h = await client.request<{ contents: { value: string }; range: Range } | null>('textDocument/hover', { textDocument: { uri }, position: { line: at.line, character: at.character + 2 } });
    assert.ok(h);
    assert.match(h.contents.value, /\*\*i32\.add\*\* ` \[i32 i32\] -> \[i32\] `/);
    assert.match(h.contents.value, /stack: ` \[i32 f32\] `/);
    assert.match(h.contents.value, /invalid here/);
    const g = pos(text, 'local.get 0');
    const h2 = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: g });
    assert.ok(h2);
    assert.match(h2.contents.value, /\*\*local\.get\*\* ` \[\] -> \[f32\] `/);
    assert.match(h2.contents.value, /stack: ` \[\] `/);
    // on an identifier: what the identifier is, as before
    const id = pos(text, '$x)');
    const h3 = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: id });
    assert.ok(h3);
    assert.doesNotMatch(h3.contents.value, /stack:/);
    client.close(uri);
  });
});
