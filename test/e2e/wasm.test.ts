// A user opens a compiled module (examples/workspace/counter.wasm): Wasm Warden's module editor shows its
// summary, a read-only WAT view of it opens beside, and the policy finding for its denied import
// (wasi_snapshot_preview1.path_unlink_file) is listed in the Problems panel.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manifest, useWorkbench } from './harness';

const customEditor = (manifest().contributes?.customEditors ?? [])
  .find((e: { selector?: { filenamePattern?: string }[] }) => e.selector?.some((s) => s.filenamePattern === '*.wasm'));

describe('.wasm modules', () => {
  const wb = useWorkbench({ name: 'wasm' });

  test('opening a .wasm shows its summary and a read-only WAT view', async (t) => {
    if (!customEditor) {
      t.skip('this build contributes no editor for *.wasm (package.json contributes.customEditors)');
      return;
    }
    const w = wb();
    await w.openFile('counter.wasm');
    const summary = await w.webviewText('counter.wasm', 'path_unlink_file');
    assert.match(summary, /increment/, 'the summary lists the exports');

    // The WAT view, beside the module editor.
    const watTab = 'counter.wasm.wat';
    await w.groupWithTab(watTab).waitFor({ timeout: 30_000 });
    const wat = await w.visibleEditorText(watTab);
    assert.match(wat, /\(module/);
    assert.match(wat, /\(import "wasi_snapshot_preview1" "path_unlink_file"/);
    assert.match(wat, /\(export "increment"/);

    // It is read-only: typing into it is refused and leaves the text as it was.
    await w.groupWithTab(watTab).locator(`.tab[data-resource-name="${watTab}"]`).click();
    await w.focusEditor();
    await w.page.keyboard.type('x');
    await w.waitForText(/Cannot edit in read-only editor/);
    assert.equal(await w.visibleEditorText(watTab), wat);
  });

  test('the denied import of the .wasm is in the Problems panel', async (t) => {
    const w = wb();
    if (!w.buildContains('dist/server.js', 'import-not-allowed')) {
      t.skip('policy diagnostics are not in this build (dist/server.js has no import-not-allowed rule)');
      return;
    }
    const entry = await w.waitForProblem((p) => /^counter\.wasm/.test(p.file) && /path_unlink_file/.test(p.message));
    assert.equal(entry.code, 'import-not-allowed');
    assert.equal(entry.severity, 'error');
  });
});
