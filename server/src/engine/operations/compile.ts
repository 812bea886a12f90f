/**
 * The `compile` operation: WAT to a validated `.wasm`, in-process: the engine's assembler
 * (`assemble/`) writes the bytes, the binary validator (`validate/`) checks them. Errors are the
 * parser's, the assembler's and the validator's, all with text ranges (a validator finding is mapped
 * back through the assembler's source map onto the instruction or field at fault). The `name`
 * section is written only when asked (`debugNames`), as `wat2wasm` does.
 *
 * A file larger than `SEGMENTED_COMPILE_BYTES` (256 MiB) is compiled from its bytes in pieces
 * (assemble/segmented-assembly.ts): its text may not fit in one JavaScript string (V8's longest is
 * 2^29 - 24 characters: a 45 MB module's disassembly is past it), and the pieces keep memory bounded.
 * The same bytes and diagnostics; findings are located with one pass over the file (FilePositions).
 * Tests lower the threshold with the environment variable WASM_WARDEN_SEGMENTED_COMPILE_BYTES and the
 * bytes of function bodies per piece with WASM_WARDEN_SEGMENT_BYTES (0: one function per piece).
 */
import * as fs from 'fs';
import type { EngineDiagnostic } from '../diagnostic';
import { parse } from '../wat/parser';
import { assembleModule, assembleWithoutBodyTreesOf, type Assembly } from '../assemble';
import { assembleSegmented, assembleSegmentedFile, type SegmentedAssembly } from '../assemble/segmented-assembly';
import type { ModuleSyntax } from '../wat/syntax';
import type { Span } from '../span';
import { validateWasm } from '../validate/module-validator';
import { FilePositions } from '../file-positions';
import { locateFindings, type Finding, type PositionLocator } from './findings';
import { writeOutput, type WriteResult } from './output';

export interface CompileFileResult extends WriteResult {
  size?: number;
  findings: Finding[];
}

export interface CompileResult {
  /** absent when compilation failed */
  bytes?: Uint8Array;
  diagnostics: EngineDiagnostic[];
}

/** Assembles and validates one `.wat` text. Never throws on bad input. */
export function compileWatText(text: string, options: { debugNames?: boolean } = {}): CompileResult {
  const names = options.debugNames === true;
  // the assembler's fast path first (no diagnostics: the same bytes and source map as the full path),
  // without an instruction-level source map (each function maps as a whole): the map only locates a
  // validator finding, and then the module is assembled again with one
  const fast = assembleWithoutBodyTreesOf(text, { names, instructionMap: false });
  if (fast !== undefined) {
    return validated(fast.assembly, fast.module, [], () => assembleWithoutBodyTreesOf(text, { names })?.assembly ?? fast.assembly);
  }
  const { root, diagnostics } = parse(text, { script: false });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { diagnostics };
  const m = root.modules[0];
  const a = assembleModule(text, root, m, { names, instructionMap: false });
  if (a.diagnostics.length > 0) return { diagnostics: [...diagnostics, ...a.diagnostics] };
  return validated(a, m, diagnostics, () => assembleModule(text, root, m, { names }));
}

/**
 * A WAT file compiled from its bytes in pieces, however large (assemble/segmented-assembly.ts): the
 * bytes and diagnostics `compileWatText` gives for its text, spans in UTF-16 offsets of the file.
 * `budget`: bytes of function bodies per piece (0: one function per piece).
 */
export function compileWatBytes(bytes: Uint8Array, options: { debugNames?: boolean; budget?: number } = {}): CompileResult {
  return validatedPieces(assembleSegmented(bytes, { names: options.debugNames === true, budget: options.budget }));
}

/** A segmented assembly validated, or its diagnostics when it wrote no bytes. */
function validatedPieces(a: SegmentedAssembly): CompileResult {
  return a.bytes ? validatedBytes(a.bytes, a.spanAt, a.diagnostics) : { diagnostics: a.diagnostics };
}

/**
 * The validator's verdict on assembled bytes: a finding mapped back onto the text through the source
 * map of `withInstructions()` (the same bytes, every instruction in the map).
 */
function validated(a: Assembly, m: ModuleSyntax, diagnostics: EngineDiagnostic[], withInstructions: () => Assembly): CompileResult {
  return validatedBytes(a.bytes, (offset) => withInstructions().map.spanAt(offset) ?? { start: m.node.start, end: m.node.end }, diagnostics);
}

function validatedBytes(bytes: Uint8Array, spanAt: (offset: number) => Span, diagnostics: EngineDiagnostic[]): CompileResult {
  const v = validateWasm(bytes);
  if (!v.valid && v.finding) {
    const f = v.finding;
    const span = spanAt(f.offset);
    const d: EngineDiagnostic = {
      code: f.malformed ? 'wasm-malformed' : 'wasm-invalid',
      severity: 'error',
      message: f.message,
      span,
      source: 'validator',
      data: { offset: f.offset, ...(f.func !== undefined ? { func: f.func } : {}) },
    };
    return { diagnostics: [...diagnostics, d] };
  }
  return { bytes, diagnostics };
}

/** Files larger than this are compiled in pieces (see the file comment). */
export const SEGMENTED_COMPILE_BYTES = 256 * 1024 * 1024;

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * A `.wat` file compiled: read as one string, or from its bytes in pieces when it is larger than
 * SEGMENTED_COMPILE_BYTES (see the file comment); `positions` locates the diagnostics' offsets.
 */
export function compileWatFile(file: string, options: { debugNames?: boolean } = {}): CompileResult & { positions: string | PositionLocator } {
  if (fs.statSync(file).size > (envNumber('WASM_WARDEN_SEGMENTED_COMPILE_BYTES') ?? SEGMENTED_COMPILE_BYTES)) {
    const fd = fs.openSync(file, 'r');
    let result: CompileResult;
    try {
      result = validatedPieces(assembleSegmentedFile(fd, { names: options.debugNames === true, budget: envNumber('WASM_WARDEN_SEGMENT_BYTES') }));
    } finally {
      fs.closeSync(fd);
    }
    // the file read again only to locate diagnostics (one pass up to the last offset)
    const offsets = result.diagnostics.flatMap((d) => [d.span.start, d.span.end]);
    return { ...result, positions: new FilePositions(offsets.length > 0 ? fs.readFileSync(file) : new Uint8Array(0), offsets) };
  }
  const text = fs.readFileSync(file, 'utf8');
  return { ...compileWatText(text, options), positions: text };
}

export async function compileFile(
  file: string,
  output: string,
  options: { text?: string; debugNames?: boolean; overwrite?: boolean; signal?: AbortSignal } = {},
): Promise<CompileFileResult> {
  if (options.text === undefined) fs.statSync(file); // a missing file is an error before the output is looked at
  if (!options.overwrite && fs.existsSync(output)) return { file: output, written: false, exists: true, findings: [] };
  const result = options.text !== undefined ? { ...compileWatText(options.text, options), positions: options.text } : compileWatFile(file, options);
  const findings = locateFindings(file, result.diagnostics, result.positions);
  if (!result.bytes) return { file: output, written: false, findings };
  return { ...writeOutput(output, result.bytes, true), size: result.bytes.length, findings };
}
