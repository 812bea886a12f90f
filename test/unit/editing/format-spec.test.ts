/**
 * Formatting never changes meaning: every script of the spec test suite, and every text module in it
 * on its own, formats to a text that parses to the same tree (the same atoms, in the same lists, in the
 * same order), keeps every comment and annotation, and formats to itself a second time.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatWat, type FormatOptions } from '../../../server/src/engine/editing/format';
import { parseWat } from '../../../server/src/engine/wat';
import { lex } from '../../../server/src/engine/wat/lexer';
import type { Node } from '../../../server/src/engine/wat/syntax';
import { CORPUS, corpusModules } from '../validate/wast-modules';

/** The tree as one string: atoms in order, lists as brackets (whitespace cannot hide in it). */
function shape(nodes: Node[], out: string[] = []): string[] {
  const stack: (Node | ']')[] = [...nodes].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (n === ']') out.push(']');
    else if (n.type === 'atom') out.push(n.text);
    else {
      out.push('[');
      stack.push(']');
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
  }
  return out;
}

/** Every token and every comment/annotation text, in order. */
function tokensAndComments(text: string): string[] {
  const t = lex(text);
  const spans: [number, number][] = [];
  for (let i = 0; i < t.count; i++) spans.push([t.starts[i], t.ends[i]]);
  for (const s of t.trivia) spans.push([s.start, s.end]);
  spans.sort((a, b) => a[0] - b[0]);
  const out: string[] = [];
  let at = 0;
  // line comments are in the gaps between tokens, comments and annotations
  const gap = (to: number) => {
    for (const m of text.slice(at, to).matchAll(/;;[^\n\r]*/g)) out.push(m[0].trimEnd());
  };
  for (const [s, e] of spans) {
    gap(s);
    out.push(text.slice(s, e));
    at = e;
  }
  gap(text.length);
  return out;
}

function assertSameMeaning(name: string, text: string, script: boolean, options?: FormatOptions): string {
  const once = formatWat(text, options);
  assert.ok(once !== undefined, `${name}: not formatted`);
  const a = parseWat(text, { script });
  const b = parseWat(once, { script });
  assert.deepEqual(shape(b.tree.children), shape(a.tree.children), `${name}: the formatted text parses to another tree`);
  assert.equal(b.tree.modules.length, a.tree.modules.length, `${name}: modules`);
  assert.deepEqual(tokensAndComments(once), tokensAndComments(text), `${name}: tokens or comments changed`);
  assert.equal(formatWat(once, options), once, `${name}: formatting twice differs from formatting once`);
  return once;
}

const scripts = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.wast')).sort();

test('every spec-suite script formats to the same tree, with its comments, idempotently', () => {
  let changed = 0;
  let chars = 0;
  for (const f of scripts) {
    const text = fs.readFileSync(path.join(CORPUS, f), 'utf8');
    chars += text.length;
    if (assertSameMeaning(f, text, true) !== text) changed++;
  }
  assert.ok(scripts.length > 50, `only ${scripts.length} scripts found in ${CORPUS}`);
  console.log(`formatted ${scripts.length} spec-suite scripts (${(chars / 1e6).toFixed(1)} M characters), ${changed} changed`);
});

test('every text module of the spec suite, on its own and with tabs and a narrow line, formats to the same tree', () => {
  const modules = corpusModules().filter((m) => m.form === 'text');
  const narrow: FormatOptions = { indentWidth: 4, insertSpaces: false, lineWidth: 40, maxBlankLines: 0 };
  let n = 0;
  for (const m of modules) {
    const name = `${m.file}:${m.line}`;
    assertSameMeaning(name, m.text!, false);
    assertSameMeaning(`${name} (tabs, width 40)`, m.text!, false, narrow);
    n++;
  }
  assert.ok(n > 1000, `only ${n} text modules`);
  console.log(`formatted ${n} spec-suite text modules, each twice with two sets of options`);
});
