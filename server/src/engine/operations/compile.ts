/**
 * The `compile` operation: WAT to a validated `.wasm`, in-process: the engine's assembler
 * (`assemble/`) writes the bytes, the binary validator (`validate/`) checks them. Errors are the
 * parser's, the assembler's and the validator's, all with text ranges (a validator finding is mapped
 * back through the assembler's source map onto the instruction or field at fault). The `name`
 * section is written only when asked (`debugNames`), as `wat2wasm` does.
 */
import * as fs from 'fs';
import type { EngineDiagnostic } from '../diagnostic';
import { parse } from '../wat/parser';
import { assembleModule, assembleWithoutBodyTreesOf, type Assembly } from '../assemble';
import type { ModuleSyntax } from '../wat/syntax';
import { validateWasm } from '../validate/module-validator';
import { locateFindings, type Finding } from './findings';
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
  // without an instruction-level source map (each function maps as a whole): the map only locates a
  // validator finding, and then the module is assembled again with one
  // the assembler's fast path first (no diagnostics: the same bytes and source map as the full path)
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
 * The validator's verdict on assembled bytes: a finding mapped back onto the text through the source
 * map of `withInstructions()` (the same bytes, every instruction in the map).
 */
function validated(a: Assembly, m: ModuleSyntax, diagnostics: EngineDiagnostic[], withInstructions: () => Assembly): CompileResult {
  const v = validateWasm(a.bytes);
  if (!v.valid && v.finding) {
    const f = v.finding;
    const span = withInstructions().map.spanAt(f.offset) ?? { start: m.node.start, end: m.node.end };
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
  return { bytes: a.bytes, diagnostics };
}

export async function compileFile(
  file: string,
  output: string,
  options: { text?: string; debugNames?: boolean; overwrite?: boolean; signal?: AbortSignal } = {},
): Promise<CompileFileResult> {
  const text = options.text ?? fs.readFileSync(file, 'utf8');
  if (!options.overwrite && fs.existsSync(output)) return { file: output, written: false, exists: true, findings: [] };
  const result = compileWatText(text, options);
  const findings = locateFindings(file, result.diagnostics, text);
  if (!result.bytes) return { file: output, written: false, findings };
  return { ...writeOutput(output, result.bytes, true), size: result.bytes.length, findings };
}
