/**
 * Seeded random text through every editing feature: formatting gives a text with the same tokens that
 * formats to itself (or declines), and completion, signature help, rename and convert-to-$id at any
 * offset answer without throwing, with edits inside the text.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseWat } from '../../../server/src/engine/wat';
import { lex } from '../../../server/src/engine/wat/lexer';
import { formatWat, DEFAULT_FORMAT_OPTIONS } from '../../../server/src/engine/editing/format';
import { completionsAt } from '../../../server/src/engine/editing/completion';
import { signatureHelpAt } from '../../../server/src/engine/editing/signature-help';
import { convertToId, prepareRename, renameAt } from '../../../server/src/engine/editing/rename';
import { prng } from '../binary/wasm-fixtures';

/** Pieces of WAT the editing features branch on, and any character. */
const PIECES = [
  '(', ')', '(', ')', ' ', '\n', '  ', '\t', '\r\n', '"', '$f', '$x', '0', '1', 'module', 'func', 'param', 'result', 'local', 'type',
  'import', 'export', '"wasi_snapshot_preview1"', '"fd_write"', 'call', 'call_indirect', 'call_ref', 'local.get', 'br', 'block',
  'loop', 'if', 'else', 'end', 'i32.const', 'struct.get', ';; c', ';; fmt-ignore', ';; fmt-ignore-start', ';; fmt-ignore-end',
  '(;', ';)', '(@a', '\\', 'é', '\ud800',
];

function tokens(text: string): string[] {
  const t = lex(text);
  const out: string[] = [];
  for (let i = 0; i < t.count; i++) out.push(text.slice(t.starts[i], t.ends[i]));
  return out;
}

test('seeded random text through formatting, completion, signature help and rename', () => {
  const seed = Number(process.env.WAT_GARBAGE_SEED ?? Date.now() % 1_000_000);
  console.log(`editing garbage seed: ${seed}`);
  const r = prng(seed);
  for (let i = 0; i < 1500; i++) {
    let text = '';
    const length = Math.floor(r() * 600);
    while (text.length < length) text += r() < 0.85 ? PIECES[Math.floor(r() * PIECES.length)] + (r() < 0.5 ? ' ' : '') : String.fromCharCode(Math.floor(r() * 128));
    const script = r() < 0.3;
    const where = `seed ${seed}, case ${i}: ${JSON.stringify(text.slice(0, 300))}`;
    const options = r() < 0.5 ? DEFAULT_FORMAT_OPTIONS : { indentWidth: 3, insertSpaces: false, lineWidth: 20, maxBlankLines: 0 };
    const formatted = formatWat(text, options);
    if (formatted !== undefined) {
      assert.deepEqual(tokens(formatted), tokens(text), `${where}: tokens changed`);
      assert.equal(formatWat(formatted, options), formatted, `${where}: not idempotent`);
    }
    const doc = parseWat(text, { script });
    for (let k = 0; k < 4; k++) {
      const offset = Math.floor(r() * (text.length + 1));
      try {
        for (const item of completionsAt(doc, offset).items) assert.ok(item.replace.start <= offset && item.replace.end <= text.length, `${where}: replace span`);
        signatureHelpAt(doc, offset);
        prepareRename(doc, offset);
        const renamed = renameAt(doc, offset, '$renamed');
        if ('changes' in renamed) for (const c of renamed.changes) assert.ok(c.span.start >= 0 && c.span.end <= text.length, `${where}: rename span`);
        convertToId(doc, offset);
      } catch (e) {
        assert.fail(`${where} at ${offset}: ${(e as Error).stack}`);
      }
    }
  }
});
