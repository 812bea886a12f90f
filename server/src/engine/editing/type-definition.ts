/**
 * Go to type definition: from a function (its declaration or a call) to the `(type ...)` it uses,
 * from a local, param, global or table of a typed reference (`(ref $t)`, `(ref null $t)`) to `$t`,
 * and from a type use to the type.
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat/index';
import type { Definition, List, ModuleSyntax } from '../wat/syntax';
import { headOf, isAtom, isList } from '../wat/syntax';
import { targetAt } from '../wat/navigation';

export function typeDefinitionAt(doc: WatDocument, offset: number): Span[] {
  const t = targetAt(doc, offset);
  if (!t) return [];
  const type = typeOf(doc, t.m, t.def);
  return type ? [{ start: type.selectionSpan.start, end: type.selectionSpan.end }] : [];
}

function typeOf(doc: WatDocument, m: ModuleSyntax, d: Definition): Definition | undefined {
  const types = m.defs.type;
  switch (d.space) {
    case 'type':
      return d;
    case 'func':
    case 'tag': {
      // an explicit `(type $t)` use in the declaration (imports: in their description)
      const node = d.span as List;
      const desc = headOf(node) === 'import' && isList(node.children[3]) ? (node.children[3] as List) : node;
      for (const c of desc.children) {
        if (headOf(c) !== 'type') continue;
        const ref = (c as List).children[1];
        return isAtom(ref) ? lookupType(m, ref.text) : undefined;
      }
      const entry = d.space === 'func' ? m.model?.funcs[d.index] : m.model?.tags[d.index];
      return entry?.typeIndex !== undefined ? types[entry.typeIndex] : undefined;
    }
    case 'local':
    case 'global':
    case 'table': {
      const text = d.valType ?? doc.text.slice(d.span.start, d.span.end);
      const m2 = /\(ref\s+(?:null\s+)?(\$[^\s()]+|\d+)\s*\)/.exec(text);
      return m2 ? lookupType(m, m2[1]) : undefined;
    }
    default:
      return undefined;
  }
}

function lookupType(m: ModuleSyntax, ref: string): Definition | undefined {
  const types = m.defs.type;
  if (ref.startsWith('$')) return types.find((t) => t.id === ref);
  const i = Number(ref);
  return Number.isInteger(i) ? types[i] : undefined;
}
