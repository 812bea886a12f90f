// End-to-end harness: the packaged extension (.vsix) in a real VS Code (code-server 4.100.3), driven by
// Playwright in Debian's Chromium. test/e2e/setup.sh installs code-server and Chromium first.
//
//   const wb = useWorkbench({ name: 'activation' });   // inside describe(): launches in before(), stops in after()
//   test('...', async () => { const w = wb(); await w.openFile('broken.wat'); await w.waitForSquiggle('error'); });
//
// Everything started here (code-server's process group, the browser) is stopped in after(), on process
// exit and on SIGINT/SIGTERM. When a test fails, a screenshot and the logs are saved under
// .test-output/e2e/<test-name>/ and the path is printed.
import { after, afterEach, before } from 'node:test';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
const OUTPUT_ROOT = path.join(REPO_ROOT, '.test-output', 'e2e');

/** How long to wait for things that involve the language server (activation, diagnostics). */
export const TIMEOUT = Number(process.env.WASM_WARDEN_E2E_TIMEOUT ?? 30_000);

export type Trust = 'disabled' | 'trusted' | 'restricted';

export interface WorkbenchOptions {
  /** Used for the temp folder and the failure output folder. */
  name: string;
  /** Folder copied into a temp folder and opened; relative to the repo root. Default: examples/workspace. */
  fixture?: string;
  /** The .vsix to install. Default: $WASM_WARDEN_VSIX or dist/wasm-warden.vsix. */
  vsix?: string;
  /** 'disabled' (default): --disable-workspace-trust. 'trusted'/'restricted': trust is on, the prompt is answered. */
  trust?: Trust;
  /** Extra user settings (merged over the harness's quiet defaults). */
  settings?: Record<string, unknown>;
  /** Files written into the workspace copy before the workbench starts (relative path -> content). */
  files?: Record<string, string | Uint8Array>;
}

export interface Problem {
  file: string;
  severity: 'error' | 'warning' | 'info' | 'unknown';
  message: string;
  source: string;
  code: string;
  /** 1-based, as shown by VS Code ("[Ln 3, Col 5]"). */
  line: number;
  column: number;
  /** The whole row as read (aria-label). */
  label: string;
}

// ---------------------------------------------------------------------------------------------------
// Locating the installed pieces

export function codeServerHome(): string {
  const cache = process.env.WASM_WARDEN_CACHE ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'wasm-warden');
  return path.join(cache, `code-server-${CODE_SERVER_VERSION}`);
}

export function codeServerEntry(): string {
  const home = codeServerHome();
  const entry = path.join(home, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!fs.existsSync(path.join(home, '.install-complete')) || !fs.existsSync(entry)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed in ${home}: run bash test/e2e/setup.sh`);
  }
  return entry;
}

export function chromiumPath(): string {
  if (process.env.WASM_WARDEN_CHROMIUM) return process.env.WASM_WARDEN_CHROMIUM;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not on the PATH: run bash test/e2e/setup.sh');
  }
}

export function vsixPath(explicit?: string): string {
  const vsix = path.resolve(REPO_ROOT, explicit ?? process.env.WASM_WARDEN_VSIX ?? path.join('dist', 'wasm-warden.vsix'));
  if (!fs.existsSync(vsix)) throw new Error(`no extension package at ${vsix}: run npm run package`);
  return vsix;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'test';
}

// ---------------------------------------------------------------------------------------------------
// Processes: every child this module starts is in its own process group and is killed on exit.

const liveGroups = new Set<number>();
let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const killAll = () => {
    for (const pgid of liveGroups) {
      try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
    }
    liveGroups.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => { killAll(); process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)); });
  }
}

export interface CodeServer {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Everything code-server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Installs a .vsix into an extensions dir with code-server's CLI. */
export function installExtension(vsix: string, userDataDir: string, extensionsDir: string): string {
  const out = execFileSync(process.execPath, [codeServerEntry(), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--install-extension', vsix], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  if (!/successfully installed/i.test(out)) throw new Error(`installing ${vsix} failed:\n${out}`);
  return out;
}

/** Starts code-server on 127.0.0.1 with a free port and resolves once it answers HTTP. */
export async function startCodeServer(opts: {
  userDataDir: string; extensionsDir: string; folder?: string; trust?: Trust; logFile?: string;
}): Promise<CodeServer> {
  hookExit();
  const entry = codeServerEntry();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [entry, '--config', path.join(path.dirname(opts.userDataDir), 'code-server.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
      '--disable-getting-started-override', '--user-data-dir', opts.userDataDir, '--extensions-dir', opts.extensionsDir];
    if ((opts.trust ?? 'disabled') === 'disabled') args.push('--disable-workspace-trust');
    if (opts.folder) args.push(opts.folder);
    const proc = spawn(process.execPath, args, {
      detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VSCODE_PROXY_URI: '', PORT: '', PASSWORD: '', HASHED_PASSWORD: '' },
    });
    liveGroups.add(proc.pid!);
    let out = '';
    const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    const onData = (b: Buffer) => { out += b.toString(); log?.write(b); };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => { liveGroups.delete(proc.pid!); r(code); }));
    const stop = async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) { log?.end(); return; }
      try { process.kill(-proc.pid!, 'SIGTERM'); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await exited;
      clearTimeout(timer);
      // the group may still hold the extension host or pty host
      try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ }
      log?.end();
    };
    const url = `http://127.0.0.1:${port}/`;
    // Wait for the "HTTP server listening" line (an event), then check that it answers.
    const listening = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 60_000);
      const check = () => { if (/HTTP server listening on/i.test(out)) { clearTimeout(timer); resolve(true); } };
      proc.stdout!.on('data', check);
      proc.stderr!.on('data', check);
      exited.then(() => { clearTimeout(timer); resolve(false); });
    });
    if (listening) {
      try {
        const res = await fetch(`${url}healthz`);
        if (res.ok) return { url, port, proc, output: () => out, stop };
        lastError = new Error(`code-server answered ${res.status} on /healthz`);
      } catch (e) { lastError = e; }
    } else {
      lastError = new Error(`code-server did not start (attempt ${attempt + 1}):\n${out}`);
    }
    await stop();
    if (!/EADDRINUSE/.test(out)) break; // only a port race is worth another try
  }
  throw lastError;
}

// ---------------------------------------------------------------------------------------------------
// The workbench

const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.editor.enablePreview': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'editor.minimap.enabled': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoSurround': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.untrustedFiles': 'open',
};

export class Workbench {
  /** The temp copy of the fixture folder that is open in the workbench. */
  readonly workspace: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly tmp: string;
  server?: CodeServer;
  browser?: Browser;
  context?: BrowserContext;
  page!: Page;
  /** Browser console errors and page errors seen so far (kept for failure reports). */
  readonly consoleLines: string[] = [];

  private constructor(readonly options: WorkbenchOptions) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `wasm-warden-e2e-${safeName(options.name)}-`));
    this.userDataDir = path.join(this.tmp, 'user-data');
    this.extensionsDir = path.join(this.tmp, 'extensions');
    this.workspace = path.join(this.tmp, 'workspace');
  }

  static async launch(options: WorkbenchOptions): Promise<Workbench> {
    const wb = new Workbench(options);
    try {
      await wb.start();
    } catch (e) {
      await wb.saveFailure(options.name, e).catch(() => undefined);
      await wb.close();
      throw e;
    }
    return wb;
  }

  private async start(): Promise<void> {
    const { options } = this;
    const t0 = Date.now();
    const vsix = vsixPath(options.vsix);
    fs.mkdirSync(path.join(this.userDataDir, 'User'), { recursive: true });
    fs.mkdirSync(this.extensionsDir, { recursive: true });
    fs.writeFileSync(path.join(this.userDataDir, 'User', 'settings.json'),
      JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
    fs.cpSync(path.resolve(REPO_ROOT, options.fixture ?? 'examples/workspace'), this.workspace, { recursive: true });
    for (const [rel, content] of Object.entries(options.files ?? {})) {
      fs.mkdirSync(path.dirname(path.join(this.workspace, rel)), { recursive: true });
      fs.writeFileSync(path.join(this.workspace, rel), content);
    }
    installExtension(vsix, this.userDataDir, this.extensionsDir);
    const t1 = Date.now();
    this.server = await startCodeServer({
      userDataDir: this.userDataDir, extensionsDir: this.extensionsDir, trust: options.trust,
      logFile: path.join(this.tmp, 'code-server.log'),
    });
    const t2 = Date.now();
    this.browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: process.env.WASM_WARDEN_E2E_HEADED !== '1',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    this.context = await this.browser.newContext({ viewport: { width: 1400, height: 900 } });
    this.page = await this.context.newPage();
    this.page.on('console', (m) => { if (m.type() === 'error') this.consoleLines.push(`[console.${m.type()}] ${m.text()}`); });
    this.page.on('pageerror', (e) => this.consoleLines.push(`[pageerror] ${e.message}`));
    await this.page.goto(`${this.server.url}?folder=${encodeURIComponent(this.workspace)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    if (options.trust === 'trusted' || options.trust === 'restricted') await this.answerTrustPrompt(options.trust);
    // The explorer shows the folder once the workbench has restored the workspace.
    await this.page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 30_000 }).catch(() => undefined);
    const t3 = Date.now();
    if (process.env.WASM_WARDEN_E2E_TIMINGS !== '0') {
      console.error(`# e2e ${options.name}: install ${t1 - t0} ms, code-server ${t2 - t1} ms, workbench ${t3 - t2} ms`);
    }
  }

  private async answerTrustPrompt(trust: 'trusted' | 'restricted'): Promise<void> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    const name = trust === 'trusted' ? /Yes, I trust/i : /No, I don't trust/i;
    await dialog.getByRole('button', { name }).click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
  }

  /** Stops the browser and code-server (its whole process group). Safe to call twice. */
  async close(): Promise<void> {
    try { await this.browser?.close(); } catch { /* already gone */ }
    this.browser = undefined;
    try { await this.server?.stop(); } catch { /* already gone */ }
    if (process.env.WASM_WARDEN_E2E_KEEP !== '1') fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  /** The folder of the installed Wasm Warden extension (inside the extensions dir). */
  installedExtension(): string {
    const { publisher, name } = manifest();
    const dir = fs.readdirSync(this.extensionsDir).find((d) => d.toLowerCase().startsWith(`${publisher}.${name}-`.toLowerCase()));
    if (!dir) throw new Error(`${publisher}.${name} is not installed in ${this.extensionsDir}`);
    return path.join(this.extensionsDir, dir);
  }

  /** Whether a file of the installed extension (e.g. 'dist/server.js') contains a string: a feature probe of the build under test. */
  buildContains(file: string, needle: string): boolean {
    const p = path.join(this.installedExtension(), file);
    return fs.existsSync(p) && fs.readFileSync(p, 'utf8').includes(needle);
  }

  // -------------------------------------------------------------------------------------------------
  // Failure output

  /** Saves a screenshot, the problems, the browser console and the logs (extension host, output channels, code-server). */
  async saveFailure(testName: string, error?: unknown): Promise<string> {
    const dir = path.join(OUTPUT_ROOT, safeName(testName));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    if (error !== undefined) fs.writeFileSync(path.join(dir, 'error.txt'), String((error as Error)?.stack ?? error));
    if (this.page && !this.page.isClosed()) {
      await this.page.screenshot({ path: path.join(dir, 'screenshot.png'), timeout: 10_000 }).catch(() => undefined);
    }
    if (this.consoleLines.length) fs.writeFileSync(path.join(dir, 'browser-console.txt'), this.consoleLines.join('\n') + '\n');
    const csLog = path.join(this.tmp, 'code-server.log');
    if (fs.existsSync(csLog)) fs.copyFileSync(csLog, path.join(dir, 'code-server.log'));
    // code-server writes the remote side's logs (extension host, extension output channels) under <user-data-dir>/logs/<session>/
    const logs = path.join(this.userDataDir, 'logs');
    if (fs.existsSync(logs)) {
      for (const file of walk(logs)) {
        const rel = path.relative(logs, file);
        if (!/exthost|output|remoteagent|server|wasm/i.test(rel)) continue;
        const to = path.join(dir, 'logs', rel);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(file, to);
      }
    }
    console.error(`# e2e failure output for "${testName}": ${path.relative(process.cwd(), dir) || dir}`);
    return dir;
  }

  // -------------------------------------------------------------------------------------------------
  // Helpers for scenarios

  /** Waits for an element (CSS/Playwright selector) to be visible. */
  async waitFor(selector: string, timeout = TIMEOUT): Promise<Locator> {
    const loc = this.page.locator(selector).first();
    await loc.waitFor({ state: 'visible', timeout });
    return loc;
  }

  /** Waits for visible text anywhere in the workbench (string: substring; RegExp: match). */
  async waitForText(text: string | RegExp, timeout = TIMEOUT): Promise<Locator> {
    const loc = this.page.getByText(text).first();
    await loc.waitFor({ state: 'visible', timeout });
    return loc;
  }

  /** Gives the workbench keyboard focus without side effects. */
  async focusWorkbench(): Promise<void> {
    await this.page.locator('.monaco-workbench').first().focus().catch(() => undefined);
    if (await this.activeEditor().isVisible()) await this.focusEditor();
    else {
      // a webview editor (or none): the active tab focuses its group without side effects (a click into
      // the editor area may land on the breadcrumbs and open their picker)
      const tab = this.page.locator('.editor-group-container.active .tabs-container .tab.active').first();
      if (await tab.isVisible()) await tab.click();
      else await this.page.locator('.part.editor').first().click({ position: { x: 50, y: 50 } }).catch(() => undefined);
    }
  }

  /**
   * Opens a top-level file of the workspace from the Explorer (for files created during a test, which
   * Quick Open's file search may not list yet) and waits until its editor is active.
   */
  async openFromExplorer(name: string): Promise<void> {
    const explorer = this.page.locator('.explorer-folders-view');
    if (!(await explorer.isVisible())) {
      await this.focusWorkbench();
      await this.page.keyboard.press('Control+Shift+E');
      await explorer.waitFor({ state: 'visible', timeout: TIMEOUT });
    }
    const row = explorer.locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) }).first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
    await this.page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`).waitFor({ timeout: TIMEOUT });
  }

  /** Opens a file of the workspace with Quick Open (Ctrl+P) and waits until its editor is active. */
  /**
   * Opens the quick input (with `open`, e.g. F1 or Ctrl+P) and types `text` into it. A webview that takes
   * the focus (one loading beside the editor) can swallow the key or close the input right after it opened:
   * then it tries again (at most 3 times, each wait bounded), the later times through the title bar's
   * command center, a real user's other way in (`>` in the text switches it to commands).
   */
  private async fillQuickInput(open: () => Promise<void>, text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    for (let attempt = 1; ; attempt++) {
      await this.focusWorkbench();
      if (attempt === 1) await open();
      else await this.page.locator('.command-center .command-center-center').first().click();
      const opened = await input.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
      const filled = opened && (await input.fill(text, { timeout: 5000 }).then(() => true, () => false));
      if (filled && (await input.isVisible()) && (await input.inputValue()) === text) return;
      if (attempt === 3) throw new Error(`the quick input did not stay open to take ${JSON.stringify(text)}`);
      await this.page.keyboard.press('Escape');
    }
  }

  async openFile(relPath: string): Promise<void> {
    await this.fillQuickInput(() => this.page.keyboard.press('Control+P'), relPath);
    const base = path.posix.basename(relPath);
    const dir = path.posix.dirname(relPath);
    // Wait for the file itself to be listed (quick open searches asynchronously), then click it: the focused
    // first row may still be an older result.
    let rows = this.page.locator('.quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(base)}$`) }) });
    if (dir !== '.') rows = rows.filter({ has: this.page.locator('.label-description', { hasText: dir }) });
    const row = rows.first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
    await this.page.locator(`.tabs-container .tab.active[data-resource-name="${base}"]`).waitFor({ timeout: TIMEOUT });
    await this.page.locator('.editor-group-container.active .editor-container').first().waitFor({ timeout: TIMEOUT });
  }

  /** Gives the active editor keyboard focus, keeping its cursor (closes hovers and widgets first). */
  async focusEditor(): Promise<void> {
    await this.page.keyboard.press('Escape');
    const editor = this.activeEditor();
    await editor.waitFor({ state: 'visible', timeout: TIMEOUT });
    const input = editor.locator('.native-edit-context, textarea.inputarea').first();
    if (await input.count()) await input.focus();
    else await editor.locator('.view-lines').click({ position: { x: 2, y: 2 } });
    if (!(await editor.evaluate((el: any) => el.classList.contains('focused')))) {
      await editor.locator('.view-lines').click({ position: { x: 2, y: 2 } });
    }
  }

  /** The active text editor (Monaco) of the active editor group. */
  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Waits for at least `count` squiggles of a kind in the active editor and returns them. */
  async waitForSquiggle(kind: 'error' | 'warning' | 'info', opts: { count?: number; timeout?: number } = {}): Promise<Locator> {
    const loc = this.activeEditor().locator(`.squiggly-${kind}`);
    await loc.nth((opts.count ?? 1) - 1).waitFor({ state: 'attached', timeout: opts.timeout ?? TIMEOUT });
    return loc;
  }

  /** Waits until the active editor has no squiggle of a kind. */
  async waitForNoSquiggle(kind: 'error' | 'warning' | 'info', timeout = TIMEOUT): Promise<void> {
    await this.page.waitForFunction(
      `document.querySelectorAll('.editor-group-container.active .monaco-editor .squiggly-${kind}').length === 0`,
      undefined, { timeout });
  }

  /** Hover text over the first squiggle of a kind (the diagnostic message as the editor shows it). */
  async hoverSquiggle(kind: 'error' | 'warning' | 'info'): Promise<string> {
    await this.waitForSquiggle(kind);
    const hover = this.page.locator('.monaco-hover:not(.hidden) .hover-contents, .monaco-hover:not(.hidden) .marker.hover-contents').first();
    // the editor re-renders decorations while diagnostics settle: a squiggle can be replaced (or laid out
    // with no size) between finding it and hovering it, so take the one visible now and try again a few times
    for (let attempt = 1; ; attempt++) {
      const squiggle = this.activeEditor().locator(`.squiggly-${kind}`).first();
      const hovered = await squiggle
        .waitFor({ state: 'visible', timeout: 5000 })
        .then(() => squiggle.hover({ force: true, timeout: 5000 }))
        .then(() => hover.waitFor({ state: 'visible', timeout: 5000 }))
        .then(() => true, () => false);
      if (hovered) return (await hover.innerText()).trim();
      if (attempt === 4) throw new Error(`no hover over a visible ${kind} squiggle`);
      await this.page.mouse.move(0, 0);
    }
  }

  /** Text of the language mode in the status bar (e.g. "WebAssembly Text"). */
  async languageMode(): Promise<string> {
    const item = this.page.locator('[id="status.editor.mode"]');
    await item.waitFor({ state: 'visible', timeout: TIMEOUT });
    return (await item.innerText()).trim();
  }

  /** Opens the Problems panel (Ctrl+Shift+M) if it is not visible. */
  async showProblems(): Promise<Locator> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      await this.focusWorkbench();
      await this.page.keyboard.press('Control+Shift+M');
      await panel.waitFor({ state: 'visible', timeout: TIMEOUT });
    }
    return panel;
  }

  /** Reads the entries of the Problems panel (all files; the tree is expanded by default). */
  async problems(): Promise<Problem[]> {
    const panel = await this.showProblems();
    const rows = panel.locator('.monaco-list-row');
    const raw: { marker: boolean; label: string; text: string; icon: string; resource: string; source: string; code: string; line: string; message: string }[] =
      await rows.evaluateAll(READ_PROBLEM_ROWS);
    const result: Problem[] = [];
    let file = '';
    for (const r of raw) {
      if (!r.marker) { file = r.resource || r.label.split(',')[0]; continue; }
      // aria-label: "Error: <message> at line 4 and character 29. generated by <source>"
      const aria = /^(Error|Warning|Info)\w*: ([\s\S]*) at line (\d+) and character (\d+)\.(?: generated by (.*))?$/.exec(r.label);
      const pos = /\[Ln (\d+), Col (\d+)\]/.exec(r.line || r.text);
      const sevWord = (aria?.[1] ?? '').toLowerCase();
      const severity: Problem['severity'] = sevWord === 'error' || /codicon-error/.test(r.icon) ? 'error'
        : sevWord === 'warning' || /codicon-warning/.test(r.icon) ? 'warning'
          : sevWord === 'info' || /codicon-info/.test(r.icon) ? 'info' : 'unknown';
      result.push({
        file, severity,
        message: aria?.[2] ?? r.message ?? r.text.split('\n')[0].trim(),
        source: r.source || (aria?.[5] ?? '').trim(),
        code: r.code.replace(/^\(|\)$/g, ''),
        line: pos ? Number(pos[1]) : Number(aria?.[3] ?? 0),
        column: pos ? Number(pos[2]) : Number(aria?.[4] ?? 0),
        label: r.label,
      });
    }
    return result;
  }

  /** Waits until the Problems panel has an entry that satisfies `match`, and returns it. */
  async waitForProblem(match: (p: Problem) => boolean, timeout = TIMEOUT): Promise<Problem> {
    await this.showProblems();
    const deadline = Date.now() + timeout;
    let last: Problem[] = [];
    for (;;) {
      last = await this.problems();
      const found = last.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching Problems entry within ${timeout} ms; entries: ${JSON.stringify(last, null, 1)}`);
      await this.panelChanged();
    }
  }

  /** Waits until no entry of the Problems panel satisfies `match`. */
  async waitForNoProblem(match: (p: Problem) => boolean, timeout = TIMEOUT): Promise<Problem[]> {
    await this.showProblems();
    const deadline = Date.now() + timeout;
    for (;;) {
      const last = await this.problems();
      if (!last.some(match)) return last;
      if (Date.now() > deadline) throw new Error(`Problems entry still present after ${timeout} ms: ${JSON.stringify(last.filter(match), null, 1)}`);
      await this.panelChanged();
    }
  }

  /** Resolves when the Problems panel's DOM changes (or after 1 s, to re-read in any case). */
  private async panelChanged(): Promise<void> {
    await this.page.evaluate(`new Promise((resolve) => {
      const panel = document.querySelector('.markers-panel') || document.body;
      const obs = new MutationObserver(() => { obs.disconnect(); resolve(true); });
      obs.observe(panel, { subtree: true, childList: true, characterData: true, attributes: true });
      setTimeout(() => { obs.disconnect(); resolve(false); }, 1000);
    })`);
  }

  /** Runs a command from the Command Palette by its title ("Wasm Warden: Show Policy" or just "Show Policy"). */
  async runCommand(title: string): Promise<void> {
    await this.fillQuickInput(() => this.page.keyboard.press('F1'), `>${title}`);
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    const exact = rows.filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`(^|: )${escapeRegExp(title)}$`) }) }).first();
    await exact.waitFor({ state: 'visible', timeout: TIMEOUT }).catch(async () => {
      const seen = await rows.allInnerTexts().catch(() => []);
      throw new Error(`command "${title}" is not in the Command Palette; listed: ${JSON.stringify(seen)}`);
    });
    await exact.click();
    // the palette closes, or the command's own quick input (a quick pick, a simple file dialog) replaces it
    await this.page.waitForFunction(`(() => {
      const w = document.querySelector('.quick-input-widget');
      if (!w || w.style.display === 'none' || !w.offsetParent) return true;
      return !(w.querySelector('input.input')?.value ?? '').startsWith('>');
    })()`, undefined, { timeout: TIMEOUT });
  }

  /**
   * The content of a webview (a panel or a custom editor). Webviews are nested iframes: an outer
   * `iframe.webview` laid over the editor area (not inside the editor group's DOM) and an inner
   * `#active-frame` with the extension's HTML. With `title`, the tab of that title is brought to the
   * front first; the visible webview is then the one read.
   */
  async webview(title?: string, timeout = TIMEOUT): Promise<FrameLocator> {
    if (title) {
      const tab = this.page.locator('.tabs-container .tab', { hasText: title }).first();
      await tab.waitFor({ timeout });
      if (!(await tab.evaluate((el: any) => el.classList.contains('active')))) await tab.click();
    }
    const outer = this.page.locator('iframe.webview.ready').locator('visible=true').first();
    await outer.waitFor({ state: 'visible', timeout });
    const inner = outer.contentFrame().locator('iframe#active-frame');
    await inner.waitFor({ state: 'attached', timeout });
    const content = inner.contentFrame();
    await content.locator('body').waitFor({ state: 'attached', timeout });
    return content;
  }

  /** The text of a webview (optionally waiting for `contains` to appear in it first). */
  async webviewText(title?: string, contains?: string | RegExp, timeout = TIMEOUT): Promise<string> {
    const frame = await this.webview(title, timeout);
    if (contains) await frame.getByText(contains).first().waitFor({ timeout });
    return frame.locator('body').innerText();
  }

  /**
   * The webview whose page title is `title` (the panels' pages carry it as `<main data-title>`; a panel's
   * title is its tab title, e.g. "Inspect: counter.wasm", a .wasm editor's is the file name). Unlike
   * `webview()`, this finds the right one when several webviews are visible side by side.
   */
  async panel(title: string, timeout = TIMEOUT): Promise<FrameLocator> {
    const tab = this.page.locator('.tabs-container .tab', { hasText: title }).first();
    await tab.waitFor({ timeout });
    if (!(await tab.evaluate((el: any) => el.classList.contains('active')))) await tab.click();
    const deadline = Date.now() + timeout;
    const selector = `main#content[data-title="${title.replace(/["\\]/g, '\\$&')}"]`;
    for (;;) {
      const outers = this.page.locator('iframe.webview.ready');
      const n = await outers.count();
      for (let i = 0; i < n; i++) {
        const content = outers.nth(i).contentFrame().locator('iframe#active-frame').contentFrame();
        if ((await content.locator(selector).count().catch(() => 0)) > 0) return content;
      }
      if (Date.now() > deadline) throw new Error(`no webview titled "${title}" within ${timeout} ms`);
      // a webview (re)loads as a frame navigation: wait for one (or re-check after 500 ms)
      await this.page.waitForEvent('framenavigated', { timeout: 500 }).catch(() => undefined);
    }
  }

  /** The text of the webview titled `title`, once `contains` is in it. */
  async panelText(title: string, contains: string | RegExp, timeout = TIMEOUT): Promise<string> {
    const frame = await this.panel(title, timeout);
    await frame.locator('main#content').getByText(contains).first().waitFor({ timeout });
    return frame.locator('main#content').innerText();
  }

  /** Waits for a modal dialog (optionally whose text matches) and returns it. */
  async waitForDialog(text?: string | RegExp, timeout = TIMEOUT): Promise<Locator> {
    let dialog = this.page.locator('.monaco-dialog-box');
    if (text) dialog = dialog.filter({ hasText: text });
    await dialog.first().waitFor({ state: 'visible', timeout });
    return dialog.first();
  }

  /** Clicks a button of the modal dialog and waits for the dialog to close. */
  async answerDialog(button: string | RegExp, text?: string | RegExp): Promise<void> {
    const dialog = await this.waitForDialog(text);
    await dialog.getByRole('button', { name: button }).click();
    await dialog.waitFor({ state: 'detached', timeout: TIMEOUT });
  }

  /** Picks an item of the open quick pick by its label (waits for the quick pick and the item). */
  async pickQuickItem(label: string | RegExp): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
    // (a label may carry an icon: "$(folder) npm" renders as an icon and a space before the text)
    const name = typeof label === 'string' ? new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) : label;
    const row = widget.locator('.quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: name }) }).first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
  }

  /**
   * Answers a quick input by typing `value` and pressing Enter: also code-server's "simple" file
   * dialogs, whose input is a path (`file: 'open'` for an existing file in an open dialog, `'save'` for a
   * save dialog). Resolves once the input was accepted.
   */
  async answerQuickInput(value: string, opts: { title?: string | RegExp; file?: 'open' | 'save' } = {}): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
    if (opts.title) await widget.locator('.quick-input-title', { hasText: opts.title }).waitFor({ timeout: TIMEOUT });
    const title = (await widget.locator('.quick-input-title').innerText().catch(() => '')).trim();
    const input = widget.locator('input.input');
    if (opts.file) {
      // a simple file dialog first fills in its folder and lists it; typing before that is overwritten
      await this.page.waitForFunction(`(document.querySelector('.quick-input-widget input.input')?.value ?? '').endsWith('/')`,
        undefined, { timeout: TIMEOUT });
      await widget.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: TIMEOUT });
    }
    await input.fill(value);
    await this.page.waitForFunction(`document.querySelector('.quick-input-widget input.input')?.value === ${JSON.stringify(value)}`,
      undefined, { timeout: TIMEOUT });
    if (opts.file === 'open') {
      // an open dialog lists the folder of the typed path once it has read it; accepting before that is ignored
      const base = path.posix.basename(value);
      await widget.locator('.quick-input-list .monaco-list-row .label-name', { hasText: new RegExp(`^${escapeRegExp(base)}$`) })
        .first().waitFor({ state: 'visible', timeout: TIMEOUT });
    }
    // accepted: the quick input closes, or the next one (another title) replaces it
    const accepted = `(() => {
      const w = document.querySelector('.quick-input-widget');
      if (!w || w.style.display === 'none' || !w.offsetParent) return true;
      return (w.querySelector('.quick-input-title')?.textContent ?? '').trim() !== ${JSON.stringify(title)};
    })()`;
    // A simple file dialog ignores Enter while it is still reading the typed path's folder (seen in CI:
    // the save dialog stayed open with the path filled in). Enter again, at most twice more, each time
    // only after the dialog stayed open with the same value for a bounded wait.
    for (let attempt = 1; ; attempt++) {
      await input.press('Enter');
      const last = !opts.file || attempt === 3;
      try {
        await this.page.waitForFunction(accepted, undefined, { timeout: last ? TIMEOUT : 5_000 });
        return;
      } catch (e) {
        if (last || (await input.inputValue().catch(() => undefined)) !== value) throw e;
      }
    }
  }

  /** Types text at the cursor of the active editor (auto-closing brackets are off in the harness's settings). */
  async typeInEditor(text: string): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.type(text);
  }

  /** Replaces the whole text of the active editor: select all, then insert `text` as one edit. */
  async replaceEditorText(text: string): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(text);
  }

  /** Moves the cursor with Ctrl+G to a 1-based line (and column). */
  async goToLine(line: number, column = 1): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: TIMEOUT });
  }

  /** Saves the active editor (Ctrl+S) and waits for its tab to lose the dirty mark. */
  async save(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: TIMEOUT });
  }

  /** The editor group that shows a tab of this name (e.g. 'counter.wasm.wat'). */
  groupWithTab(tabName: string): Locator {
    return this.page.locator('.editor-group-container')
      .filter({ has: this.page.locator(`.tabs-container .tab[data-resource-name="${tabName}"]`) }).first();
  }

  /**
   * The visible text lines of the active editor, or of the text editor of the group showing `tabName`
   * (Monaco only renders what is on screen).
   */
  async visibleEditorText(tabName?: string): Promise<string> {
    const editor = tabName ? this.groupWithTab(tabName).locator('.monaco-editor').first() : this.activeEditor();
    await editor.locator('.view-lines .view-line').first().waitFor({ state: 'attached', timeout: TIMEOUT });
    const lines: { top: number; text: string }[] = await editor.locator('.view-lines .view-line').evaluateAll(READ_VIEW_LINES);
    return lines.sort((a, b) => a.top - b.top).map((l) => l.text).join('\n');
  }
}

// Functions run in the page are kept as source text: tsx (esbuild) would otherwise add helpers such as
// __name() to them that do not exist in the page.
function pageFunction(source: string): (els: any[]) => any {
  return new Function('els', `return (${source})(els);`) as (els: any[]) => any;
}
const READ_PROBLEM_ROWS = pageFunction(`(els) => els.map((el) => {
  const q = (sel) => String(el.querySelector(sel)?.textContent ?? '').trim();
  return {
    marker: !!el.querySelector('.marker-icon, .marker-message-details'),
    label: el.getAttribute('aria-label') ?? '',
    text: el.innerText ?? '',
    icon: String(el.querySelector('.marker-icon')?.className ?? ''),
    resource: q('.resource-label .label-name') || q('.label-name'),
    source: q('.marker-source'),
    code: q('.marker-code'),
    line: q('.marker-line'),
    message: q('.marker-message-line') || q('.marker-message'),
  };
})`);
const READ_VIEW_LINES = pageFunction(`(els) => els.map((el) => ({
  top: parseFloat(el.style.top) || 0,
  text: String(el.textContent ?? '').replace(/\\u00a0/g, ' '),
}))`);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function* walk(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

/**
 * Declares a workbench for the enclosing describe(): launched once in before(), closed in after();
 * after each failed test a screenshot and the logs go to .test-output/e2e/<test-name>/.
 * Returns a getter for the workbench.
 */
export function useWorkbench(options: WorkbenchOptions): () => Workbench {
  let wb: Workbench | undefined;
  before(async () => { wb = await Workbench.launch(options); }, { timeout: 180_000 });
  afterEach(async (t) => {
    const ctx = t as unknown as { name: string; passed?: boolean };
    if (wb && ctx.passed === false) await wb.saveFailure(`${options.name}-${ctx.name}`).catch((e) => console.error(e));
  });
  after(async () => { await wb?.close(); wb = undefined; });
  return () => {
    if (!wb) throw new Error(`workbench "${options.name}" did not start (see the before hook's error)`);
    return wb;
  };
}

/** Reads the extension's manifest (package.json at the repo root). */
export function manifest(): any {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
}
