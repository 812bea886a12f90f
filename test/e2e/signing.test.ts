// Signing from the Command Palette: generate a key pair (save dialog), sign a module with the secret key
// (file picker), verify it with the public key; panels and files checked. Its own workbench: webviews left
// open by other scenarios can take the focus and close code-server's quick-input dialogs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { useWorkbench } from './harness';
import { wat2wasm } from './wasm-inputs';

describe('signing from the Command Palette', () => {
  const wb = useWorkbench({ name: 'signing' });
  const file = (rel: string) => path.join(wb().workspace, rel);

  test('Generate Signing Key Pair, Sign with the key file, Verify with the public key', async () => {
    const w = wb();
    // the extension is up once the example's broken.wat has its error
    await w.waitForProblem((p) => p.file === 'broken.wat' && p.severity === 'error');
    const keyDir = file('keys');
    fs.mkdirSync(keyDir);
    await w.runCommand('Wasm Warden: Generate Signing Key Pair');
    // the save dialog starts outside the workspace, in ~/.wasm-warden/keys/
    // (the simple dialog shows the parent folder first, then goes into the one it was given)
    const inKeys = await w.page
      .waitForFunction(`/\\/\\.wasm-warden\\/keys\\/$/.test(document.querySelector('.quick-input-widget input.input')?.value ?? '')`, undefined, { timeout: 30_000 })
      .then(() => true, () => false);
    const proposed = await w.page.locator('.quick-input-widget input.input').inputValue();
    assert.ok(inKeys, `the dialog proposes ~/.wasm-warden/keys/, not ${proposed}`);
    assert.ok(!proposed.startsWith(w.workspace), `${proposed} is outside the workspace`);
    await w.answerQuickInput(path.join(keyDir, 'team.key'), { file: 'save' });
    // inside the workspace: asked first (the default button chooses another place); saved here, it is git-ignored
    await w.answerDialog('Save Here (git-ignored)', /would be inside the workspace folder/);
    await w.waitForText(/Key pair written/);
    assert.match(fs.readFileSync(file('.gitignore'), 'utf8'), /^\/keys\/team\.key$/m);
    assert.ok(fs.existsSync(path.join(keyDir, 'team.key')), 'secret key written');
    assert.ok(fs.existsSync(path.join(keyDir, 'team.pub')), 'public key written');

    fs.writeFileSync(file('to-sign.wasm'), await wat2wasm('(module (func (export "f")))'));
    const unsigned = fs.readFileSync(file('to-sign.wasm'));
    await w.openFromExplorer('to-sign.wasm');
    await w.panel('to-sign.wasm');
    await w.runCommand('Wasm Warden: Sign Module');
    await w.answerQuickInput(path.join(keyDir, 'team.key'), { file: 'open' });
    // in place is an explicit choice (the first, default one writes a signed copy)
    await w.pickQuickItem('Embedded signature, in place');
    const signedText = await w.panelText('Signatures: to-sign.wasm', /\bsigned\b/);
    assert.doesNotMatch(signedText, /not signed/, signedText);
    const signed = fs.readFileSync(file('to-sign.wasm'));
    assert.ok(signed.length > unsigned.length, 'the signature is embedded in the module');

    await w.focusWorkbench();
    await w.runCommand('Wasm Warden: Verify Module Signature');
    await w.answerQuickInput(path.join(keyDir, 'team.pub'), { file: 'open' });
    const verified = await w.panelText('Signatures: to-sign.wasm', /verified/);
    assert.match(verified, /signed · verified/, verified);
    assert.doesNotMatch(verified, /verification failed/, verified);
  });
});
