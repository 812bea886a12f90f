/**
 * Rename of a `$id` (every index space: types, functions, tables, memories, globals, tags, data and
 * elem segments, params and locals, labels, struct fields) within its module, of a module's `$id` in a `.wast` script
 * (with its uses in `invoke`, `get`, `register` and `module instance`), and "convert to $id": a numeric
 * reference replaced by the `$id` of what it names (an id is added to the definition when it has none).
 * A `.wast` script's modules are separate: a rename never leaves the module it starts in.
 */
import type { Span } from '../span';
import type { WatDocument } from '../wat';
import { allDefs, moduleAt, targetAt } from '../wat/navigation';
import { isIdChar, TokenKind } from '../wat/lexer';
import { type Atom, type Definition, type List, type ModuleSyntax, type Node, type Reference, headOf, isAtom, isList } from '../wat/syntax';

export interface TextChange {
  span: Span;
  newText: string;
}

export type PrepareRenameResult = { span: Span; placeholder: string } | { error: string };

function scopeOf(m: ModuleSyntax, def: Definition): Iterable<Definition> {
  if (def.space === 'local' || def.space === 'label') {
    const f = m.funcs.find((x) => (def.space === 'local' ? x.locals : x.labels).includes(def));
    return f ? (def.space === 'local' ? f.locals : f.labels) : [];
  }
  return m.defs[def.space];
}

/** What would be renamed at `offset`: the `$id` token, or why nothing can be. */
export function prepareRename(doc: WatDocument, offset: number): PrepareRenameResult {
  const m = scriptModuleAt(doc, offset);
  if (m) return { span: { start: m.at.start, end: m.at.end }, placeholder: m.at.text };
  const f = structFieldAt(doc, offset);
  if (f) return { span: { start: f.at.start, end: f.at.end }, placeholder: f.at.text };
  return renamable(doc, targetAt(doc, offset));
}

/** A module's `$id` in a script: where it is defined (`(module $m ...)`, `(module instance $i $m)`) or used. */
interface ScriptModuleId {
  /** the token under the cursor */
  at: Atom;
  def: Atom;
  /** every use of that definition: `(invoke $m "f")`, `(get $m "g")`, `(register "n" $m)`, `(module instance $i $m)` */
  uses: Atom[];
  /** every module id defined in the script */
  defs: Atom[];
}

const isId = (n: Node | undefined): n is Atom => isAtom(n) && n.token === TokenKind.Id;

/** The instructions whose second immediate is a struct field. */
const FIELD_OPS = new Set(['struct.get', 'struct.get_s', 'struct.get_u', 'struct.set']);

/** A struct field's `$id`: its `(field $x ...)` and every `struct.get $t $x` / `struct.set $t $x` of that type in the module. */
interface StructFieldId {
  at: Atom;
  def: Atom;
  uses: Atom[];
  /** the ids of the type's fields */
  siblings: Atom[];
}

/** The `$id`s of a struct type's fields (`(type $t (struct (field $a i32) ...))`, also under `sub`). */
function fieldIdsOf(type: Node): Atom[] {
  const out: Atom[] = [];
  const stack: Node[] = [type];
  while (stack.length) {
    const n = stack.pop()!;
    if (!isList(n)) continue;
    const h = headOf(n);
    if (h === 'field') {
      if (isId(n.children[1])) out.push(n.children[1] as Atom);
    } else if (h === 'type' || h === 'sub' || h === 'struct') for (const c of n.children) stack.push(c);
  }
  return out;
}

function structFieldAt(doc: WatDocument, offset: number): StructFieldId | undefined {
  const m = moduleAt(doc, offset);
  if (!m) return undefined;
  // the module is walked only when the cursor may be on a field: after `struct.get $t ` or in a type
  let start = offset;
  while (start > 0 && isIdChar(doc.text.charCodeAt(start - 1))) start--;
  const afterFieldOp = /struct\.(?:get|get_s|get_u|set)\s+\S+\s+$/.test(doc.text.slice(Math.max(0, start - 300), start));
  if (!afterFieldOp && !m.defs.type.some((d) => d.span.start <= offset && offset <= d.span.end)) return undefined;
  const typeOf = (ref: Node | undefined) => (isAtom(ref) ? m.defs.type.find((d) => d.id === ref.text || (ref.token === TokenKind.Int && String(d.index) === ref.text)) : undefined);
  // every field use in the module: (op $t $x) folded or flat
  const uses: { type: Definition; atom: Atom }[] = [];
  const stack: Node[] = [...m.fields];
  while (stack.length) {
    const n = stack.pop()!;
    if (!isList(n)) continue;
    const c = n.children;
    for (let i = 0; i < c.length; i++) {
      const a = c[i];
      if (isList(a)) stack.push(a);
      else if (a.token === TokenKind.Keyword && FIELD_OPS.has(a.text) && isId(c[i + 2])) {
        const type = typeOf(c[i + 1]);
        if (type) uses.push({ type, atom: c[i + 2] as Atom });
      }
    }
  }
  const within = (a: Atom) => a.start <= offset && offset <= a.end;
  let type: Definition | undefined;
  let name: string | undefined;
  const use = uses.find((u) => within(u.atom));
  if (use) {
    type = use.type;
    name = use.atom.text;
  } else {
    for (const d of m.defs.type) {
      const hit = d.span.start <= offset && offset <= d.span.end ? fieldIdsOf(d.span as Node).find(within) : undefined;
      if (hit) {
        type = d;
        name = hit.text;
        break;
      }
    }
  }
  if (!type || name === undefined) return undefined;
  const siblings = fieldIdsOf(type.span as Node);
  const def = siblings.find((a) => a.text === name);
  if (!def) return undefined;
  const at = use ? use.atom : def;
  return { at, def, siblings, uses: uses.filter((u) => u.type === type && u.atom.text === name).map((u) => u.atom) };
}

function scriptModuleAt(doc: WatDocument, offset: number): ScriptModuleId | undefined {
  // (a `.wat` of bare fields has no module to name: its fields are not walked)
  if (doc.tree.modules.every((m) => m.node.type === 'root')) return undefined;
  const defs: Atom[] = [];
  const uses: Atom[] = [];
  const useIn = (l: Node) => {
    // (invoke $m ...), (get $m ...), (register "n" $m) anywhere in a command (assert_return (invoke $m "f") ...)
    const stack: Node[] = [l];
    while (stack.length) {
      const n = stack.pop()!;
      if (!isList(n) || headOf(n) === 'module') continue;
      const h = headOf(n);
      if (h === 'invoke' || h === 'get' || h === 'register') for (const c of n.children) if (isId(c)) uses.push(c);
      for (const c of n.children) if (isList(c)) stack.push(c);
    }
  };
  for (const top of doc.tree.children) {
    if (!isList(top)) continue;
    if (headOf(top) !== 'module') {
      useIn(top);
      continue;
    }
    const c = top.children;
    let i = 1;
    if (isAtom(c[i]) && (c[i] as Atom).text === 'definition') i++;
    if (isId(c[i])) defs.push(c[i++] as Atom);
    if (isAtom(c[i]) && (c[i] as Atom).text === 'instance') {
      i++;
      if (isId(c[i])) defs.push(c[i++] as Atom);
      if (isId(c[i])) uses.push(c[i] as Atom);
    }
  }
  const hit = [...defs, ...uses].find((a) => a.start <= offset && offset <= a.end);
  if (!hit) return undefined;
  // the definition in force at the token: the last one of that name before it (or the token itself)
  let def: Atom | undefined;
  for (const d of defs) if (d.text === hit.text && d.start <= hit.start) def = d;
  if (!def) return undefined;
  const next = defs.find((d) => d.text === def!.text && d.start > def!.start);
  return { at: hit, def, defs, uses: uses.filter((u) => u.text === def!.text && u.start > def!.start && (!next || u.start < next.start)) };
}

function renamable(doc: WatDocument, t: ReturnType<typeof targetAt>): PrepareRenameResult {
  if (!t) return { error: 'Nothing to rename here: put the cursor on a $id.' };
  if (t.ref) {
    if (t.ref.span.token !== TokenKind.Id) return { error: 'This reference is an index: use "Convert to $id" first, then rename the $id.' };
    return { span: { start: t.ref.span.start, end: t.ref.span.end }, placeholder: t.ref.span.text };
  }
  if (!t.def.idSpan) return { error: `This ${t.def.space} has no $id: use "Convert to $id" on a reference to it, or add one.` };
  return { span: { start: t.def.idSpan.start, end: t.def.idSpan.end }, placeholder: doc.text.slice(t.def.idSpan.start, t.def.idSpan.end) };
}

/** A valid `$id` from what the user typed (`$` added when missing), or undefined. */
export function normalizeId(name: string): string | undefined {
  const n = name.startsWith('$') ? name : '$' + name;
  if (n.length < 2) return undefined;
  for (let i = 1; i < n.length; i++) if (!isIdChar(n.charCodeAt(i))) return undefined;
  return n;
}

/** The edits that rename what is at `offset` to `newName`, or why it cannot be renamed. */
export function renameAt(doc: WatDocument, offset: number, newName: string): { changes: TextChange[] } | { error: string } {
  const script = scriptModuleAt(doc, offset);
  if (script) {
    const id = normalizeId(newName);
    if (!id) return { error: `'${newName}' is not a valid WAT identifier.` };
    if (id === script.def.text) return { changes: [] };
    if (script.defs.some((d) => d.text === id)) return { error: `${id} already names a module in this script.` };
    return { changes: [script.def, ...script.uses].map((a) => ({ span: { start: a.start, end: a.end }, newText: id })) };
  }
  const field = structFieldAt(doc, offset);
  if (field) {
    const id = normalizeId(newName);
    if (!id) return { error: `'${newName}' is not a valid WAT identifier.` };
    if (id === field.def.text) return { changes: [] };
    if (field.siblings.some((d) => d !== field.def && d.text === id)) return { error: `${id} already names a field of this struct type.` };
    return { changes: [field.def, ...field.uses].map((a) => ({ span: { start: a.start, end: a.end }, newText: id })) };
  }
  const t = targetAt(doc, offset);
  const prep = renamable(doc, t);
  if ('error' in prep) return prep;
  const id = normalizeId(newName);
  if (!id) return { error: `'${newName}' is not a valid WAT identifier (letters, digits and !#$%&'*+-./:<=>?@\\^_\`|~ after the $).` };
  const def = t!.def;
  if (def.id === id) return { changes: [] };
  for (const other of scopeOf(t!.m, def)) {
    if (other !== def && other.id === id) {
      return { error: `${id} already names ${other.space === 'local' ? 'a ' + other.keyword : other.space === 'label' ? 'a label' : 'another ' + other.space} in this ${def.space === 'local' || def.space === 'label' ? 'function' : 'module'}.` };
    }
  }
  const changes: TextChange[] = [];
  if (def.idSpan) changes.push({ span: { start: def.idSpan.start, end: def.idSpan.end }, newText: id });
  const refs = t!.m.refs;
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i];
    if (r.target === def && r.span.token === TokenKind.Id) changes.push({ span: { start: r.span.start, end: r.span.end }, newText: id });
  }
  return { changes };
}

export interface ConvertToId {
  title: string;
  changes: TextChange[];
}

/** A free `$id` for a definition without one: from the export name, else `$<space><index>`. */
function freshId(m: ModuleSyntax, def: Definition): string {
  const taken = new Set<string>();
  for (const d of scopeOf(m, def)) if (d.id) taken.add(d.id);
  const base = def.space === 'local' ? `$${def.keyword}${def.index}` : `$${def.space}${def.index}`;
  let id = base;
  for (let k = 1; taken.has(id); k++) id = `${base}_${k}`;
  return id;
}

/**
 * "Convert to $id" at a numeric reference: this reference, and every numeric reference to the same
 * item in the module, written as its `$id` (one is added to the definition when it has none and can
 * take one). Undefined when the cursor is not on a numeric reference that resolves.
 */
export function convertToId(doc: WatDocument, offset: number): ConvertToId | undefined {
  const t = targetAt(doc, offset);
  if (!t?.ref || t.ref.span.token !== TokenKind.Int) return undefined;
  return withId(t.m, t.def);
}

/**
 * "Add a $id" on a declaration that has none (its keyword under the cursor): the id, and every numeric
 * reference to the item in its module written as it.
 */
export function addId(doc: WatDocument, offset: number): ConvertToId | undefined {
  const t = targetAt(doc, offset);
  if (!t || t.ref || t.def.id) return undefined;
  const r = withId(t.m, t.def);
  return r && { ...r, title: r.title.replace(/^Convert to (\S+) \((\d+) numeric references? to this (\S+), which gets the id\)$/, (_, id, n, what) => `Add ${id} to this ${what}${n === '0' ? '' : ` (and write its ${n} numeric reference${n === '1' ? '' : 's'} as it)`}`) };
}

function withId(m: ModuleSyntax, def: Definition): ConvertToId | undefined {
  const t = { m, def };
  const changes: TextChange[] = [];
  let id = def.id;
  if (!id) {
    // the id goes after the declaring keyword; a `(param i32 i64)` declaring several cannot take one
    if (def.space === 'local') {
      const n = def.span as unknown as { type?: string; children?: { token?: TokenKind }[] };
      if (n.type === 'list' && (n.children?.length ?? 0) !== 2) return undefined;
    }
    id = freshId(t.m, def);
    // after the keyword: the first child of a declaring list (`(param i32)`, `(func ...)`), else the block instruction
    let node = def.span as unknown as { type?: string; children?: Span[] };
    // an import's item: in its descriptor (`(import "m" "n" (func $id ...))`)
    if (node.type === 'list' && headOf(node as unknown as List) === 'import') {
      const desc = node.children?.[3] as unknown as { type?: string; children?: Span[] } | undefined;
      if (desc?.type !== 'list') return undefined;
      node = desc;
    }
    const at = node.type === 'list' && node.children?.[0] ? node.children[0].end : def.selectionSpan.end;
    changes.push({ span: { start: at, end: at }, newText: ' ' + id });
  }
  const numeric: Reference[] = [];
  for (const r of t.m.refs) if (r.target === def && r.span.token === TokenKind.Int) numeric.push(r);
  for (const r of numeric) changes.push({ span: { start: r.span.start, end: r.span.end }, newText: id });
  const what = def.space === 'local' ? def.keyword : def.space;
  return { title: `Convert to ${id} (${numeric.length} numeric reference${numeric.length === 1 ? '' : 's'} to this ${what}${def.id ? '' : ', which gets the id'})`, changes };
}

export { allDefs };
