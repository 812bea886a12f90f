/**
 * Completion for WAT/WAST by context: the `$id`s of the index space an instruction or a field expects
 * (functions after `call`, locals after `local.get`, the enclosing labels after `br`, struct fields
 * after `struct.get $t`, ...), instructions with their immediates as snippets in function bodies,
 * keywords and value types where they fit, and in imports the WASI catalog (modules, then functions
 * with their signatures, capability group and the policy's verdict: a denied import is marked, not hidden).
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat';
import type { ModuleModel } from '../model';
import { INSTRUCTIONS, HEAP_TYPES, REF_SHORTHANDS, type Immediates } from '../wat/instructions';
import { BY_NAME } from '../isa/instruction-set';
import { TokenKind, decodeString } from '../wat/lexer';
import { type Definition, type IndexSpace, type List, type ModuleSyntax, type Node, headOf, isAtom, isList } from '../wat/syntax';
import { cursorAt, keywordOf, type Cursor } from './cursor';
import { WASI_CAPABILITY_DOCS, WASI_PREVIEW1_FUNCTIONS, WASI_PREVIEW1_MODULES, describeImport } from '../wasi';
import { PREVIEW1_SIGNATURES, type WasiSignature } from '../sandbox/wasi/signatures';
import { deniedImports } from '../sandbox/import-policy';
import type { EffectivePolicy } from '../policy/definition';
import { describe } from '../wat/navigation';

export type CompletionKind = 'instruction' | 'keyword' | 'valtype' | IndexSpace | 'field' | 'module' | 'import';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** one line shown beside the label */
  detail?: string;
  /** Markdown */
  documentation?: string;
  /** what is inserted (default: the label) */
  insertText?: string;
  /** insertText is a snippet (`${1:placeholder}`) */
  snippet?: boolean;
  /** the text the item replaces */
  replace: Span;
  /** the policy denies this import (the item says so; it is still offered) */
  denied?: string[];
  sortText?: string;
}

export interface CompletionResult {
  items: CompletionEntry[];
  /** more items matched than were returned: ask again as the word grows */
  incomplete: boolean;
}

export interface CompletionOptions {
  /** the policy in force for the file (the verdict on WASI imports); absent: no verdict */
  policy?: EffectivePolicy;
  /** at most this many items (the rest: `incomplete`) */
  limit?: number;
}

/** Module fields, and what may open a list inside a function's header. */
const MODULE_FIELDS = ['type', 'import', 'func', 'table', 'memory', 'global', 'export', 'start', 'elem', 'data', 'tag', 'rec'];
const FUNC_HEADER = ['export', 'import', 'type', 'param', 'result', 'local'];
const SCRIPT_COMMANDS = [
  'module', 'register', 'invoke', 'get', 'assert_return', 'assert_trap', 'assert_exhaustion', 'assert_malformed',
  'assert_invalid', 'assert_unlinkable', 'assert_exception',
];
/** The lists that open inside other lists (outside function bodies). */
const NESTED_KEYWORDS: Record<string, string[]> = {
  export: ['func', 'table', 'memory', 'global', 'tag'],
  import: ['func', 'table', 'memory', 'global', 'tag'],
  type: ['func', 'struct', 'array', 'sub'],
  sub: ['func', 'struct', 'array', 'final'],
  rec: ['type'],
  struct: ['field'],
  array: ['mut'],
  field: ['mut', 'ref'],
  global: ['mut', 'ref', 'import', 'export'],
  table: ['import', 'export', 'elem', 'ref'],
  memory: ['import', 'export', 'data'],
  data: ['memory', 'offset'],
  elem: ['table', 'offset', 'item', 'declare'],
  tag: ['param', 'type', 'import', 'export'],
  param: ['ref'],
  result: ['ref'],
  local: ['ref'],
  if: ['then', 'else'],
};
const VALUE_TYPES = ['i32', 'i64', 'f32', 'f64', 'v128', ...REF_SHORTHANDS.keys()];
/** Lists whose atoms are value types. */
const TYPE_LISTS = new Set(['param', 'result', 'local', 'field', 'mut', 'global']);

/** The index space an instruction's immediate names, by the immediates' shape and how many came already. */
function spaceOf(imm: Immediates, given: number): IndexSpace | 'field' | undefined {
  switch (imm) {
    case 'func':
      return 'func';
    case 'local':
      return 'local';
    case 'global':
      return 'global';
    case 'label':
    case 'br_table':
    case 'br_on_cast':
      return given === 0 || imm === 'br_table' ? 'label' : undefined;
    case 'table?':
    case 'table2':
      return 'table';
    case 'table.init':
      return given === 0 ? 'table' : 'elem';
    case 'call_indirect':
      return 'table';
    case 'elem':
      return 'elem';
    case 'data':
      return 'data';
    case 'memory?':
    case 'memory2':
    case 'memarg':
    case 'memarg_lane':
      return 'memory';
    case 'memory.init':
      return given === 0 ? 'memory' : 'data';
    case 'type':
    case 'type_u32':
      return 'type';
    case 'type_field':
      return given === 0 ? 'type' : 'field';
    case 'type_data':
      return given === 0 ? 'type' : 'data';
    case 'type_elem':
      return given === 0 ? 'type' : 'elem';
    case 'type_type':
      return 'type';
    case 'tag':
    case 'catch':
      return 'tag';
    default:
      return undefined;
  }
}

/** An instruction's immediates as a snippet after its name. */
function immediatesSnippet(imm: Immediates): string {
  const p = (n: number, s: string) => `\${${n}:${s.replace(/[$}\\]/g, (c) => '\\' + c)}}`;
  switch (imm) {
    case 'func':
      return ' ' + p(1, '$func');
    case 'local':
      return ' ' + p(1, '$local');
    case 'global':
      return ' ' + p(1, '$global');
    case 'label':
      return ' ' + p(1, '$label');
    case 'br_table':
      return ' ' + p(1, '$label') + ' ' + p(2, '$default');
    case 'block':
    case 'try_table':
      return ' ' + p(1, '$label');
    case 'call_indirect':
      return ' (type ' + p(1, '$type') + ')';
    case 'elem':
      return ' ' + p(1, '$elem');
    case 'data':
      return ' ' + p(1, '$data');
    case 'memory.init':
      return ' ' + p(1, '$data');
    case 'table.init':
      return ' ' + p(1, '$elem');
    case 'i32':
    case 'i64':
    case 'f32':
    case 'f64':
      return ' ' + p(1, '0');
    case 'v128':
      return ' i32x4 ' + p(1, '0 0 0 0');
    case 'heaptype':
      return ' ' + p(1, 'func');
    case 'type':
    case 'type_u32':
    case 'type_data':
    case 'type_elem':
    case 'type_type':
      return ' ' + p(1, '$type');
    case 'type_field':
      return ' ' + p(1, '$type') + ' ' + p(2, '$field');
    case 'tag':
    case 'catch':
      return ' ' + p(1, '$tag');
    case 'lane':
      return ' ' + p(1, '0');
    default:
      return '';
  }
}

const LETTER: Record<string, string> = { i: 'i32', I: 'i64', f: 'f32', F: 'f64', v: 'v128' };
const letters = (s: string) => [...s].map((c) => LETTER[c] ?? c).join(' ');

/** `[i32 i32] -> [i32]` for an instruction with a fixed type, else its proposal. */
function instructionDetail(name: string): string | undefined {
  const d = BY_NAME.get(name)?.[0];
  if (!d) return undefined;
  if (d.rule === 'sig' || d.rule === 'mem') {
    const params = (d.rule === 'mem' ? 'i' : '') + d.params;
    return `[${letters(params)}] -> [${letters(d.results)}]${d.proposal !== 'mvp' ? ` (${d.proposal})` : ''}`;
  }
  return d.proposal !== 'mvp' ? d.proposal : undefined;
}

let instructionItems: { label: string; insert: string; detail?: string }[] | undefined;
function instructions(): { label: string; insert: string; detail?: string }[] {
  return (instructionItems ??= [...INSTRUCTIONS.entries()]
    .map(([name, info]) => ({ label: name, insert: name + immediatesSnippet(info.imm), detail: instructionDetail(name) }))
    .sort((a, b) => (a.label < b.label ? -1 : 1)));
}

/** The definitions of a space visible at the cursor (labels: the enclosing blocks, innermost first). */
function definitionsOf(doc: WatDocument, c: Cursor, space: IndexSpace): { def?: Definition; label: string; detail: string }[] {
  const m = c.module;
  if (!m) return [];
  if (space === 'local') return (c.func?.locals ?? []).map((d) => ({ def: d, label: d.id ?? String(d.index), detail: `${d.keyword} ${d.index}: ${d.valType ?? ''}` }));
  if (space === 'label') return enclosingLabels(doc, c).map((l, depth) => ({ label: l.id ?? String(depth), detail: `label ${depth} (${l.keyword})` }));
  // (described later, only the items returned: a module may have 100,000 functions)
  const defs = m.defs[space];
  const out: { def?: Definition; label: string; detail: string }[] = new Array(defs.length);
  for (let i = 0; i < defs.length; i++) out[i] = { def: defs[i], label: defs[i].id ?? String(defs[i].index), detail: '' };
  return out;
}

/** The blocks around the cursor in its function, innermost first: folded block lists that hold it, and flat blocks not yet ended. */
function enclosingLabels(doc: WatDocument, c: Cursor): { id?: string; keyword: string }[] {
  const f = c.func;
  if (!f) return [];
  // outermost first: the function body is a label too (the outermost)
  const out: { id?: string; keyword: string }[] = [{ id: undefined, keyword: 'func' }];
  // walk the function's lists on the cursor's path; in each, the flat blocks opened before the cursor
  const lists = c.path.slice(c.path.indexOf(f.node as List));
  for (const l of lists) {
    const head = headOf(l);
    if (l !== f.node && (head === 'block' || head === 'loop' || head === 'if' || head === 'try' || head === 'try_table')) {
      const id = isAtom(l.children[1]) && l.children[1].token === TokenKind.Id ? l.children[1].text : undefined;
      out.push({ id, keyword: head });
    }
    const flat: { id?: string; keyword: string }[] = [];
    const kids = l.children;
    for (let i = 1; i < kids.length && kids[i].end <= c.wordStart; i++) {
      const k = keywordOf(kids[i]);
      if (k === 'block' || k === 'loop' || k === 'if' || k === 'try' || k === 'try_table') {
        const n = kids[i + 1];
        flat.push({ id: isAtom(n) && n.token === TokenKind.Id ? n.text : undefined, keyword: k });
      } else if ((k === 'end' || k === 'delegate') && flat.length) flat.pop();
    }
    out.push(...flat);
  }
  return out.reverse();
}

/** The fields of the struct type `typeRef` names in module `m`. */
function structFields(doc: WatDocument, m: ModuleSyntax, typeRef: string): { label: string; detail: string }[] {
  const def = m.defs.type.find((d) => d.id === typeRef || String(d.index) === typeRef);
  if (!def || !isList(def.span as Node)) return [];
  const out: { label: string; detail: string }[] = [];
  const visit = (l: List) => {
    for (const c of l.children) {
      if (!isList(c)) continue;
      const h = headOf(c);
      if (h === 'struct' || h === 'sub') visit(c);
      else if (h === 'field') {
        const kids = c.children.slice(1);
        const id = isAtom(kids[0]) && kids[0].token === TokenKind.Id ? kids[0].text : undefined;
        const types = kids.filter((k) => !(isAtom(k) && k.token === TokenKind.Id)).map((k) => doc.text.slice(k.start, k.end));
        if (id) out.push({ label: id, detail: `field ${out.length}: ${types.join(' ')}` });
        else for (const t of types) out.push({ label: String(out.length), detail: `field ${out.length}: ${t}` });
      }
    }
  };
  visit(def.span as List);
  return out;
}

export function completionsAt(doc: WatDocument, offset: number, options: CompletionOptions = {}): CompletionResult {
  const c = cursorAt(doc, offset);
  const items: CompletionEntry[] = [];
  const replace: Span = { start: c.wordStart, end: offset };
  const add = (e: Omit<CompletionEntry, 'replace'> & { replace?: Span }) => items.push({ replace, ...e });
  const list = c.list;
  const head = headOf(list);
  const atHead = list !== undefined && c.before.length === 0 && !c.inString;

  if (c.inString) {
    if (head === 'import' && c.module) importCompletions(doc, c, options, items);
    return finish(items, c.word, options);
  }

  // an immediate: the index space the instruction (flat or folded) or field expects
  const prevAtoms: Node[] = [];
  for (let i = c.before.length - 1; i >= 0; i--) {
    const n = c.before[i];
    if (!isAtom(n) || (n.token === TokenKind.Keyword && INSTRUCTIONS.has(n.text))) {
      if (isAtom(n)) prevAtoms.unshift(n);
      break;
    }
    prevAtoms.unshift(n);
  }
  const instr = keywordOf(prevAtoms[0]);
  const info = instr !== undefined ? INSTRUCTIONS.get(instr) : undefined;
  let space: IndexSpace | 'field' | undefined;
  if (info && c.func) {
    const given = prevAtoms.length - 1;
    space = spaceOf(info.imm, given);
    if (space === 'field' && c.module) {
      const t = prevAtoms[1];
      for (const f of structFields(doc, c.module, isAtom(t) ? t.text : '')) add({ label: f.label, kind: 'field', detail: f.detail });
      return finish(items, c.word, options);
    }
  } else if (!atHead && list) {
    // fields that name an item: (type $t), (start $f), (export "x" (func $f)), (elem ... func $f ...), (call $f) folded
    if (head === 'type' && c.before.length === 1 && c.path.length >= 2 && headOf(c.path[c.path.length - 2]) !== 'rec' && !isFieldPosition(c)) space = 'type';
    else if (head === 'start') space = 'func';
    else if ((head === 'func' || head === 'table' || head === 'memory' || head === 'global' || head === 'tag') && c.path.length >= 2 && headOf(c.path[c.path.length - 2]) === 'export') space = head;
    else if (head === 'elem' && c.before.some((n) => keywordOf(n) === 'func')) space = 'func';
    else if (head === 'memory' && c.path.length >= 2 && headOf(c.path[c.path.length - 2]) === 'data') space = 'memory';
    else if (head === 'table' && c.path.length >= 2 && headOf(c.path[c.path.length - 2]) === 'elem') space = 'table';
  }
  if (space !== undefined && space !== 'field') {
    const limit = options.limit ?? DEFAULT_LIMIT;
    const w = c.word.toLowerCase();
    let matching = 0;
    for (const d of definitionsOf(doc, c, space)) {
      if (c.word.startsWith('$') ? !d.label.toLowerCase().startsWith(w) : w !== '' && !d.label.toLowerCase().includes(w)) continue;
      if (++matching > limit) continue;
      const detail = d.detail || (d.def && c.module ? describe(doc, c.module, d.def) : '');
      add({ label: d.label, kind: space, detail, sortText: d.label.startsWith('$') ? '0' + d.label : '1' + d.label.padStart(8, '0') });
    }
    return { items, incomplete: matching > limit };
  }
  if (c.word.startsWith('$')) return finish(items, c.word, options);

  // value types in param/result/local/field/mut/global lists, and after ref.null
  if (head && TYPE_LISTS.has(head) && !atHead) {
    for (const t of VALUE_TYPES) add({ label: t, kind: 'valtype' });
    add({ label: '(ref $type)', kind: 'valtype', insertText: '(ref ${1:\\$type})', snippet: true, detail: 'a reference type' });
    return finish(items, c.word, options);
  }
  if (instr === 'ref.null' || head === 'ref') {
    for (const t of HEAP_TYPES) add({ label: t, kind: 'valtype', detail: 'heap type' });
    return finish(items, c.word, options);
  }

  if (atHead) {
    const parent = c.path[c.path.length - 2];
    const parentHead = headOf(parent);
    const topLevel = parent === undefined;
    if (topLevel && c.module === undefined) {
      for (const k of SCRIPT_COMMANDS) add({ label: k, kind: 'keyword' });
      for (const k of MODULE_FIELDS) add({ label: k, kind: 'keyword' });
    } else if (isFieldPosition(c)) {
      for (const k of MODULE_FIELDS) add({ label: k, kind: 'keyword', detail: 'module field' });
    } else if (parent && c.func && parent === c.func.node && headerOpen(parent, list!)) {
      for (const k of FUNC_HEADER) add({ label: k, kind: 'keyword' });
    } else if (parentHead && NESTED_KEYWORDS[parentHead] && !(c.func && parentHead === 'if')) {
      for (const k of NESTED_KEYWORDS[parentHead]) add({ label: k, kind: 'keyword' });
    }
    // instructions in a body list, not in a declaration such as `(param (ref ...))`
    if (c.func && list !== c.func.node && !(parentHead && parentHead !== 'if' && NESTED_KEYWORDS[parentHead])) {
      if (parentHead === 'if') for (const k of ['then', 'else']) add({ label: k, kind: 'keyword' });
      for (const ins of instructions()) add({ label: ins.label, kind: 'instruction', insertText: ins.insert, snippet: ins.insert !== ins.label, detail: ins.detail });
    }
    return finish(items, c.word, options);
  }

  // a function body: instructions (flat), and the flat block keywords' partners
  if (c.func && list && inBody(c, list)) {
    for (const ins of instructions()) add({ label: ins.label, kind: 'instruction', insertText: ins.insert, snippet: ins.insert !== ins.label, detail: ins.detail });
    return finish(items, c.word, options);
  }
  if (head === 'global' || head === 'table') for (const t of VALUE_TYPES) add({ label: t, kind: 'valtype' });
  return finish(items, c.word, options);
}

/** Is the innermost list a module field (a list right inside a module, or at the top of a `.wat`)? */
function isFieldPosition(c: Cursor): boolean {
  const m = c.module;
  if (!m || !c.list) return false;
  const parent = c.path[c.path.length - 2];
  return m.node.type === 'root' ? parent === undefined : parent === m.node;
}

/** The header of `func` is still open at `list` (only header lists came before it). */
function headerOpen(func: List, list: List): boolean {
  for (const n of func.children.slice(1)) {
    if (n === list) return true;
    const h = headOf(n);
    if (isList(n) ? h === undefined || !FUNC_HEADER.includes(h) : !(n.type === 'atom' && n.token === TokenKind.Id)) return false;
  }
  return true;
}

/** Is the cursor among instructions (past a function's header, or in a block list)? */
function inBody(c: Cursor, list: List): boolean {
  const h = headOf(list);
  if (list === c.func!.node) {
    return c.before.slice(1).some((n) => !isList(n) || !FUNC_HEADER.includes(headOf(n) ?? '')) || c.before.slice(1).every((n) => isList(n) || (isAtom(n) && n.token === TokenKind.Id));
  }
  return h === 'block' || h === 'loop' || h === 'then' || h === 'else' || h === 'try' || h === 'try_table' || h === 'do' || h === 'catch' || h === 'catch_all' || (h !== undefined && INSTRUCTIONS.has(h));
}

/** Import strings: WASI module names, then the catalog's functions with their signature, capability and verdict. */
function importCompletions(doc: WatDocument, c: Cursor, options: CompletionOptions, items: CompletionEntry[]): void {
  const list = c.list!;
  const s = c.inString!;
  const which = list.children.indexOf(s);
  const closed = s.end - s.start >= 2 && doc.text.charCodeAt(s.end - 1) === 34 && s.end > c.offset;
  let replace: Span = { start: s.start + 1, end: closed ? s.end - 1 : c.offset };
  if (which === 1) {
    for (const m of WASI_PREVIEW1_MODULES) {
      items.push({ label: m, kind: 'module', detail: 'WASI preview1', documentation: 'The WASI preview1 functions: complete the function name next.', replace });
    }
    return;
  }
  if (which !== 2) return;
  const first = list.children[1];
  const module = isAtom(first) && first.token === TokenKind.String ? decodeString(doc.text, first.start, first.end) : '';
  if (!(WASI_PREVIEW1_MODULES as readonly string[]).includes(module)) return;
  // (an unterminated string runs to the end of its line, and its list swallows what follows)
  const hasDesc = closed && isList(list.children[3]);
  // the function's type is written too: the completion replaces the closing quote
  if (!hasDesc) replace = { start: replace.start, end: closed ? s.end : c.offset };
  const names = Object.keys(WASI_PREVIEW1_FUNCTIONS).sort();
  const denied = options.policy && c.module?.model ? verdicts(c.module.model, options.policy, module, names) : undefined;
  for (const name of names) {
    const info = describeImport(module, name);
    const sig = PREVIEW1_SIGNATURES[name as keyof typeof PREVIEW1_SIGNATURES] as WasiSignature | undefined;
    const sigText = sig ? `(func${sig.params.length ? ` (param ${sig.params.join(' ')})` : ''}${sig.results.length ? ` (result ${sig.results.join(' ')})` : ''})` : '(func)';
    const reasons = denied?.get(name);
    const verdict = !options.policy ? '' : reasons ? `**Denied** by the policy: ${reasons.join(' ')}` : '**Allowed** by the policy';
    const capability = info.capability ?? '';
    const lines = [`${'`'}${module}.${name}${'`'} ${'`'}${sigText}${'`'}`, '', info.doc ?? '', '', `Capability **${capability}**: ${WASI_CAPABILITY_DOCS[info.capability!] ?? ''}`];
    if (verdict) lines.push('', verdict);
    // the rest of the import (the closing quote and the function's type) when it is not written yet
    const rest = !hasDesc ? `${name}" ${sigText.replace(/^\(func/, `(func \\$${name}`)}` : undefined;
    items.push({
      label: name,
      kind: 'import',
      detail: `${sigText} · ${capability}${reasons ? ' · denied by the policy' : ''}`,
      documentation: lines.join('\n'),
      insertText: rest,
      snippet: rest !== undefined,
      replace,
      denied: reasons,
      sortText: (reasons ? '1' : '0') + name,
    });
  }
}

/** The policy's verdict on importing each of `names` from `module` in `model`: the reasons of those denied. */
function verdicts(model: ModuleModel, policy: EffectivePolicy, module: string, names: string[]): Map<string, string[]> {
  const imports = names.map((name, index) => ({ module, name, kind: 'func' as const, index, span: { start: 0, end: 0 }, sig: undefined }));
  const out = new Map<string, string[]>();
  try {
    for (const d of deniedImports({ ...model, imports } as ModuleModel, policy)) out.set(d.name, d.reasons);
  } catch {
    /* no verdict */
  }
  return out;
}

/** Items returned at most by default (the list says it is incomplete; the editor asks again as the word grows). */
const DEFAULT_LIMIT = 1000;

function finish(items: CompletionEntry[], word: string, options: CompletionOptions): CompletionResult {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const w = word.toLowerCase();
  const matching = w && !w.startsWith('$') ? items.filter((i) => i.label.toLowerCase().includes(w) || i.kind === 'import' || i.kind === 'module') : items;
  return { items: matching.slice(0, limit), incomplete: matching.length > limit };
}
