/**
 * The `check` operation: a source (WAT/WAST text or `.wasm` bytes) against the workspace policy.
 * The language server (open buffers, workspace scan) and the CLI both call this; neither re-orchestrates it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { EngineDiagnostic } from '../diagnostic';
import type { ModuleModel } from '../model';
import { parseWat, type WatDocument } from '../wat';
import { readWasm, type WasmReadResult } from '../binary/reader';
import { checkModel } from '../policy/check';
import type { PolicyStore, ResolvedPolicy } from '../policy/store';

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
  wasm?: { bytes: Uint8Array; read: WasmReadResult };
}

/** Policy findings for already-parsed WAT (every module of a `.wast` script). */
export function checkWatDocument(doc: WatDocument, file: string, policy: ResolvedPolicy): EngineDiagnostic[] {
  const out = [...doc.diagnostics];
  for (const model of doc.modules) {
    out.push(...checkModel(model, policy.effective, { filePath: file, policyDir: policy.dir }));
  }
  return out;
}

/** Format diagnostics and policy findings for an already-read binary. */
export function checkWasmBytes(bytes: Uint8Array, read: WasmReadResult, file: string, policy: ResolvedPolicy): EngineDiagnostic[] {
  const out = [...read.diagnostics];
  if (read.model.kind === 'module') {
    out.push(...checkModel(read.model, policy.effective, { bytes, filePath: file, policyDir: policy.dir }));
  }
  return out;
}

/** Check one file from disk (or from the given text/bytes). Throws only on I/O errors. */
export function checkFile(
  file: string,
  store: PolicyStore,
  source?: { text?: string; bytes?: Uint8Array },
): CheckResult {
  const kind = sourceKindOf(file);
  if (!kind) throw new Error(`${file}: not a .wat, .wast or .wasm file`);
  const policy = store.policyFor(file);
  if (kind === 'wasm') {
    const bytes = source?.bytes ?? new Uint8Array(fs.readFileSync(file));
    const read = readWasm(bytes, { names: true });
    return {
      file,
      kind,
      diagnostics: checkWasmBytes(bytes, read, file, policy),
      models: [read.model],
      policy,
      wasm: { bytes, read },
    };
  }
  const text = source?.text ?? fs.readFileSync(file, 'utf8');
  const doc = parseWat(text, { script: kind === 'wast' });
  return { file, kind, diagnostics: checkWatDocument(doc, file, policy), models: doc.modules, policy, wat: doc };
}
