/**
 * WAT/WAST validation through the assembler, as wasm-tools does it (the `wat` crate assembles,
 * wasmparser validates): each typing rule exists once, in the binary validator.
 *
 *   validateWatText(text, { script })  -> EngineDiagnostic[] with text ranges
 *
 * Per module (a `.wat` is one; a `.wast` script's top-level `(module ...)`, `(module quote ...)` and
 * `(module binary ...)` commands each are one): the parser's errors; else the assembler's; else the
 * binary validator's finding, mapped through the assembler's source map onto the instruction or item
 * it is about (the message is the validator's). Modules inside `assert_*` commands are not validated
 * (they are meant to fail).
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { Span } from '../span';
import { parse } from '../wat/parser';
import type { ModuleSyntax } from '../wat/syntax';
import { assembleModule } from '../assemble';
import { validateWasm } from './module-validator';

export interface WatValidationOptions {
  /** the text is a `.wast` script */
  script?: boolean;
}

export function validateWatText(text: string, options: WatValidationOptions = {}): EngineDiagnostic[] {
  const { root, diagnostics } = parse(text, { script: options.script === true });
  const out: EngineDiagnostic[] = [...diagnostics];
  for (const m of root.modules) {
    if (m.form === 'instance') continue;
    const node = m.node;
    // a module with syntax errors is not assembled: its errors are the parser's
    if (diagnostics.some((d) => d.severity === 'error' && d.span.start >= node.start && d.span.start < Math.max(node.end, node.start + 1))) continue;
    out.push(...validateModule(text, root, m));
  }
  return out;
}

/** One parsed module: the assembler's errors, else the validator's finding at its text span. */
export function validateModule(text: string, root: Parameters<typeof assembleModule>[1], m: ModuleSyntax): EngineDiagnostic[] {
  const a = assembleModule(text, root, m);
  if (a.diagnostics.length > 0) return a.diagnostics;
  const v = validateWasm(a.bytes);
  if (v.valid || !v.finding) return [];
  const f = v.finding;
  // a quoted module's offsets all map to its strings: say where the finding is
  const message = m.form === 'quote' ? `in quoted module: ${f.message}` : f.message;
  const span: Span = a.map.spanAt(f.offset) ?? { start: m.node.start, end: m.node.end };
  return [
    {
      code: f.malformed ? 'wasm-malformed' : 'wasm-invalid',
      severity: 'error',
      message,
      span,
      source: 'validator',
      data: { offset: f.offset, ...(f.func !== undefined ? { func: f.func } : {}) },
    },
  ];
}
