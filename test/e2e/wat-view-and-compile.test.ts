// Issue 16, in the editor: a real 33 MB module (z3-solver's, C++ by emscripten, installed from npm into the
// cache by test/e2e/setup.sh) opens with its WAT view, which shows the module's text; its largest function's
// body opens on demand, every line of it in the editor; then a C program is disassembled to a .wat, the .wat
// compiled back, and the new .wasm is in the explorer, valid for V8, with our engine's bytes.
//
// Everything is asserted on what the user sees (the lines on screen, the status bar's line count, the find
// widget's match count over the editor's text), never on how the text reached the editor.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, TIMEOUT, useWorkbench, type Workbench } from './harness';
import { installedModule, REAL_MODULES } from '../real-modules';
import { readWasm } from '../../server/src/engine/binary/reader';
import { disassembleFunction } from '../../server/src/engine/binary/wat-view';
import { compileWatText } from '../../server/src/engine/operations/compile';
import { disassembleTo } from '../../server/src/engine/operations/print-file';
import { buildGuest } from '../unit/code/guests';
import { clangMissing } from '../clang';
import { assertSameText } from '../same-text';

const SCREENSHOTS = path.join(REPO_ROOT, '.test-output', 'e2e', 'wat-view-and-compile');
/** A 33 MB module takes seconds to read and show on a loaded machine: a bound for a failure, not a target. */
const LARGE_TIMEOUT = Math.max(TIMEOUT, 180_000);

const Z3 = installedModule(REAL_MODULES.z3);
const MODULE = 'z3.wasm';

/** The largest defined function of the module, as our engine's reader sees it. */
function largestFunction(bytes: Uint8Array): { index: number; name: string; bodySize: number } {
  let best: { index: number; id?: string; bodySize?: number } | undefined;
  for (const f of readWasm(bytes).model.funcs) {
    if (!f.imported && (f.bodySize ?? 0) > (best?.bodySize ?? -1)) best = f;
  }
  assert.ok(best?.id, 'the module names its functions');
  return { index: best.index, name: best.id.slice(1), bodySize: best.bodySize ?? 0 };
}

// (page code as source text: tsx would add helpers to a function that do not exist in the page)
/** Resolves when the editor area's DOM changes (or after 1 s, to re-read in any case). */
const EDITOR_CHANGED = `new Promise((resolve) => {
  const area = document.querySelector('.part.editor') || document.body;
  const obs = new MutationObserver(() => { obs.disconnect(); resolve(true); });
  obs.observe(area, { subtree: true, childList: true, characterData: true, attributes: true });
  setTimeout(() => { obs.disconnect(); resolve(false); }, 1000);
})`;

const V8 = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/** Lines as the editor shows them, read from the DOM of the editor of the group showing `tab`. */
async function visibleLines(w: Workbench, tab: string): Promise<string[]> {
  return (await w.visibleEditorText(tab)).split('\n');
}

/**
 * Waits until the lines on screen in `tab`'s editor satisfy `ok` (re-read on each change of the editor's
 * lines), and returns them; on time-out, fails with `what` and the lines last seen.
 */
async function untilLines(w: Workbench, tab: string, what: string, ok: (lines: string[]) => boolean, timeout = TIMEOUT): Promise<string[]> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const lines = await visibleLines(w, tab);
    if (ok(lines)) return lines;
    if (Date.now() > deadline) assert.fail(`${what}: not on screen within ${timeout} ms; the lines on screen:\n${lines.join('\n')}`);
    await w.page.evaluate(EDITOR_CHANGED);
  }
}

/** The status bar's cursor position ("Ln 17264, Col 1") once it reads line `line`; fails with what it reads. */
async function waitForCursorLine(w: Workbench, line: number, timeout = TIMEOUT): Promise<void> {
  const item = w.page.locator('[id="status.editor.selection"]');
  await item.waitFor({ state: 'visible', timeout });
  await w.page
    .waitForFunction(`/^Ln ${line},/.test((document.querySelector('[id="status.editor.selection"]')?.textContent ?? '').trim())`, undefined, { timeout })
    .catch(async () => assert.fail(`the status bar reads "${(await item.innerText()).trim()}", not line ${line}`));
}

/**
 * Ctrl+End in the active editor until the cursor is on line `lines` (the status bar says so): the last line
 * of a text with that many lines. Pressed again when the cursor stopped short (a text still filling in).
 */
async function goToLastLine(w: Workbench, lines: number, timeout = TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  await w.focusEditor();
  for (;;) {
    await w.page.keyboard.press('Control+End');
    const last = Date.now() + 5000 >= deadline;
    try {
      await waitForCursorLine(w, lines, last ? Math.max(1000, deadline - Date.now()) : 5000);
      return;
    } catch (err) {
      if (last) throw err;
    }
  }
}

/**
 * Searches the active editor with its find widget and waits until the match count it shows over the whole
 * text ("k of N") has N = `total` (the count follows the text: a view still filling in reaches it later).
 */
async function waitForFindCount(w: Workbench, text: string, total: number, what: string): Promise<void> {
  await w.focusEditor();
  await w.page.keyboard.press('Control+F');
  const input = w.page.locator('.editor-group-container.active .find-widget.visible .find-part .input').first();
  await input.waitFor({ state: 'visible', timeout: TIMEOUT });
  await input.fill(text);
  const count = w.page.locator('.editor-group-container.active .find-widget.visible .matchesCount').first();
  await count.filter({ hasText: new RegExp(`^\\d+ of ${total}$`) }).waitFor({ timeout: TIMEOUT }).catch(async () => {
    assert.fail(`${what}: searching for ${JSON.stringify(text)}, the find widget shows "${await count.innerText().catch(() => '?')}", not ${total} matches`);
  });
}

async function closeFind(w: Workbench): Promise<void> {
  await w.page.keyboard.press('Escape');
  await w.page.locator('.editor-group-container.active .find-widget.visible').waitFor({ state: 'detached', timeout: TIMEOUT }).catch(() => undefined);
}

/** The module's text as our engine prints it (what Disassemble writes). */
function disassembled(bytes: Uint8Array): string {
  let text = '';
  disassembleTo(bytes, (chunk) => (text += chunk));
  return text;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `shown` is the run of `lines` starting at some index in [from, to]. */
function isSliceNear(lines: string[], shown: string[], from: number, to: number): boolean {
  for (let k = Math.max(0, from); k <= Math.min(to, lines.length - shown.length); k++) {
    if (shown.every((l, i) => lines[k + i] === l)) return true;
  }
  return false;
}

describe('a real 33 MB module in the WAT view; disassemble and compile back (issue 16)', () => {
  const wb = useWorkbench({
    name: 'wat-view-and-compile',
    // the real module, copied into the workspace as a user's build output would be there
    files: Z3 ? { [MODULE]: fs.readFileSync(Z3) } : {},
    // the find widget starts empty (not seeded with the word at the cursor)
    settings: { 'editor.find.seedSearchStringFromSelection': 'never' },
  });
  const file = (rel: string) => path.join(wb().workspace, rel);

  test('the WAT view of z3\'s 33 MB module shows its text, and its largest function\'s body opens in full', async (t) => {
    assert.ok(Z3, `z3-solver's module is not installed (${REAL_MODULES.z3.spec}): run bash test/e2e/setup.sh`);
    const w = wb();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const bytes = new Uint8Array(fs.readFileSync(file(MODULE)));
    assert.ok(bytes.length > 30e6, `a 30+ MB module (${bytes.length} bytes)`);
    const read = readWasm(bytes);
    const big = largestFunction(bytes);
    const expectedBody = (await disassembleFunction(bytes, read, big.index)).split('\n');

    // the extension is up once the example's broken.wat has its error (else the explorer opens a .wasm as text)
    await w.waitForProblem((p) => p.file === 'broken.wat' && p.severity === 'error');
    const open0 = Date.now();
    await w.openFromExplorer(MODULE);
    const summary = await w.panel(MODULE);
    await summary.locator('main#content h1', { hasText: 'policy:' }).waitFor({ timeout: LARGE_TIMEOUT });
    const summaryMs = Date.now() - open0;

    // the WAT view: a module this large gets it on demand, from the summary's Show WAT button
    const view = `${MODULE}.wat`;
    const view0 = Date.now();
    await summary.getByRole('button', { name: 'Show WAT' }).first().click();
    await w.groupWithTab(view).waitFor({ timeout: LARGE_TIMEOUT });
    const top = await untilLines(w, view, 'the head of the WAT view', (l) => l.some((x) => x.startsWith(';; WebAssembly module')), LARGE_TIMEOUT);
    const viewMs = Date.now() - view0;
    await w.page.screenshot({ path: path.join(SCREENSHOTS, 'module-view.png') });
    assert.match(top.join('\n'), new RegExp(`^;; WebAssembly module, ${bytes.length} bytes`, 'm'), 'its size');
    assert.ok(top.some((l) => /^\(module\b/.test(l)), `the module's text:\n${top.join('\n')}`);
    assert.ok(top.some((l) => /^\s+\(type \(;0;\) \(func/.test(l)), `its types:\n${top.join('\n')}`);

    // the editor holds the whole module's declarations: every import and export is in its text
    await w.groupWithTab(view).locator(`.tab[data-resource-name="${view}"]`).click();
    const { imports, exports } = read.model;
    await waitForFindCount(w, '(import "', imports.length, 'one (import per import of the module');
    await closeFind(w);
    await waitForFindCount(w, '(export "', exports.length, 'one (export per export of the module');
    await closeFind(w);
    // and the largest function's header, found by its index: the editor scrolls to it
    const header = `(;${big.index};)`;
    await waitForFindCount(w, header, 1, `${header} is in the view once`);
    const atHeader = await untilLines(w, view, `the header of func ${big.index}`, (l) => l.some((x) => x.includes(header)));
    const headerLine = atHeader.find((x) => x.includes(header))!;
    assert.match(headerLine, /^\s+\(func \$/, headerLine);
    assert.ok(headerLine.includes(big.name), `the function's name on its header line: ${headerLine}`);
    await w.page.screenshot({ path: path.join(SCREENSHOTS, 'module-view-largest-function-header.png') });
    await closeFind(w);

    // its body, on demand: Show Function Body from the Command Palette, the function picked by its index
    const body0 = Date.now();
    await w.runCommand('Wasm Warden: Show Function Body (WAT)');
    await w.page.locator('.quick-input-widget .quick-input-title', { hasText: /functions\)$/ }).waitFor({ timeout: LARGE_TIMEOUT });
    await w.page.locator('.quick-input-widget input.input').fill(`(func ${big.index})`);
    await w.pickQuickItem(new RegExp(`^${escapeRegExp(big.name.slice(0, 60))}.*\\(func ${big.index}\\)$`));
    const bodyTabSelector = `.tabs-container .tab.active[data-resource-name$="(func ${big.index}).wat"]`;
    await w.page.locator(bodyTabSelector).waitFor({ timeout: LARGE_TIMEOUT });
    const bodyTab = (await w.page.locator(bodyTabSelector).getAttribute('data-resource-name'))!;
    // its first lines, as our engine prints them
    const head = await untilLines(w, bodyTab, 'the head of the body', (l) => l[0]?.startsWith('(func '), LARGE_TIMEOUT);
    const bodyMs = Date.now() - body0;
    await w.page.screenshot({ path: path.join(SCREENSHOTS, 'largest-function-body.png') });
    assert.deepEqual(head, expectedBody.slice(0, head.length), 'the first lines of the body');
    assert.ok(head.length > 10, `a screenful of it (${head.length} lines)`);
    // all of it is in the editor: its last line is the engine's last (the status bar counts the lines)
    await goToLastLine(w, expectedBody.length);
    const tail = await untilLines(w, bodyTab, 'the end of the body', (l) => l.length > 1 && l[l.length - 1] === expectedBody[expectedBody.length - 1] && l[l.length - 2] === expectedBody[expectedBody.length - 2]);
    assert.deepEqual(tail, expectedBody.slice(-tail.length), 'the last lines of the body');
    // and its middle: the line of a call halfway through, with the lines around it
    const middle = expectedBody.findIndex((l, i) => i >= expectedBody.length / 2 && /^\s+call \$/.test(l));
    assert.ok(middle > 0, 'the body calls functions');
    // (the cursor on the instruction itself: the editor scrolls sideways to it, however deep the nesting)
    await w.goToLine(middle + 1, expectedBody[middle].search(/\S/) + 1);
    await waitForCursorLine(w, middle + 1);
    const around = await untilLines(w, bodyTab, `line ${middle + 1}`, (l) => l.includes(expectedBody[middle]));
    assert.ok(isSliceNear(expectedBody, around, middle - around.length, middle), `the lines around ${middle + 1} are the body's:\n${around.join('\n')}`);
    await w.page.screenshot({ path: path.join(SCREENSHOTS, 'largest-function-body-middle.png') });

    const line = `# e2e: ${(bytes.length / 1e6).toFixed(1)} MB module (z3): summary on screen ${summaryMs} ms after the click; its WAT view's text ${viewMs} ms after Show WAT; func ${big.index} (${big.bodySize} bytes of code, ${expectedBody.length} lines) on screen ${bodyMs} ms after the command`;
    console.error(line);
    t.diagnostic(line);
  });

  test('a C program disassembled to a .wat and compiled back: the new .wasm is in the explorer, valid, our engine\'s bytes', async (t) => {
    const w = wb();
    let guest: Uint8Array;
    try {
      guest = buildGuest('checksum');
    } catch (err) {
      clangMissing(t, `clang --target=wasm32-wasi could not build checksum.c: ${(err as Error).message}`);
      return;
    }
    fs.writeFileSync(file('checksum.wasm'), guest);
    await w.openFromExplorer('checksum.wasm');
    await w.panel('checksum.wasm');
    // Disassemble: checksum.wat is written and opens
    await w.runCommand('Wasm Warden: Disassemble .wasm to .wat');
    await w.page.locator('.tabs-container .tab.active[data-resource-name="checksum.wat"]').waitFor({ timeout: TIMEOUT });
    const wat = fs.readFileSync(file('checksum.wat'), 'utf8');
    assert.match(wat, /^\(module/m);
    assert.match(await w.visibleEditorText('checksum.wat'), /\(module/);

    // Compile it: checksum.wasm exists, so the command asks; Write Alongside keeps it and writes checksum-1.wasm
    await w.runCommand('Wasm Warden: Compile WAT to .wasm');
    await w.answerDialog('Write Alongside', /checksum\.wasm exists/);
    const report = await w.panelText('Compile: checksum.wat', /Wrote/);
    assert.match(report, /checksum-1\.wasm/, report);
    // the new file is listed in the explorer
    const explorer = w.page.locator('.explorer-folders-view');
    await explorer.locator('.monaco-list-row .label-name', { hasText: /^checksum-1\.wasm$/ }).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await w.page.screenshot({ path: path.join(SCREENSHOTS, 'compiled-in-explorer.png') });

    const compiled = new Uint8Array(fs.readFileSync(file('checksum-1.wasm')));
    assert.deepEqual(new Uint8Array(fs.readFileSync(file('checksum.wasm'))), guest, 'the original is kept');
    assert.ok(V8.validate(compiled), 'V8 accepts the compiled module');
    // the bytes our engine compiles from the same text (names kept: wasmWarden.compile.debugNames is on by default)
    const engine = compileWatText(wat, { debugNames: true });
    assert.ok(engine.bytes, JSON.stringify(engine.diagnostics));
    assert.deepEqual(compiled, engine.bytes, 'the same bytes as our engine compiles');
    // and the round trip gives back the text it started from, to the letter (a fixed point)
    assertSameText(disassembled(compiled), wat, 'disassemble(compile(disassemble(m))) is disassemble(m)');
  });
});
