// Bundles the client, the language server, the CLI and the engine's worker processes with esbuild.
// wabt and binaryen stay external: they are loaded lazily, on first use, from node_modules.
// The client is two bundles: dist/client.js (activation) and dist/language-client.js
// (vscode-languageclient), which client.js requires only once activate() has returned.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');

// `require('./language-client')` in the client stays a require of the sibling bundle, not an inlined copy.
const lazyLanguageClient = {
  name: 'lazy-language-client',
  setup(build) {
    build.onResolve({ filter: /^\.\/language-client$/ }, (args) =>
      path.resolve(args.resolveDir) === path.join(root, 'client', 'src') ? { path: './language-client.js', external: true } : undefined,
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  // tsx: only the source-run branch of engine/runtime.ts resolves it, never a bundle
  external: ['vscode', 'wabt', 'binaryen', 'tsx'],
  // prefer ESM entry points: some packages' UMD builds (jsonc-parser) use dynamic requires esbuild cannot follow
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  plugins: [lazyLanguageClient],
};

const entries = {
  client: 'client/src/extension.ts',
  'language-client': 'client/src/language-client.ts',
  server: 'server/src/server.ts',
  cli: 'server/src/cli/main.ts',
  // the engine's worker processes, listed once for this build and engine/runtime.ts
  ...Object.fromEntries(
    Object.entries(JSON.parse(fs.readFileSync(path.join(root, 'server/src/engine/process-entries.json'), 'utf8'))).map(([name, file]) => [name, `server/src/engine/${file}`]),
  ),
};

const present = Object.fromEntries(
  Object.entries(entries).filter(([, file]) => fs.existsSync(path.join(root, file))),
);

// Each entry is built on its own, so one broken entry still leaves the others built; any failure
// fails the build as a whole.
const failed = [];
await Promise.all(
  Object.entries(present).map(([name, file]) =>
    esbuild
      .build({ ...common, absWorkingDir: root, entryPoints: { [name]: file }, outdir: path.join(root, 'dist'), metafile: name === 'client' })
      .then((result) => {
        if (name !== 'client') return;
        // what activation loads stays small: vscode-languageclient belongs in dist/language-client.js
        const inlined = Object.values(result.metafile.outputs).flatMap((o) => Object.keys(o.inputs)).filter((i) => /node_modules\/vscode-languageclient\//.test(i));
        if (inlined.length) {
          console.error(`dist/client.js bundles vscode-languageclient (${inlined[0]}, ...): import it only as a type, or from client/src/language-client.ts`);
          failed.push(name);
        }
      })
      .catch(() => failed.push(name)),
  ),
);
if (failed.length) {
  console.error(`build failed for: ${failed.join(', ')}`);
  process.exitCode = 1;
}

// Generated artefacts (e.g. the policy JSON schema) are produced from the engine's own definitions.
const generators = path.join(root, 'scripts', 'generate.ts');
if (fs.existsSync(generators)) {
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, ['--import', 'tsx', generators], { cwd: root, stdio: 'inherit' });
}
if (!failed.length) console.log(`built ${Object.keys(present).join(', ')}${production ? ' (production)' : ''}`);
