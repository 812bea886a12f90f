// The extension in an extension host, through the `vscode` API only: it activates on the example
// workspace, publishes diagnostics, and its commands write files and fill their panels.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { before, describe, it } from 'mocha';

const EXTENSION_ID = 'wasm-warden.wasm-warden';

interface ExtensionApi {
  panels: { lastHtml: Map<string, string> };
}

function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the example workspace is open');
  return f.uri.fsPath;
}

const fileUri = (rel: string) => vscode.Uri.file(path.join(folder(), rel));
const codeOf = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);

/** Resolves with the diagnostics of `uri` once they satisfy `ok` (checked now and on every change event). */
function waitForDiagnostics(uri: vscode.Uri, ok: (d: vscode.Diagnostic[]) => boolean, timeoutMs = 30_000): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const d = vscode.languages.getDiagnostics(uri);
      if (!ok(d)) return false;
      sub.dispose();
      clearTimeout(timer);
      resolve(d);
      return true;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`diagnostics of ${uri.fsPath} did not match within ${timeoutMs} ms: ${JSON.stringify(vscode.languages.getDiagnostics(uri))}`));
    }, timeoutMs);
    check();
  });
}

describe('Wasm Warden in the extension host', function () {
  let api: ExtensionApi;
  const panel = (kind: string, rel: string) => api.panels.lastHtml.get(`${kind}:${fileUri(rel).toString()}`) ?? '';

  before(async function () {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    api = await ext.activate();
    assert.ok(api?.panels, 'activate() returns the extension API');
  });

  it('publishes diagnostics for the example workspace', async function () {
    const broken = await waitForDiagnostics(fileUri('broken.wat'), (d) => d.length > 0);
    assert.equal(broken[0].severity, vscode.DiagnosticSeverity.Error);
    assert.equal(broken[0].source, 'wasm-warden');
    const hello = await waitForDiagnostics(fileUri('hello.wat'), (d) => d.some((x) => codeOf(x) === 'memory-unbounded'));
    const denied = hello.find((x) => codeOf(x) === 'import-not-allowed');
    assert.ok(denied, JSON.stringify(hello));
    assert.equal(denied.range.start.line, 6, 'the path_open import is on line 7');
  });

  it('diagnostics follow edits of an open document', async function () {
    fs.writeFileSync(path.join(folder(), 'eh-edit.wat'), '(module (memory 1 2))\n');
    const doc = await vscode.workspace.openTextDocument(fileUri('eh-edit.wat'));
    await vscode.window.showTextDocument(doc);
    await waitForDiagnostics(doc.uri, (d) => d.length === 0);
    const edit = new vscode.WorkspaceEdit();
    // an import the example policy denies, typed into the unsaved document
    edit.insert(doc.uri, doc.positionAt('(module'.length), ' (import "wasi_snapshot_preview1" "path_open" (func))');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const errors = await waitForDiagnostics(doc.uri, (d) => d.some((x) => codeOf(x) === 'import-not-allowed'));
    assert.equal(errors.find((x) => codeOf(x) === 'import-not-allowed')?.severity, vscode.DiagnosticSeverity.Error);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await waitForDiagnostics(doc.uri, (d) => d.length === 0);
  });

  it('Validate fills its panel', async function () {
    await vscode.commands.executeCommand('wasmWarden.validate', fileUri('broken.wat'));
    assert.match(panel('validate', 'broken.wat'), /invalid/);
  });

  it('Compile writes the .wasm and Disassemble writes a .wat', async function () {
    fs.writeFileSync(path.join(folder(), 'eh-add.wat'), '(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))\n');
    await vscode.commands.executeCommand('wasmWarden.compile', fileUri('eh-add.wat'));
    const wasm = path.join(folder(), 'eh-add.wasm');
    assert.ok(fs.existsSync(wasm), 'eh-add.wasm written');
    assert.match(panel('compile', 'eh-add.wat'), /Wrote/);
    fs.renameSync(wasm, path.join(folder(), 'eh-copy.wasm'));
    await vscode.commands.executeCommand('wasmWarden.disassemble', fileUri('eh-copy.wasm'));
    const wat = path.join(folder(), 'eh-copy.wat');
    assert.ok(fs.existsSync(wat), 'eh-copy.wat written');
    assert.match(fs.readFileSync(wat, 'utf8'), /\(export "add"/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, wat, 'the .wat is opened');
  });

  it('Inspect lists the denied import', async function () {
    await vscode.commands.executeCommand('wasmWarden.inspect', fileUri('counter.wasm'));
    const html = panel('inspect', 'counter.wasm');
    assert.match(html, /path_unlink_file/);
    assert.match(html, /import-not-allowed/);
  });

  it('Optimize (the configured level, no quick pick for a string argument) writes a smaller module', async function () {
    await vscode.commands.executeCommand('wasmWarden.optimize', fileUri('counter.wasm').toString(), 'Os');
    const out = path.join(folder(), 'counter.opt.wasm');
    assert.ok(fs.existsSync(out), 'counter.opt.wasm written');
    assert.ok(fs.statSync(out).size <= fs.statSync(path.join(folder(), 'counter.wasm')).size);
    assert.match(panel('optimize', 'counter.wasm'), /-Os/);
  });

  it('provides the check and validate tasks in a trusted workspace', async function () {
    assert.equal(vscode.workspace.isTrusted, true);
    const tasks = await vscode.tasks.fetchTasks({ type: 'wasm-warden' });
    const names = tasks.map((t) => t.name).sort();
    assert.deepEqual(names, ['check .', 'validate .']);
    assert.deepEqual(tasks.map((t) => t.problemMatchers).flat().filter((m, i, a) => a.indexOf(m) === i), ['$wasm-warden']);
  });
});
