// Tasks of type `wasm-warden` with the `$wasm-warden` problem matcher, run from "Tasks: Run Task"; and what
// a restricted (untrusted) workspace allows: no provided tasks, and a sandbox run only after a confirmation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TIMEOUT, useWorkbench, type Workbench } from './harness';

// A file the language server is told not to scan (wasmWarden.scanExclude), so its problems can only come
// from the task's output through the problem matcher.
const TASK_ONLY = 'task-only/unbounded.wat';
const UNBOUNDED_WAT = `(module
  (memory (export "memory") 1))
`;

const GREET_WAT = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "hello from a restricted workspace\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 34))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
`;

async function extensionReady(w: Workbench): Promise<void> {
  // the language server is up once the example's broken.wat has its error
  await w.waitForProblem((p) => p.file === 'broken.wat' && p.severity === 'error');
}

/** The rows of the open quick pick (labels), once `expected` is among them. */
async function quickPickLabels(w: Workbench, expected?: RegExp): Promise<string[]> {
  const rows = w.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
  if (expected) await rows.filter({ hasText: expected }).first().waitFor({ timeout: TIMEOUT });
  else await rows.first().waitFor({ timeout: TIMEOUT });
  return (await rows.allInnerTexts()).map((t) => t.trim());
}

const TASKS_JSON = JSON.stringify({
  version: '2.0.0',
  tasks: [{
    label: 'warden check', type: 'wasm-warden', command: 'check', args: ['.'], problemMatcher: ['$wasm-warden'],
    // the terminal stays in the background: the Problems panel is what this test reads
    presentation: { reveal: 'never' },
  }],
}, null, 2);

describe('wasm-warden tasks', () => {
  const wb = useWorkbench({
    name: 'tasks',
    settings: { 'wasmWarden.scanExclude': ['task-only/**'] },
    files: { '.vscode/tasks.json': TASKS_JSON, [TASK_ONLY]: UNBOUNDED_WAT },
  });

  test('a configured check task reports its problems in the Problems panel', async () => {
    const w = wb();
    await extensionReady(w);
    // nothing reports the task-only file before the task runs
    assert.equal((await w.problems()).some((p) => p.file === 'unbounded.wat'), false);

    await w.runCommand('Tasks: Run Task');
    await w.pickQuickItem('warden check');
    // the Problems list renders only the rows on screen: collapse every file, then expand the task's one
    const panel = await w.showProblems();
    await w.page.locator('.panel .action-label.codicon-collapse-all, .panel [aria-label="Collapse All"]').first().click();
    const group = panel.locator('.monaco-list-row').filter({ has: w.page.locator('.label-name', { hasText: /^unbounded\.wat$/ }) }).first();
    await group.waitFor({ timeout: TIMEOUT });
    if ((await group.getAttribute('aria-expanded')) !== 'true') await group.click();
    await panel.locator('.monaco-list-row[aria-expanded="true"]').filter({ has: w.page.locator('.label-name', { hasText: /^unbounded\.wat$/ }) })
      .first().waitFor({ timeout: TIMEOUT });
    const problem = await w.waitForProblem((p) => p.file === 'unbounded.wat' && p.code === 'memory-unbounded');
    assert.equal(problem.severity, 'error');
    assert.equal(problem.source, 'wasm-warden');
    assert.equal(problem.line, 2);
    assert.match(problem.message, /no maximum/);
  });

  test('the provided tasks are offered under wasm-warden', async () => {
    const w = wb();
    await w.runCommand('Tasks: Run Task');
    await w.pickQuickItem('wasm-warden');
    // "check ." is customized by the configured "warden check", so it is listed under that label
    const labels = await quickPickLabels(w, /^wasm-warden: validate \.$/);
    assert.ok(labels.includes('warden check'), JSON.stringify(labels));
    await w.page.keyboard.press('Escape');
    await w.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: TIMEOUT });
  });
});

describe('a restricted (untrusted) workspace', () => {
  const wb = useWorkbench({ name: 'restricted', trust: 'restricted' });

  test('the provided tasks are not offered', async () => {
    const w = wb();
    await extensionReady(w);
    await w.runCommand('Tasks: Run Task');
    // VS Code asks for trust before it lists any task; declining lists none
    await w.answerDialog('Cancel', /Listing and running tasks requires/);
    const shown = await w.page.locator('.quick-input-widget').isVisible()
      ? await w.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allInnerTexts() : [];
    assert.ok(!shown.some((l) => /wasm-warden|check \.|validate \./.test(l)), JSON.stringify(shown));
    await w.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: TIMEOUT });
  });

  test('Run in Sandbox asks first; Run runs the module', async () => {
    const w = wb();
    fs.writeFileSync(path.join(w.workspace, 'greet.wat'), GREET_WAT);
    await w.openFromExplorer('greet.wat');
    await w.runCommand('Wasm Warden: Run in Sandbox');
    const dialog = await w.waitForDialog(/not trusted/);
    assert.ok(await dialog.getByRole('button', { name: 'Run' }).isVisible());
    // nothing runs while the question is open
    assert.equal(await w.page.locator('.tabs-container .tab', { hasText: 'Run: greet.wat' }).count(), 0);
    await w.answerDialog('Run', /not trusted/);
    const frame = await w.panel('Run: greet.wat');
    await frame.locator('#stdout', { hasText: 'hello from a restricted workspace' }).waitFor({ timeout: TIMEOUT });
    await w.panelText('Run: greet.wat', /exit code 0/);
  });
});
