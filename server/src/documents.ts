/**
 * Analysis results per document: parsed WAT/WAST cached by text and version; `.wasm` read on demand.
 */
import * as fs from 'fs';
import * as path from 'path';
import { URI } from 'vscode-uri';
import { parseWat, type WatDocument } from './engine/wat';
import { readWasm, type WasmReadResult } from './engine/binary/reader';
import { LineIndex } from './engine/span';

export interface WatAnalysis {
  kind: 'wat' | 'wast';
  version: number;
  doc: WatDocument;
  index: LineIndex;
}

export interface WasmAnalysis {
  kind: 'wasm';
  bytes: Uint8Array;
  read: WasmReadResult;
  mtimeMs: number;
  size: number;
}

export function uriToPath(uri: string): string | undefined {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? u.fsPath : undefined;
  } catch {
    return undefined;
  }
}

export function pathToUri(p: string): string {
  return URI.file(p).toString();
}

/** Largest `.wasm` read into memory for checking; larger files get one clear diagnostic. */
export const MAX_WASM_BYTES = 512 * 1024 * 1024;

export class AnalysisCache {
  private readonly wat = new Map<string, WatAnalysis>();

  /** Parse (or reuse) a WAT/WAST text at a version. */
  watText(uri: string, kind: 'wat' | 'wast', text: string, version: number): WatAnalysis {
    const cached = this.wat.get(uri);
    if (cached && cached.version === version && cached.doc.text === text) return cached;
    const analysis: WatAnalysis = {
      kind,
      version,
      doc: parseWat(text, { script: kind === 'wast' }),
      index: new LineIndex(text),
    };
    this.wat.set(uri, analysis);
    return analysis;
  }

  peekWat(uri: string): WatAnalysis | undefined {
    return this.wat.get(uri);
  }

  /**
   * Read a `.wasm` from disk. Not cached: the reader only walks section headers, so reading again
   * is cheap, and holding the bytes of every scanned module would make memory grow with the workspace.
   * Throws only for I/O errors (missing file, permission) and files over MAX_WASM_BYTES.
   */
  wasmFile(file: string): WasmAnalysis {
    const st = fs.statSync(file);
    if (st.size > MAX_WASM_BYTES) throw new Error(`${path.basename(file)} is ${st.size} bytes, over the ${MAX_WASM_BYTES} byte limit`);
    const bytes = new Uint8Array(fs.readFileSync(file));
    return { kind: 'wasm', bytes, read: readWasm(bytes, { names: true }), mtimeMs: st.mtimeMs, size: st.size };
  }

  forget(uriOrPath: string): void {
    this.wat.delete(uriOrPath);
  }
}
