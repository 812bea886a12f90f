/**
 * The protocol between the Wasm Warden client and server, declared once and used by both sides.
 * Plain types only (no `vscode` import), so the client bundle and any other LSP editor can use it.
 *
 * Commands run through `workspace/executeCommand` so every LSP editor gets them; custom requests
 * are used only for things that have no standard LSP form (the WAT view of a binary).
 */

/** Command ids served by the language server through `workspace/executeCommand`. */
export const ServerCommands = {
  validate: 'wasmWarden.server.validate',
  compile: 'wasmWarden.server.compile',
  disassemble: 'wasmWarden.server.disassemble',
  optimize: 'wasmWarden.server.optimize',
  inspect: 'wasmWarden.server.inspect',
  keygen: 'wasmWarden.server.keygen',
  sign: 'wasmWarden.server.sign',
  verify: 'wasmWarden.server.verify',
  showSignatures: 'wasmWarden.server.showSignatures',
  run: 'wasmWarden.server.run',
  stopRun: 'wasmWarden.server.stopRun',
  bench: 'wasmWarden.server.bench',
  fuzz: 'wasmWarden.server.fuzz',
  writeDefaultPolicy: 'wasmWarden.server.writeDefaultPolicy',
  writeBaselinePolicy: 'wasmWarden.server.writeBaselinePolicy',
  rescanWorkspace: 'wasmWarden.server.rescanWorkspace',
  diff: 'wasmWarden.server.diff',
  approve: 'wasmWarden.server.approve',
  rollback: 'wasmWarden.server.rollback',
} as const;

/**
 * The URI scheme of the read-only WAT view of a `.wasm` file. The view of `/abs/dir/m.wasm` is
 * `wasm-warden-wat:/abs/dir/m.wasm.wat`; one function's body is `wasm-warden-wat:/abs/dir/m.wasm/<name> (func N).wat`
 * with the query `func=N` (the query decides; the name only titles the tab).
 */
export const WAT_VIEW_SCHEME = 'wasm-warden-wat';
export const WAT_VIEW_SUFFIX = '.wat';

/** The file name of one function's WAT view: `name (func 123).wat` (a name made safe for a path segment). */
export function functionViewName(func: number, name?: string): string {
  const safe = name ? name.replace(/[\/\\\x00-\x1f]/g, '_').slice(0, 120) : '';
  return `${safe ? `${safe} ` : ''}(func ${func})${WAT_VIEW_SUFFIX}`;
}

/**
 * Notification `wasmWarden/watViewShown`: client -> server. Whether a module's WAT view is shown in an
 * editor tab (`shown: false` once its last tab closed). An editor keeps a closed virtual document open
 * for a while (no didClose), so the tabs say where a `.wasm`'s findings are listed: on the view while it
 * is shown, else on the `.wasm`. Without these notifications, didOpen/didClose of the view decide.
 */
export const WatViewShownNotification = 'wasmWarden/watViewShown';
export interface WatViewShown {
  /** the view's URI (`wasm-warden-wat:` scheme) */
  uri: string;
  shown: boolean;
}

/** Request `wasmWarden/functions`: client -> server. The defined functions of a `.wasm`, for a quick pick. */
export const FunctionListRequest = 'wasmWarden/functions';
export interface FunctionListParams {
  /** `file:` URI of the `.wasm` */
  uri: string;
}
export interface FunctionListResult {
  /** defined functions: [function index, body size in bytes, name ('' when it has none)], compact for 100,000s */
  functions: [number, number, string][];
  error?: string;
}

/** Request `wasmWarden/watView`: client -> server. The WAT view of a binary (whole header, bodies on demand). */
export const WatViewRequest = 'wasmWarden/watView';
export interface WatViewParams {
  /** `file:` URI of the `.wasm` */
  uri: string;
  /** a defined function's index to disassemble on its own (body on demand) */
  func?: number;
  /** a component's nested core module (index in file order, nested components' included) to show as WAT */
  module?: number;
  /**
   * Paging: answer with the first page only, about this many characters (whole lines), printed no
   * further than that; `complete: false` then says that more follows, read with `wasmWarden/watViewPage`
   * from `text.length` on. Without it the whole text comes in this one answer.
   */
  pageChars?: number;
}
export interface WatViewResult {
  /** the view's text, or its first page when `pageChars` was given and `complete` is false */
  text: string;
  /** false when `text` is only the first page (paging): the rest comes from `wasmWarden/watViewPage` */
  complete?: boolean;
  /** which rendering of the file the text belongs to (its modification time), for `wasmWarden/watViewPage` */
  version?: string;
  /** one-paragraph module summary for a status line or panel header */
  summary: string;
  /** true when bodies are not included (large module): use `func` to get one */
  headerOnly: boolean;
  /** set when the module could not be read; `text` then explains it too */
  error?: string;
}

/**
 * Request `wasmWarden/watViewPage`: client -> server. The text of a WAT view from character `start` on
 * (about `chars` characters, cut after a line end), after a paged `wasmWarden/watView`: the client
 * asks for pages until `complete`, and the pages joined are the view's whole text. A view larger than
 * any one message thus arrives in pieces. `stale` when the file changed since `version` (the client
 * asks for the view again).
 */
export const WatViewPageRequest = 'wasmWarden/watViewPage';
/** The extension's first page of a view, in characters: a screenful many times over, small enough to arrive at once. */
export const WAT_VIEW_FIRST_PAGE_CHARS = 256 * 1024;
/** The extension's pages after the first, in characters: a large view in a few messages, never one giant one. */
export const WAT_VIEW_PAGE_CHARS = 4 * 1024 * 1024;
export interface WatViewPageParams {
  /** `file:` URI of the `.wasm` */
  uri: string;
  /** as in `wasmWarden/watView` */
  func?: number;
  module?: number;
  /** the `version` the first page came with */
  version: string;
  /** character offset of the page in the view's text */
  start: number;
  /** about this many characters (whole lines; the server may send fewer or a few more) */
  chars: number;
}
export interface WatViewPageResult {
  text: string;
  /** true when the text reaches the view's end */
  complete: boolean;
  /** the view's length in characters */
  totalChars: number;
  /** the file changed since `version`: ask for the view again */
  stale?: boolean;
  error?: string;
}

/** Notification `wasmWarden/runEvent`: server -> client. Live output and statistics of a sandboxed run. */
export const RunEventNotification = 'wasmWarden/runEvent';
export interface RunEvent {
  runId: string;
  /** `imports`: before the guest starts, what the run does with its imports (an ImportPlan) */
  /** `alert`: an alert rule fired (an Alert); `restart`: a `restart` alert ended the run, which starts once more */
  /** `fuzz-progress`, `fuzz-finding`: a fuzzing session's progress (FuzzProgress) and each finding (FuzzFinding) */
  kind: 'imports' | 'stdout' | 'stderr' | 'stats' | 'violation' | 'alert' | 'restart' | 'fuzz-progress' | 'fuzz-finding' | 'done';
  data: unknown;
}

/** Notification `wasmWarden/scanDone`: server -> client, after a workspace scan (tests wait for it). */
export const ScanDoneNotification = 'wasmWarden/scanDone';
export interface ScanDone {
  files: number;
  findings: number;
  ms: number;
}

/** Arguments every file command takes: the file, plus command-specific options. */
export interface FileCommandArgs {
  uri: string;
  [option: string]: unknown;
}

/** Settings read by the server (section `wasmWarden`). */
export interface WardenSettings {
  /** a path to the policy file, overriding discovery (absolute, or relative to the workspace folder) */
  policyPath?: string;
  /** scan these globs even under node_modules / excluded folders */
  scanInclude: string[];
  /** glob patterns never scanned (beyond node_modules) */
  scanExclude: string[];
  /** milliseconds between the last keystroke and re-analysis */
  debounceMs: number;
  /** the server's budgets for analysing files (docs/architecture.md, Budgets) */
  analysis: AnalysisSettings;
  /** where compile/disassemble/optimize write: `${dir}`, `${name}`, `${ext}` are replaced */
  output: { compile: string; disassemble: string; optimize: string };
  optimizeLevel: 'O1' | 'O2' | 'O3' | 'O4' | 'Os' | 'Oz';
  optimize: { stripDebug: boolean; stripProducers: boolean; keepCustomSections: boolean };
  compile: { debugNames: boolean };
  sandbox: { configurations: RunConfiguration[] };
  /** the severity of each lint of WAT code, by name (`engine/lints`): off, hint, warning, error */
  lints: Record<string, 'off' | 'hint' | 'warning' | 'error'>;
  /** which inlay hints WAT buffers show */
  inlayHints: { parameterNames: boolean; blockEnds: boolean; indexes: boolean; stackTypes: boolean };
  /** the WAT/WAST formatter */
  format: FormatSettings;
  /**
   * whether the workspace is trusted: only an initialization option `trusted: true` makes it so (a client
   * that says nothing is untrusted); later configuration answers change it only when the client said at
   * initialization `trustInConfiguration: true` (VS Code's client adds the real state to every answer)
   */
  trusted: boolean;
}

/** Setting `wasmWarden.analysis`: what one file may cost the language server. */
export interface AnalysisSettings {
  /** a file that is not open is analysed off the main thread and abandoned after this many ms */
  timeoutMs: number;
  /** ... or when that analysis needs more than this many MB of heap */
  maxHeapMB: number;
  /** WAT/WAST larger than this (MB) gets no full analysis: outline from a quick scan, and a notice */
  maxFileSizeMB: number;
}

/** Setting `wasmWarden.format`: how WAT/WAST is formatted. */
export interface FormatSettings {
  /** columns per indentation level; 0: the editor's tab size (`editor.tabSize`, `editor.insertSpaces`) */
  indentWidth: number;
  /** lists on lines longer than this are broken */
  lineWidth: number;
  /** blank lines kept in a row */
  maxBlankLines: number;
}

export const DEFAULT_SETTINGS: WardenSettings = {
  scanInclude: [],
  scanExclude: [],
  debounceMs: 150,
  analysis: { timeoutMs: 5000, maxHeapMB: 512, maxFileSizeMB: 20 },
  output: {
    compile: '${dir}/${name}.wasm',
    disassemble: '${dir}/${name}.wat',
    optimize: '${dir}/${name}.opt.wasm',
  },
  optimizeLevel: 'Os',
  optimize: { stripDebug: false, stripProducers: false, keepCustomSections: true },
  compile: { debugNames: true },
  sandbox: { configurations: [] },
  lints: {},
  inlayHints: { parameterNames: true, blockEnds: true, indexes: true, stackTypes: false },
  format: { indentWidth: 0, lineWidth: 100, maxBlankLines: 1 },
  trusted: false,
};

/** A named run configuration (setting `wasmWarden.sandbox.configurations`). */
export interface RunConfiguration {
  name: string;
  /** mounts as `HOST[::GUEST][:ro|:rw]`, relative to the workspace folder */
  dirs?: string[];
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
  maxMemoryBytes?: number;
  maxWriteBytes?: number;
  maxOutputBytes?: number;
  maxTableElements?: number;
}

// ---- results of the server commands: the engine operations' own result types, as plain JSON ----
export type { Finding } from './engine/operations/findings';
export type { ValidateResult } from './engine/operations/validate';
export type { CompileFileResult } from './engine/operations/compile';
export type { DisassembleFileResult } from './engine/operations/disassemble';
export type { OptimizeFileResult } from './engine/operations/optimize';
export type { SignatureReport } from './engine/operations/signatures';
export type { KeygenResult } from './engine/operations/keygen';
export type { WriteResult } from './engine/operations/output';
export type { RunNeedsConfirmation, RunRefused } from './engine/operations/run';
export type { ImportPlan } from './engine/sandbox/import-policy';
export type { Inspection } from './engine/operations/inspect';
export type { VersionDiff } from './engine/operations/diff';
export type { ApproveReport } from './engine/operations/approve';
export type { RollbackReport } from './engine/operations/rollback';

/** Arguments of the `diff` server command: `uri` is the version under review (NEW), `oldUri` the one it is compared with. */
export interface DiffArgs {
  uri: string;
  oldUri?: string;
  /** compare with the last approved version (its verified copy in the store) instead of `oldUri` */
  oldApproved?: boolean;
}

/**
 * Arguments of the `approve` and `rollback` server commands. They write the lock file, the store or the
 * module, so they run only once the user has said yes: `confirmed: true` says the client asked the user
 * (VS Code's commands ask in a modal dialog); without it the server asks itself with
 * `window/showMessageRequest` and does nothing unless the answer is the approving action.
 */
export interface ApprovalArgs {
  uri: string;
  confirmed?: boolean;
  /** approve: even though the module has error-severity findings */
  force?: boolean;
  note?: string;
}

/** The actions of the server's own confirmation (`window/showMessageRequest`). */
export const APPROVE_ACTION = 'Approve';
export const ROLLBACK_ACTION = 'Roll Back';

/** Arguments of the `run` server command. */
export interface RunArgs {
  uri: string;
  /** chosen by the client, so it can match events and stop the run */
  runId: string;
  /** a named run configuration from the settings (`wasmWarden.sandbox.configurations`) */
  configuration?: string;
  /** guest arguments */
  args?: string[];
  /** host folders outside the workspace the user has confirmed for mounting */
  confirmedOutside?: string[];
  /** the user confirmed: link the imports the policy denies as usual, for this run */
  allowDeniedImports?: boolean;
  /** the user chose stubs for the imports the sandbox does not provide */
  stubImports?: 'trap' | 'zero';
}

