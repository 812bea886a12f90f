// Issue 22 item 6 in the editor: Run in Sandbox honours the policy's denied imports (said in the run panel
// before the guest starts, a call traps, a modal offers one run with them allowed) and refuses a module with
// imports the sandbox does not provide, offering generated stubs. The modules are written into the temp
// workspace copy before the workbench starts (a file written just after start can be missed by the Explorer,
// whose file watcher is not up yet); the example policy denies `wasi_snapshot_preview1.path_*`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, useWorkbench } from './harness';

// Calls path_unlink_file (denied by the example policy) on fd 99, which no run opens: allowed, the call
// returns EBADF (dropped) and the module exits 0; denied, the call traps.
const DENIED_WAT = `(module
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 16) "no-such-file")
  (func (export "_start")
    (drop (call $unlink (i32.const 99) (i32.const 16) (i32.const 12)))))
`;

// Imports the same denied function but never calls it, and spins until stopped: the panel is seen while
// the run is still going, so what it says then was said before (not after) the run.
const DENIED_SPIN_WAT = `(module
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (func (export "_start") (loop $l (br $l))))
`;

// An emscripten-style host import the sandbox does not provide, called first thing.
const ENV_WAT = `(module
  (import "env" "get_answer" (func $get_answer (result i32)))
  (memory (export "memory") 1 1)
  (func (export "_start") (drop (call $get_answer))))
`;

const DENIED = 'wasi_snapshot_preview1.path_unlink_file';

describe('Run in Sandbox: denied and unprovided imports', () => {
  const wb = useWorkbench({
    name: 'run-imports',
    // one configuration (no quick pick) with a long timeout, so Stop (not the timeout) ends the spinning module
    settings: { 'wasmWarden.sandbox.configurations': [{ name: 'e2e', timeoutMs: 120_000 }] },
    files: { 'denied-spin.wat': DENIED_SPIN_WAT, 'denied.wat': DENIED_WAT, 'env.wat': ENV_WAT },
  });

  test('the panel lists what the policy denies while the run is going', async () => {
    const w = wb();
    // the extension is up (its commands are in the palette) once the example's broken.wat has its error: right
    // after start, the palette can still lack "Run in Sandbox"
    await w.waitForProblem((p) => p.file === 'broken.wat' && p.severity === 'error');
    await w.openFromExplorer('denied-spin.wat');
    await w.runCommand('Wasm Warden: Run in Sandbox');
    const frame = await w.panel('Run: denied-spin.wat');
    await frame.locator('#violations', { hasText: `policy denies (a call stops the run): ${DENIED}` }).waitFor({ timeout: TIMEOUT });
    // still running: said before the run ended (the guest never calls the import, so no violation follows)
    await frame.locator('h1', { hasText: 'running' }).waitFor({ timeout: TIMEOUT });
    await frame.getByRole('button', { name: 'Stop' }).click();
    const report = await w.panelText('Run: denied-spin.wat', /stopped by you/);
    assert.match(report, new RegExp(`policy denies \\(a call stops the run\\): ${DENIED.replace(/\./g, '\\.')}`), `the final report keeps the list:\n${report}`);
    assert.match(report, /Violations \(0\)/, report);
  });

  test('a call to a denied import traps; "Run Again Allowing Them" reruns it without the trap', async () => {
    const w = wb();
    await w.openFromExplorer('denied.wat');
    await w.runCommand('Wasm Warden: Run in Sandbox');
    // the report and the modal are read first and asserted after the modal is answered: a failed assertion
    // must not leave the modal over the workbench for the next test
    const trapped = await w.panelText('Run: denied.wat', /trapped: denied-import/);
    const dialog = await w.waitForDialog(/The run stopped/);
    const question = await dialog.innerText();
    await w.answerDialog('Run Again Allowing Them', /The run stopped/);
    assert.match(trapped, new RegExp(`trapped: denied-import called ${DENIED.replace(/\./g, '\\.')}, which the policy denies`), trapped);
    assert.match(trapped, /policy denies \(a call stops the run\): wasi_snapshot_preview1\.path_unlink_file/, trapped);
    assert.match(trapped, /Violations \(1\)/, trapped);
    assert.match(trapped, /import-denied\s+the guest called wasi_snapshot_preview1\.path_unlink_file, which the policy denies/, trapped);
    assert.match(question, /The run stopped: the module called wasi_snapshot_preview1\.path_unlink_file, which the policy denies\. Run it again with the imports the policy denies allowed, this once\?/, question);

    const rerun = await w.panelText('Run: denied.wat', /exit code 0/);
    assert.match(rerun, /policy denies, allowed for this run: wasi_snapshot_preview1\.path_unlink_file/, rerun);
    assert.doesNotMatch(rerun, /denied-import|import-denied/, rerun);
    assert.match(rerun, /Violations \(0\)/, rerun);
    // the call reached the sandbox's WASI (one call in the WASI calls table) and the module went on to exit 0
    assert.match(rerun, /\bpath_unlink_file\s+1\s+[\d.]+ ms/, `the call reached WASI:\n${rerun}`);
  });

  test('a module with an env import is refused; "Run With Stubs That Trap" runs it with a trapping stub', async () => {
    const w = wb();
    await w.openFromExplorer('env.wat');
    await w.runCommand('Wasm Warden: Run in Sandbox');
    const dialog = await w.waitForDialog(/Cannot run env\.wat/);
    const message = await dialog.innerText();
    const zeroOffered = await dialog.getByRole('button', { name: 'Run With Stubs That Return Zero' }).isVisible();
    await w.answerDialog('Run With Stubs That Trap', /Cannot run env\.wat/);
    assert.match(message, /1 import the sandbox does not provide/, message);
    assert.match(message, /env\.get_answer \(function\)/, message);
    assert.ok(zeroOffered, 'the zero-stub choice is offered too');

    const report = await w.panelText('Run: env.wat', /trapped: stub-called/);
    assert.match(report, /generated stubs \(trap\): env\.get_answer/, report);
    assert.match(report, /trapped: stub-called called env\.get_answer, a generated stub/, report);
  });
});
