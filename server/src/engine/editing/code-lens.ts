/**
 * Code lenses: above every function, global, type, table, memory and tag its number of references
 * (the editor lists them on click), and above every import its WASI capability group (the policy's
 * verdict is added by the server, which knows the policy).
 */
import type { Span } from '../span';
import type { ImportEntry } from '../model';
import type { WatDocument } from '../wat/index';
import type { Definition } from '../wat/syntax';
import { describeImport } from '../wasi';

export interface ReferenceLens {
  kind: 'references';
  /** where the lens sits: the declaration's keyword or id */
  span: Span;
  /** the declaration (what "show references" starts from) */
  target: Span;
  references: Span[];
}

export interface ImportLens {
  kind: 'import';
  span: Span;
  import: ImportEntry;
  /** the WASI capability group, or undefined for a non-WASI import */
  capability: string | undefined;
  /** a WASI module name with a function it does not define */
  unknownWasi: boolean;
}

export type CodeLens = ReferenceLens | ImportLens;

const SPACES = new Set(['func', 'global', 'type', 'table', 'memory', 'tag']);
const sp = (s: Span): Span => ({ start: s.start, end: s.end });

/** The lenses of the text, or of those declarations that start inside `range`. */
export function codeLenses(doc: WatDocument, range?: Span): CodeLens[] {
  const out: CodeLens[] = [];
  const inRange = (s: Span) => !range || (s.start >= range.start && s.start <= range.end);
  for (const m of doc.tree.modules) {
    const refs = new Map<Definition, Span[]>();
    for (const r of m.refs) {
      if (!r.target || !SPACES.has(r.target.space)) continue;
      let list = refs.get(r.target);
      if (!list) refs.set(r.target, (list = []));
      list.push(sp(r.span));
    }
    for (const space of SPACES) {
      for (const d of m.defs[space as 'func']) {
        if (!inRange(d.span)) continue;
        out.push({ kind: 'references', span: sp(d.span), target: sp(d.selectionSpan), references: refs.get(d) ?? [] });
      }
    }
    for (const imp of m.model?.imports ?? []) {
      if (!inRange(imp.span)) continue;
      const info = describeImport(imp.module, imp.name);
      out.push({ kind: 'import', span: sp(imp.span), import: imp, capability: info.wasi && info.known ? info.capability : undefined, unknownWasi: info.wasi && !info.known });
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}
