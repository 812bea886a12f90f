// Issue 19 in the editor: approve a module, let it change on disk (it now imports a socket function and
// may grow its memory), see the module-not-approved finding, compare it with the approved version in the
// side-by-side Compare panel, and roll it back from there; every write goes through a modal confirmation.
// The modules are written into the temp workspace copy before the workbench starts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TIMEOUT, useWorkbench } from './harness';

/** A module of WASI imports and one memory (min 1, max `maxPages`), assembled here (every size < 128). */
function moduleBytes(imports: { name: string; params: number }[], maxPages: number): Uint8Array {
  const str = (s: string) => [s.length, ...Buffer.from(s)];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const types = imports.map((i) => [0x60, i.params, ...Array(i.params).fill(0x7f), 1, 0x7f]);
  const entries = imports.map((i, n) => [...str('wasi_snapshot_preview1'), ...str(i.name), 0x00, n]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [types.length, ...types.flat()]),
    ...section(2, [entries.length, ...entries.flat()]),
    ...section(5, [1, 0x01, 1, maxPages]),
  ]);
}

const V1 = moduleBytes([{ name: 'fd_write', params: 4 }], 2);
const V2 = moduleBytes([{ name: 'fd_write', params: 4 }, { name: 'sock_accept', params: 3 }], 16);
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

describe('Versions: approve, compare with the approved version, roll back', () => {
  const wb = useWorkbench({ name: 'versions', files: { 'plugin.wasm': V1 } });

  test('approve, change, compare side by side, roll back', async () => {
    const w = wb();
    const file = path.join(w.workspace, 'plugin.wasm');
    // the extension is up once the example's broken.wat has its error
    await w.waitForProblem((p) => p.file === 'broken.wat' && p.severity === 'error');
    await w.openFromExplorer('plugin.wasm');
    // the module's WAT view opens in the results group once its summary is on screen: waited for, so it does
    // not come up later over the Compare panel
    await w.page.locator('.tabs-container .tab', { hasText: 'plugin.wasm.wat' }).waitFor({ timeout: TIMEOUT });

    await w.runCommand('Wasm Warden: Approve This Version');
    const ask = await (await w.waitForDialog(/Approve plugin\.wasm as a reviewed version\?/)).innerText();
    await w.answerDialog('Approve', /Approve plugin\.wasm/);
    assert.match(ask, /recorded in wasm-warden\.lock\.json beside the policy/, ask);
    await w.waitForText(/Approved plugin\.wasm as version 1/);
    const lock = JSON.parse(fs.readFileSync(path.join(w.workspace, 'wasm-warden.lock.json'), 'utf8'));
    assert.equal(lock.modules['plugin.wasm'].versions[0].sha256, sha(V1));

    // a new build arrives: it asks for sockets and a larger memory
    fs.writeFileSync(file, V2);
    const problem = await w.waitForProblem((p) => p.code === 'module-not-approved' && p.file.startsWith('plugin.wasm'));
    assert.match(problem.message, /not approved\. Since the last approved version 1/, problem.message);
    assert.match(problem.message, /\+ import wasi_snapshot_preview1\.sock_accept \(sockets\)/, problem.message);

    await w.runCommand('Wasm Warden: Compare With...');
    await w.pickQuickItem('Last approved version');
    const compare = await w.panelText('Compare: plugin.wasm', /more capabilities/);
    assert.match(compare, /plugin\.wasm \(approved version 1\) → plugin\.wasm/, compare);
    assert.match(compare, /WASI groups\s+fd-io\s+fd-io, sockets/, compare);
    assert.match(compare, /memories\s+min 1, max 2\s+min 1, max 16/, compare);
    assert.match(compare, /added\s+-\s+wasi_snapshot_preview1\.sock_accept/, compare);
    assert.match(compare, /New findings[\s\S]*wasi-capability-denied/, compare);

    // roll back from the panel's button: it asks first
    const frame = await w.panel('Compare: plugin.wasm');
    await frame.getByRole('button', { name: 'Roll back to approved version…' }).click();
    await w.answerDialog('Roll Back', /Roll plugin\.wasm back to its last approved version\?/);
    await w.waitForText(/Restored plugin\.wasm to the approved version 1 of 1/, TIMEOUT);
    assert.equal(sha(fs.readFileSync(file)), sha(V1));
    const backups = fs.readdirSync(w.workspace).filter((f) => f.startsWith('plugin.wasm.') && f.endsWith('.bak'));
    assert.deepEqual(backups, [`plugin.wasm.${sha(V2).slice(0, 12)}.bak`]);
    assert.equal(sha(fs.readFileSync(path.join(w.workspace, backups[0]))), sha(V2));
    await w.waitForNoProblem((p) => p.code === 'module-not-approved' && p.file.startsWith('plugin.wasm'));
  });
});
