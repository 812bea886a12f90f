/**
 * An outline of a WAT/WAST text from one pass over its characters, for texts too big for the full
 * parser (see engine/budget/limits.ts): modules and their fields (`func`, `import`, `memory`...), with
 * their ids or names. No token, tree or model objects: memory and time are what the outline lists
 * (capped), whatever the size of the text. The same pass, without the outline, counts tokens to
 * decide whether a text is within the full parser's budget (`countWatTokens`), and stops early.
 */
import type { Span } from '../span';
import type { SymbolNode } from './navigation';

export interface QuickOutline {
  /** UTF-16 length of the text */
  length: number;
  /** parentheses and atoms seen (strings and comments count as one each); all of them unless truncated */
  tokens: number;
  /** modules, each with its fields, in text order (at most `maxSymbols` fields in all; when truncated, the
   *  last module's span ends at its last listed field) */
  symbols: SymbolNode[];
  /** true when the text has more fields than `maxSymbols` (the scan stopped at the first one left out) */
  truncated: boolean;
}

export interface QuickOutlineOptions {
  /** fields listed at most (default 10000); the scan stops at the next one */
  maxSymbols?: number;
}

const FIELD_KINDS = new Set<string>(['type', 'func', 'table', 'memory', 'global', 'tag', 'import', 'export', 'data', 'elem', 'start']);

/** The longest name or string shown for a field. */
const MAX_NAME = 120;

const enum Expect {
  Nothing,
  Keyword,
  Name,
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isAtomEnd(c: number): boolean {
  return isSpace(c) || c === 40 /* ( */ || c === 41 /* ) */ || c === 34 /* " */ || c === 59 /* ; */ || Number.isNaN(c);
}

/**
 * Scans the text once. With `collect`, builds the outline; `stopAfter` ends the scan as soon as more
 * tokens than that have been seen (the result's `tokens` is then `stopAfter + 1`).
 */
function scan(text: string, collect: boolean, maxSymbols: number, stopAfter: number): QuickOutline {
  const n = text.length;
  const symbols: SymbolNode[] = [];
  let truncated = false;
  let listed = 0;
  let tokens = 0;
  let depth = 0;
  let expect: Expect = Expect.Nothing;
  let module: SymbolNode | undefined; // the module being read (explicit, or implicit for top-level fields)
  let moduleDepth = 0; // 1 for `(module ...)`, 0 for an implicit module
  let field: SymbolNode | undefined; // the field being read
  let fieldDepth = 0;
  let opened: SymbolNode | undefined; // the node whose keyword was just read (expects a name)
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (tokens > stopAfter) break;
    if (c === 59 /* ; */ && text.charCodeAt(i + 1) === 59) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      tokens++;
      continue;
    }
    if (c === 40 /* ( */ && text.charCodeAt(i + 1) === 59 /* ; */) {
      // block comment, nested
      let level = 1;
      i += 2;
      while (i < n && level > 0) {
        const d = text.charCodeAt(i);
        if (d === 40 && text.charCodeAt(i + 1) === 59) {
          level++;
          i += 2;
        } else if (d === 59 && text.charCodeAt(i + 1) === 41) {
          level--;
          i += 2;
        } else i++;
      }
      tokens++;
      continue;
    }
    if (c === 40 /* ( */) {
      tokens++;
      depth++;
      expect = Expect.Keyword;
      opened = undefined;
      i++;
      continue;
    }
    if (c === 41 /* ) */) {
      tokens++;
      if (field && depth === fieldDepth) {
        field.span.end = i + 1;
        field = undefined;
      }
      if (module && moduleDepth > 0 && depth === moduleDepth) {
        module.span.end = i + 1;
        module = undefined;
      }
      depth = Math.max(0, depth - 1);
      expect = Expect.Nothing;
      i++;
      continue;
    }
    // an atom or a string
    const start = i;
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) {
          i++;
          break;
        } else if (d === 10) break; // an unterminated string ends at the line's end
        else i++;
      }
    } else {
      while (i < n && !isAtomEnd(text.charCodeAt(i))) i++;
      if (i === start) i++; // a lone `;`
    }
    tokens++;
    if (!collect) {
      expect = Expect.Nothing;
      continue;
    }
    if (expect === Expect.Keyword) {
      const keyword = text.slice(start, i);
      expect = Expect.Nothing;
      if (depth === 1 && (keyword === 'module' || keyword === 'component')) {
        module = { name: '', kind: 'module', span: { start: start - 1, end: n }, selectionSpan: { start, end: i }, children: [] };
        moduleDepth = 1;
        symbols.push(module);
        opened = module;
        expect = Expect.Name;
      } else if (FIELD_KINDS.has(keyword) && (depth === 1 || (depth === 2 && module && moduleDepth === 1))) {
        if (depth === 1 && (!module || moduleDepth !== 0)) {
          // fields at the top level: one implicit module around them
          module = { name: '', kind: 'module', span: { start: start - 1, end: n }, selectionSpan: { start: start - 1, end: start - 1 }, children: [] };
          moduleDepth = 0;
          symbols.push(module);
        }
        if (listed < maxSymbols) {
          listed++;
          field = { name: '', kind: keyword as SymbolNode['kind'], span: { start: start - 1, end: n }, selectionSpan: { start, end: i }, children: [] };
          fieldDepth = depth;
          module!.children.push(field);
          opened = field;
          expect = Expect.Name;
        } else {
          // the outline is full: what follows is not looked at (an outline costs what it lists), and
          // the open module ends, for the outline, where its last listed field does
          truncated = true;
          const fields = module!.children;
          if (fields.length) module!.span.end = fields[fields.length - 1].span.end;
          break;
        }
      }
    } else if (expect === Expect.Name && opened) {
      // `$id`, or for imports, exports and data the first string (an import's first two)
      expect = Expect.Nothing;
      const first = text.charCodeAt(start);
      const raw = text.slice(start, Math.min(i, start + MAX_NAME));
      if (first === 36 /* $ */) {
        opened.name = raw;
        opened.selectionSpan = { start, end: i };
      } else if (first === 34 /* " */ && opened.kind !== 'module') {
        if (opened.kind === 'import' && opened.name === '') {
          opened.name = raw;
          opened.selectionSpan = { start, end: i };
          expect = Expect.Name;
        } else if (opened.kind === 'import') {
          opened.name = `${opened.name} ${raw}`;
        } else {
          opened.name = raw;
          opened.selectionSpan = { start, end: i };
        }
      }
    }
  }
  return { length: n, tokens, symbols, truncated };
}

/** The outline of a WAT/WAST text (see the file comment). */
export function quickOutline(text: string, options: QuickOutlineOptions = {}): QuickOutline {
  return scan(text, true, Math.max(0, options.maxSymbols ?? 10_000), Number.POSITIVE_INFINITY);
}

/** Tokens of a WAT/WAST text, counted up to `stopAfter` + 1 (a larger count is not needed to decide). */
export function countWatTokens(text: string, stopAfter = Number.POSITIVE_INFINITY): number {
  return scan(text, false, 0, stopAfter).tokens;
}

/** The spans an editor can fold in an outline: every module and listed field. */
export function quickFoldingSpans(outline: QuickOutline): Span[] {
  const out: Span[] = [];
  for (const m of outline.symbols) {
    out.push(m.span);
    for (const f of m.children) out.push(f.span);
  }
  return out;
}
