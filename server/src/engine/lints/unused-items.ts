/**
 * Unused functions, globals, locals, types and labels: declared, never referred to (by `$id` or by
 * index), and not part of the module's interface (imports, exports, the start function). A function
 * referred to only from an element segment or `ref.func` is used.
 */
import type { Definition, List, ModuleSyntax } from '../wat/syntax';
import { headOf, isList } from '../wat/syntax';
import type { WatDocument } from '../wat';
import type { Lint, LintFinding } from './lint';
import { sigText } from '../model-text';

/** Definitions with at least one reference in their module. */
function referenced(m: ModuleSyntax): Set<Definition> {
  const used = new Set<Definition>();
  for (const r of m.refs) if (r.target) used.add(r.target);
  return used;
}

/** Whether a field has an inline `(export ...)`. */
function exportedInline(d: Definition): boolean {
  const node = d.span as List;
  if (!isList(node)) return false;
  for (let i = 1; i < node.children.length && i < 8; i++) if (headOf(node.children[i]) === 'export') return true;
  return false;
}

const name = (d: Definition, what: string) => (d.id ? `${what} ${d.id}` : `${what} ${d.index}`);
const at = (d: Definition) => ({ start: d.selectionSpan.start, end: d.selectionSpan.end });

/**
 * The used-set of a module, shared by the lints of one check of a text. Kept for the last module and
 * text only: an incremental reparse updates a module's syntax in place, so the module alone is no key.
 */
let last: { m: ModuleSyntax; text: string; refs: number; used: Set<Definition> } | undefined;
function usedIn(m: ModuleSyntax, text: string): Set<Definition> {
  if (last && last.m === m && last.refs === m.refs.length && last.text === text) return last.used;
  last = { m, text, refs: m.refs.length, used: referenced(m) };
  return last.used;
}

function unusedFields(doc: WatDocument, m: ModuleSyntax, space: 'func' | 'global', what: string, how: string): LintFinding[] {
  const used = usedIn(m, doc.text);
  const out: LintFinding[] = [];
  for (const d of m.defs[space]) {
    if (d.imported || used.has(d) || exportedInline(d)) continue;
    out.push({ span: at(d), message: `${name(d, what)} is never used (${how})`, unnecessary: true });
  }
  return out;
}

export const unusedFunction: Lint = {
  name: 'unused-function',
  description: 'a function that is not exported, not the start function, and never called or referred to',
  defaultSeverity: 'hint',
  check: (doc, m) => unusedFields(doc, m, 'func', 'function', 'not exported, not the start function, never called or referred to'),
};

export const unusedGlobal: Lint = {
  name: 'unused-global',
  description: 'a global that is not imported or exported and never read or written',
  defaultSeverity: 'hint',
  check: (doc, m) => unusedFields(doc, m, 'global', 'global', 'not exported, never read or written'),
};

export const unusedLocal: Lint = {
  name: 'unused-local',
  description: 'a local (not a parameter) that is never read or written',
  defaultSeverity: 'hint',
  check: (doc, m) => {
    const used = usedIn(m, doc.text);
    const out: LintFinding[] = [];
    for (const f of m.funcs) {
      for (const l of f.locals) {
        if (l.keyword !== 'local' || used.has(l)) continue;
        out.push({ span: at(l), message: `local ${l.id ?? l.index} is never used`, unnecessary: true });
      }
    }
    return out;
  },
};

export const unusedLabel: Lint = {
  name: 'unused-label',
  description: 'a block, loop or if whose `$label` no branch names',
  defaultSeverity: 'hint',
  check: (doc, m) => {
    const used = usedIn(m, doc.text);
    const out: LintFinding[] = [];
    for (const f of m.funcs) {
      for (const l of f.labels) {
        if (!l.id || !l.idSpan || used.has(l)) continue;
        out.push({ span: { start: l.idSpan.start, end: l.idSpan.end }, message: `label ${l.id} is never branched to`, unnecessary: true });
      }
    }
    return out;
  },
};

export const unusedType: Lint = {
  name: 'unused-type',
  description: 'a type that no function, import, block, instruction or other type uses',
  defaultSeverity: 'hint',
  check: (doc: WatDocument, m: ModuleSyntax) => {
    const used = usedIn(m, doc.text);
    const model = m.model;
    if (!model) return [];
    const usedIndex = new Set<number>();
    // a function type can also be used without being named, by a matching inline signature
    const inlineSigs = new Set<string>();
    let unknownSigs = false;
    for (const e of [...model.funcs, ...model.imports, ...model.tags]) {
      if (e.typeIndex !== undefined) usedIndex.add(e.typeIndex);
      else if ('sig' in e && e.sig) inlineSigs.add(sigText(e.sig));
      else if (!('kind' in e) || e.kind === 'func' || e.kind === 'tag') unknownSigs = true;
    }
    // a block with an inline signature may use any function type: then none is reported
    const blockTypes = unknownSigs || m.funcs.some((f) => hasInlineBlockType(doc.text, f.node));
    const out: LintFinding[] = [];
    for (const d of m.defs.type) {
      if (used.has(d) || usedIndex.has(d.index)) continue;
      // members of a recursive group define each other's identity: never reported
      if (headOf(d.span as List) !== 'type' || inRec(m, d)) continue;
      const sig = model.types[d.index]?.sig;
      if (sig && (blockTypes || inlineSigs.has(sigText(sig)))) continue;
      out.push({ span: at(d), message: `type ${d.id ?? d.index} is never used`, unnecessary: true });
    }
    return out;
  },
};

function inRec(m: ModuleSyntax, d: Definition): boolean {
  for (const f of m.fields) if (headOf(f) === 'rec' && f.start <= d.span.start && d.span.end <= f.end) return true;
  return false;
}

const HEADER = new Set(['param', 'result', 'local', 'type', 'export', 'import']);

/** Whether a function body has a block type written inline (`(param ...)`/`(result ...)` after the header). */
function hasInlineBlockType(text: string, f: List): boolean {
  let body = false;
  for (let i = 1; i < f.children.length; i++) {
    const c = f.children[i];
    if (!isList(c)) {
      if (i > 1 || c.type !== 'atom' || !c.text.startsWith('$')) body = true;
      continue;
    }
    const h = headOf(c);
    if (!body && h !== undefined && HEADER.has(h)) continue;
    body = true;
    if (h === 'param' || h === 'result') return true;
    const inner = text.slice(c.start, c.end);
    if (/\(\s*(param|result)\b/.test(inner)) return true;
  }
  return false;
}
