/**
 * Semantic tokens: what every `$id` and index in a WAT text names (function, parameter, local,
 * global, type, label, table, memory, segment, tag), at its declaration and at each use, with
 * modifiers: `declaration`, `readonly` (an immutable global), `mutable` (a mutable global),
 * `imported` (an imported item), `flagged` (an item a policy finding is about). The TextMate grammar
 * colours the rest (keywords, numbers, strings, comments).
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat/index';
import type { Definition } from '../wat/syntax';
import { allDefs } from '../wat/navigation';

export const TOKEN_TYPES = ['function', 'parameter', 'variable', 'type', 'label', 'property', 'enumMember', 'event'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'mutable', 'imported', 'flagged'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];

export interface SemanticToken {
  start: number;
  end: number;
  /** index into TOKEN_TYPES */
  type: number;
  /** bit set over TOKEN_MODIFIERS */
  modifiers: number;
}

const T = (t: TokenType) => TOKEN_TYPES.indexOf(t);
const M_DECLARATION = 1;
const M_READONLY = 2;
const M_MUTABLE = 4;
const M_IMPORTED = 8;
const M_FLAGGED = 16;

function typeOf(d: Definition): number {
  switch (d.space) {
    case 'func':
      return T('function');
    case 'local':
      return d.keyword === 'param' ? T('parameter') : T('variable');
    case 'global':
      return T('variable');
    case 'type':
      return T('type');
    case 'label':
      return T('label');
    case 'table':
    case 'memory':
      return T('property');
    case 'data':
    case 'elem':
      return T('enumMember');
    case 'tag':
      return T('event');
  }
}

function modifiersOf(doc: WatDocument, d: Definition, flagged: (d: Definition) => boolean): number {
  let m = 0;
  if (d.space === 'global') {
    const text = d.valType ?? doc.text.slice(d.span.start, Math.min(d.span.end, d.span.start + 200));
    m |= /\(\s*mut\b/.test(text) ? M_MUTABLE : M_READONLY;
  }
  if (d.imported) m |= M_IMPORTED;
  if (flagged(d)) m |= M_FLAGGED;
  return m;
}

/**
 * The tokens of the text (or of `range`), in text order. `flaggedSpans` are the spans of policy
 * findings: a definition whose declaration overlaps one is `flagged`, at every use.
 */
export function semanticTokens(doc: WatDocument, flaggedSpans: Span[] = [], range?: Span): SemanticToken[] {
  const flags = [...flaggedSpans].sort((a, b) => a.start - b.start);
  const flaggedMemo = new Map<Definition, boolean>();
  const flagged = (d: Definition): boolean => {
    if (flags.length === 0 || d.space === 'local' || d.space === 'label') return false;
    let v = flaggedMemo.get(d);
    if (v === undefined) {
      v = flags.some((f) => f.start < d.span.end && d.span.start < f.end);
      flaggedMemo.set(d, v);
    }
    return v;
  };
  const inRange = (s: Span) => !range || (s.end >= range.start && s.start <= range.end);
  const out: SemanticToken[] = [];
  for (const m of doc.tree.modules) {
    if (range && (m.node.end < range.start || m.node.start > range.end)) continue;
    for (const d of allDefs(m)) {
      if (!d.idSpan || !inRange(d.idSpan)) continue;
      out.push({ start: d.idSpan.start, end: d.idSpan.end, type: typeOf(d), modifiers: M_DECLARATION | modifiersOf(doc, d, flagged) });
    }
    for (const r of m.refs) {
      if (!r.target || !inRange(r.span)) continue;
      out.push({ start: r.span.start, end: r.span.end, type: typeOf(r.target), modifiers: modifiersOf(doc, r.target, flagged) });
    }
  }
  out.sort((a, b) => a.start - b.start);
  // one token per place (an id can be both a declaration and, in an abbreviation, a reference)
  let w = 0;
  for (let i = 0; i < out.length; i++) if (w === 0 || out[w - 1].start !== out[i].start) out[w++] = out[i];
  out.length = w;
  return out;
}
