/**
 * Open WAT buffers over the analysis budget (server/src/documents.ts): not parsed, a notice instead,
 * an outline on demand; back to a full parse when an edit brings the text within the budget; and
 * incremental edits of a parsed buffer do not recount its tokens unless they may cross the limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisCache } from '../../../server/src/documents';
import { DEFAULT_ANALYSIS_LIMITS } from '../../../server/src/engine/budget/limits';

const URI = 'file:///w/big.wat';
const funcs = (n: number) => `(module\n${'  (func $f (result i32) i32.const 1)\n'.repeat(n)})\n`;

test('a text over the size limit is not parsed: notice and outline', () => {
  const cache = new AnalysisCache();
  const text = funcs(1000);
  const a = cache.watText(URI, 'wat', text, 1, { ...DEFAULT_ANALYSIS_LIMITS, maxWatBytes: 10_000 });
  assert.equal(a.degraded, true);
  if (!a.degraded) return;
  assert.equal(a.notice.code, 'analysis-size-limit');
  assert.equal(a.notice.severity, 'info');
  assert.match(a.notice.message, /over the 0\.0 MB limit/);
  assert.match(a.notice.message, /Syntax colouring and an outline from a quick scan are kept/);
  assert.equal(a.outline().symbols[0].children.length, 1000);
  assert.equal(a.index.positionAt(text.length).line, 1002);
});

test('a text over the token limit is not parsed; an edit within the limit parses it again', () => {
  const cache = new AnalysisCache();
  const limits = { ...DEFAULT_ANALYSIS_LIMITS, maxWatTokens: 2000 };
  const big = funcs(300); // 300 x 9 tokens
  const a = cache.watText(URI, 'wat', big, 1, limits);
  assert.equal(a.degraded, true);
  assert.match(a.degraded ? a.notice.message : '', /over 2,000 tokens/);
  const small = funcs(100);
  const b = cache.watText(URI, 'wat', small, 2, limits);
  assert.equal(b.degraded, undefined);
  assert.equal(b.degraded ? 0 : b.doc.modules.length, 1);
  // an edit that adds functions crosses the limit again
  const c = cache.watText(URI, 'wat', small.replace('(module\n', `(module\n${'  (func)\n'.repeat(400)}`), 3, limits);
  assert.equal(c.degraded, true);
});

test('within the limits a text is parsed as before', () => {
  const cache = new AnalysisCache();
  const a = cache.watText(URI, 'wat', funcs(10), 1);
  assert.equal(a.degraded, undefined);
  assert.equal(cache.watText(URI, 'wat', funcs(10), 1), a, 'cached per version');
});
