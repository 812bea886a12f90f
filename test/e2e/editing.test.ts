// Issue 17 in the editor: complete an import from the WASI catalog (the policy's verdict on the item),
// rename a function, format the document, see inlay hints and semantic colours, and follow a code lens.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, TIMEOUT, useWorkbench } from './harness';

/** Screenshots of the features on screen (kept as the run's artefacts, like first-hour's). */
const SCREENSHOTS = path.join(REPO_ROOT, '.test-output', 'e2e', 'editing');

const MODULE = `(module
(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
(memory (export "memory") 1)
(func $helper (param $value i32) (param $limit i32) (result i32)
(select (local.get $value) (local.get $limit) (i32.lt_u (local.get $value) (local.get $limit))))
(func (export "main") (result i32)
(drop (call $helper (i32.const 1) (i32.const 2)))
block $done
br $done
end
(call $helper (i32.const 3) (i32.const 4)))
)
`;

describe('editing WAT', () => {
  const wb = useWorkbench({
    name: 'editing',
    files: { 'edit.wat': MODULE },
    settings: { 'editor.inlayHints.enabled': 'on', 'editor.codeLens': true, 'editor.semanticHighlighting.enabled': true },
  });

  test('format, inlay hints, semantic colours, a code lens, rename, and an import completed from the WASI catalog', async () => {
    const w = wb();
    await w.openFile('edit.wat');
    const editor = w.activeEditor();

    // the server is up when its code lenses are on screen: "2 references" above $helper
    const lens = editor.locator('.codelens-decoration a', { hasText: '2 references' });
    await lens.first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await editor.locator('.codelens-decoration', { hasText: /WASI · fd-io · allowed by the policy/ }).first().waitFor({ state: 'visible', timeout: TIMEOUT });

    // Format Document: the folded and flat code is indented by structure
    await w.focusEditor();
    await w.runCommand('Format Document');
    await w.waitForText(/^/);
    await waitUntil(async () => /\n {2}\(func \$helper/.test(await w.visibleEditorText()), 'the formatted text');
    const formatted = await w.visibleEditorText();
    assert.match(formatted, /\n {4}block \$done\n {6}br \$done/, `flat code inside the block is indented:\n${formatted}`);

    // inlay hints: parameter names at the folded call, the block a flat end closes
    await waitUntil(async () => (await editor.locator('.view-lines').innerText()).includes('$value:'), 'inlay hints');
    const lines = await editor.locator('.view-lines').innerText();
    assert.ok(lines.includes('$limit:'), lines);
    assert.ok(/end\s*\$done/.test(lines.replace(/\u00a0/g, ' ')), `the end names its block:\n${lines}`);

    // semantic colours: a function's $name and a parameter's are coloured differently by the theme
    const colourOf = async (text: string) =>
      editor.locator('.view-lines span span', { hasText: new RegExp(`^\\${text}$`) }).first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
    await waitUntil(async () => (await colourOf('$helper')) !== (await colourOf('$value')), 'semantic colours');

    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await w.page.screenshot({ path: path.join(SCREENSHOTS, 'formatted-inlay-hints-semantic-colours-code-lenses.png') });

    // follow the code lens: the references peek lists both calls
    await lens.first().click();
    const peek = w.page.locator('.peekview-widget, .reference-zone-widget').first();
    await peek.waitFor({ state: 'visible', timeout: TIMEOUT });
    await waitUntil(async () => /2 references|edit\.wat/i.test(await peek.innerText()), 'the references peek');
    await w.page.keyboard.press('Escape');

    // rename $helper (F2) everywhere
    const text = await w.visibleEditorText();
    const line = text.split('\n').findIndex((l) => l.includes('(func $helper'));
    await w.goToLine(line + 1, text.split('\n')[line].indexOf('$helper') + 2);
    await w.page.keyboard.press('F2');
    const input = w.page.locator('.rename-box input, .rename-input').first();
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill('$clamp');
    await w.page.keyboard.press('Enter');
    await waitUntil(async () => !(await w.visibleEditorText()).includes('$helper'), 'the rename');
    assert.equal((await w.visibleEditorText()).match(/\$clamp/g)?.length, 3, 'the definition and both calls');

    // complete an import from the WASI catalog: the item shows the capability and the policy's verdict
    await w.goToLine(2, 1);
    await w.page.keyboard.press('End');
    await w.page.keyboard.press('Enter');
    await w.typeInEditor('(import "wasi_snapshot_preview1" "path_op');
    await w.page.keyboard.press('Control+Space');
    const suggest = w.page.locator('.suggest-widget .monaco-list-row', { hasText: 'path_open' }).first();
    await suggest.waitFor({ state: 'visible', timeout: TIMEOUT });
    const row = await suggest.innerText();
    await w.page.screenshot({ path: path.join(SCREENSHOTS, 'wasi-import-completion.png') });
    assert.match(row, /denied by the policy/, `the example policy denies path_*: ${row}`);
    await w.page.keyboard.press('Tab'); // the harness turns acceptSuggestionOnEnter off
    await waitUntil(async () => /"path_open" \(func \$path_open \(param/.test(await w.visibleEditorText()), 'the completed import');
    const final = await w.visibleEditorText();
    assert.match(final, /\(func \$clamp \(param \$value i32\)/, final);
  });
});

async function waitUntil(check: () => Promise<boolean>, what: string, timeout = TIMEOUT): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* the element may be re-rendered between reads */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
