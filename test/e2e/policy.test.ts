// A user opens a WAT module that imports a WASI function the workspace policy denies: the editor flags the
// import and the Problems panel lists it. The user then edits wasm-warden.policy.json to allow it, saves,
// and the entry goes away while the other policy findings stay.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorkbench, type Problem } from './harness';

const isPathOpen = (p: Problem) => p.file === 'hello.wat' && /path_open/.test(p.message);
const isMemoryFinding = (p: Problem) => p.file === 'hello.wat' && /maximum/i.test(p.message);

const ALLOWING_POLICY = `{
  "imports": {
    "deny": []
  },
  "memory": {
    "requireMaximum": true,
    "maxPages": 256
  }
}
`;

describe('policy diagnostics', () => {
  const wb = useWorkbench({ name: 'policy' });

  test('a denied import is flagged, and allowing it in the policy clears the entry', async (t) => {
    const w = wb();
    // The probe: the bundled language server of the installed build carries the import rule.
    if (!w.buildContains('dist/server.js', 'import-not-allowed')) {
      t.skip('policy diagnostics are not in this build (dist/server.js has no import-not-allowed rule)');
      return;
    }
    await w.openFile('hello.wat');
    const squiggles = w.activeEditor().locator('.squiggly-error, .squiggly-warning');
    await squiggles.first().waitFor({ state: 'attached' });
    const denied = await w.waitForProblem(isPathOpen);
    assert.ok(denied.severity === 'error' || denied.severity === 'warning', `severity: ${denied.severity}`);
    assert.equal(denied.line, 7, 'the entry points at the path_open import (line 7 of hello.wat)');
    await w.waitForProblem(isMemoryFinding);

    await w.openFile('wasm-warden.policy.json');
    await w.replaceEditorText(ALLOWING_POLICY);
    await w.save();

    const after = await w.waitForNoProblem(isPathOpen);
    assert.ok(after.some(isMemoryFinding), `the memory finding stays: ${JSON.stringify(after)}`);
    await w.openFile('hello.wat');
    const visible = await w.visibleEditorText();
    assert.match(visible, /path_open/, 'hello.wat is unchanged');
  });
});
