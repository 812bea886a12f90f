/**
 * Comparing two large texts in a test (a module's WAT is megabytes): the failure names the first line
 * that differs, not the whole texts. Shared by the unit and end-to-end round-trip tests.
 */
import assert from 'node:assert/strict';

/** Fails with the first line where two texts differ. */
export function assertSameText(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  assert.fail(`${what}: line ${i + 1} differs (${a.length} lines, expected ${e.length}):\n  actual:   ${a[i] ?? '(end)'}\n  expected: ${e[i] ?? '(end)'}`);
}
