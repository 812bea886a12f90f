/**
 * The server's view of the workspace: settings, cached analyses, the policy store, and the
 * diagnostics of every WAT, WAST and `.wasm` file (open buffers as you type, files on disk from the
 * start-up scan and file watching, policy files themselves, and the WAT views of binaries).
 */
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import {
  FileChangeType,
  type ClientCapabilities,
  type Connection,
  type Diagnostic,
  type FileEvent,
  type TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisCache, pathToUri, uriToPath, type DegradedWatAnalysis, type WasmAnalysis, type WatAnalysis } from './documents';
import { binaryRange, toLspDiagnostic, toLspSeverity, toRange } from './convert';
import type { Finding } from './engine/operations/findings';
import { checkWasmBytes, checkWatDocument, sourceKindOf } from './engine/operations/check';
import { PolicyStore, POLICY_FILE_NAME, type LoadedPolicyFile } from './engine/policy/store';
import { forgetLock, LOCK_FILE_NAME } from './engine/approvals/lock';
import { quoteForMessage } from './engine/policy/limits';
import { LineIndex } from './engine/span';
import { scanFolder } from './engine/scan';
import { moduleView, type ModuleView } from './engine/operations/module-view';
import type { EngineDiagnostic } from './engine/diagnostic';
import { CheckWorker } from './engine/budget/check-worker';
import { capFindings, MAX_FINDINGS_PER_FILE, WAT_TOKENS_PER_MB, type AnalysisLimits } from './engine/budget/limits';
import { ViewCache, viewLineOfByte, type CachedView } from './view-cache';
import { lintDocument, lintSeverities } from './engine/lints';
import type { ComponentView } from './engine/component/wit-text';
import { LiveTypeChecker } from './engine/validate/live';
import { DEFAULT_SETTINGS, ScanDoneNotification, WAT_VIEW_SCHEME, WAT_VIEW_SUFFIX, type WardenSettings } from './protocol';

/** WAT views longer than this are shown and marked, but not parsed for outline, folding and hover. */
export const MAX_ANALYZED_VIEW_CHARS = 1 << 20;

export class Workspace {
  settings: WardenSettings = { ...DEFAULT_SETTINGS };
  readonly cache = new AnalysisCache();
  readonly policies: PolicyStore;
  readonly roots: string[];
  /** rendered WAT views of binaries, by `.wasm` path (bounded by size, least recently used first out) */
  readonly views = new ViewCache();
  /** checks files that are not open, off the main thread and within the analysis budgets */
  readonly checker = new CheckWorker({ limits: () => this.limits, maxFindings: MAX_FINDINGS_PER_FILE });
  /** the latest disk check started per file: an older one that finishes later is not published */
  private readonly diskChecks = new Map<string, number>();
  private diskCheckSeq = 0;
  /** `.wasm` files whose WAT view is shown in the editor (their findings are listed on the view) */
  private readonly shownViews = new Set<string>();
  /** findings of the last explicit validation (our validator, or wabt/binaryen for WAT) per file, shown until the file changes */
  private readonly validation = new Map<string, Finding[]>();
  /** every file that currently has diagnostics published, so removals clear them */
  private readonly published = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** per open WAT/WAST buffer: its live type checker (incremental per function) */
  private readonly typeCheckers = new Map<string, LiveTypeChecker>();
  private scanGeneration = 0;
  /** scan globs already reported as malformed or over a limit */
  private readonly warnedGlobs = new Set<string>();
  /** globs of VS Code's `files.exclude` that are switched on */
  private filesExclude: string[] = [];
  /** the client adds its workspace-trust state to every configuration answer (initialization option) */
  private readonly trustInConfiguration: boolean;

  constructor(
    readonly connection: Connection,
    readonly documents: TextDocuments<TextDocument>,
    rootUris: string[],
    private readonly capabilities: ClientCapabilities,
    initializationOptions: unknown,
  ) {
    this.roots = rootUris.map((u) => uriToPath(u)).filter((p): p is string => !!p);
    const init = (initializationOptions ?? {}) as Partial<WardenSettings> & { trustInConfiguration?: unknown };
    // no trust state is untrusted (mergeSettings); configuration answers may carry it only if the client says so
    this.trustInConfiguration = init.trustInConfiguration === true;
    this.settings = mergeSettings(init);
    this.policies = new PolicyStore({
      roots: this.roots,
      explicitPath: this.explicitPolicyPath(),
      readText: (file) => this.documents.get(pathToUri(file))?.getText(),
      // a policy's problems show on it whenever it is (re)loaded: opened, edited, changed on disk, or
      // first read for a file it governs (a broken policy nobody opened is reported too)
      onLoaded: (loaded) => this.publishPolicy(loaded),
    });
  }

  /** The analysis budgets in force (settings `wasmWarden.analysis.*`). */
  get limits(): AnalysisLimits {
    const a = this.settings.analysis;
    return {
      timeoutMs: a.timeoutMs,
      maxHeapMB: a.maxHeapMB,
      maxWatBytes: Math.round(a.maxFileSizeMB * 1024 * 1024),
      maxWatTokens: Math.round(a.maxFileSizeMB * WAT_TOKENS_PER_MB),
    };
  }

  get canWatchFiles(): boolean {
    return !!this.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
  }

  /** A link to a rule's documentation page, shipped with the extension. */
  get ruleDocBase(): string {
    return URI.file(path.resolve(__dirname, '..', 'docs', 'rules')).toString();
  }

  async refreshSettings(): Promise<void> {
    if (this.capabilities.workspace?.configuration) {
      try {
        const [cfg, filesExclude] = await this.connection.workspace.getConfiguration([{ section: 'wasmWarden' }, { section: 'files.exclude' }]);
        // a client that declared so adds the workspace's trust state to the answer; any other answer (which
        // may come from files in the workspace) cannot change it: keep the one given at initialization
        const answered = this.trustInConfiguration && typeof cfg?.trusted === 'boolean' ? cfg.trusted : undefined;
        this.settings = mergeSettings({ ...(cfg ?? {}), trusted: answered ?? this.settings.trusted });
        // folders the user hides in VS Code (files.exclude: { glob: true }) are not scanned either
        this.filesExclude =
          filesExclude && typeof filesExclude === 'object'
            ? Object.entries(filesExclude as Record<string, unknown>).filter(([, on]) => on === true).map(([glob]) => glob)
            : [];
      } catch {
        /* keep the previous settings */
      }
    }
    this.policies.configure({ explicitPath: this.explicitPolicyPath() });
    this.policies.invalidate();
  }

  private explicitPolicyPath(): string | undefined {
    const p = this.settings.policyPath;
    if (!p) return undefined;
    return path.isAbsolute(p) ? p : path.resolve(this.roots[0] ?? process.cwd(), p);
  }

  // ---- open buffers -------------------------------------------------------------------------

  documentChanged(doc: TextDocument, immediately: boolean): void {
    const view = wasmFileOfView(doc.uri);
    if (view) {
      if (view.func !== undefined || view.module !== undefined) return;
      if (immediately) this.viewShown(view.file, true);
      else this.republishView(view.file);
      return;
    }
    const file = uriToPath(doc.uri);
    if (!file) return;
    const isPolicy = path.basename(file) === POLICY_FILE_NAME;
    const kind = sourceKindOf(file);
    if (!isPolicy && (!kind || kind === 'wasm')) return;
    const uri = doc.uri;
    if (!immediately) this.validation.delete(file); // an edit makes the last validation stale
    clearTimeout(this.timers.get(uri));
    const run = () => {
      this.timers.delete(uri);
      const current = this.documents.get(uri);
      if (!current) return;
      if (isPolicy) this.policyChanged(file);
      else this.publishWat(file, kind as 'wat' | 'wast', current);
    };
    if (immediately || this.settings.debounceMs <= 0) run();
    else this.timers.set(uri, setTimeout(run, this.settings.debounceMs));
  }

  documentClosed(doc: TextDocument): void {
    clearTimeout(this.timers.get(doc.uri));
    this.timers.delete(doc.uri);
    this.cache.forget(doc.uri);
    this.typeCheckers.delete(doc.uri);
    const view = wasmFileOfView(doc.uri);
    if (view) {
      // its editor closed: the view's findings go back to the .wasm, and its text is rendered again if reopened
      if (view.func === undefined && view.module === undefined) this.viewShown(view.file, false);
      return;
    }
    const file = uriToPath(doc.uri);
    if (!file) return;
    if (path.basename(file) === POLICY_FILE_NAME) {
      this.policyChanged(file);
      return;
    }
    // the file on disk may differ from the closed buffer: re-check it from disk
    if (fs.existsSync(file)) void this.checkFromDisk(file);
    else this.clear(pathToUri(file));
  }

  /** The analysis of an open WAT/WAST buffer: parsed, or degraded when it is over the budget. */
  openWat(uri: string): WatAnalysis | DegradedWatAnalysis | undefined {
    const doc = this.documents.get(uri);
    const file = uriToPath(uri);
    // a component's view is WIT-style text, not WAT: its outline and hover come from componentView()
    if (!file && this.componentView(uri)) return undefined;
    const kind = file ? sourceKindOf(file) : undefined;
    if (doc && (kind === 'wat' || kind === 'wast' || doc.languageId === 'wat' || doc.languageId === 'wast')) {
      // a large module's WAT view is not parsed again for an outline or a hover: that took longer than
      // reading the module itself (0.7 s for the 4.4 MB view of a 45 MB module) and held up the editor
      if (!file && wasmFileOfView(uri) && doc.getText().length > MAX_ANALYZED_VIEW_CHARS) return undefined;
      return this.cache.watText(uri, kind === 'wast' || doc.languageId === 'wast' ? 'wast' : 'wat', doc.getText(), doc.version, this.limits);
    }
    return undefined;
  }

  /** The rendered view of a component when `uri` is that view (its outline, hover and lines). */
  componentView(uri: string): { view: ComponentView; index: LineIndex; file: string } | undefined {
    const v = wasmFileOfView(uri);
    if (!v || v.func !== undefined || v.module !== undefined) return undefined;
    const cached = this.views.peek(v.file);
    return cached?.view.component ? { view: cached.view.component, index: cached.index, file: v.file } : undefined;
  }

  /** The parsed form of an open WAT/WAST buffer (none for a buffer over the analysis budget). */
  watAnalysis(uri: string): WatAnalysis | undefined {
    const a = this.openWat(uri);
    return a && !a.degraded ? a : undefined;
  }

  private publishWat(file: string, kind: 'wat' | 'wast', doc: TextDocument): void {
    const analysis = this.cache.watText(doc.uri, kind, doc.getText(), doc.version, this.limits);
    if (analysis.degraded) {
      // over the budget: the notice says so (and how to analyse it anyway), nothing else is known
      this.publish(doc.uri, [this.lsp(analysis.notice, () => binaryRange())]);
      return;
    }
    const policy = this.policies.policyFor(file);
    const found = capFindings([
      ...checkWatDocument(analysis.doc, file, policy),
      ...this.typeErrors(doc.uri, analysis.doc),
      ...lintDocument(analysis.doc, this.settings.lints),
    ]);
    const toLsp = (d: EngineDiagnostic): Diagnostic => {
      const out = this.lsp(d, (s) => toRange(analysis.index, s));
      // a type error's operand at fault (where the value of the wrong type was pushed)
      if (d.source === 'validator' && d.related?.length) {
        out.relatedInformation = d.related.filter((r) => r.span).map((r) => ({ location: { uri: doc.uri, range: toRange(analysis.index, r.span!) }, message: r.message }));
      }
      return out;
    };
    this.publish(doc.uri, [...found.map(toLsp), ...this.validationDiagnostics(file)]);
  }

  /** The live type checker of an open WAT/WAST buffer (kept while it is open). */
  typeChecker(uri: string): LiveTypeChecker {
    let checker = this.typeCheckers.get(uri);
    if (!checker) this.typeCheckers.set(uri, (checker = new LiveTypeChecker()));
    return checker;
  }

  /** Type errors of a parsed buffer, checked incrementally per function (see engine/validate/live.ts). */
  private typeErrors(uri: string, doc: WatAnalysis['doc']): EngineDiagnostic[] {
    try {
      return this.typeChecker(uri).check(doc);
    } catch (err) {
      // a bug in the checker must not take the buffer's other findings with it: start afresh next time
      this.typeCheckers.delete(uri);
      this.connection.console.error(`live type checking failed: ${(err as Error).stack ?? String(err)}`);
      return [];
    }
  }

  /** Show the spec findings of an explicit validation (ours, or wabt/binaryen for WAT) in the Problems panel, until the file changes. */
  setValidation(file: string, findings: Finding[]): void {
    this.validation.set(file, findings.filter((f) => f.source === 'validator' || f.source === 'wat-assembler' || f.source === 'wabt' || f.source === 'binaryen'));
    void this.checkFromDisk(file);
  }

  /**
   * The last validation's findings as diagnostics: at their line in a text source; for a binary, at the
   * start of the `.wasm`, or, given its shown WAT view, on the view's line for the finding's byte offset.
   */
  private validationDiagnostics(file: string, view?: CachedView): Diagnostic[] {
    return (this.validation.get(file) ?? []).map((f) => ({
      range:
        f.line !== undefined
          ? { start: { line: f.line - 1, character: (f.column ?? 1) - 1 }, end: { line: (f.endLine ?? f.line) - 1, character: (f.endColumn ?? f.column ?? 1) - 1 } }
          : view && f.offset !== undefined
            ? viewLineOfByte(view.view, view.index, f.offset)
            : binaryRange(),
      severity: toLspSeverity(f.severity),
      code: f.rule,
      source: 'wasm-warden',
      message: `${f.source}: ${f.message}${f.offset !== undefined ? ` (@0x${f.offset.toString(16)})` : ''}`,
    }));
  }

  // ---- files on disk ------------------------------------------------------------------------

  /**
   * Check a file that is not open in an editor (or a `.wasm`, which is never a text buffer): on the
   * analysis worker, within the time and memory budgets, so the main thread keeps answering requests.
   * Resolves to the number of findings published.
   */
  async checkFromDisk(file: string): Promise<number> {
    const kind = sourceKindOf(file);
    if (!kind) return 0;
    const uri = pathToUri(file);
    if (kind !== 'wasm' && this.documents.get(uri)) {
      this.publishWat(file, kind, this.documents.get(uri)!);
      return 0;
    }
    const seq = ++this.diskCheckSeq;
    this.diskChecks.set(file, seq);
    let result;
    try {
      result = await this.checker.check(file, this.policies.policyFor(file));
    } catch (err) {
      result = { kind: 'failed' as const, message: (err as Error).message };
    }
    // a later check of the file started meanwhile, or it was opened (its buffer's diagnostics rule)
    if (this.diskChecks.get(file) !== seq) return 0;
    this.diskChecks.delete(file);
    if (kind !== 'wasm' && this.documents.get(uri)) return 0;
    const suffix = (d: EngineDiagnostic) => (kind === 'wasm' ? `@0x${d.span.start.toString(16)}` : undefined);
    let diagnostics: Diagnostic[];
    if (result.kind === 'done') {
      const ranges = result.ranges;
      if (kind === 'wasm') {
        // on its WAT view while that is shown, else on the .wasm (never both)
        this.publishWasm(file, result.diagnostics);
        return result.diagnostics.length;
      }
      diagnostics = result.diagnostics.map((d, i) => this.lsp(d, () => ranges?.[i] ?? binaryRange(), suffix(d)));
    } else if (result.kind === 'over-budget') {
      diagnostics = [this.lsp(result.finding, () => binaryRange())];
    } else {
      const message = `cannot read ${path.basename(file)}: ${result.message}`;
      diagnostics = [{ range: binaryRange(), message, severity: 1, source: 'wasm-warden', code: 'file-unreadable' }];
    }
    this.publish(uri, [...diagnostics, ...this.validationDiagnostics(file)]);
    return diagnostics.length;
  }

  /** The WAT view of a `.wasm`, rendered once per file version (concurrent callers share one rendering). */
  watView(file: string): Promise<{ wasm: WasmAnalysis; view: ModuleView }> {
    const pending = this.rendering.get(file);
    if (pending) return pending;
    const p = this.renderView(file).finally(() => this.rendering.delete(file));
    this.rendering.set(file, p);
    return p;
  }

  private readonly rendering = new Map<string, Promise<{ wasm: WasmAnalysis; view: ModuleView }>>();

  private async renderView(file: string): Promise<{ wasm: WasmAnalysis; view: ModuleView }> {
    const wasm = this.cache.viewedWasm(file);
    let cached = this.views.get(file);
    if (!cached || cached.mtimeMs !== wasm.mtimeMs) {
      const view = await moduleView(wasm.bytes, wasm.read);
      cached = { view, index: new LineIndex(view.text), mtimeMs: wasm.mtimeMs };
      this.views.set(file, cached);
      // the view is new: if its document is open already, its findings go onto it
      if (this.viewOpen(file)) this.publishWasm(file, capFindings(checkWasmBytes(wasm.bytes, wasm.read, file, this.policies.policyFor(file))));
    }
    return { wasm, view: cached.view };
  }

  /**
   * A module's WAT view was shown (didOpen, or the client's watViewShown) or closed (didClose, or its last
   * tab closed): its findings move onto the view (at their places in the text), or back to the `.wasm`,
   * with nothing left behind on the closed view.
   */
  viewShown(file: string, shown: boolean): void {
    if (shown) {
      this.shownViews.add(file);
      // the view's text maps the findings; rendered again if it was dropped when the view closed
      void this.watView(file).then(
        () => this.checkFromDisk(file),
        () => undefined,
      );
      return;
    }
    this.shownViews.delete(file);
    this.views.delete(file); // its text is rendered again when it is shown again
    this.clear(watViewUri(file));
    if (fs.existsSync(file)) this.checkFromDisk(file);
  }

  /** Whether the WAT view of a `.wasm` is shown in the editor. */
  private viewOpen(file: string): boolean {
    return this.shownViews.has(file);
  }

  /**
   * The findings of a `.wasm`, listed once: on its WAT view while that is open (at their places in the
   * text), else on the `.wasm` itself (at the start of the file, with the byte offset in the message).
   * Never both, and nothing is left on a view once it is closed.
   */
  private publishWasm(file: string, found: EngineDiagnostic[]): void {
    const uri = pathToUri(file);
    const cached = this.views.peek(file);
    if (cached && this.viewOpen(file)) {
      const { view, index } = cached;
      this.publish(watViewUri(file), [
        ...found.map((d) => this.lsp(d, (s) => toRange(index, view.spanForByte(s.start) ?? { start: 0, end: 0 }), `@0x${d.span.start.toString(16)}`)),
        ...this.validationDiagnostics(file, cached),
      ]);
      this.clear(uri);
      return;
    }
    this.publish(uri, [...found.map((d) => this.lsp(d, () => binaryRange(), `@0x${d.span.start.toString(16)}`)), ...this.validationDiagnostics(file)]);
    this.clear(watViewUri(file));
  }

  // ---- policy -------------------------------------------------------------------------------

  private policyChanged(file: string): void {
    this.policies.invalidate(file);
    this.policies.load(file); // publishes its problems (onLoaded)
    this.recheckAll();
  }

  private publishPolicy(loaded: LoadedPolicyFile): void {
    const index = new LineIndex(loaded.text);
    this.publish(pathToUri(loaded.file), loaded.diagnostics.map((d) => this.lsp(d, (s) => toRange(index, s))));
  }

  /** Re-check every open buffer and every file that has been checked before. */
  recheckAll(): void {
    for (const doc of this.documents.all()) {
      const file = uriToPath(doc.uri);
      const kind = file ? sourceKindOf(file) : undefined;
      if (file && kind && kind !== 'wasm') this.publishWat(file, kind, doc);
    }
    void this.scanWorkspace();
  }

  filesChanged(changes: FileEvent[]): void {
    let policyTouched = false;
    for (const change of changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      this.cache.forget(file);
      this.views.delete(file);
      this.validation.delete(file);
      if (path.basename(file) === LOCK_FILE_NAME) {
        // approved versions changed: every module under it is judged again
        forgetLock(file);
        policyTouched = true;
        continue;
      }
      if (path.basename(file) === POLICY_FILE_NAME) {
        policyTouched = true;
        this.policies.invalidate(file);
        if (change.type === FileChangeType.Deleted) this.clear(change.uri);
        else if (!this.documents.get(change.uri)) this.policyChanged(file);
        continue;
      }
      if (change.type === FileChangeType.Deleted) {
        this.diskChecks.delete(file); // a check still running for it publishes nothing
        this.clear(change.uri);
        this.clear(watViewUri(file));
      } else if (!policyTouched) {
        void this.checkFromDisk(file);
      }
    }
    if (policyTouched) this.recheckAll();
  }

  /** Check every WAT, WAST and `.wasm` under the workspace roots, with work-done progress. */
  async scanWorkspace(): Promise<void> {
    const generation = ++this.scanGeneration;
    const started = Date.now();
    const progress = await this.connection.window.createWorkDoneProgress().catch(() => undefined);
    progress?.begin('Wasm Warden: checking workspace', 0, undefined, true);
    let files = 0;
    let findings = 0;
    try {
      const targets: string[] = [];
      for (const root of this.roots) {
        const onBadGlob = (pattern: string, error: { message: string }) => {
          if (this.warnedGlobs.has(pattern)) return; // once, not at every rescan
          this.warnedGlobs.add(pattern);
          this.connection.console.warn(`Wasm Warden: scan glob \`${quoteForMessage(pattern)}\` ignored: ${error.message}.`);
        };
        for (const file of scanFolder(root, { include: this.settings.scanInclude, exclude: [...this.settings.scanExclude, ...this.filesExclude], onBadGlob })) {
          targets.push(file);
        }
      }
      for (const file of targets) {
        if (generation !== this.scanGeneration || progress?.token.isCancellationRequested) return;
        // checked on the analysis worker: requests and edits are answered while it runs
        findings += await this.checkFromDisk(file);
        files++;
        if (files % 20 === 0) progress?.report(Math.round((files / targets.length) * 100), `${files}/${targets.length} ${path.basename(file)}`);
      }
    } finally {
      progress?.done();
    }
    if (generation === this.scanGeneration) {
      void this.connection.sendNotification(ScanDoneNotification, { files, findings, ms: Date.now() - started });
    }
  }

  // ---- publishing ---------------------------------------------------------------------------

  private lsp(d: EngineDiagnostic, rangeOf: Parameters<typeof toLspDiagnostic>[1], suffix?: string): Diagnostic {
    const out = toLspDiagnostic(d, rangeOf, this.ruleDocBase);
    if (suffix) out.message = `${out.message} (${suffix})`;
    return out;
  }

  publish(uri: string, diagnostics: Diagnostic[]): void {
    if (diagnostics.length === 0 && !this.published.has(uri)) return;
    if (diagnostics.length) this.published.add(uri);
    else this.published.delete(uri);
    if (uri.startsWith(WAT_VIEW_SCHEME + ':')) {
      if (diagnostics.length) this.viewDiagnostics.set(uri, diagnostics);
      else this.viewDiagnostics.delete(uri);
    }
    void this.connection.sendDiagnostics({ uri, diagnostics });
  }

  /** The findings last published on each WAT view (sent again when the view's text grows). */
  private readonly viewDiagnostics = new Map<string, Diagnostic[]>();

  /**
   * A view's text changed in the editor: the client showed its first page and now has the whole
   * text (paged views, see features/wat-view.ts). Its findings are sent again, so an editor that put
   * those past the first page at its end puts them on their lines now.
   */
  private republishView(file: string): void {
    const uri = watViewUri(file);
    const diagnostics = this.viewDiagnostics.get(uri);
    if (diagnostics) void this.connection.sendDiagnostics({ uri, diagnostics });
  }

  private clear(uri: string): void {
    this.publish(uri, []);
  }
}

export function watViewUri(wasmFile: string): string {
  return URI.from({ scheme: WAT_VIEW_SCHEME, path: URI.file(wasmFile).path + WAT_VIEW_SUFFIX }).toString();
}

export function wasmFileOfView(uri: string): { file: string; func?: number; module?: number } | undefined {
  const u = URI.parse(uri);
  if (u.scheme !== WAT_VIEW_SCHEME || !u.path.endsWith(WAT_VIEW_SUFFIX)) return undefined;
  const m = /(?:^|&)func=(\d+)/.exec(u.query);
  const nested = /(?:^|&)module=(\d+)/.exec(u.query);
  // one function's view is `<module path>/<name> (func N).wat?func=N`, a component's nested module's
  // `<component path>/module N.wat?module=N`; the whole module's `<module path>.wat`
  const file = URI.file(m || nested ? u.path.slice(0, u.path.lastIndexOf('/')) : u.path.slice(0, -WAT_VIEW_SUFFIX.length)).fsPath;
  return { file, func: m ? Number(m[1]) : undefined, module: nested ? Number(nested[1]) : undefined };
}

/** The analysis budgets from the settings: each a number within its range, else its default. */
function analysisSettings(raw: Partial<WardenSettings['analysis']> | undefined): WardenSettings['analysis'] {
  const d = DEFAULT_SETTINGS.analysis;
  const num = (v: unknown, min: number, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? v : fallback);
  return {
    timeoutMs: num(raw?.timeoutMs, 100, d.timeoutMs),
    maxHeapMB: num(raw?.maxHeapMB, 64, d.maxHeapMB),
    maxFileSizeMB: num(raw?.maxFileSizeMB, 0.001, d.maxFileSizeMB),
  };
}

function inlayHintSettings(raw: unknown): WardenSettings['inlayHints'] {
  const d = DEFAULT_SETTINGS.inlayHints;
  const o = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const flag = (k: keyof typeof d) => (typeof o[k] === 'boolean' ? (o[k] as boolean) : d[k]);
  return { parameterNames: flag('parameterNames'), blockEnds: flag('blockEnds'), indexes: flag('indexes'), stackTypes: flag('stackTypes') };
}

/** The formatter's settings: each a whole number within its range, else its default. */
function formatSettings(raw: Partial<WardenSettings['format']> | undefined): WardenSettings['format'] {
  const d = DEFAULT_SETTINGS.format;
  const int = (v: unknown, min: number, max: number, fallback: number) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback);
  return {
    indentWidth: int(raw?.indentWidth, 0, 16, d.indentWidth),
    lineWidth: int(raw?.lineWidth, 20, 1000, d.lineWidth),
    maxBlankLines: int(raw?.maxBlankLines, 0, 100, d.maxBlankLines),
  };
}

function mergeSettings(raw: Partial<WardenSettings>): WardenSettings {
  return {
    ...DEFAULT_SETTINGS,
    ...raw,
    analysis: analysisSettings(raw.analysis),
    format: formatSettings(raw.format),
    output: { ...DEFAULT_SETTINGS.output, ...(raw.output ?? {}) },
    optimize: { ...DEFAULT_SETTINGS.optimize, ...(raw.optimize ?? {}) },
    compile: { ...DEFAULT_SETTINGS.compile, ...(raw.compile ?? {}) },
    sandbox: { configurations: Array.isArray(raw.sandbox?.configurations) ? raw.sandbox.configurations : [] },
    lints: lintSeverities(raw.lints && typeof raw.lints === 'object' ? (raw.lints as Record<string, unknown>) : undefined),
    inlayHints: inlayHintSettings(raw.inlayHints),
    debounceMs: typeof raw.debounceMs === 'number' && raw.debounceMs >= 0 ? raw.debounceMs : DEFAULT_SETTINGS.debounceMs,
    scanInclude: Array.isArray(raw.scanInclude) ? raw.scanInclude : [],
    scanExclude: Array.isArray(raw.scanExclude) ? raw.scanExclude : [],
    // only an explicit `true` trusts: a client that sends no trust state gets the untrusted path
    trusted: raw.trusted === true,
  };
}
