// The README's main job, `npm run example`, in its non-interactive form: it starts code-server with the
// packaged extension on examples/workspace, checks that the workbench page answers, and stops it again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, vsixPath } from './harness';

test('npm run example -- --check serves the example workspace and stops', { timeout: 180_000 }, async () => {
  vsixPath(); // packaged by test:e2e before the tests
  const dataHome = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-warden-example-'));
  try {
    const child = spawn('bash', [path.join(REPO_ROOT, 'scripts', 'open-example.sh'), '--check', '--no-build'], {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_DATA_HOME: dataHome, WASM_WARDEN_EXAMPLE_CODE_SERVER: '1' },
    });
    let out = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { out += b; });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    const url = /(http:\/\/127\.0\.0\.1:(\d+)\/\?folder=\S+)/.exec(out);
    assert.ok(url, `the script prints the URL:\n${out}`);
    assert.equal(decodeURIComponent(new URL(url[1]).searchParams.get('folder') ?? ''), path.join(REPO_ROOT, 'examples', 'workspace'));
    assert.match(out, /check passed/);
    // the dedicated profile has the extension installed
    const extensions = fs.readdirSync(path.join(dataHome, 'wasm-warden', 'example-profile', 'extensions'));
    assert.ok(extensions.some((d) => d.startsWith('wasm-warden.wasm-warden-')), `installed: ${extensions}`);
    // and the server is gone
    await assert.rejects(fetch(`http://127.0.0.1:${url[2]}/healthz`));
  } finally {
    fs.rmSync(dataHome, { recursive: true, force: true });
  }
});
