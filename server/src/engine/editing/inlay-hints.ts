/**
 * Inlay hints: parameter names at the operands of a folded call, the block a flat `end` closes, and
 * the index of an item or local declared without a `$id`. (The stack type after an instruction
 * comes from the validator.) Computed for a range only: an editor asks for what is on screen.
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat/index';
import type { Definition, List, Node } from '../wat/syntax';
import { headOf, isAtom, isList, TokenKind } from '../wat/syntax';
import { isCall } from './tree-query';

export interface InlayHintOptions {
  parameterNames: boolean;
  blockEnds: boolean;
  indexes: boolean;
}

export const DEFAULT_INLAY_HINTS: InlayHintOptions = { parameterNames: true, blockEnds: true, indexes: true };

export interface InlayHint {
  /** the offset the hint is shown at */
  offset: number;
  label: string;
  kind: 'parameter' | 'type';
  /** pad the hint with a space on that side */
  paddingLeft?: boolean;
  paddingRight?: boolean;
}

const BLOCKS = new Set(['block', 'loop', 'if', 'try_table', 'try']);

export function inlayHints(doc: WatDocument, range: Span, options: InlayHintOptions = DEFAULT_INLAY_HINTS): InlayHint[] {
  const out: InlayHint[] = [];
  const inRange = (o: number) => o >= range.start && o <= range.end;
  for (const m of doc.tree.modules) {
    if (m.node.end < range.start || m.node.start > range.end) continue;
    if (options.parameterNames) {
      const funcOf = new Map<Definition, Definition[]>();
      for (const f of m.funcs) funcOf.set(f.def, f.locals);
      for (const r of m.refs) {
        if (!inRange(r.span.start) || !r.target || !isCall(doc.text, r)) continue;
        const params = (funcOf.get(r.target) ?? []).filter((l) => l.keyword === 'param');
        if (params.length === 0 || !params.some((p) => p.id)) continue;
        const call = callListOf(m.node as List, r.span.start);
        if (!call) continue;
        const operands = call.children.slice(2).filter(isList);
        if (operands.length !== params.length) continue;
        operands.forEach((o, i) => {
          if (params[i].id) out.push({ offset: o.start, label: `${params[i].id}:`, kind: 'parameter', paddingRight: true });
        });
      }
    }
    if (options.indexes) {
      for (const space of ['type', 'func', 'table', 'memory', 'global', 'tag', 'data', 'elem'] as const) {
        for (const d of m.defs[space]) {
          if (d.id) continue;
          // an import's item: after its descriptor's keyword (`(import "m" "n" (func (;3;) ...))`)
          const node = d.span as List;
          const desc = headOf(node) === 'import' && isList(node.children[3]) ? (node.children[3] as List).children[0] : undefined;
          const at = desc ? desc.end : d.selectionSpan.end;
          if (!inRange(at) || commentFollows(doc.text, at)) continue;
          out.push({ offset: at, label: `(;${d.index};)`, kind: 'type', paddingLeft: true });
        }
      }
      for (const f of m.funcs) {
        if (f.node.end < range.start || f.node.start > range.end) continue;
        for (const l of f.locals) {
          if (l.id || !inRange(l.selectionSpan.start) || commentPrecedes(doc.text, l.selectionSpan.start)) continue;
          out.push({ offset: l.selectionSpan.start, label: `(;${l.index};)`, kind: 'type', paddingRight: true });
        }
      }
    }
    if (options.blockEnds) {
      for (const f of m.funcs) {
        if (f.node.end < range.start || f.node.start > range.end) continue;
        blockEndHints(f.node, inRange, out);
      }
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** Whether a `(;...;)` comment comes right after `at` (a disassembler's index comment: no hint then). */
function commentFollows(text: string, at: number): boolean {
  let i = at;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text.startsWith('(;', i);
}

/** Whether a `(;...;)` comment ends right before `at`. */
function commentPrecedes(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return i >= 1 && text[i] === ')' && text[i - 1] === ';';
}

/** The folded `(call $f ...)` list whose callee reference starts at `offset`. */
function callListOf(module: List, offset: number): List | undefined {
  let children: Node[] = module.children;
  for (;;) {
    let next: List | undefined;
    for (const c of children) {
      if (!isList(c) || offset < c.start || offset > c.end) continue;
      if (c.children[1]?.start === offset && (headOf(c) === 'call' || headOf(c) === 'return_call')) return c;
      next = c;
      break;
    }
    if (!next) return undefined;
    children = next.children;
  }
}

/** Hints after each flat `end` naming the block it closes (lists are walked with an explicit stack). */
function blockEndHints(func: List, inRange: (o: number) => boolean, out: InlayHint[]): void {
  const lists: List[] = [func];
  while (lists.length > 0) {
    const l = lists.pop()!;
    const open: string[] = [];
    const c = l.children;
    for (let i = 0; i < c.length; i++) {
      const n = c[i];
      if (isList(n)) {
        lists.push(n);
        continue;
      }
      if (n.token !== TokenKind.Keyword || i === 0) continue;
      if (BLOCKS.has(n.text)) {
        const id = c[i + 1];
        open.push(isAtom(id) && id.token === TokenKind.Id ? id.text : n.text);
      } else if (n.text === 'end') {
        const name = open.pop();
        const next = c[i + 1];
        if (name === undefined || (isAtom(next) && next.token === TokenKind.Id)) continue;
        if (inRange(n.end)) out.push({ offset: n.end, label: name.startsWith('$') ? name : `;; ${name}`, kind: 'type', paddingLeft: true });
      }
    }
  }
}
