/**
 * Call hierarchy: the function at the cursor (its declaration or a reference to it), the functions
 * that call it directly (`call`, `return_call`) and those it calls, with the call sites.
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat/index';
import type { Definition, FuncSyntax, ModuleSyntax } from '../wat/syntax';
import { describe, targetAt } from '../wat/navigation';
import { funcContaining, isCall } from './tree-query';

export interface CallItem {
  name: string;
  detail: string;
  /** the whole function */
  span: Span;
  /** its name (or keyword) */
  selectionSpan: Span;
  /** module and function index: what the follow-up requests are given back */
  module: number;
  index: number;
}

export interface CallEdge {
  item: CallItem;
  /** the call sites (in the caller) */
  sites: Span[];
}

const sp = (s: Span): Span => ({ start: s.start, end: s.end });

function item(doc: WatDocument, m: ModuleSyntax, d: Definition): CallItem {
  return {
    name: d.id ?? `func ${d.index}`,
    detail: describe(doc, m, d),
    span: sp(d.span),
    selectionSpan: sp(d.selectionSpan),
    module: doc.tree.modules.indexOf(m),
    index: d.index,
  };
}

export function prepareCallHierarchy(doc: WatDocument, offset: number): CallItem | undefined {
  const t = targetAt(doc, offset);
  if (!t || t.def.space !== 'func') return undefined;
  return item(doc, t.m, t.def);
}

function resolve(doc: WatDocument, at: Pick<CallItem, 'module' | 'index'>): { m: ModuleSyntax; d: Definition } | undefined {
  const m = doc.tree.modules[at.module];
  const d = m?.defs.func[at.index];
  return m && d ? { m, d } : undefined;
}

/** Functions that call `at`, each with its call sites. */
export function incomingCalls(doc: WatDocument, at: Pick<CallItem, 'module' | 'index'>): CallEdge[] {
  const r = resolve(doc, at);
  if (!r) return [];
  const byCaller = new Map<FuncSyntax, Span[]>();
  for (const ref of r.m.refs) {
    if (ref.target !== r.d || !isCall(doc.text, ref)) continue;
    const caller = funcContaining(r.m, ref.span);
    if (!caller) continue;
    let sites = byCaller.get(caller);
    if (!sites) byCaller.set(caller, (sites = []));
    sites.push(sp(ref.span));
  }
  return [...byCaller].map(([f, sites]) => ({ item: item(doc, r.m, f.def), sites }));
}

/** Functions `at` calls, each with the call sites in `at`. */
export function outgoingCalls(doc: WatDocument, at: Pick<CallItem, 'module' | 'index'>): CallEdge[] {
  const r = resolve(doc, at);
  if (!r) return [];
  const node = r.d.span;
  const byCallee = new Map<Definition, Span[]>();
  for (const ref of r.m.refs) {
    if (ref.span.start < node.start || ref.span.end > node.end || !ref.target || !isCall(doc.text, ref)) continue;
    let sites = byCallee.get(ref.target);
    if (!sites) byCallee.set(ref.target, (sites = []));
    sites.push(sp(ref.span));
  }
  return [...byCallee].map(([d, sites]) => ({ item: item(doc, r.m, d), sites }));
}
