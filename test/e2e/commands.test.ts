// The commands from the Command Palette, as a user runs them on the example workspace: each one's panel
// (read from the webview) and the files it writes (checked on disk).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TIMEOUT, useWorkbench } from './harness';
import { wat2wasm } from './wasm-inputs';

// A type error on line 4 (i64 result where i32 is declared): our validator reports it there.
const TYPE_ERROR_WAT = `;; a type error
(module
  (func (export "f") (result i32)
    (i64.const 1)))
`;

// A WASI program with nothing the example policy denies: prints one line and exits 0.
const GREET_WAT = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "greetings from the sandbox\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 27))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
`;

// Spins until stopped.
const SPIN_WAT = `(module
  (memory (export "memory") 1 1)
  (func (export "_start") (loop $l (br $l))))
`;

// Plenty for binaryen to remove: constant arithmetic, dead locals, an unused function, a name section.
const BLOATED_WAT = `(module
  (memory (export "memory") 1 1)
  (func $unused (param i32) (result i32) (local i32 i32 i32)
    (local.set 1 (i32.const 1)) (local.set 2 (i32.const 2)) (local.set 3 (i32.const 3))
    (i32.add (local.get 0) (i32.add (local.get 1) (i32.add (local.get 2) (local.get 3)))))
  (func $calc (export "calc") (param $x i32) (result i32) (local $a i32) (local $b i32) (local $c i32)
    (local.set $a (i32.add (i32.const 1) (i32.const 2)))
    (local.set $b (i32.mul (local.get $a) (i32.const 4)))
    (local.set $c (i32.sub (local.get $b) (local.get $b)))
    (if (i32.eqz (local.get $c)) (then (local.set $x (i32.add (local.get $x) (i32.const 0)))))
    (block (br_if 0 (i32.const 0)) (local.set $x (i32.mul (local.get $x) (i32.const 1))))
    (i32.add (local.get $x) (local.get $c))))
`;

describe('commands from the Command Palette', () => {
  const wb = useWorkbench({
    name: 'commands',
    // one run configuration with a long timeout, so "Stop" (not the timeout) ends the spinning module
    settings: {
      'wasmWarden.sandbox.configurations': [{ name: 'e2e', timeoutMs: 120_000 }],
      // a non-default level: the Optimize quick pick should propose it
      'wasmWarden.optimizeLevel': 'O2',
    },
  });
  const file = (rel: string) => path.join(wb().workspace, rel);

  test('Validate: a type error is listed with its line; a clean module is valid', async () => {
    const w = wb();
    // the language server is up once the example's broken.wat has its error
    await w.waitForProblem((p) => p.file === 'broken.wat' && p.severity === 'error');
    fs.writeFileSync(file('type-error.wat'), TYPE_ERROR_WAT);
    await w.openFromExplorer('type-error.wat');
    await w.runCommand('Wasm Warden: Validate Module');
    const bad = await w.panelText('Validate: type-error.wat', /invalid/);
    assert.match(bad, /validator \(\d+\)/, `a validator findings group:\n${bad}`);
    assert.match(bad, /type-error\.wat:4:\d+/, `the finding's location is line 4:\n${bad}`);
    assert.match(bad, /type mismatch|i64|i32/i, bad);

    fs.writeFileSync(file('greet.wat'), GREET_WAT);
    await w.openFromExplorer('greet.wat');
    await w.runCommand('Wasm Warden: Validate Module');
    const good = await w.panelText('Validate: greet.wat', /\bvalid\b/);
    assert.doesNotMatch(good, /invalid/, good);
    assert.match(good, /no findings/, good);
  });

  test('Compile: hello.wasm is written; compiling again asks, and Cancel leaves it untouched', async () => {
    const w = wb();
    const out = file('hello.wasm');
    assert.equal(fs.existsSync(out), false);
    await w.openFile('hello.wat');
    await w.runCommand('Wasm Warden: Compile WAT to .wasm');
    const text = await w.panelText('Compile: hello.wat', /Wrote/);
    assert.match(text, /hello\.wasm/);
    assert.ok(fs.existsSync(out), 'hello.wasm is in the workspace folder');
    const bytes = fs.readFileSync(out);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], 'a wasm binary');
    const before = fs.statSync(out);

    await w.focusEditor();
    await w.runCommand('Wasm Warden: Compile WAT to .wasm');
    await w.answerDialog('Cancel', /hello\.wasm exists\. Write the new file alongside it, or overwrite it\?/);
    const after = fs.statSync(out);
    assert.equal(after.mtimeMs, before.mtimeMs, 'not rewritten');
    assert.deepEqual(fs.readFileSync(out), bytes);
  });

  test('Disassemble: a .wasm becomes a .wat that opens', async () => {
    const w = wb();
    fs.writeFileSync(file('adder.wasm'), await wat2wasm('(module (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))', true));
    await w.openFromExplorer('adder.wasm');
    await w.panel('adder.wasm'); // the module editor
    await w.runCommand('Wasm Warden: Disassemble .wasm to .wat');
    await w.page.locator('.tabs-container .tab.active[data-resource-name="adder.wat"]').waitFor({ timeout: TIMEOUT });
    assert.ok(fs.existsSync(file('adder.wat')));
    const onDisk = fs.readFileSync(file('adder.wat'), 'utf8');
    assert.match(onDisk, /\(export "add"/);
    assert.match(await w.visibleEditorText('adder.wat'), /i32\.add/);
  });

  test('Optimize: the level is picked, the panel shows sizes, the output is smaller', async () => {
    const w = wb();
    const input = await wat2wasm(BLOATED_WAT, true);
    fs.writeFileSync(file('bloated.wasm'), input);
    await w.openFromExplorer('bloated.wasm');
    await w.panel('bloated.wasm');
    await w.runCommand('Wasm Warden: Optimize Module (binaryen)');
    await w.pickQuickItem('O3');
    const text = await w.panelText('Optimize: bloated.wasm', /smaller/);
    assert.match(text, /-O3/);
    const out = file('bloated.opt.wasm');
    assert.ok(fs.existsSync(out), 'bloated.opt.wasm written');
    const size = fs.statSync(out).size;
    assert.ok(size < input.length, `optimized ${size} B < input ${input.length} B`);
    // the panel's before → after are the real sizes
    assert.ok(text.includes(`${input.length} B →`), `before size ${input.length} B in:\n${text}`);
    assert.ok(text.includes(`→ ${size} B`), `after size ${size} B in:\n${text}`);
  });

  test('Optimize: the quick pick proposes the configured level (wasmWarden.optimizeLevel)', async () => {
    const w = wb();
    fs.writeFileSync(file('level.wasm'), await wat2wasm(BLOATED_WAT, true));
    await w.openFromExplorer('level.wasm');
    await w.panel('level.wasm');
    await w.runCommand('Wasm Warden: Optimize Module (binaryen)');
    const input = w.page.locator('.quick-input-widget input.input');
    await w.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Optimization level' }).waitFor({ timeout: TIMEOUT });
    const proposed = await input.getAttribute('placeholder');
    // finish the flow either way, so the next test starts from a closed quick pick
    await w.pickQuickItem('O1');
    await w.panelText('Optimize: level.wasm', /smaller/);
    assert.match(proposed ?? '', /-O2$/);
  });

  test('Inspect: the imports with their policy verdicts', async () => {
    const w = wb();
    await w.openFile('counter.wasm');
    await w.panel('counter.wasm');
    await w.runCommand('Wasm Warden: Inspect Module');
    const frame = await w.panel('Inspect: counter.wasm');
    const rows = frame.locator('section', { hasText: 'Imports (2)' }).locator('tbody tr');
    await rows.first().waitFor({ timeout: TIMEOUT });
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
    // the verdict first, then the name and module
    const unlink = cells.find((c) => c[1] === 'path_unlink_file');
    const exit = cells.find((c) => c[1] === 'proc_exit');
    assert.ok(unlink && exit, JSON.stringify(cells));
    assert.equal(unlink[2], 'wasi_snapshot_preview1');
    assert.equal(unlink[0], 'fail', `denied: ${unlink[0]}`);
    assert.equal(exit[0], 'pass');
    // the reasons: on hover over the verdict, and in the findings
    const reason = await rows.filter({ hasText: 'path_unlink_file' }).locator('td').first().getAttribute('title');
    assert.match(reason ?? '', /import-not-allowed: .*path_\*/, reason ?? '');
    const text = await frame.locator('main#content').innerText();
    assert.match(text, /policy: fail \(1 error\)/, text);
  });


  test('Run in Sandbox: the output and the final report', async () => {
    const w = wb();
    fs.writeFileSync(file('greet.wat'), GREET_WAT);
    await w.openFromExplorer('greet.wat');
    await w.runCommand('Wasm Warden: Run in Sandbox');
    const frame = await w.panel('Run: greet.wat');
    await frame.locator('#stdout', { hasText: 'greetings from the sandbox' }).waitFor({ timeout: TIMEOUT });
    const report = await w.panelText('Run: greet.wat', /exit code 0/);
    assert.match(report, /WASI calls/);
    assert.match(report, /fd_write/);
    assert.match(report, /Violations \(0\)/);
    assert.equal((await frame.locator('#stdout').innerText()).trim(), 'greetings from the sandbox');
  });

  test('Run in Sandbox: Stop ends a module that spins', async () => {
    const w = wb();
    fs.writeFileSync(file('spin.wat'), SPIN_WAT);
    await w.openFromExplorer('spin.wat');
    await w.runCommand('Wasm Warden: Run in Sandbox');
    const frame = await w.panel('Run: spin.wat');
    await frame.getByText('running').first().waitFor({ timeout: TIMEOUT });
    // the live statistics arrive while it runs
    await frame.locator('#stats .metric', { hasText: 'elapsed' }).waitFor({ timeout: TIMEOUT });
    await frame.getByRole('button', { name: 'Stop' }).click();
    const report = await w.panelText('Run: spin.wat', /stopped by you/);
    assert.doesNotMatch(report, /timeout|timed out/, report);
  });
});
