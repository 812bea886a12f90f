// The baseline for the sandbox: a bare node:wasi run of a module, in a forked process that receives the
// module over IPC like the sandbox's runner does. Reports 'started' before _start and 'done' after it.
'use strict';
const { WASI } = require('node:wasi');
process.once('message', (req) => {
  const wasi = new WASI({ version: 'preview1', args: req.args, env: {}, preopens: {}, returnOnExit: true });
  const mod = new WebAssembly.Module(req.module);
  const instance = new WebAssembly.Instance(mod, wasi.getImportObject());
  process.send({ type: 'started' });
  const code = wasi.start(instance);
  process.send({ type: 'done', code }, () => process.exit(0));
});
