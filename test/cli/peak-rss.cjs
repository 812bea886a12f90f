// Preloaded into a child process under test (NODE_OPTIONS=--require=...): at exit, writes the
// process's peak resident set size in KiB to $WASM_WARDEN_PEAK_RSS_FILE, so a test can hold the child to
// a memory budget measured by the child itself.
const fs = require('node:fs');

const file = process.env.WASM_WARDEN_PEAK_RSS_FILE;
if (file) {
  // children of this process (workers it spawns) must not overwrite the figure
  delete process.env.WASM_WARDEN_PEAK_RSS_FILE;
  process.on('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS)));
}
