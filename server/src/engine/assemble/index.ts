/**
 * The WAT assembler: the parser's syntax tree of one module -> `.wasm` bytes, with a source map from
 * byte offsets back to the text. Public API (small on purpose):
 *
 *   assembleWat(text, { names })      parse a `.wat` text and assemble its module
 *   assembleModule(text, tree, m)     assemble module `m` of an already parsed tree (`.wast` scripts:
 *                                     each `(module ...)`, `(module binary ...)` and `(module quote ...)`)
 *   result.map.spanAt(offset)         the text span of the instruction or item written at `offset`
 *
 * Every proposal the parser knows (see `wat/instructions.ts`), folded and flat code, the inline
 * abbreviations, implicit types, `$id`s into the name section and `(@custom ...)` annotations into
 * custom sections. Diagnostics are the parser's plus the assembler's own (unknown `$id`s, malformed
 * constants, ...), with text ranges; when there are any, `bytes` is a best effort, not to be trusted.
 * Never throws on bad input; works with explicit stacks (no recursion per nesting level).
 */
import type { EngineDiagnostic } from '../diagnostic';
import { checkTree, parse, quoteText } from '../wat/parser';
import { decodeStringBytes, lex, TokenKind } from '../wat/lexer';
import { buildTreeWithoutBodies } from '../wat/tree-builder';
import type { List, ModuleSyntax, Root } from '../wat/syntax';
import { ModuleAssembler } from './module-assembler';
import { SourceMap } from './source-map';
import { keepMaps } from '../jit';

export { SourceMap } from './source-map';

export interface AssembleOptions {
  /** write the `name` section from the `$id`s (default true) */
  names?: boolean;
  /**
   * enter every instruction in the source map (default true). Without, each function body maps to
   * its function as a whole: what Compile does (the map only locates a validator finding, and then
   * it assembles again with the instructions), about a tenth less work on a large module
   */
  instructionMap?: boolean;
}

export interface Assembly {
  bytes: Uint8Array;
  /** byte offset -> text span (offsets into the text the module was parsed from) */
  map: SourceMap;
  /** errors of the parser (for assembleWat) and of the assembler */
  diagnostics: EngineDiagnostic[];
}

/** Parses `text` as one module (a `.wat` file) and assembles it. */
export function assembleWat(text: string, options: AssembleOptions = {}): Assembly {
  const fast = assembleWithoutBodyTrees(text, options);
  if (fast !== undefined) return fast;
  const { root, diagnostics } = parse(text, { script: false });
  const m = root.modules[0];
  const a = assembleModule(text, root, m, options);
  return { bytes: a.bytes, map: a.map, diagnostics: [...diagnostics, ...a.diagnostics] };
}

/**
 * The fast path of assembleWat: the tree without function bodies, the bodies encoded from the tokens
 * (token-body-encoder.ts). Undefined when anything needs the full path: any diagnostic, a body with a
 * form the token encoder leaves to the tree encoder, a module that is not plain text. The full path
 * then gives the diagnostics (the fast path succeeds only where the full path finds none, with the same
 * bytes and source map).
 */
export function assembleWithoutBodyTrees(text: string, options: AssembleOptions): Assembly | undefined {
  return fastPath(text, options)?.assembly;
}

/** assembleWithoutBodyTrees with the module it assembled (compile maps findings to its span). */
export function assembleWithoutBodyTreesOf(text: string, options: AssembleOptions): { assembly: Assembly; module: ModuleSyntax } | undefined {
  return fastPath(text, options);
}

function fastPath(text: string, options: AssembleOptions): { assembly: Assembly; module: ModuleSyntax; assembler: ModuleAssembler } | undefined {
  const diagnostics: EngineDiagnostic[] = [];
  try {
    const tokens = lex(text);
    if (tokens.errors.length > 0) return undefined;
    const built = buildTreeWithoutBodies(text, tokens, diagnostics);
    if (built === undefined || diagnostics.length > 0) return undefined;
    const { root } = checkTree(text, built.root, diagnostics, { script: false });
    const m = root.modules[0];
    if (diagnostics.length > 0 || m === undefined || m.form !== 'text') return undefined;
    const assembler = new ModuleAssembler(text, m, root.customAnnotations, diagnostics, options.names !== false, { tokens, ranges: built.bodies }, options.instructionMap !== false);
    const a = assembler.run();
    return diagnostics.length > 0 ? undefined : { assembly: { bytes: a.bytes, map: a.map, diagnostics }, module: m, assembler };
  } catch {
    // FullPathNeeded, or a failure the full path reports (or has)
    return undefined;
  }
}

// One assembler of a small module kept alive with everything it made (writers, source maps, the token
// body encoder and its open blocks): the shapes of these per-call objects, and the optimized code of
// the fast path specialized to them, then survive major GCs (see jit.ts; without it every assembly
// after a full GC ran deoptimized code: twice the time).
const kept = fastPath('(module (func (param i32) (result i32) block (result i32) local.get 0 end) (data "a"))', {});
if (kept !== undefined) keepMaps(kept.assembler);

/**
 * Assembles module `m` of `tree` (parsed from `text`). The parser's diagnostics are not repeated here:
 * the caller has them. A quoted module is parsed here (its errors are reported on its strings).
 */
export function assembleModule(text: string, tree: Root, m: ModuleSyntax, options: AssembleOptions = {}): Assembly {
  const names = options.names !== false;
  const diagnostics: EngineDiagnostic[] = [];
  try {
    if (m.form === 'binary') return { bytes: binaryBytes(text, m), map: wholeModule(m), diagnostics };
    if (m.form === 'quote') {
      const q = quoteText(text, m);
      const source = q?.source ?? '';
      const inner = parse(source, { script: false });
      const a = new ModuleAssembler(source, inner.root.modules[0], inner.root.customAnnotations, diagnostics, names).run();
      const at = q?.span ?? m.node;
      const all = [...inner.diagnostics, ...diagnostics].map((d) => ({ ...d, message: `in quoted module: ${d.message}`, span: { start: at.start, end: at.end } }));
      // the quoted text's offsets mean nothing in the script: every byte maps to the quote
      return { bytes: a.bytes, map: wholeModule({ node: { start: at.start, end: at.end } as List } as ModuleSyntax), diagnostics: all };
    }
    if (m.form === 'instance') return { bytes: new Uint8Array(0), map: new SourceMap(1), diagnostics };
    const a = new ModuleAssembler(text, m, tree.customAnnotations, diagnostics, names, undefined, options.instructionMap !== false).run();
    return { bytes: a.bytes, map: a.map, diagnostics };
  } catch (e) {
    diagnostics.push({
      code: 'wat-assemble',
      severity: 'error',
      message: `the assembler failed on this module: ${e instanceof Error ? e.message : String(e)}`,
      span: { start: m.node.start, end: m.node.end },
      source: 'wat-assembler',
    });
    return { bytes: new Uint8Array(0), map: new SourceMap(1), diagnostics };
  }
}

function binaryBytes(text: string, m: ModuleSyntax): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const n of (m.node as List).children) {
    if (n.type === 'atom' && n.token === TokenKind.String) parts.push(decodeStringBytes(text, n.start, n.end));
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let p = 0;
  for (const b of parts) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

function wholeModule(m: ModuleSyntax): SourceMap {
  const map = new SourceMap(1);
  map.add(0, m.node.start, m.node.end);
  return map;
}
