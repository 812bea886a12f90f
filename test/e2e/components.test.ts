// A user opens a WebAssembly component (issue 18): its summary lists its interfaces and nested module,
// its view shows its world as WIT-style text, the policy's finding on its socket import is in the
// Problems panel, its nested module opens as WAT, and it is signed and verified from the Command Palette.
// The component is assembled in the test (wasm-tools through jco) and written into the workspace copy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { useWorkbench } from './harness';
import { assembleComponent, NETWORK_COMPONENT_WAT } from '../unit/component/component-fixtures';
import { keygenFiles } from '../../server/src/engine/operations/keygen';

describe('WebAssembly components in the editor', () => {
  const wb = useWorkbench({ name: 'components' });
  const file = (rel: string) => path.join(wb().workspace, rel);

  test('world view, a policy finding in Problems, a nested module as WAT, sign and verify', async () => {
    const w = wb();
    // the extension is up once the example's broken.wat has its error
    await w.waitForProblem((p) => p.file === 'broken.wat' && p.severity === 'error');
    fs.writeFileSync(file('net.wasm'), await assembleComponent(NETWORK_COMPONENT_WAT));
    await w.openFromExplorer('net.wasm');
    const summary = await w.webviewText('net.wasm', 'wasi:sockets/tcp@0.2.3');
    assert.match(summary, /Core modules inside \(1\)/);

    // the world, as WIT, beside the summary
    const viewTab = 'net.wasm.wat';
    await w.groupWithTab(viewTab).waitFor({ timeout: 30_000 });
    const view = await w.visibleEditorText(viewTab);
    assert.match(view, /world component \{/);
    assert.match(view, /import wasi:sockets\/tcp@0\.2\.3 \{/);
    assert.match(view, /connect: func\(host: string\) -> u32;/);

    const entry = await w.waitForProblem((p) => /wasi:sockets\/tcp@0\.2\.3/.test(p.message));
    assert.equal(entry.code, 'wasi-capability-denied');
    assert.equal(entry.severity, 'error');

    // the nested core module, as WAT
    await w.runCommand('Wasm Warden: Show Nested Module as WAT');
    await w.pickQuickItem('core module 0');
    await w.groupWithTab('module 0.wat').waitFor({ timeout: 30_000 });
    assert.match(await w.visibleEditorText('module 0.wat'), /\(import "wasi_snapshot_preview1" "sock_send"/);

    // sign in place with a key made beforehand, then verify
    const keys = file('keys');
    fs.mkdirSync(keys);
    keygenFiles({ secretKey: path.join(keys, 'c.key'), publicKey: path.join(keys, 'c.pub') });
    const unsigned = fs.readFileSync(file('net.wasm'));
    // the active editor is the nested module's view: the commands act on the component it belongs to
    await w.panel('net.wasm');
    await w.runCommand('Wasm Warden: Sign Module');
    await w.answerQuickInput(path.join(keys, 'c.key'), { file: 'open' });
    await w.pickQuickItem('Embedded signature, in place');
    const signedText = await w.panelText('Signatures: net.wasm', /\bsigned\b/);
    assert.doesNotMatch(signedText, /not signed/, signedText);
    assert.ok(fs.readFileSync(file('net.wasm')).length > unsigned.length, 'the signature is embedded in the component');
    await w.focusWorkbench();
    await w.runCommand('Wasm Warden: Verify Module Signature');
    await w.answerQuickInput(path.join(keys, 'c.pub'), { file: 'open' });
    const verified = await w.panelText('Signatures: net.wasm', /verified/);
    assert.match(verified, /signed · verified/, verified);
  });
});
