/**
 * The server's WAT view cache (server/src/view-cache.ts): bounded by the views' estimated size, least
 * recently used out first, the newest always kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ViewCache, viewBytes, type CachedView } from '../../../server/src/view-cache';
import { LineIndex } from '../../../server/src/engine/span';

function view(chars: number): CachedView {
  const text = ('x'.repeat(99) + '\n').repeat(Math.ceil(chars / 100)).slice(0, chars);
  return { view: { text, headerOnly: true, spanForByte: () => undefined, mapBytes: 32 * 1024 }, index: new LineIndex(text), mtimeMs: 1 };
}

test('views past the budget go, least recently used first', () => {
  const one = viewBytes(view(10_000).view, view(10_000).index);
  const cache = new ViewCache(one * 3);
  cache.set('a', view(10_000));
  cache.set('b', view(10_000));
  cache.set('c', view(10_000));
  assert.equal(cache.size, 3);
  assert.ok(cache.get('a'), 'a is used: b is now the least recently used');
  cache.set('d', view(10_000));
  assert.equal(cache.size, 3);
  assert.equal(cache.peek('b'), undefined);
  assert.ok(cache.peek('a') && cache.peek('c') && cache.peek('d'));
  assert.ok(cache.bytes <= one * 3);
});

test('a view larger than the budget is kept alone, and deleting gives its bytes back', () => {
  const cache = new ViewCache(1000);
  cache.set('a', view(100));
  cache.set('big', view(100_000));
  assert.equal(cache.size, 1);
  assert.ok(cache.peek('big'));
  cache.delete('big');
  assert.equal(cache.size, 0);
  assert.equal(cache.bytes, 0);
});

test('replacing a view counts only the new one', () => {
  const cache = new ViewCache();
  cache.set('a', view(1000));
  const once = cache.bytes;
  cache.set('a', view(1000));
  assert.equal(cache.bytes, once);
});
