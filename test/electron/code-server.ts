// The extension-host suite (test/electron/suite) inside the local code-server (test/e2e/setup.sh installs
// it), for machines where @vscode/test-electron cannot download VS Code:
//   npm run build && node --import tsx test/electron/code-server.ts
// code-server's workbench takes the development options of an Extension Development Host window in its
// URL: ?payload=[["extensionDevelopmentPath", <uri>], ["extensionTestsPath", <uri>]] (vscode-remote URIs
// of this machine). The remote extension host then loads the extension from the repo (dist/client.js) and
// runs the suite instead of waiting for a user; the suite writes results.json, which ends this script.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath, startCodeServer } from '../e2e/harness';
import { REPO_ROOT, SUITE_OUT, assertBuilt, buildSuite, workspaceCopy } from './build';
import type { SuiteResults } from './suite/index';

const TIMEOUT_MS = Number(process.env.WASM_WARDEN_ELECTRON_TIMEOUT ?? 180_000);

function waitForResults(file: string, timeoutMs: number, gone: Promise<unknown>): Promise<SuiteResults> {
  return new Promise((resolve, reject) => {
    const read = (): boolean => {
      try {
        const r = JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteResults;
        if (!r.done) return false;
        watcher.close();
        clearTimeout(timer);
        resolve(r);
        return true;
      } catch {
        return false; // not there yet, or half written
      }
    };
    const watcher = fs.watch(path.dirname(file), () => void read());
    const timer = setTimeout(() => { watcher.close(); reject(new Error(`no ${path.basename(file)} within ${timeoutMs} ms`)); }, timeoutMs);
    void gone.then(() => { if (!read()) { watcher.close(); clearTimeout(timer); reject(new Error('code-server exited before the suite finished')); } });
    read();
  });
}

async function main(): Promise<number> {
  assertBuilt();
  const indexJs = await buildSuite();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-eh-'));
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false, 'update.mode': 'none', 'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
  }));
  const workspace = workspaceCopy(tmp);
  const server = await startCodeServer({ userDataDir, extensionsDir, trust: 'disabled', logFile: path.join(tmp, 'code-server.log') });
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const authority = `127.0.0.1:${server.port}`;
    const remote = (p: string) => `vscode-remote://${authority}${p.split(path.sep).join('/')}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', remote(REPO_ROOT)], ['extensionTestsPath', remote(indexJs)]]);
    const page = await browser.newPage();
    const t0 = Date.now();
    await page.goto(`${server.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    const results = await waitForResults(path.join(SUITE_OUT, 'results.json'), TIMEOUT_MS, new Promise((r) => server.proc.once('exit', r)));
    for (const t of results.passed) console.log(`  ✔ ${t}`);
    for (const f of results.failed) console.log(`  ✖ ${f.title}\n${f.error.replace(/^/gm, '      ')}`);
    console.log(`extension-host suite in code-server: ${results.passed.length} passed, ${results.failed.length} failed (${Date.now() - t0} ms)`);
    return results.failed.length === 0 && results.passed.length > 0 ? 0 : 1;
  } catch (err) {
    console.error(String((err as Error)?.stack ?? err));
    console.error(`code-server log: ${path.join(tmp, 'code-server.log')} (kept)`);
    process.env.WASM_WARDEN_E2E_KEEP = '1';
    return 1;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    if (process.env.WASM_WARDEN_E2E_KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
