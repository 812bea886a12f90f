/**
 * WAT/WAST validation through the assembler, as wasm-tools does it (the `wat` crate assembles,
 * wasmparser validates): each typing rule exists once, in the binary validator.
 *
 *   validateWatText(text, { script })  -> EngineDiagnostic[] with text ranges
 *   validateWatDocument(doc)           -> the same for text already parsed (the Validate operation
 *                                         validates the tree its check parsed)
 *
 * Per module (a `.wat` is one; a `.wast` script's top-level `(module ...)`, `(module quote ...)` and
 * `(module binary ...)` commands each are one): the parser's errors; else the assembler's; else the
 * binary validator's first finding, on the instruction or item it is about (the message is the
 * validator's). The module is assembled without an entry per instruction in its source map: a finding
 * in a function body is located by assembling that one function again with its map. Modules inside
 * `assert_*` commands are not validated (they are meant to fail).
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { Span } from '../span';
import { parse } from '../wat/parser';
import { headOf, type ModuleSyntax, type Root } from '../wat/syntax';
import { assembleModule } from '../assemble';
import { ModuleAssembler } from '../assemble/module-assembler';
import type { SourceMap } from '../assemble/source-map';
import { validateWasm, validateWasmParts, type ValidationFinding } from './module-validator';
import type { FunctionValidator } from './function-validator';
import { keepMaps } from '../jit';
import { tokensOf } from '../wat/tree-builder';

export interface WatValidationOptions {
  /** the text is a `.wast` script */
  script?: boolean;
}

export function validateWatText(text: string, options: WatValidationOptions = {}): EngineDiagnostic[] {
  const { root, diagnostics } = parse(text, { script: options.script === true });
  return validateWatDocument({ text, tree: root, diagnostics });
}

/** Validates every module of a parsed text (`parseWat`'s document, or the parser's tree and findings); the parser's findings come first. */
export function validateWatDocument(doc: { text: string; tree: Root; diagnostics: EngineDiagnostic[] }): EngineDiagnostic[] {
  const { text, tree, diagnostics } = doc;
  const out: EngineDiagnostic[] = [...diagnostics];
  for (const m of tree.modules) {
    if (m.form === 'instance') continue;
    const node = m.node;
    // a module with syntax errors is not assembled: its errors are the parser's
    if (diagnostics.some((d) => d.severity === 'error' && d.span.start >= node.start && d.span.start < Math.max(node.end, node.start + 1))) continue;
    out.push(...validateModule(text, tree, m));
  }
  return out;
}

/** One parsed module: the assembler's errors, else the validator's first finding at its text span. */
export function validateModule(text: string, root: Root, m: ModuleSyntax): EngineDiagnostic[] {
  if (m.form === 'quote' || m.form === 'binary') return validateAssembled(text, root, m);
  keepAssemblerShapes();
  const diagnostics: EngineDiagnostic[] = [];
  // bodies from the parse's tokens where the token encoder takes them (a third of the tree encoder's time)
  const tokens = tokensOf(root, text);
  const assembler = new ModuleAssembler(text, m, root.customAnnotations, diagnostics, false, tokens && { tokens }, false);
  let bytes: Uint8Array;
  let map: SourceMap;
  try {
    ({ bytes, map } = assembler.run());
  } catch (e) {
    return [assemblerFailed(m, e)];
  }
  if (diagnostics.length > 0) return diagnostics;
  const parts = validateWasmParts(bytes);
  // validation stops at the first finding: a body's before a module-level one after the code section
  const f = parts.functions[0] ?? parts.finding;
  if (!f) return [];
  const span = (f.func !== undefined && functionSpan(text, m, assembler, parts.validator, map, f)) || map.spanAt(f.offset) || { start: m.node.start, end: m.node.end };
  return [finding(f, f.message, span)];
}

/**
 * A body's finding located on its instruction: the function (found by the module map's entry for its
 * body) assembled alone with its instruction map and validated again against the module's context.
 */
function functionSpan(text: string, m: ModuleSyntax, assembler: ModuleAssembler, validator: FunctionValidator, map: SourceMap, f: ValidationFinding): Span | undefined {
  const whole = map.spanAt(f.offset);
  if (!whole) return undefined;
  const field = m.fields.find((x) => x.start <= whole.start && whole.start < x.end);
  if (!field || headOf(field) !== 'func') return undefined;
  const body = assembler.functionBody(text, field, []);
  if (!body || body.typesAdded) return undefined;
  const again = validator.validateFunction(body.bytes, 0, body.bytes.length, body.type);
  return again && body.map.spanAt(again.offset);
}

/**
 * A small module that goes through the paths of real code: flat and folded instructions, blocks and
 * branches, memory access, locals, globals, calls, a data segment.
 */
export const SHAPES_MODULE = `(module
  (type (func (param i32) (result i32)))
  (func $f (type 0) (param i32) (result i32)
    (local i32 i64 f64)
    block
      loop
        local.get 0
        i32.load offset=4
        local.tee 1
        br_if 1
        (if (local.get 1) (then (local.set 2 (i64.const 1))))
        local.get 1
        i32.const 1
        i32.add
        local.set 0
        br 0
      end
    end
    f64.const 0x1p+0
    local.set 3
    global.get 0
    local.get 0
    call $f
    i32.add)
  (memory 1)
  (global (mut i32) (i32.const 1024))
  (export "f" (func $f))
  (data (i32.const 1024) "a"))`;

let shapesKept = false;

/**
 * The assembler's objects are made per module and none outlives it: after a major GC their shapes were
 * gone, and with them the optimized code of the assembler (see ../jit.ts), so the first validation
 * after a GC assembled mostly in the interpreter. On the first validation, a small module is assembled
 * and its assembler kept for good (the validator keeps its own: module-validator.ts).
 */
function keepAssemblerShapes(): void {
  if (shapesKept) return;
  shapesKept = true;
  const { root } = parse(SHAPES_MODULE, { script: false });
  const assembler = new ModuleAssembler(SHAPES_MODULE, root.modules[0], root.customAnnotations, [], false, undefined, false);
  assembler.run();
  keepMaps(assembler);
}

/** A quoted or binary module: assembled whole (a quote's offsets all map to its strings). */
function validateAssembled(text: string, root: Root, m: ModuleSyntax): EngineDiagnostic[] {
  const a = assembleModule(text, root, m);
  if (a.diagnostics.length > 0) return a.diagnostics;
  const v = validateWasm(a.bytes);
  if (v.valid || !v.finding) return [];
  const f = v.finding;
  // a quoted module's offsets all map to its strings: say where the finding is
  const message = m.form === 'quote' ? `in quoted module: ${f.message}` : f.message;
  return [finding(f, message, a.map.spanAt(f.offset) ?? { start: m.node.start, end: m.node.end })];
}

function finding(f: ValidationFinding, message: string, span: Span): EngineDiagnostic {
  return {
    code: f.malformed ? 'wasm-malformed' : 'wasm-invalid',
    severity: 'error',
    message,
    span,
    source: 'validator',
    data: { offset: f.offset, ...(f.func !== undefined ? { func: f.func } : {}) },
  };
}

function assemblerFailed(m: ModuleSyntax, e: unknown): EngineDiagnostic {
  return {
    code: 'wat-assemble',
    severity: 'error',
    message: `the assembler failed on this module: ${e instanceof Error ? e.message : String(e)}`,
    span: { start: m.node.start, end: m.node.end },
    source: 'wat-assembler',
  };
}
