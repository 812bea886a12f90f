/**
 * Incremental reparsing of WAT: an edit inside one module field re-lexes and re-checks that field only.
 *
 * When the edit lies strictly inside a closed field (`(func ...)`, `(global ...)`, `(table ...)`,
 * `(memory ...)`, `(tag ...)`, `(elem ...)`, `(data ...)`, `(export ...)`) of a `.wat` module, the new
 * text of that field lexes to exactly one closed list with the same head, and the field still declares
 * the same definitions (same index spaces, ids, inline import), then nothing outside the field can parse
 * or check differently: the lexer and the tree builder are in their start state at a field's `(` and
 * after its `)`, and the rest of the module only sees the field through its definitions. So:
 *  - the field is re-lexed and re-built from its own text range, then checked in the module's context
 *    (its `$id` maps, definitions and types) by the same Checker code a full parse runs;
 *  - every other node is kept; nodes after the field are shifted by the edit's length change in one pass
 *    (atoms read their lazy text from a per-tree source that now points at the new text), as are the
 *    diagnostics, trivia and folded-label spans after it;
 *  - the field's definitions are updated in place (references elsewhere keep pointing at them), its
 *    references replace its old ones, its diagnostics replace the ones inside its old span;
 *  - the module's features are the union of the per-field features, and the ModuleModel is rebuilt
 *    (a pass over the fields, not over the text).
 * Anything else (edits across fields, in the module header or between fields, changed declarations,
 * `type`/`rec`/`import`/`start` fields, `.wast` scripts) falls back to a full `parseWat`.
 * The result equals a full `parseWat` of the new text (tree, spans, diagnostics, model): the tests check it.
 *
 * `previous` is consumed: its tree is updated in place and reused, so it must not be used afterwards.
 */
import type { EngineDiagnostic } from '../diagnostic';
import { MAX_FINDINGS_PER_CODE, withheldCount } from '../diagnostic-limit';
import type { Span } from '../span';
import { parseWat, type ParseWatOptions, type WatDocument } from './index';
import { buildModel } from './model-builder';
import { declareAlone, fieldFeatures, moduleIds, recheckField } from './parser';
import { buildRangeTree, diag, flatCopy, forgetTokens, treeSources } from './tree-builder';
import type { InstrFeature } from './instructions';
import { type Definition, type FuncSyntax, type List, type ModuleSyntax, type Node, type Root, headOf, isList } from './syntax';

/** Replace text[start, end) by `text`. Offsets are UTF-16 offsets into the previous text. */
export interface WatEdit {
  start: number;
  end: number;
  text: string;
}

export interface ReparseWatOptions extends ParseWatOptions {
  /** told why a full parse was needed (tests, diagnostics of the server) */
  onFullParse?: (reason: string) => void;
  /** the text after the edit, when the caller has it already */
  text?: string;
}

/** Field kinds reparsed on their own; the others (type, rec, import, start) affect other fields' checks. */
const FIELD_HEADS = new Set(['func', 'global', 'table', 'memory', 'tag', 'elem', 'data', 'export']);

type Spaces = keyof ModuleSyntax['defs'];
const SPACES: Spaces[] = ['type', 'func', 'table', 'memory', 'global', 'tag', 'data', 'elem'];

export function applyWatEdit(text: string, edit: WatEdit): string {
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

/** The smallest edit turning `before` into `after` (common prefix and suffix). */
export function diffText(before: string, after: string): WatEdit {
  const max = Math.min(before.length, after.length);
  // compare in chunks first (string comparison is a memcmp), then char by char
  let p = 0;
  for (let chunk = 4096; chunk >= 1; chunk >>= 4) {
    while (p + chunk <= max && before.slice(p, p + chunk) === after.slice(p, p + chunk)) p += chunk;
  }
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  const maxS = max - p;
  let s = 0;
  for (let chunk = 4096; chunk >= 1; chunk >>= 4) {
    while (s + chunk <= maxS && before.slice(before.length - s - chunk, before.length - s) === after.slice(after.length - s - chunk, after.length - s)) s += chunk;
  }
  while (s < maxS && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return { start: p, end: before.length - s, text: after.slice(p, after.length - s) };
}

/** The document after `edit`: incrementally when the edit stays inside one field, else by a full parse. */
export function reparseWat(previous: WatDocument, edit: WatEdit, options: ReparseWatOptions = {}): WatDocument {
  const text = options.text ?? applyWatEdit(previous.text, edit);
  let result = incremental(previous, edit, text, options);
  // over the limit of findings per code, a full parse chooses which are listed (see diagnostic-limit.ts)
  if (typeof result !== 'string' && overLimit(result.diagnostics)) result = 'findings over the limit';
  if (typeof result !== 'string') return result;
  options.onFullParse?.(result);
  return parseWat(text, { script: options.script });
}

/** True when some code has more findings than are listed, or a summary stands for some. */
function overLimit(diagnostics: EngineDiagnostic[]): boolean {
  const counts = new Map<string, number>();
  for (const d of diagnostics) {
    const n = (counts.get(d.code) ?? 0) + 1;
    if (n > MAX_FINDINGS_PER_CODE || withheldCount(d) > 0) return true;
    counts.set(d.code, n);
  }
  return false;
}

/** First index in [0, n) for which `pred` is false, given pred is true then false. */
function firstFalse(n: number, pred: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function inlineImport(f: List): boolean {
  for (let i = 1; i < f.children.length && i < 8; i++) {
    const x = f.children[i];
    if (headOf(x) === 'import') return true;
    if (isList(x) && headOf(x) !== 'export') return false;
  }
  return false;
}

function sameDeclaration(a: Definition, b: Definition): boolean {
  if (a.space !== b.space || a.keyword !== b.keyword || a.id !== b.id) return false;
  if ((a.imported === undefined) !== (b.imported === undefined)) return false;
  if (a.imported && b.imported && (a.imported.module !== b.imported.module || a.imported.name !== b.imported.name)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Shift every node of `nodes` (and their descendants) by `delta`. */
function shiftNodes(nodes: Node[], from: number, delta: number): void {
  const stack: Node[] = [];
  for (let i = nodes.length - 1; i >= from; i--) stack.push(nodes[i]);
  while (stack.length > 0) {
    const n = stack.pop() as Mutable<Node>;
    n.start += delta;
    n.end += delta;
    if (n.type === 'list') {
      const c = n.children;
      for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]);
    }
  }
}

function shiftSpan(s: Span, delta: number): void {
  s.start += delta;
  s.end += delta;
}

/** The incremental reparse, or why it cannot be done. */
function incremental(previous: WatDocument, edit: WatEdit, text: string, options: ReparseWatOptions): WatDocument | string {
  if (options.script) return 'script';
  const old = previous.text;
  if (previous.diagnostics.some((d) => withheldCount(d) > 0)) return 'findings over the limit';
  if (!(edit.start >= 0 && edit.start <= edit.end && edit.end <= old.length)) return 'edit out of range';
  const tree = previous.tree;
  if (tree.modules.length !== 1) return 'not one module';
  const m = tree.modules[0];
  if ((m.form !== 'text' && m.form !== 'definition') || !m.model) return 'module form';
  const source = treeSources.get(tree);
  const ids = moduleIds.get(m);
  if (!source || !ids || source.text !== old) return 'no incremental state';
  const container = m.node;
  const kids = container.children;
  // the child that strictly contains the edit (its parens untouched)
  const k = firstFalse(kids.length, (i) => kids[i].end <= edit.start);
  const field = kids[k];
  if (!field || !isList(field) || !(field.start < edit.start && edit.end < field.end)) return 'edit not inside one field';
  if (!field.closed) return 'field not closed';
  const h = headOf(field);
  if (h === undefined || !FIELD_HEADS.has(h)) return `field kind ${h ?? '?'}`;
  const fi = m.fields.indexOf(field);
  if (fi < 0) return 'not a module field';
  const delta = edit.text.length - (edit.end - edit.start);
  const oldStart = field.start;
  const oldEnd = field.end;
  const newEnd = oldEnd + delta;

  // from here on the tree's atoms read the new text (atoms before the field are where they were)
  source.text = text;
  source.copy = true;
  forgetTokens(tree);
  const fieldDiags: EngineDiagnostic[] = [];
  const sub: Root = buildRangeTree(text, oldStart, newEnd, fieldDiags, source);
  const nf = sub.children[0];
  if (sub.children.length !== 1 || !isList(nf) || !nf.closed || nf.start !== oldStart || nf.end !== newEnd) return 'field structure changed';
  if (fieldDiags.some((d) => d.code === 'wat-unbalanced-paren')) return 'paren recovery';
  if (headOf(nf) !== h) return 'field kind changed';
  if (inlineImport(nf) !== inlineImport(field)) return 'inline import changed';

  // the field must declare the same definitions as before
  const declared = declareAlone(text, nf);
  const pairs: [Definition, Definition][] = [];
  for (const space of SPACES) {
    const list = m.defs[space];
    // a field's definitions are one run of its space (definitions are made in field order)
    const a = firstFalse(list.length, (i) => list[i].span.start < oldStart);
    let b = a;
    while (b < list.length && list[b].span.start < oldEnd) b++;
    const fresh = declared.defs[space];
    if (fresh.length !== b - a) return 'declarations changed';
    for (let i = 0; i < fresh.length; i++) {
      if (!sameDeclaration(list[a + i], fresh[i])) return 'declarations changed';
      pairs.push([list[a + i], fresh[i]]);
    }
  }
  let fs: FuncSyntax | undefined;
  if (h === 'func') {
    const fd = pairs.find(([o]) => o.space === 'func')?.[0];
    fs = fd && m.funcs.find((x) => x.def === fd);
    if (!fs || fs.node !== field) return 'function not found';
  }

  // old diagnostics inside the field (they all come from it), and the ones after it
  const diags = previous.diagnostics;
  const da = firstFalse(diags.length, (i) => diags[i].span.start < oldStart);
  const db = firstFalse(diags.length, (i) => diags[i].span.start < oldEnd);
  for (let i = da; i < db; i++) if (diags[i].span.end > oldEnd) return 'diagnostic across the field';

  // ---- commit: nothing below fails
  const refs = m.refs;
  const ra = firstFalse(refs.length, (i) => refs[i].span.start < oldStart);
  const rb = firstFalse(refs.length, (i) => refs[i].span.start < oldEnd);
  const trivia = tree.trivia;
  const ta = firstFalse(trivia.length, (i) => trivia[i].start < oldStart);
  const tb = firstFalse(trivia.length, (i) => trivia[i].start < oldEnd);
  const anns = tree.customAnnotations;
  const aa = firstFalse(anns.length, (i) => anns[i].span.start < oldStart);
  const ab = firstFalse(anns.length, (i) => anns[i].span.start < oldEnd);

  // folded block labels of later functions have spans of their own
  if (delta !== 0) {
    for (const f of m.funcs) {
      if (f.node.start < oldEnd) continue;
      for (const l of f.labels) if (!('type' in l.span)) shiftSpan(l.span, delta);
    }
    shiftNodes(kids, k + 1, delta);
    if (container !== tree) {
      (container as Mutable<List>).end += delta;
      shiftNodes(tree.children, tree.children.indexOf(container as List) + 1, delta);
    }
    for (let i = db; i < diags.length; i++) shiftSpan(diags[i].span, delta);
    for (let i = tb; i < trivia.length; i++) shiftSpan(trivia[i], delta);
    for (let i = ab; i < anns.length; i++) {
      shiftSpan(anns[i].span, delta);
      anns[i].nameStart += delta;
      anns[i].nameEnd += delta;
    }
  }
  tree.end = text.length;
  kids[k] = nf;
  m.fields[fi] = nf;
  tree.trivia = trivia.slice(0, ta).concat(sub.trivia, trivia.slice(tb));
  tree.customAnnotations = anns.slice(0, aa).concat(sub.customAnnotations, anns.slice(ab));

  // the field's definitions, updated in place (their index stays)
  for (const [o, n] of pairs) {
    const index = o.index;
    Object.assign(o, n);
    o.index = index;
  }
  if (fs) {
    fs.node = nf;
    fs.locals = [];
    fs.labels = [];
  }

  // the field's diagnostics, in the order a full parse makes them: lexer, declarations, check
  for (const [o] of pairs) {
    if (o.id !== undefined && o.idSpan && ids.get(o.space)?.get(o.id) !== o) {
      fieldDiags.push(diag('wat-duplicate-id', `duplicate ${o.space} id ${o.id}`, o.idSpan));
    }
  }
  const checked = recheckField(text, fieldDiags, m, ids, nf, fs);
  for (const d of fieldDiags) d.message = flatCopy(d.message);
  if (fs) for (const l of fs.locals) if (l.valType !== undefined) l.valType = flatCopy(l.valType);
  fieldDiags.sort((x, y) => x.span.start - y.span.start);
  m.refs = refs.slice(0, ra).concat(checked.refs, refs.slice(rb));
  if (checked.features.size > 0) fieldFeatures.set(nf, checked.features);
  const features = new Set<InstrFeature>();
  for (const f of m.fields) {
    const own = fieldFeatures.get(f);
    if (own) for (const x of own) features.add(x);
  }
  const diagnostics = diags.slice(0, da).concat(fieldDiags, diags.slice(db));
  const model = buildModel(text, m, features, tree.customAnnotations);
  m.model = model;
  return { text, tree, modules: [model], diagnostics };
}
