/**
 * The editing features over LSP, on the real bundled server: formatting (document and range, the
 * editor's tab settings and `wasmWarden.format.*`), completion (index spaces, instructions, the WASI
 * catalog with the policy's verdict), signature help, rename (with collisions refused, `.wast` modules
 * kept apart) and "convert to $id"; the read-only ones in a `.wasm`'s WAT view.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { LspClient, workspaceCopy, type PublishedDiagnostic } from './lsp-client';

const wabt = require('wabt')();

type Range = PublishedDiagnostic['range'];
interface TextEdit { range: Range; newText: string }
interface Item { label: string; detail?: string; labelDetails?: { description?: string }; textEdit?: TextEdit; insertTextFormat?: number; documentation?: { value: string } }

function offsetOf(text: string, pos: { line: number; character: number }): number {
  const lines = text.split('\n');
  let o = 0;
  for (let l = 0; l < pos.line; l++) o += lines[l].length + 1;
  return o + pos.character;
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** The position just after `needle` (the nth occurrence). */
function after_(text: string, needle: string, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not found`);
  return positionAt(text, at + needle.length);
}

function apply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start))) {
    out = out.slice(0, offsetOf(out, e.range.start)) + e.newText + out.slice(offsetOf(out, e.range.end));
  }
  return out;
}

describe('editing features over LSP', () => {
  let client: LspClient;
  let root: string;

  before(async () => {
    root = workspaceCopy('lsp-workspace');
    const w = await wabt;
    const mod = w.parseWat('m.wat', '(module (func $sum (param $x i32) (param $y i32) (result i32) (i32.add (local.get 0) (local.get 1))) (func (export "f") (result i32) (call $sum (i32.const 1) (i32.const 2))))');
    mod.resolveNames();
    fs.writeFileSync(path.join(root, 'named.wasm'), mod.toBinary({ write_debug_names: true }).buffer);
    mod.destroy();
    client = await LspClient.start(root);
    const uri = client.open('app.wat');
    await client.waitForDiagnostics(uri, (d) => d.length > 0);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const format = (uri: string, options: { tabSize: number; insertSpaces: boolean }) =>
    client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options });

  test('document formatting indents by structure with the editor\'s tab settings, and the setting overrides them', async () => {
    const text = '(module\n(func $f (result i32)\nblock\ni32.const 1\nbr 0\nend\ni32.const 2))\n';
    const uri = client.open('fmt.wat', text);
    assert.equal(apply(text, await format(uri, { tabSize: 4, insertSpaces: true })), '(module\n    (func $f (result i32)\n        block\n            i32.const 1\n            br 0\n        end\n        i32.const 2))\n');
    assert.equal(apply(text, await format(uri, { tabSize: 4, insertSpaces: false })), '(module\n\t(func $f (result i32)\n\t\tblock\n\t\t\ti32.const 1\n\t\t\tbr 0\n\t\tend\n\t\ti32.const 2))\n');
    // wasmWarden.format.indentWidth wins over the editor's tab size; lineWidth breaks long lists
    client.config.wasmWarden = { debounceMs: 0, format: { indentWidth: 1, lineWidth: 30 } };
    const asked = client.configurationRequests;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.waitFor(() => client.configurationRequests > asked, 'settings read again');
    const long = '(module (func $g (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))\n';
    client.change(uri, long);
    assert.equal(apply(long, await format(uri, { tabSize: 4, insertSpaces: false })), '(module\n (func $g (param i32)\n  (result i32)\n  (i32.add\n   (local.get 0)\n   (i32.const 1))))\n');
    client.config.wasmWarden = { debounceMs: 0 };
    const again = client.configurationRequests;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.waitFor(() => client.configurationRequests > again, 'settings read again');
    // formatted text formats to itself: no edits
    const formatted = '(module\n  (func))\n';
    client.change(uri, formatted);
    assert.deepEqual(await format(uri, { tabSize: 2, insertSpaces: true }), []);
  });

  test('range formatting touches only the selected lines; a .wast formats module by module', async () => {
    const text = '(module\n(func   $a   nop)\n(func   $b   nop))\n';
    const uri = client.open('range.wat', text);
    const edits = await client.request<TextEdit[]>('textDocument/rangeFormatting', {
      textDocument: { uri },
      range: { start: { line: 2, character: 0 }, end: { line: 2, character: 17 } },
      options: { tabSize: 2, insertSpaces: true },
    });
    assert.equal(apply(text, edits), '(module\n(func   $a   nop)\n  (func $b nop))\n');
    const script = '(module $m1\n(func $f nop))\n;; between\n(assert_return   (invoke "f"))\n(module $m2 (func $f\nnop))\n';
    const w = client.open('script.wast', script);
    assert.equal(apply(script, await format(w, { tabSize: 2, insertSpaces: true })), '(module $m1\n  (func $f nop))\n;; between\n(assert_return (invoke "f"))\n(module $m2 (func $f\n  nop))\n');
  });

  const complete = async (uri: string, text: string, needle: string, nth = 0) =>
    (await client.request<{ items: Item[] }>('textDocument/completion', { textDocument: { uri }, position: after_(text, needle, nth) })).items;

  test('completion offers the index space the instruction expects, instructions with snippets, and value types', async () => {
    const text = [
      '(module',
      '  (type $pair (struct (field $left i32) (field $right i64)))',
      '  (global $g (mut i32) (i32.const 0))',
      '  (func $callee (param $p i32))',
      '  (func $f (param $a i32) (local $tmp i64)',
      '    block $out',
      '      loop $again',
      '        call ',
      '        local.get ',
      '        br ',
      '        global.get ',
      '        (struct.get $pair )',
      '        i32.ad',
      '      end',
      '    end)',
      '  (func $h (local $v ))',
      ')',
    ].join('\n');
    const uri = client.open('complete.wat', text);
    const labels = (items: Item[]) => items.map((i) => i.label);
    assert.deepEqual(labels(await complete(uri, text, 'call ')).sort(), ['$callee', '$f', '$h']);
    assert.deepEqual(labels(await complete(uri, text, 'local.get ')).sort(), ['$a', '$tmp']);
    assert.deepEqual(labels(await complete(uri, text, 'br ')), ['$again', '$out', '2']);
    assert.deepEqual(labels(await complete(uri, text, 'global.get ')), ['$g']);
    assert.deepEqual(labels(await complete(uri, text, '(struct.get $pair ')), ['$left', '$right']);
    const add = (await complete(uri, text, 'i32.ad')).find((i) => i.label === 'i32.add')!;
    assert.equal(add.detail, '[i32 i32] -> [i32]');
    const localGet = (await complete(uri, text, 'i32.ad')).find((i) => i.label === 'local.get');
    assert.equal(localGet, undefined, 'filtered by the word typed');
    const all = await complete(uri, text, '        ', 0);
    const lg = all.find((i) => i.label === 'local.get')!;
    assert.equal(lg.insertTextFormat, 2);
    assert.equal(lg.textEdit!.newText, 'local.get ${1:\\$local}');
    assert.ok(labels(await complete(uri, text, '(local $v ')).includes('i64'));
  });

  test('completion of a WASI import: the catalog with signatures and capability, a denied function marked, not hidden', async () => {
    const text = '(module\n  (import "wasi_snapshot_preview1" "\n  (func))\n';
    const uri = client.open('imports.wat', text);
    const items = await complete(uri, text, '"wasi_snapshot_preview1" "');
    assert.equal(items.length, 46);
    const fdWrite = items.find((i) => i.label === 'fd_write')!;
    assert.match(fdWrite.detail!, /\(func \(param i32 i32 i32 i32\) \(result i32\)\) · fd-io/);
    assert.match(fdWrite.documentation!.value, /\*\*Allowed\*\* by the policy/);
    assert.equal(fdWrite.textEdit!.newText, 'fd_write" (func \\$fd_write (param i32 i32 i32 i32) (result i32))');
    // the workspace policy denies wasi_snapshot_preview1.path_*
    const pathOpen = items.find((i) => i.label === 'path_open')!;
    assert.equal(pathOpen.labelDetails?.description, 'denied by the policy');
    assert.match(pathOpen.documentation!.value, /\*\*Denied\*\* by the policy/);
    const m2 = '(module (import "';
    const u2 = client.open('imports2.wat', m2);
    assert.deepEqual((await complete(u2, m2, '(import "')).map((i) => i.label), ['wasi_snapshot_preview1', 'wasi_unstable']);
  });

  test('completion in a .wast offers only the ids of the module the cursor is in', async () => {
    const text = '(module $a (func $one) (func $two))\n(module $b (func $three\n  call ))\n';
    const uri = client.open('mods.wast', text);
    assert.deepEqual((await complete(uri, text, 'call ')).map((i) => i.label), ['$three']);
  });

  const signature = (uri: string, text: string, needle: string, nth = 0) =>
    client.request<{ signatures: { label: string; parameters: { label: string }[] }[]; activeParameter: number | null } | null>('textDocument/signatureHelp', {
      textDocument: { uri },
      position: after_(text, needle, nth),
    });

  test('signature help on call, call_indirect and call_ref: parameter names and types, the active parameter', async () => {
    const text = [
      '(module',
      '  (type $bin (func (param $l i32) (param $r i32) (result i32)))',
      '  (table 1 funcref)',
      '  (func $add (param $a i32) (param $b i64) (result i32) i32.const 0)',
      '  (func',
      '    (drop (call $add (i32.const 1) ))',
      '    (drop (call_indirect (type $bin) (i32.const 1) (i32.const 2) ))',
      '    call $add',
      '))',
    ].join('\n');
    const uri = client.open('sig.wat', text);
    const s1 = (await signature(uri, text, '(call $add (i32.const 1) '))!;
    assert.equal(s1.signatures[0].label, '(func (param $a i32) (param $b i64) (result i32))');
    assert.deepEqual(s1.signatures[0].parameters.map((p) => p.label), ['(param $a i32)', '(param $b i64)']);
    assert.equal(s1.activeParameter, 1);
    const s0 = (await signature(uri, text, '(call $add '))!;
    assert.equal(s0.activeParameter, 0);
    const s2 = (await signature(uri, text, '(i32.const 1) (i32.const 2) '))!;
    assert.equal(s2.signatures[0].label, '(func (param $l i32) (param $r i32) (result i32))');
    const flat = (await signature(uri, text, '    call $add'))!;
    assert.equal(flat.signatures[0].parameters.length, 2);
    assert.equal(await signature(uri, text, '(table 1'), null);
  });

  test('rename a function, a local and a label; collisions refused; a numeric reference cannot be renamed', async () => {
    const text = [
      '(module',
      '  (func $add (param $a i32) (param $b i32) (result i32)',
      '    block $done',
      '      local.get $a',
      '      br_if $done',
      '    end',
      '    (i32.add (local.get $a) (local.get 1)))',
      '  (func $main (export "main") (result i32) (call $add (i32.const 1) (i32.const 2)))',
      '  (export "add" (func $add)))',
    ].join('\n');
    const uri = client.open('rename.wat', text);
    const rename = (needle: string, newName: string, nth = 0) =>
      client.request<{ changes: Record<string, TextEdit[]> }>('textDocument/rename', { textDocument: { uri }, position: after_(text, needle, nth), newName });
    const prep = await client.request<{ range: Range; placeholder: string }>('textDocument/prepareRename', { textDocument: { uri }, position: after_(text, '(call $ad') });
    assert.equal(prep.placeholder, '$add');
    const r = await rename('(call $ad', 'plus');
    assert.equal(r.changes[uri].length, 3);
    assert.equal(apply(text, r.changes[uri]).match(/\$plus/g)!.length, 3);
    assert.ok(!apply(text, r.changes[uri]).includes('$add'));
    const l = await rename('(param $', '$x');
    assert.equal(apply(text, l.changes[uri]).match(/\$x\b/g)!.length, 3);
    const label = await rename('br_if $do', '$exit');
    assert.match(apply(text, label.changes[uri]), /block \$exit[\s\S]*br_if \$exit/);
    await assert.rejects(rename('(call $ad', '$main'), /\$main already names another func/);
    await assert.rejects(rename('(param $', '$b'), /\$b already names a param/);
    await assert.rejects(rename('(call $ad', 'bad name'), /not a valid WAT identifier/);
    await assert.rejects(
      client.request('textDocument/prepareRename', { textDocument: { uri }, position: after_(text, '(local.get 1') }),
      /an index: use "Convert to \$id" first/,
    );
  });

  test('rename in a .wast stays in its module', async () => {
    const text = '(module $a (func $f) (func (call $f)))\n(assert_return (invoke "x"))\n(module $b (func $f) (func (call $f)))\n';
    const uri = client.open('rename.wast', text);
    const r = await client.request<{ changes: Record<string, TextEdit[]> }>('textDocument/rename', { textDocument: { uri }, position: after_(text, '(call $', 1), newName: '$g' });
    assert.equal(apply(text, r.changes[uri]), '(module $a (func $f) (func (call $f)))\n(assert_return (invoke "x"))\n(module $b (func $g) (func (call $g)))\n');
  });

  test('"convert to $id" on a numeric reference names every numeric reference to the item (adding the id when missing)', async () => {
    const text = '(module\n  (func $f (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))\n  (func (result i32) (call 0 (i32.const 1))))\n';
    const uri = client.open('convert.wat', text);
    const actions = async (needle: string) =>
      client.request<{ title: string; kind: string; edit: { changes: Record<string, TextEdit[]> } }[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: after_(text, needle), end: after_(text, needle) },
        context: { diagnostics: [] },
      });
    const onCall = (await actions('(call ')).find((a) => a.kind === 'refactor.rewrite' && /^Convert to/.test(a.title))!;
    assert.match(onCall.title, /Convert to \$f/);
    assert.equal(apply(text, onCall.edit.changes[uri]), text.replace('(call 0', '(call $f'));
    const onLocal = (await actions('(local.get ')).find((a) => a.kind === 'refactor.rewrite' && /^Convert to/.test(a.title))!;
    assert.equal(apply(text, onLocal.edit.changes[uri]), text.replace('(param i32)', '(param $param0 i32)').replace(/\(local\.get 0\)/g, '(local.get $param0)'));
    // no "Convert to $id" there (other refactorings, such as Unfold, may be offered)
    assert.equal((await actions('(i32.const ')).filter((a) => a.kind === 'refactor.rewrite' && /^Convert to \$/.test(a.title)).length, 0);
  });

  test('in a .wasm\'s WAT view: signature help answers; completion, formatting and rename do not edit it', async () => {
    const wasmUri = client.uri('named.wasm');
    const view = await client.request<{ text: string }>('wasmWarden/watView', { uri: wasmUri });
    const viewUri = URI.from({ scheme: 'wasm-warden-wat', path: URI.file(path.join(root, 'named.wasm')).path + '.wat' }).toString();
    client.openUri(viewUri, view.text, 'wat');
    const callAt = view.text.indexOf('call $sum');
    assert.ok(callAt >= 0, view.text);
    const s = await client.request<{ signatures: { label: string }[] } | null>('textDocument/signatureHelp', { textDocument: { uri: viewUri }, position: positionAt(view.text, callAt + 'call $sum'.length) });
    assert.match(s!.signatures[0].label, /\(param \$x i32\) \(param \$y i32\) \(result i32\)/);
    assert.deepEqual((await client.request<{ items: Item[] }>('textDocument/completion', { textDocument: { uri: viewUri }, position: positionAt(view.text, callAt + 5) })).items, []);
    assert.deepEqual(await format(viewUri, { tabSize: 2, insertSpaces: true }), []);
    assert.equal(await client.request('textDocument/prepareRename', { textDocument: { uri: viewUri }, position: positionAt(view.text, callAt + 6) }), null);
    client.close(viewUri);
  });

  test('a client that registers dynamically gets formatting for WAT and WAST only (not the policy JSON it also sends)', async () => {
    const dynamic = await LspClient.start(root, {}, undefined, { formatting: { dynamicRegistration: true }, rangeFormatting: { dynamicRegistration: true } });
    try {
      await dynamic.waitFor(() => dynamic.registrations.some((r) => r.method === 'textDocument/rangeFormatting'), 'formatting registered');
      const formatting = dynamic.registrations.find((r) => r.method === 'textDocument/formatting')!;
      const languages = (formatting.registerOptions as { documentSelector: { language: string }[] }).documentSelector.map((d) => d.language);
      assert.deepEqual([...new Set(languages)], ['wat', 'wast']);
    } finally {
      await dynamic.stop();
    }
  });
});
