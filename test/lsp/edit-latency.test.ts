/**
 * Many small edits to a large WAT buffer over LSP (the real bundled server, incremental sync, debounce
 * 0): after every edit the published syntax diagnostics are exactly those of a full parse of the
 * buffer's text. The server reparses edits inside one field incrementally and falls back to a full
 * parse for the rest; both paths are driven here. Not a timing test (timings live in test/bench).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient, type PublishedDiagnostic } from './lsp-client';
import { parseWat } from '../../server/src/engine/wat';
import { LineIndex } from '../../server/src/engine/span';

/** A large module (~1.5 MB) of functions in the shape compilers emit. */
function bigModule(): string {
  const out = ['(module', '  (memory $mem 1 1)', '  (global $sp (mut i32) (i32.const 1024))'];
  for (let n = 0; n < 3000; n++) {
    out.push(`  (func $f${n} (export "f${n}") (param $a i32) (param $b i32) (result i32) (local $t i32)`);
    for (let b = 0; b < 3; b++) {
      out.push(`    (block $b${b}`, `      (loop $l${b}`, '        local.get $a', `        i32.const ${n + b}`, '        i32.add', '        local.set $t');
      out.push(`        (br_if $l${b} (i32.lt_u (local.get $t) (local.get $b)))`);
      if (n > 0) out.push(`        (drop (call $f${n - 1} (local.get 0) (local.get 1)))`);
      out.push('      )', '    )');
    }
    out.push('    (i32.store (global.get $sp) (local.get $t))', '    local.get $t)');
  }
  // one syntax error that stays (the server publishes nothing for a clean buffer it never reported on)
  out.push('  (func $typo i32.cosnt 0 drop))');
  return out.join('\n') + '\n';
}

type Expected = { code: string; message: string; range: PublishedDiagnostic['range'] }[];

function expectedFor(text: string): Expected {
  const index = new LineIndex(text);
  return parseWat(text).diagnostics.map((d) => ({ code: d.code, message: d.message, range: { start: index.positionAt(d.span.start), end: index.positionAt(d.span.end) } }));
}

function syntaxOf(published: PublishedDiagnostic[]): Expected {
  return published.filter((d) => String(d.code).startsWith('wat-')).map((d) => ({ code: String(d.code), message: d.message, range: d.range }));
}

describe('edits to a large WAT buffer over LSP', () => {
  let client: LspClient;
  let dir: string;
  let original: string;
  let base: Expected;
  let text: string;
  let uri: string;
  let index: LineIndex;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-edit-'));
    original = text = bigModule();
    base = expectedFor(text);
    assert.equal(base.length, 1);
    previous = base;
    fs.writeFileSync(path.join(dir, 'big.wat'), text);
    client = await LspClient.start(dir, { debounceMs: 0 });
    uri = client.open('big.wat', text, 'wat');
    index = new LineIndex(text);
    await client.waitFor(() => client.diagnostics.has(uri), 'first diagnostics', 60_000);
    assert.deepEqual(syntaxOf(client.diagnostics.get(uri)!), base);
  });
  after(async () => {
    await client?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let previous: Expected;
  const restored = () => {
    assert.ok(text === original, 'the buffer is back to its original text');
    assert.deepEqual(previous, base);
  };

  /** Replace text[start, end) by `insert` through didChange and wait for the right diagnostics. */
  async function edit(start: number, end: number, insert: string): Promise<void> {
    const range = { start: index.positionAt(start), end: index.positionAt(end) };
    text = text.slice(0, start) + insert + text.slice(end);
    index = new LineIndex(text);
    const expected = expectedFor(text);
    // each step must publish something different from the step before, or waiting would prove nothing
    assert.notDeepEqual(expected, previous, `edit at ${start} does not change the diagnostics: choose another`);
    previous = expected;
    client.change(uri, insert, range);
    await client
      .waitFor(() => JSON.stringify(syntaxOf(client.diagnostics.get(uri) ?? [])) === JSON.stringify(expected), `diagnostics after replacing ${start}-${end} by ${JSON.stringify(insert)}`, 30_000)
      .catch((e: Error) => {
        assert.deepEqual(syntaxOf(client.diagnostics.get(uri) ?? []), expected, e.message.split('\n')[0]);
      });
  }

  test('typing a typo into an instruction and deleting it again', async () => {
    const at = text.indexOf('i32.add', text.length >> 1) + 'i32.add'.length;
    for (const [i, ch] of [...'xyz'].entries()) await edit(at + i, at + i, ch);
    assert.equal(previous.length, 2);
    assert.match(previous[0].message, /i32\.addxyz/);
    for (let i = 2; i >= 0; i--) await edit(at + i, at + i + 1, '');
    restored();
  });

  test('typos in many functions, each with the lines after it shifted', async () => {
    const starts: number[] = [];
    for (let k = 1; k <= 12; k++) starts.push(text.indexOf('local.set $t', Math.floor((text.length * k) / 13)) + 'local.set $t'.length);
    // a new line with an unknown local in each: every step adds one diagnostic further down
    for (const [k, s] of starts.entries()) {
      const at = s + k * '\n        local.get $nope'.length; // earlier insertions shifted the later offsets
      await edit(at, at, '\n        local.get $nope');
    }
    assert.equal(previous.length, 13);
    // remove them again from the top: the diagnostics below move up a line each time
    for (let k = 0; k < 12; k++) {
      const at = text.indexOf('\n        local.get $nope');
      await edit(at, at + '\n        local.get $nope'.length, '');
    }
    restored();
  });

  test('edits that change the structure or the declarations (full reparse) and back', async () => {
    const mid = text.indexOf('(func $f1500 ');
    // an extra ')' ends the function early
    const body = text.indexOf('local.set $t', mid);
    await edit(body, body, ') ');
    await edit(body, body + 2, '');
    // renaming a function breaks the calls to it
    const id = mid + '(func $f150'.length;
    await edit(id, id + 1, '9');
    assert.ok(previous.some((d) => d.code === 'wat-unknown-id'));
    await edit(id, id + 1, '0');
    // an unclosed block comment swallows the rest of the buffer
    await edit(body, body, '(; ');
    await edit(body, body + 3, '');
    restored();
  });

  test('a typo near the end and one near the start of the buffer', async () => {
    const end = text.lastIndexOf('i32.const');
    await edit(end, end + 3, 'x32');
    await edit(end, end + 3, 'i32');
    const start = text.indexOf('i32.const');
    await edit(start + 4, start + 9, 'konst');
    await edit(start + 4, start + 9, 'const');
    restored();
  });
});
