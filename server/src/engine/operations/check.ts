/**
 * The `check` operation: a source (WAT/WAST text or `.wasm` bytes) against the workspace policy.
 * The language server (open buffers, workspace scan) and the CLI both call this; neither re-orchestrates it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { EngineDiagnostic } from '../diagnostic';
import type { ModuleModel } from '../model';
import { parseWat, type WatDocument } from '../wat';
import { readWasm, type FileSections, type WasmReadResult } from '../binary/reader';
import { HEADER_READ_OPTIONS, readWasmFileFully, readWasmFileHeaders, type WasmFileBytes } from '../binary/file-reader';
import { checkModel } from '../policy/check';
import type { PolicyStore, ResolvedPolicy } from '../policy/store';
import { keepLatest } from '../jit';
import { limitDiagnostics } from '../diagnostic-limit';
import { carriesSignature } from '../signing/sections';
import { approvedModule, lockKey, readLock } from '../approvals/lock';
import type { ModuleApprovals } from '../policy/rules';

export type SourceKind = 'wat' | 'wast' | 'wasm';

export function sourceKindOf(file: string): SourceKind | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.wat') return 'wat';
  if (ext === '.wast') return 'wast';
  if (ext === '.wasm') return 'wasm';
  return undefined;
}

export interface CheckResult {
  file: string;
  kind: SourceKind;
  /** syntax / format diagnostics and policy findings, spans in the source's own coordinates */
  diagnostics: EngineDiagnostic[];
  models: ModuleModel[];
  policy: ResolvedPolicy;
  wat?: WatDocument;
  /** for a binary: its bytes (unless the policy hashes modules, only the file's first 8 bytes: the
   *  read holds what it read of each section, see file-reader.ts; the length is `read.model.byteLength`) */
  wasm?: { bytes: Uint8Array; read: WasmReadResult; file?: FileSections };
}

/** True when the policy's rules need a module's every byte (signature checks, SHA-256 pins). */
export function policyHashesModules(policy: ResolvedPolicy['effective']): boolean {
  const sig = policy.signature;
  return !!(sig?.required || (sig?.trustedKeys?.length ?? 0) > 0 || Object.keys(policy.integrity ?? {}).length > 0);
}

/** True when the policy's code rules read function bodies and data segments (`code.scan`). */
export function policyReadsCode(policy: ResolvedPolicy['effective']): boolean {
  return policy.code?.scan === true;
}

/** Policy findings for already-parsed WAT (every module of a `.wast` script). */
export function checkWatDocument(doc: WatDocument, file: string, policy: ResolvedPolicy): EngineDiagnostic[] {
  const out = [...doc.diagnostics];
  for (const model of doc.modules) {
    for (const d of checkModel(model, policy.effective, { filePath: file, policyDir: policy.dir })) out.push(d);
  }
  return limitDiagnostics(out);
}

/**
 * What the lock file of approved versions beside the policy says about a module: undefined when there
 * is no lock file (then `module-not-approved` is off unless the policy asks for it).
 */
export function approvalsOf(policy: ResolvedPolicy, file: string): ModuleApprovals | undefined {
  if (!policy.lockFile) return undefined;
  const loaded = readLock(policy.lockFile);
  if (!loaded) return undefined;
  const key = lockKey(loaded.file, file);
  return { lockFile: loaded.file, key, module: approvedModule(loaded.lock, key), problem: loaded.problem };
}

/** True when the approval rule needs the module's every byte (its digest): a lock exists, or the policy asks. */
function approvalNeedsBytes(policy: ResolvedPolicy, approvals: ModuleApprovals | undefined): boolean {
  const severity = policy.effective.rules?.['module-not-approved'];
  if (severity === 'off') return false;
  return severity !== undefined || approvals !== undefined;
}

/** Format diagnostics and policy findings for an already-read binary (its every byte). */
export function checkWasmBytes(bytes: Uint8Array, read: WasmReadResult, file: string, policy: ResolvedPolicy): EngineDiagnostic[] {
  // the lock file is looked at only when the approval rule can use it: it needs the digest of every byte
  return checkReadWasm(bytes, read, file, policy, bytes.length === read.model.byteLength ? approvalsOf(policy, file) : undefined);
}

/**
 * checkWasmBytes given the lock file's word on the module, as the caller read it (undefined: no lock
 * file). Not a parameter defaulting to approvalsOf: "no lock" then read the lock again.
 */
function checkReadWasm(bytes: Uint8Array, read: WasmReadResult, file: string, policy: ResolvedPolicy, lock: ModuleApprovals | undefined): EngineDiagnostic[] {
  // the rules first: a lazy read decodes the sections they look at, and reports those sections' problems
  const approvals = bytes.length === read.model.byteLength ? lock : undefined;
  const findings = checkModel(read.model, policy.effective, { bytes, filePath: file, policyDir: policy.dir, approvals });
  return limitDiagnostics([...read.diagnostics, ...findings]);
}

/** Check one file from disk (or from the given text/bytes). Throws only on I/O errors. */
export function checkFile(
  file: string,
  store: Pick<PolicyStore, 'policyFor'>,
  source?: { text?: string; bytes?: Uint8Array },
): CheckResult {
  const kind = sourceKindOf(file);
  if (!kind) throw new Error(`${file}: not a .wat, .wast or .wasm file`);
  const policy = store.policyFor(file);
  if (kind === 'wasm') {
    // the whole file only when the policy hashes it (signatures, integrity pins), reads its code or checks
    // the modules inside a component; otherwise its headers (a component's own sections)
    const hashes = source?.bytes !== undefined || policyHashesModules(policy.effective) || policyReadsCode(policy.effective) || policy.effective.imports?.nestedModules === true;
    // the approval rule needs the digest of every byte, but no more of a decode than a header read
    // the lock file is read once per check (a stat, then its cached contents)
    const lock = approvalsOf(policy, file);
    const digestOnly = !hashes && approvalNeedsBytes(policy, lock);
    let fileBytes: WasmFileBytes = source?.bytes
      ? { bytes: source.bytes, size: source.bytes.length, complete: true }
      : hashes || digestOnly
        ? readWasmFileFully(file)
        : readWasmFileHeaders(file);
    let read = readWasm(fileBytes.bytes, fileBytes.complete && !digestOnly ? { names: true } : { ...HEADER_READ_OPTIONS, file: fileBytes.file });
    // a module that carries a signature: the signature rules check it against every byte, whatever the policy
    if ((!fileBytes.complete || digestOnly) && carriesSignature(read.model)) {
      if (!fileBytes.complete) fileBytes = readWasmFileFully(file);
      read = readWasm(fileBytes.bytes, { names: true });
    }
    const bytes = fileBytes.bytes;
    const result: CheckResult = {
      file,
      kind,
      diagnostics: checkReadWasm(bytes, read, file, policy, lock),
      models: [read.model],
      policy,
      wasm: { bytes, read, file: fileBytes.file },
    };
    // the shapes of a whole check (file sections, model, findings) outlive major GCs, see ../jit.ts
    keepLatest('checkFile', result);
    return result;
  }
  const text = source?.text ?? fs.readFileSync(file, 'utf8');
  const doc = parseWat(text, { script: kind === 'wast' });
  return { file, kind, diagnostics: checkWatDocument(doc, file, policy), models: doc.modules, policy, wat: doc };
}
