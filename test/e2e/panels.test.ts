// Panels show what is in a module as text: a module whose import and export names are HTML must not
// turn into elements (or run script) in the Inspect panel or the .wasm module editor.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { useWorkbench } from './harness';
import { wat2wasm } from './wasm-inputs';

const IMPORT_NAME = '<img src=x onerror=alert(1)>';
const EXPORT_NAME = '<script>alert(2)</script>';

function hostileModule(): Promise<Buffer> {
  return wat2wasm(`(module
  (import "env" "${IMPORT_NAME}" (func $f))
  (func (export "${EXPORT_NAME}") (call $f)))`);
}

/** The names are shown as text, and the page has no element made from them. */
async function assertShownAsText(frame: FrameLocator, where: string): Promise<void> {
  const content = frame.locator('main#content');
  await content.locator('code', { hasText: IMPORT_NAME }).first().waitFor();
  const codes = await content.locator('code').allInnerTexts();
  assert.ok(codes.includes(IMPORT_NAME), `${where}: the import name as text; <code> texts: ${JSON.stringify(codes)}`);
  assert.ok(codes.includes(EXPORT_NAME), `${where}: the export name as text; <code> texts: ${JSON.stringify(codes)}`);
  assert.equal(await frame.locator('img').count(), 0, `${where}: no <img> element in the webview`);
  // no script element inside the rendered content (VS Code's own bootstrap script and the panel's
  // nonce'd script are outside it)
  assert.equal(await content.locator('script').count(), 0, `${where}: no <script> in the content`);
  assert.equal(await frame.locator('[onerror]').count(), 0, `${where}: no element with an onerror attribute`);
}

describe('panels escape names from modules', () => {
  const wb = useWorkbench({ name: 'panels' });
  const dialogs: string[] = [];

  test('the .wasm module editor and the Inspect panel show a hostile import name as text', async () => {
    const w = wb();
    w.page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
    // the extension is up (its editor for *.wasm is known) once the example's broken.wat has its error
    await w.waitForProblem((p) => p.file === 'broken.wat' && p.severity === 'error');
    fs.writeFileSync(path.join(w.workspace, 'hostile.wasm'), await hostileModule());

    await w.openFromExplorer('hostile.wasm');
    await assertShownAsText(await w.panel('hostile.wasm'), 'module editor');

    await w.runCommand('Wasm Warden: Inspect Module');
    const inspect = await w.panel('Inspect: hostile.wasm');
    await assertShownAsText(inspect, 'Inspect panel');
    // the import's row: verdict, then name, module, kind as text cells (the full name also on hover)
    const row = inspect.locator('section', { hasText: 'Imports (1)' }).locator('tbody tr').first();
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(1, 4), [IMPORT_NAME, 'env', 'func']);
    assert.equal(await row.locator('td').nth(1).getAttribute('title'), IMPORT_NAME);

    assert.deepEqual(dialogs, [], 'no alert/confirm/prompt fired');
  });
});
