/**
 * Code insight over LSP, on the real bundled server: document highlight, selection range, go to type
 * definition, call hierarchy, semantic tokens (with the mutable/imported/flagged modifiers), code
 * lenses (reference counts, an import's capability and verdict), inlay hints, and the lints with
 * their severities from the settings. In a `.wat` and in the modules of a `.wast` (kept apart).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { LspClient, workspaceCopy, type PublishedDiagnostic } from './lsp-client';

type Range = PublishedDiagnostic['range'];
type Pos = Range['start'];

const WAT = `(module
  (type $sig (func (param i32) (result i32)))
  (type $box (struct (field i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (global $counter (mut i32) (i32.const 0))
  (global $limit i32 (i32.const 10))
  (func $twice (type $sig) (param $n i32) (result i32)
    (i32.add (local.get $n) (local.get $n)))
  (func $clamp (param $value i32) (param $max i32) (result i32)
    (select (local.get $value) (local.get $max) (i32.lt_u (local.get $value) (local.get $max))))
  (func $main (export "main") (local $tmp i32) (local $b (ref null $box))
    (local.set $tmp (call $twice (global.get $limit)))
    (global.set $counter (call $clamp (local.get $tmp) (global.get $limit)))
    block $out
      br $out
      nop
    end
    (drop (call $twice (i32.const 1))))
  (func $orphan)
  (func $reader (export "reader") (result i32) (local $z i32) (local.get $z))
)
`;

const WAST = `(module $a (func $f (export "f") (result i32) (i32.const 1)) (func $g (result i32) (call $f)))
(module $b (func $f (export "f") (result i32) (i32.const 2)))
`;

function pos(text: string, needle: string, nth = 0): Pos {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not found`);
  const lines = text.slice(0, at).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

function textAt(text: string, r: Range): string {
  const lines = text.split('\n');
  if (r.start.line === r.end.line) return lines[r.start.line].slice(r.start.character, r.end.character);
  return [lines[r.start.line].slice(r.start.character), ...lines.slice(r.start.line + 1, r.end.line), lines[r.end.line].slice(0, r.end.character)].join('\n');
}

describe('code insight over LSP', () => {
  let client: LspClient;
  let root: string;
  let uri: string;
  let wastUri: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    fs.writeFileSync(path.join(root, 'insight.wat'), WAT);
    fs.writeFileSync(path.join(root, 'two.wast'), WAST);
    client = await LspClient.start(root);
    uri = client.open('insight.wat');
    wastUri = client.open('two.wast');
    await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'unused-function'), 'the lints of insight.wat');
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('document highlight: the declaration, reads and writes of a local', async () => {
    const hs = await client.request<{ range: Range; kind: number }[]>('textDocument/documentHighlight', { textDocument: { uri }, position: pos(WAT, '$tmp (call') });
    const kinds = hs.map((h) => [textAt(WAT, h.range), h.kind]);
    assert.deepEqual(kinds, [['$tmp', 1], ['$tmp', 3], ['$tmp', 2]]);
  });

  test('selection range grows from the token through its lists', async () => {
    const [sel] = await client.request<{ range: Range; parent?: unknown }[]>('textDocument/selectionRange', { textDocument: { uri }, positions: [pos(WAT, '$n) (local.get $n)))')] });
    const chain: string[] = [];
    for (let s = sel as { range: Range; parent?: unknown } | undefined; s; s = s.parent as typeof s) chain.push(textAt(WAT, s.range));
    assert.equal(chain[0], '$n');
    assert.equal(chain[1], 'local.get $n');
    assert.equal(chain[2], '(local.get $n)');
    assert.ok(chain.includes('(i32.add (local.get $n) (local.get $n))'), JSON.stringify(chain.slice(0, 6)));
    for (let i = 1; i < chain.length; i++) assert.ok(chain[i].includes(chain[i - 1]), `range ${i} contains range ${i - 1}`);
  });

  test('go to type definition: a function to its type, a typed reference local to its struct type', async () => {
    const def = async (needle: string) =>
      (await client.request<{ range: Range }[]>('textDocument/typeDefinition', { textDocument: { uri }, position: pos(WAT, needle) })).map((l) => l.range.start);
    assert.deepEqual(await def('$twice (global.get'), [pos(WAT, '$sig (func')]);
    assert.deepEqual(await def('$b (ref'), [pos(WAT, '$box (struct')]);
  });

  test('call hierarchy: callers and callees with their call sites', async () => {
    const [item] = await client.request<{ name: string }[]>('textDocument/prepareCallHierarchy', { textDocument: { uri }, position: pos(WAT, '$twice (type') });
    assert.equal(item.name, '$twice');
    const incoming = await client.request<{ from: { name: string }; fromRanges: Range[] }[]>('callHierarchy/incomingCalls', { item });
    assert.deepEqual(incoming.map((c) => [c.from.name, c.fromRanges.length]), [['$main', 2]]);
    const [main] = await client.request<{ name: string }[]>('textDocument/prepareCallHierarchy', { textDocument: { uri }, position: pos(WAT, '$main') });
    const outgoing = await client.request<{ to: { name: string }; fromRanges: Range[] }[]>('callHierarchy/outgoingCalls', { item: main });
    assert.deepEqual(outgoing.map((c) => [c.to.name, c.fromRanges.length]).sort(), [['$clamp', 1], ['$twice', 2]]);
  });

  test('semantic tokens: kinds of ids, and mutable, imported and flagged modifiers', async () => {
    const legend = client.serverCapabilities?.semanticTokensProvider?.legend as { tokenTypes: string[]; tokenModifiers: string[] };
    assert.ok(legend, 'the server declares a legend');
    const { data } = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const lines = WAT.split('\n');
    const tokens: { text: string; type: string; mods: string[] }[] = [];
    let line = 0;
    let ch = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
      const mods = legend.tokenModifiers.filter((_, b) => data[i + 4] & (1 << b));
      tokens.push({ text: lines[line].slice(ch, ch + data[i + 2]), type: legend.tokenTypes[data[i + 3]], mods });
    }
    const find = (text: string, nth = 0) => tokens.filter((t) => t.text === text)[nth];
    assert.deepEqual(find('$twice'), { text: '$twice', type: 'function', mods: ['declaration'] });
    assert.equal(find('$n').type, 'parameter');
    assert.equal(find('$tmp').type, 'variable');
    assert.equal(find('$sig').type, 'type');
    assert.equal(find('$out').type, 'label');
    assert.ok(find('$counter', 1).mods.includes('mutable'), JSON.stringify(find('$counter', 1)));
    assert.ok(find('$limit', 1).mods.includes('readonly'));
    // path_open is denied by the workspace policy (wasi_snapshot_preview1.path_*): flagged, and imported
    assert.deepEqual(find('$path_open').mods.sort(), ['declaration', 'flagged', 'imported']);
    assert.deepEqual(find('$fd_write').mods.sort(), ['declaration', 'imported']);
    const range = await client.request<{ data: number[] }>('textDocument/semanticTokens/range', {
      textDocument: { uri },
      range: { start: pos(WAT, '(func $twice'), end: pos(WAT, '(func $clamp') },
    });
    assert.ok(range.data.length > 0 && range.data.length < data.length, 'a range gives the tokens in it');
  });

  test('code lenses: reference counts, and each import\'s capability and verdict', async () => {
    const lenses = await client.request<{ range: Range; command: { title: string; command: string; arguments?: unknown[] } }[]>('textDocument/codeLens', { textDocument: { uri } });
    const on = (needle: string) => lenses.filter((l) => l.range.start.line === pos(WAT, needle).line).map((l) => l.command.title);
    assert.ok(on('(func $twice').includes('2 references'), JSON.stringify(on('(func $twice')));
    assert.ok(on('(func $orphan').includes('0 references'));
    assert.ok(on('"path_open"').some((t) => /filesystem/.test(t) && /denied by the policy/.test(t)), JSON.stringify(on('"path_open"')));
    assert.ok(on('"fd_write"').some((t) => /stdio|filesystem|WASI/.test(t) && /allowed by the policy/.test(t)), JSON.stringify(on('"fd_write"')));
    const twice = lenses.find((l) => l.command.title === '2 references')!;
    assert.equal(twice.command.command, 'wasmWarden.showReferences');
    assert.equal((twice.command.arguments?.[2] as unknown[]).length, 2);
  });

  test('inlay hints: parameter names at a folded call, the block an end closes, the index of an unnamed item', async () => {
    const text = WAT.replace('(func $orphan)', '(func $orphan) (func (param i32))');
    client.change(uri, text);
    await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'unused-function' && x.range.start.character === pos(text, '(func (param i32))').character + 1), 'the edit');
    const hints = await client.request<{ position: Pos; label: string }[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } },
    });
    const labels = hints.map((h) => h.label);
    assert.ok(labels.includes('$value:') && labels.includes('$max:'), JSON.stringify(labels));
    const end = hints.find((h) => h.label === '$out');
    assert.ok(end, JSON.stringify(labels));
    assert.deepEqual(end.position, { line: pos(text, 'end\n').line, character: pos(text, 'end\n').character + 3 });
    assert.ok(labels.includes('(;6;)'), 'the unnamed function is function 6 (two imports first)');
    client.change(uri, WAT);
  });

  test('inlay hints: the operand stack after each instruction, when asked', async () => {
    const range = { start: { line: 0, character: 0 }, end: { line: WAT.split('\n').length, character: 0 } };
    const labels = async () => (await client.request<{ label: string }[]>('textDocument/inlayHint', { textDocument: { uri }, range })).map((h) => h.label);
    assert.ok(!(await labels()).some((l) => /^\[/.test(l)), 'off by default');
    client.config.wasmWarden = { debounceMs: 0, inlayHints: { stackTypes: true } };
    const asked = client.configurationRequests;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    // the server reads the settings (a workspace/configuration request); our answer is handled before the next request
    await client.waitFor(() => client.configurationRequests > asked, 'the settings');
    const got = await labels();
    // (i32.add (local.get $n) (local.get $n)): [i32] after each local.get, [i32 i32] after the second, [i32] after the add
    assert.ok(got.includes('[i32 i32]'), JSON.stringify(got));
    assert.ok(got.includes('[i32]'), JSON.stringify(got));
    client.config.wasmWarden = { debounceMs: 0 };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  test('lints: unused items, unreachable code (greyed out), a local read but never set; severities from the settings', async () => {
    const diags = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'unreachable-code') && d.filter((x) => x.code === 'unused-function').length === 1, 'the text restored');
    const lint = (code: string) => diags.filter((d) => d.code === code);
    assert.deepEqual(lint('unused-function').map((d) => textAt(WAT, d.range)), ['$orphan']);
    assert.deepEqual(lint('unused-local').map((d) => textAt(WAT, d.range)), ['$b']);
    assert.deepEqual(lint('unreachable-code').map((d) => textAt(WAT, d.range)), ['nop']);
    assert.deepEqual(lint('local-never-set').map((d) => textAt(WAT, d.range)), ['$z']);
    assert.deepEqual((lint('unreachable-code')[0] as { tags?: number[] }).tags, [1]);
    assert.equal(lint('unused-function')[0].severity, 4, 'a hint by default');
    assert.equal(lint('unused-global').length, 0, '$counter and $limit are used');
    // raise one, turn one off
    client.config.wasmWarden = { debounceMs: 0, lints: { 'unused-function': 'error', 'unreachable-code': 'off' } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const after2 = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'unused-function' && x.severity === 1), 'the new severities');
    assert.equal(after2.filter((d) => d.code === 'unreachable-code').length, 0);
    client.config.wasmWarden = { debounceMs: 0 };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'unreachable-code'), 'the default severities');
  });

  test('.wast: each module keeps its own names (highlight, call hierarchy)', async () => {
    const hs = await client.request<{ range: Range }[]>('textDocument/documentHighlight', { textDocument: { uri: wastUri }, position: pos(WAST, '$f (export "f") (result i32) (i32.const 1)') });
    assert.deepEqual(hs.map((h) => h.range.start.line), [0, 0], 'the $f of module $a and its call, not module $b\'s');
    const [item] = await client.request<{ name: string }[]>('textDocument/prepareCallHierarchy', { textDocument: { uri: wastUri }, position: pos(WAST, '$f', 2) });
    const incoming = await client.request<unknown[]>('callHierarchy/incomingCalls', { item });
    assert.equal(incoming.length, 0, 'nobody calls module $b\'s $f');
  });
});
