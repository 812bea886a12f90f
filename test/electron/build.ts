// Bundles the extension-host suite (test/electron/suite/*.ts) to .test-output/electron/suite/: one CommonJS
// file per entry, `vscode` and `mocha` left as requires (mocha resolves from the repo's node_modules).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SUITE_OUT = path.join(REPO_ROOT, '.test-output', 'electron', 'suite');

export async function buildSuite(): Promise<string> {
  const src = path.join(__dirname, 'suite');
  const entryPoints = fs.readdirSync(src).filter((f) => f.endsWith('.ts')).map((f) => path.join(src, f));
  fs.rmSync(SUITE_OUT, { recursive: true, force: true });
  await build({
    entryPoints, outdir: SUITE_OUT, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode', 'mocha'], sourcemap: 'inline', logLevel: 'warning',
  });
  return path.join(SUITE_OUT, 'index.js');
}

/** The extension has to be built (dist/client.js) to run from the repo as the extension under development. */
export function assertBuilt(): void {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'client.js'))) throw new Error('dist/client.js is missing: run npm run build first');
}

/** A temp copy of the example workspace. */
export function workspaceCopy(tmp: string): string {
  const ws = path.join(tmp, 'workspace');
  fs.cpSync(path.join(REPO_ROOT, 'examples', 'workspace'), ws, { recursive: true });
  return ws;
}
