// Measures activation of the bundled extension in a fresh process: require dist/client.js with a stub
// `vscode` (Module._resolveFilename hook), then activate() with a fake ExtensionContext.
// Prints one JSON line: requireMs, activateMs, which heavy modules ended up in require.cache; and, for
// information, what activate() deferred to the next turn of the event loop (deferredMs, deferredModules).
'use strict';
const Module = require('module');
const path = require('path');
const root = path.resolve(__dirname, '..', '..');
const stubPath = path.join(__dirname, 'vscode-stub.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vscode') return stubPath;
  return resolve.call(this, request, ...rest);
};
const vscode = require(stubPath);
process.on('unhandledRejection', () => {});
const uri = (p) => ({ fsPath: p, path: p, scheme: 'file', toString: () => `file://${p}` });
const storage = () => {
  const m = new Map();
  return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => void m.set(k, v), keys: () => [...m.keys()], setKeysForSync() {} };
};
const context = new Proxy(
  {
    subscriptions: [],
    extensionPath: root,
    extensionUri: uri(root),
    asAbsolutePath: (p) => path.join(root, p),
    globalState: storage(),
    workspaceState: storage(),
    globalStorageUri: uri('/tmp/ww-bench-global'),
    storageUri: uri('/tmp/ww-bench-ws'),
    logUri: uri('/tmp/ww-bench-log'),
    extensionMode: 1,
    environmentVariableCollection: vscode.environmentVariableCollection,
    secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: vscode.EventEmitter },
  },
  { get: (t, p) => (p in t ? t[p] : p === 'then' ? undefined : vscode[p]) },
);
(async () => {
  const before = new Set(Object.keys(require.cache));
  const t0 = performance.now();
  const ext = require(path.join(root, 'dist', 'client.js'));
  const t1 = performance.now();
  let activateMs;
  let activateError;
  try {
    await ext.activate(context);
    activateMs = performance.now() - t1;
  } catch (e) {
    activateError = String((e && e.message) || e).slice(0, 200);
  }
  const loaded = Object.keys(require.cache).filter((k) => !before.has(k));
  const heavy = loaded.filter((k) => /[\\/](wabt|binaryen)[\\/]/.test(k));
  // Information, not part of activation: work that activate() queued for the next turn of the event
  // loop (setImmediate callbacks queued before this one run first), e.g. loading the language client.
  // It still blocks the extension host, right after activation.
  let deferredMs;
  if (activateMs !== undefined) {
    const t2 = performance.now();
    await new Promise((resolve) => setImmediate(resolve));
    deferredMs = performance.now() - t2;
  }
  const deferredLoaded = Object.keys(require.cache).filter((k) => !before.has(k) && !loaded.includes(k));
  process.stdout.write(
    JSON.stringify({
      requireMs: t1 - t0, activateMs, activateError, modulesLoaded: loaded.length, heavyLoaded: heavy, subscriptions: context.subscriptions.length,
      deferredMs, deferredModules: deferredLoaded.map((k) => path.relative(root, k)),
      deferredHeavy: deferredLoaded.filter((k) => /[\\/](wabt|binaryen)[\\/]/.test(k)),
    }) + '\n',
    () => process.exit(0),
  );
})();
