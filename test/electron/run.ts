// npm run test:electron: the extension-host suite (test/electron/suite) in a downloaded VS Code through
// @vscode/test-electron. Needs a network that reaches update.code.visualstudio.com (the download is cached in
// .vscode-test/). Where that is not possible, run the same suite in the local code-server instead:
//   node --import tsx test/electron/code-server.ts
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT, assertBuilt, buildSuite, workspaceCopy } from './build';

async function main(): Promise<void> {
  assertBuilt();
  const extensionTestsPath = await buildSuite();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-electron-'));
  try {
    const workspace = workspaceCopy(tmp);
    await runTests({
      version: process.env.WASM_WARDEN_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--user-data-dir', path.join(tmp, 'user-data')],
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`test:electron failed: ${(err as Error)?.message ?? err}`);
  process.exit(1);
});
