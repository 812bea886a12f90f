/**
 * Navigation over a parsed WAT/WAST document: outline, folding, go to definition, references,
 * hover. Pure functions on spans (no LSP types); the language server adapts them.
 */
import type { Span } from '../span';
import { LineIndex } from '../span';
import type { ModuleModel, FuncSig } from '../model';
import type { WatDocument } from './index';
import { decodeString, TokenKind } from './lexer';
import { typeText } from './forms';
import { type Definition, type List, type ModuleSyntax, type Node, type Reference, headOf, isAtom, isList } from './syntax';
import { limitsText, sigText } from '../model-text';

/** Params and locals listed under a function in the outline; past these, one entry says how many more. */
export const MAX_OUTLINE_LOCALS = 1000;

export interface SymbolNode {
  name: string;
  kind: 'module' | 'type' | 'func' | 'table' | 'memory' | 'global' | 'tag' | 'import' | 'export' | 'data' | 'elem' | 'start' | 'local' | 'param';
  detail?: string;
  span: Span;
  selectionSpan: Span;
  children: SymbolNode[];
}

const sp = (s: Span): Span => ({ start: s.start, end: s.end });
const within = (s: Span, offset: number): boolean => offset >= s.start && offset <= s.end;

export function moduleAt(doc: WatDocument, offset: number): ModuleSyntax | undefined {
  for (const m of doc.tree.modules) if (within(m.node, offset)) return m;
  return undefined;
}

/** Every definition of the module, locals and labels included (loops, not `push(...list)`: a function may have a million locals). */
export function* allDefs(m: ModuleSyntax): Generator<Definition> {
  for (const k of Object.keys(m.defs) as (keyof ModuleSyntax['defs'])[]) yield* m.defs[k];
  for (const f of m.funcs) {
    yield* f.locals;
    yield* f.labels;
  }
}

/** The definition under the cursor: either a reference's target or the declaration itself. */
export function targetAt(doc: WatDocument, offset: number): { def: Definition; m: ModuleSyntax; ref?: Reference } | undefined {
  const m = moduleAt(doc, offset);
  if (!m) return undefined;
  for (const r of m.refs) {
    if (within(r.span, offset)) return r.target ? { def: r.target, m, ref: r } : undefined;
  }
  for (const d of allDefs(m)) {
    if (d.idSpan && within(d.idSpan, offset)) return { def: d, m };
  }
  // the keyword of a field or of a param/local without id
  for (const d of allDefs(m)) {
    if (within(d.selectionSpan, offset)) return { def: d, m };
  }
  return undefined;
}

export function definitionAt(doc: WatDocument, offset: number): Span[] {
  const t = targetAt(doc, offset);
  return t ? [sp(t.def.selectionSpan)] : [];
}

export function referencesAt(doc: WatDocument, offset: number, includeDeclaration: boolean): Span[] {
  const t = targetAt(doc, offset);
  if (!t) return [];
  const out: Span[] = [];
  if (includeDeclaration) out.push(sp(t.def.selectionSpan));
  for (const r of t.m.refs) if (r.target === t.def) out.push(sp(r.span));
  // inline exports of the item refer to it too
  return out.sort((a, b) => a.start - b.start);
}


/** One-line WAT description of a definition (used by hover and outline details). */
export function describe(doc: WatDocument, m: ModuleSyntax, d: Definition): string {
  const model: ModuleModel | undefined = m.model;
  const id = d.id ? ` ${d.id}` : '';
  const imp = d.imported ? ` (import "${d.imported.module}" "${d.imported.name}")` : '';
  switch (d.space) {
    case 'func':
      return `(func${id}${imp}${sigText(model?.funcs[d.index]?.sig)})`;
    case 'global': {
      const g = model?.globals[d.index];
      const t = g ? (g.mutable ? `(mut ${g.valType})` : g.valType) : '';
      return `(global${id}${imp} ${t})`;
    }
    case 'memory': {
      const mem = model?.memories[d.index];
      return `(memory${id}${imp}${mem ? ' ' + limitsText(mem.limits) : ''})`;
    }
    case 'table': {
      const t = model?.tables[d.index];
      return `(table${id}${imp}${t ? ' ' + limitsText(t.limits) + ' ' + t.refType : ''})`;
    }
    case 'tag': {
      const tag = model?.tags[d.index];
      const sig = tag?.typeIndex !== undefined ? model?.types[tag.typeIndex]?.sig : undefined;
      const imported = m.model?.imports.find((i) => i.kind === 'tag' && i.index === d.index);
      return `(tag${id}${imp}${sigText(sig ?? imported?.sig ?? tagSig(doc, d))})`;
    }
    case 'type': {
      const s = typeText(doc.text, d.span as Node);
      return s.length > 300 ? s.slice(0, 297) + '...' : s;
    }
    case 'data': {
      const seg = model?.data[d.index];
      return `(data${id}) ;; ${seg ? `${seg.size} bytes, ${seg.mode}` : ''}`;
    }
    case 'elem': {
      const seg = model?.elems[d.index];
      return `(elem${id}) ;; ${seg ? `${seg.count} elements, ${seg.mode}` : ''}`;
    }
    case 'local':
      return `(${d.keyword}${id} ${d.valType ?? ''}) ;; local ${d.index}`;
    case 'label':
      return `${d.keyword}${id} ;; label`;
  }
}

function tagSig(doc: WatDocument, d: Definition): FuncSig | undefined {
  const l = d.span as List;
  if (!isList(l)) return undefined;
  const params: string[] = [];
  for (const c of l.children) {
    if (headOf(c) === 'param') for (const x of (c as List).children.slice(1)) if (!(isAtom(x) && x.token === TokenKind.Id)) params.push(typeText(doc.text, x));
  }
  return { params, results: [] };
}

export function hoverAt(doc: WatDocument, offset: number): { span: Span; markdown: string } | undefined {
  const t = targetAt(doc, offset);
  if (!t) return undefined;
  const at = t.ref ? t.ref.span : t.def.idSpan ?? t.def.selectionSpan;
  const what = t.def.space === 'local' ? t.def.keyword : t.def.space;
  const markdown = '```wat\n' + describe(doc, t.m, t.def) + '\n```\n' + `${what} ${t.def.index}`;
  return { span: sp(at), markdown };
}

function nameOf(d: Definition): string {
  return d.id ?? `${d.space}[${d.index}]`;
}

function str(doc: WatDocument, n: Node | undefined): string {
  return isAtom(n) && n.token === TokenKind.String ? decodeString(doc.text, n.start, n.end) : '?';
}

function moduleSymbols(doc: WatDocument, m: ModuleSyntax): SymbolNode[] {
  const byNode = new Map<unknown, Definition>();
  for (const d of allDefs(m)) if (d.space !== 'local' && d.space !== 'label') byNode.set(d.span, d);
  const out: SymbolNode[] = [];
  const funcOf = new Map(m.funcs.map((f) => [f.def, f]));
  const defSymbol = (d: Definition, node: List): SymbolNode => {
    const kind = d.space as SymbolNode['kind'];
    const s: SymbolNode = { name: nameOf(d), kind, detail: describe(doc, m, d), span: sp(node), selectionSpan: sp(d.selectionSpan), children: [] };
    if (d.space === 'func') {
      const locals = funcOf.get(d)?.locals ?? [];
      const shown = Math.min(locals.length, MAX_OUTLINE_LOCALS);
      for (let i = 0; i < shown; i++) {
        const l = locals[i];
        s.children.push({
          name: l.id ?? `${l.keyword}[${l.index}]`,
          kind: l.keyword === 'param' ? 'param' : 'local',
          detail: l.valType,
          span: sp(l.span),
          selectionSpan: sp(l.selectionSpan),
          children: [],
        });
      }
      if (locals.length > shown) {
        const rest = { start: locals[shown].span.start, end: locals[locals.length - 1].span.end };
        s.children.push({ name: `... ${locals.length - shown} more params and locals`, kind: 'local', span: rest, selectionSpan: sp(locals[shown].selectionSpan), children: [] });
      }
    }
    return s;
  };
  for (const f of m.fields) {
    const h = headOf(f)!;
    const c = f.children;
    const d = byNode.get(f);
    if (h === 'rec') {
      for (const t of c) {
        const td = byNode.get(t);
        if (td) out.push(defSymbol(td, t as List));
      }
    } else if (h === 'import') {
      const desc = c[3];
      const s: SymbolNode = {
        name: `"${str(doc, c[1])}" "${str(doc, c[2])}"`,
        kind: 'import',
        detail: d ? describe(doc, m, d) : headOf(desc),
        span: sp(f),
        selectionSpan: sp(c[2] ?? c[0]),
        children: [],
      };
      out.push(s);
    } else if (h === 'export') {
      out.push({ name: `"${str(doc, c[1])}"`, kind: 'export', detail: c[2] ? typeText(doc.text, c[2]) : undefined, span: sp(f), selectionSpan: sp(c[1] ?? c[0]), children: [] });
    } else if (h === 'start') {
      out.push({ name: 'start', kind: 'start', detail: isAtom(c[1]) ? c[1].text : undefined, span: sp(f), selectionSpan: sp(c[0]), children: [] });
    } else if (d) {
      out.push(defSymbol(d, f));
    }
  }
  return out;
}

export function documentSymbols(doc: WatDocument): SymbolNode[] {
  const out: SymbolNode[] = [];
  for (const m of doc.tree.modules) {
    if (m.node.type === 'root') {
      for (const s of moduleSymbols(doc, m)) out.push(s);
      continue;
    }
    const head = (m.node as List).children[0];
    out.push({
      name: m.id ?? 'module',
      kind: 'module',
      detail: m.form === 'text' ? undefined : m.form,
      span: sp(m.node),
      selectionSpan: sp(m.idSpan ?? head ?? m.node),
      children: moduleSymbols(doc, m),
    });
  }
  return out;
}

/** Multi-line lists and multi-line block comments/annotations. */
export function foldingRanges(doc: WatDocument): Span[] {
  const index = new LineIndex(doc.text);
  const out: Span[] = [];
  const multiLine = (s: Span) => index.positionAt(s.start).line < index.positionAt(s.end).line;
  const stack: Node[] = [...doc.tree.children];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (!isList(n)) continue;
    if (multiLine(n)) {
      out.push(sp(n));
      for (const c of n.children) if (isList(c)) stack.push(c);
    }
  }
  for (const t of doc.tree.trivia) if (multiLine(t)) out.push(sp(t));
  return out.sort((a, b) => a.start - b.start);
}
