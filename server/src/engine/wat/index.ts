/**
 * The WAT/WAST front end: text -> syntax tree, diagnostics and one ModuleModel per module.
 *
 * A `.wat` file is one module, written with or without the outer `(module ...)`. In a `.wast`
 * script (`script: true`) every top-level `(module ...)` command is one entry of `modules`;
 * `module quote` text is parsed as well (its errors are reported at the quoted strings);
 * `module binary` and `module instance` are not modelled (they have no entry in `modules`).
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { ModuleModel } from '../model';
import type { Span } from '../span';
import { parse, quoteText } from './parser';
import { buildModel } from './model-builder';
import type { Root, ModuleSyntax } from './syntax';

export interface WatDocument {
  text: string;
  tree: Root;
  modules: ModuleModel[];
  diagnostics: EngineDiagnostic[];
}

export interface ParseWatOptions {
  /** parse as a `.wast` script */
  script?: boolean;
}

function remapSpans(value: unknown, to: Span, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  const o = value as Record<string, unknown>;
  if (typeof o.start === 'number' && typeof o.end === 'number') {
    o.start = to.start;
    o.end = to.end;
  }
  for (const k of Object.keys(o)) remapSpans(o[k], to, seen);
}

export function parseWat(text: string, options: ParseWatOptions = {}): WatDocument {
  const { root, diagnostics, features } = parse(text, options);
  const modules: ModuleModel[] = [];
  root.modules.forEach((m: ModuleSyntax, k: number) => {
    if (m.form === 'quote') {
      const q = quoteText(text, m);
      if (!q) return;
      const inner = parse(q.source, { script: false });
      for (const d of inner.diagnostics) {
        diagnostics.push({ ...d, message: `in quoted module: ${d.message}`, span: { start: q.span.start, end: q.span.end } });
      }
      const model = buildModel(q.source, inner.root.modules[0], inner.features[0]);
      remapSpans(model, m.node);
      model.span = { start: m.node.start, end: m.node.end };
      if (m.id) model.id = m.id;
      m.model = model;
      modules.push(model);
      return;
    }
    if (m.form === 'binary' || m.form === 'instance') return;
    const model = buildModel(text, m, features[k], root.customAnnotations);
    m.model = model;
    modules.push(model);
  });
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { text, tree: root, modules, diagnostics };
}

export type { Root as WatTree, ModuleSyntax, Definition, Reference, FuncSyntax, IndexSpace, Atom, List, Node } from './syntax';
