#!/usr/bin/env node
// The wasm-warden command line: runs the bundle (dist/cli.js, built by `npm run build`), or, in a
// source checkout without a build, the TypeScript source through tsx when it is installed.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'cli.js');

function fail(message) {
  process.stderr.write(`wasm-warden: ${message}\n`);
  process.exit(2);
}

let entry = bundle;
if (!fs.existsSync(bundle)) {
  const source = path.join(root, 'server', 'src', 'cli', 'main.ts');
  let tsx;
  try {
    tsx = fs.existsSync(source) ? require.resolve('tsx/cjs/api', { paths: [root] }) : undefined;
  } catch {
    tsx = undefined;
  }
  if (!tsx) fail(`${path.relative(process.cwd(), bundle) || bundle} is missing: run \`npm run build\` first`);
  require(tsx).register();
  entry = source;
}
const { main } = require(entry);
main(process.argv.slice(2)).then((code) => {
  // let stdout drain (pipes), then exit: no lingering worker or timer keeps the CLI alive
  process.stdout.write('', () => process.exit(code));
});
