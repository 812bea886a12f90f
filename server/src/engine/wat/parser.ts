/**
 * Tolerant WAT/WAST parser. Two stages, neither recursing per nesting level on the JS stack:
 *  1. tokens -> S-expression tree (explicit stack), with paren recovery;
 *  2. a syntactic check of modules, fields and instructions (explicit work stack for folded and
 *     block-structured code) that also collects every definition and reference per module.
 * Errors are EngineDiagnostics with source `wat-parser`; after an error the check resumes at the
 * next instruction or field, so one typo gives one diagnostic.
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { Span } from '../span';
import { TokenKind, scanString, decodeStringBytes, isValidUtf8String } from './lexer';
import { buildTree, diag } from './tree-builder';
import { keepMaps, objectArray as objectArrayImport } from '../jit';
import { appendWithheldSummaries, pushLimited } from '../diagnostic-limit';
import { idKey as idKeyImport, readTypeUse } from './forms';
import {
  classifyNumber as classifyNumberImport, floatInRange, intInRange as intInRangeImport, intNumber as intNumberImport, NumberClass,
} from './numbers';
import { INSTRUCTIONS as INSTRUCTIONS_IMPORT, InstrKind, V128_SHAPES, HEAP_TYPES, REF_SHORTHANDS, NUMERIC_TYPES, type InstrFeature } from './instructions';
import {
  type Atom, type List, type Node, type Root, type ModuleSyntax, type Definition, type Reference, type FuncSyntax,
  type IndexSpace, headOf as headOfImport, isAtom as isAtomImport, isList as isListImport,
} from './syntax';

// Module constants for what the hot paths use from other modules. The tests and the benchmark run
// these sources through per-file transpilation (tsx), where an imported name (`TokenKind.Keyword`,
// `isAtom(...)`) is read through the import's getter at every use, a call the JIT removes only once
// it has optimized the caller; a module constant is read once. (The bundle inlines either way.)
const T_KEYWORD = TokenKind.Keyword;
const T_ID = TokenKind.Id;
const T_INT = TokenKind.Int;
const T_FLOAT = TokenKind.Float;
const T_STRING = TokenKind.String;
const T_RESERVED = TokenKind.Reserved;
const K_NONE = InstrKind.None;
const K_LOCAL = InstrKind.Local;
const K_GLOBAL = InstrKind.Global;
const K_I32 = InstrKind.I32;
const K_I64 = InstrKind.I64;
const K_LABEL = InstrKind.Label;
const K_MEMARG = InstrKind.Memarg;
const K_STRUCTURAL = InstrKind.Structural;
const N_INT = NumberClass.Int;
const isAtom = isAtomImport;
const isList = isListImport;
const headOf = headOfImport;
const idKey = idKeyImport;
const intInRange = intInRangeImport;
const intNumber = intNumberImport;
const classifyNumber = classifyNumberImport;
const objectArray = objectArrayImport;
const INSTRUCTIONS = INSTRUCTIONS_IMPORT;

export { buildTree };
export type { WatDiagnosticCode } from './tree-builder';
import type { WatDiagnosticCode } from './tree-builder';

export interface ParseResult {
  root: Root;
  diagnostics: EngineDiagnostic[];
  /** features seen per module (parallel to root.modules) */
  features: Set<InstrFeature>[];
}

/** Per module field: the features its check saw, when any (incremental reparsing recomputes a module's features). */
export const fieldFeatures = new WeakMap<List, Set<InstrFeature>>();
/** Per checked module: its `$id` -> definition maps, per index space (reused by incremental reparsing). */
export const moduleIds = new WeakMap<ModuleSyntax, Map<string, Map<string, Definition>>>();

/** Incremental reparsing: what field `f` declares, checked on its own. */
export function declareAlone(text: string, f: List): ReturnType<Checker['declareAlone']> {
  return new Checker(text, []).declareAlone(f);
}

/** Incremental reparsing: check one field in the context of its (already checked) module; see Checker.recheckField. */
export function recheckField(
  text: string,
  diagnostics: EngineDiagnostic[],
  m: ModuleSyntax,
  ids: Map<string, Map<string, Definition>>,
  f: List,
  fs: FuncSyntax | undefined,
): { refs: Reference[]; features: Set<InstrFeature> } {
  return new Checker(text, diagnostics).recheckField(m, ids, f, fs);
}

const FIELD_KEYWORDS = new Set(['type', 'rec', 'import', 'func', 'table', 'memory', 'global', 'export', 'start', 'elem', 'data', 'tag']);


const SCRIPT_COMMANDS = new Set([
  'register', 'invoke', 'get', 'assert_return', 'assert_trap', 'assert_exhaustion', 'assert_malformed', 'assert_invalid',
  'assert_unlinkable', 'assert_uninstantiable', 'assert_exception', 'assert_suspension', 'assert_malformed_custom',
  'assert_invalid_custom', 'script', 'input', 'output', 'thread', 'wait', 'either', 'meta',
]);

/** Script commands whose modules are malformed on purpose: not looked into. */
const NOT_LOOKED_INTO = new Set(['assert_malformed', 'assert_malformed_custom', 'assert_invalid_custom']);

export interface ParseOptions {
  script?: boolean;
}

/** Parse text into a tree with module syntax, and check it. */
export function parse(text: string, options: ParseOptions = {}): ParseResult {
  const diagnostics: EngineDiagnostic[] = [];
  const root = buildTree(text, diagnostics);
  return checkTree(text, root, diagnostics, options);
}

/** Stage 2 alone: check the tree `root` of `text` (built by stage 1, whose diagnostics are in `diagnostics`). */
export function checkTree(text: string, root: Root, diagnostics: EngineDiagnostic[], options: ParseOptions = {}): ParseResult {
  const features: Set<InstrFeature>[] = [];
  const checker = new Checker(text, diagnostics);
  const top = root.children;
  // a script may also be a bare inline module (its first form is a module field)
  const inlineModule = options.script && top.length > 0 && FIELD_KEYWORDS.has(headOf(top[0]) ?? '');
  if (options.script && !inlineModule) {
    for (const n of top) {
      if (!isList(n)) {
        checker.error('wat-syntax', `expected a command, found '${(n as Atom).text}'`, n);
        continue;
      }
      const h = headOf(n);
      if (h === 'module') {
        const m = checker.module(n, 1);
        root.modules.push(m);
        features.push(checker.features);
      } else if (h !== undefined && SCRIPT_COMMANDS.has(h)) {
        checker.command(n, h);
      } else {
        checker.error('wat-syntax', h ? `unknown command '${h}'` : 'expected a command', n.children[0] ?? n);
      }
    }
  } else {
    const first = headOf(top[0]) === 'module' ? (top[0] as List) : undefined;
    const m = first ? checker.module(first, 1) : checker.module(root, 0);
    if (first && top.length > 1) {
      // text after the module: usually the consequence of an extra `)` (already reported)
      const stray = diagnostics.some((d) => d.code === 'wat-unbalanced-paren');
      if (!stray) checker.error('wat-syntax', 'unexpected content after the module', top[1]);
    }
    root.modules.push(m);
    features.push(checker.features);
  }
  // findings past the limit per code were counted: one summary each (see diagnostic-limit.ts)
  appendWithheldSummaries(diagnostics);
  return { root, diagnostics, features };
}

interface LabelEntry {
  def: Definition;
  /** opened by a plain (flat) block instruction: closed by `end` */
  flat: boolean;
}

interface Frame {
  nodes: Node[];
  i: number;
  label: Definition | undefined;
  entered: boolean;
  /** label stack height when the frame began (flat `end` may not pop below it) */
  base: number;
}

/** Every frame has the same shape (one object literal site). */
function frame(nodes: Node[], i: number, entered: boolean, label: Definition | undefined): Frame {
  return { nodes, i, label, entered, base: 0 };
}

const EXTENDED_CONST = new Set(['i32.add', 'i32.sub', 'i32.mul', 'i64.add', 'i64.sub', 'i64.mul']);

class Checker {
  features = new Set<InstrFeature>();
  private mod!: ModuleSyntax;
  /** per module: `$id` -> definition, per index space */
  private ids = new Map<string, Map<string, Definition>>();
  private funcByNode = new Map<List, FuncSyntax>();
  private func?: FuncSyntax;
  private labels: LabelEntry[] = [];
  /** checking a constant expression (global/offset/elem item): add/sub/mul there are extended-const */
  private inConst = false;
  /** the label opened by the last block instruction whose immediates were read */
  private openedLabel: Definition | undefined;
  /** suppress diagnostics (for modules expected to be malformed) */
  quiet = 0;

  constructor(
    private readonly text: string,
    private readonly diagnostics: EngineDiagnostic[],
  ) {}

  error(code: WatDiagnosticCode, message: string, s: Span): void {
    // a malformed token was already reported by the lexer
    if ((s as Atom).type === 'atom' && (s as Atom).token === T_RESERVED) return;
    if (this.quiet === 0) pushLimited(this.diagnostics, diag(code, message, s));
  }

  // ---------------------------------------------------------------- script commands

  command(n: List, head: string): void {
    if (NOT_LOOKED_INTO.has(head)) return;
    // commands nest (assert_trap (invoke ...)), (thread (assert_return ...)): a stack of the commands
    // being looked into, in document order, not a recursion per level (100,000 levels overflowed it)
    const stack: { c: Node[]; i: number }[] = [{ c: n.children, i: 1 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i >= top.c.length) {
        stack.pop();
        continue;
      }
      const x = top.c[top.i++];
      if (!isList(x)) continue;
      const h = headOf(x);
      if (h === 'module') {
        // modules under assert_invalid/assert_unlinkable/assert_trap are syntactically valid
        const saved = this.mod;
        const savedFeatures = this.features;
        this.module(x, 1);
        this.mod = saved;
        this.features = savedFeatures;
      } else if (h === 'invoke' || h === 'get') {
        this.checkAction(x);
      } else if (h !== undefined && SCRIPT_COMMANDS.has(h) && !NOT_LOOKED_INTO.has(h)) {
        stack.push({ c: x.children, i: 1 });
      }
      // results/constants (i32.const 1), (ref.null func), (either ...) are not checked
    }
  }

  private checkAction(n: List): void {
    const c = n.children;
    let i = 1;
    if (isAtom(c[i]) && (c[i] as Atom).token === T_ID) i++;
    if (!isAtom(c[i]) || (c[i] as Atom).token !== T_STRING) {
      this.error('wat-syntax', `expected the export name after '${headOf(n)}'`, c[i] ?? n);
    }
  }

  // ---------------------------------------------------------------- modules

  module(node: List | Root, from: number): ModuleSyntax {
    this.features = new Set();
    const m: ModuleSyntax = {
      node,
      form: 'text',
      fields: [],
      defs: { type: [], func: [], table: [], memory: [], global: [], tag: [], data: [], elem: [] },
      funcs: objectArray(),
      refs: objectArray(),
    };
    this.mod = m;
    this.ids = new Map();
    this.funcByNode = new Map();
    const c = node.children;
    let i = from;
    if (from > 0) {
      const a = c[i];
      if (isAtom(a) && a.token === T_ID) {
        m.id = idKey(a.text);
        m.idSpan = a;
        i++;
      }
      const kw = c[i];
      if (isAtom(kw) && kw.token === T_KEYWORD) {
        if (kw.text === 'binary' || kw.text === 'quote') {
          m.form = kw.text;
          for (let j = i + 1; j < c.length; j++) {
            if (!isAtom(c[j]) || (c[j] as Atom).token !== T_STRING) {
              this.error('wat-syntax', `expected a string in 'module ${kw.text}'`, c[j]);
              break;
            }
          }
          return m;
        }
        if (kw.text === 'definition') {
          m.form = 'definition';
          i++;
          if (isAtom(c[i]) && (c[i] as Atom).token === T_ID && m.id === undefined) {
            m.id = (c[i] as Atom).text;
            m.idSpan = c[i];
            i++;
          }
        } else if (kw.text === 'instance') {
          m.form = 'instance';
          return m;
        }
      }
    }
    const fields: List[] = [];
    for (; i < c.length; i++) {
      const f = c[i];
      if (!isList(f)) {
        // one diagnostic per run of stray tokens (e.g. instructions left outside a function by an extra `)`)
        if (i === from || isList(c[i - 1]) || (from === 1 && i === 2 && m.id !== undefined)) {
          this.error('wat-syntax', `expected a module field, found '${(f as Atom).text}'`, f);
        }
        continue;
      }
      const h = headOf(f);
      if (h === undefined || !FIELD_KEYWORDS.has(h)) {
        this.error('wat-unknown-field', h ? `unknown module field '${h}'` : 'expected a module field', f.children[0] ?? f);
        continue;
      }
      fields.push(f);
    }
    m.fields = fields;
    // definitions first (ids may be used before they are defined), then bodies
    let seenNonImport = false;
    for (const f of fields) {
      const h = headOf(f)!;
      if (h === 'import') {
        if (seenNonImport) this.error('wat-field-order', 'imports must come before functions, tables, memories, globals and tags', f.children[0]);
      } else if ((h === 'func' || h === 'table' || h === 'memory' || h === 'global' || h === 'tag') && !this.inlineImportOf(f)) {
        seenNonImport = true;
      }
      this.declare(f, h);
    }
    let starts = 0;
    // the features each field uses are remembered per field (incremental reparsing recomputes the union)
    const all = this.features;
    let own = new Set<InstrFeature>();
    for (const f of fields) {
      const h = headOf(f)!;
      if (h === 'start' && ++starts > 1) this.error('wat-syntax', 'multiple start sections', f.children[0]);
      this.features = own;
      this.checkField(f, h);
      if (own.size > 0) {
        fieldFeatures.set(f, own);
        for (const x of own) all.add(x);
        own = new Set();
      }
    }
    this.features = all;
    this.resolveModuleRefs(m);
    this.checkTypeUses(m);
    moduleIds.set(m, this.ids);
    return m;
  }

  /** Incremental reparsing: what a field declares, on its own (definitions at index 0 of a fresh module). */
  declareAlone(f: List): { defs: ModuleSyntax['defs']; func: FuncSyntax | undefined; inlineImport: boolean } {
    this.module({ type: 'root', start: f.start, end: f.start, children: [], trivia: [], customAnnotations: [], modules: [] }, 0);
    const h = headOf(f)!;
    this.declare(f, h);
    return { defs: this.mod.defs, func: this.mod.funcs[0], inlineImport: this.inlineImportOf(f) !== undefined };
  }

  /**
   * Incremental reparsing: check field `f` that replaced a field declaring the same definitions in
   * module `m` (whose defs are already updated). Diagnostics go where this checker reports them; the
   * field's references and features are returned, `m` is not changed.
   */
  recheckField(m: ModuleSyntax, ids: Map<string, Map<string, Definition>>, f: List, fs: FuncSyntax | undefined): { refs: Reference[]; features: Set<InstrFeature> } {
    const scratch: ModuleSyntax = { ...m, refs: [] };
    this.mod = scratch;
    this.ids = ids;
    this.funcByNode = new Map();
    if (fs) this.funcByNode.set(f, fs);
    this.features = new Set();
    this.checkField(f, headOf(f)!);
    this.resolveModuleRefs(scratch);
    this.checkTypeUses(scratch);
    return { refs: scratch.refs, features: this.features };
  }

  private inlineImportOf(f: List): List | undefined {
    for (let i = 1; i < f.children.length && i < 8; i++) {
      const x = f.children[i];
      if (headOf(x) === 'import') return x as List;
      if (isList(x) && headOf(x) !== 'export') return undefined;
    }
    return undefined;
  }

  private define(space: Exclude<IndexSpace, 'local' | 'label'>, f: List, keyword: string, idAtom: Atom | undefined, extra?: Partial<Definition>): Definition {
    const list = this.mod.defs[space];
    const d: Definition = {
      space,
      index: list.length,
      span: f,
      selectionSpan: idAtom ?? f.children[0] ?? f,
      keyword,
      ...extra,
    };
    if (idAtom) {
      d.id = idKey(idAtom.text);
      d.idSpan = idAtom;
      let ids = this.ids.get(space);
      if (!ids) this.ids.set(space, (ids = new Map()));
      if (ids.has(d.id)) this.error('wat-duplicate-id', `duplicate ${space} id ${d.id}`, idAtom);
      else ids.set(d.id, d);
    }
    list.push(d);
    return d;
  }

  private idAt(c: Node[], i: number): Atom | undefined {
    const a = c[i];
    return isAtom(a) && a.token === T_ID ? a : undefined;
  }

  private importInfo(l: List): { module: string; name: string } | undefined {
    const a = l.children[1];
    const b = l.children[2];
    if (isAtom(a) && isAtom(b) && a.token === T_STRING && b.token === T_STRING) {
      return { module: a.text.slice(1, -1), name: b.text.slice(1, -1) };
    }
    return undefined;
  }

  /** Pass 1: register the definitions of a field (and its inline abbreviations). */
  private declare(f: List, h: string): void {
    const c = f.children;
    switch (h) {
      case 'type':
        this.define('type', f, 'type', this.idAt(c, 1));
        break;
      case 'rec':
        for (let i = 1; i < c.length; i++) {
          const t = c[i];
          if (headOf(t) === 'type') this.define('type', t as List, 'type', this.idAt((t as List).children, 1));
          else this.error('wat-syntax', "expected '(type ...)' in 'rec'", t);
        }
        break;
      case 'import': {
        const desc = c[3];
        const info = this.importInfo(f);
        const dh = headOf(desc);
        if (desc && dh && (dh === 'func' || dh === 'table' || dh === 'memory' || dh === 'global' || dh === 'tag')) {
          this.define(dh, f, dh, this.idAt((desc as List).children, 1), { imported: info });
        }
        break;
      }
      case 'func':
      case 'table':
      case 'memory':
      case 'global':
      case 'tag': {
        const imp = this.inlineImportOf(f);
        const d = this.define(h, f, h, this.idAt(c, 1), { imported: imp ? this.importInfo(imp) : undefined });
        if (h === 'table' || h === 'memory') {
          // inline (elem ...) / (data ...) define an (anonymous) segment
          for (let i = 1; i < c.length; i++) {
            const x = c[i];
            if (h === 'table' && headOf(x) === 'elem') this.define('elem', x as List, 'elem', undefined);
            if (h === 'memory' && headOf(x) === 'data') this.define('data', x as List, 'data', undefined);
          }
        }
        if (h === 'func') {
          const fs: FuncSyntax = { def: d, node: f, locals: objectArray(), labels: objectArray() };
          this.mod.funcs.push(fs);
          this.funcByNode.set(f, fs);
        }
        break;
      }
      case 'elem':
        this.define('elem', f, 'elem', this.idAt(c, 1));
        break;
      case 'data':
        this.define('data', f, 'data', this.idAt(c, 1));
        break;
    }
  }

  private ref(space: IndexSpace, a: Atom): void {
    const r: Reference = { space, span: a, target: undefined, func: space === 'local' || space === 'label' ? this.func : undefined };
    this.mod.refs.push(r);
    if (space === 'local' && this.func) {
      r.target = this.lookup(this.func.locals, a);
      if (!r.target && a.token === T_ID) this.error('wat-unknown-id', `unknown local ${a.text}`, a);
    }
  }

  private lookup(list: Definition[], a: Atom): Definition | undefined {
    if (a.token === T_ID) {
      const key = idKey(a.text);
      for (let k = 0; k < list.length; k++) if (list[k].id === key) return list[k];
      return undefined;
    }
    const n = intNumber(this.text, a.start, a.end);
    return n >= 0 && n < list.length ? list[n] : undefined;
  }

  private resolveModuleRefs(m: ModuleSyntax): void {
    for (const r of m.refs) {
      if (r.space === 'local' || r.space === 'label' || r.target) continue;
      const list = m.defs[r.space];
      const a = r.span as Atom;
      r.target = a.token === T_ID ? this.ids.get(r.space)?.get(idKey(a.text)) : this.lookup(list, a);
      if (!r.target && a.token === T_ID) {
        this.error('wat-unknown-id', `unknown ${r.space} ${a.text}`, a);
      }
    }
  }

  // ---------------------------------------------------------------- immediates and types

  /** An index token: `$id` or an unsigned 32-bit integer. */
  private isIdx(n: Node | undefined): n is Atom {
    return isAtom(n) && (n.token === T_ID || n.token === T_INT);
  }

  private checkIdx(a: Atom, space: IndexSpace | undefined): void {
    if (a.token === T_INT && !intInRange(this.text, a.start, a.end, 32, true)) {
      this.error('wat-bad-number', `index '${a.text}' is not an unsigned 32-bit integer`, a);
      return;
    }
    if (space) this.ref(space, a);
  }

  /** Expect an index at c[i]; returns the next position. */
  private needIdx(c: Node[], i: number, space: IndexSpace | undefined, what: string, at: Span): number {
    const a = c[i];
    if (this.isIdx(a)) {
      this.checkIdx(a, space);
      return i + 1;
    }
    this.error('wat-syntax', `expected ${what} index`, a ?? at);
    return i;
  }

  private heapType(n: Node | undefined): boolean {
    if (!isAtom(n)) return false;
    if (n.token === T_KEYWORD) return HEAP_TYPES.has(n.text);
    if (this.isIdx(n)) {
      this.checkIdx(n, 'type');
      return true;
    }
    return false;
  }

  /** A reference type: shorthand keyword or `(ref null? ht)`. */
  private refType(n: Node | undefined): boolean {
    if (isAtom(n)) return n.token === T_KEYWORD && REF_SHORTHANDS.has(n.text);
    if (headOf(n) !== 'ref') return false;
    const c = (n as List).children;
    let i = 1;
    if (isAtom(c[i]) && (c[i] as Atom).text === 'null') i++;
    if (!this.heapType(c[i])) {
      this.error('wat-syntax', 'expected a heap type', c[i] ?? n);
      return true;
    }
    if (i + 1 < c.length) this.error('wat-syntax', 'unexpected token in reference type', c[i + 1]);
    return true;
  }

  private valType(n: Node | undefined): boolean {
    if (isAtom(n) && n.token === T_KEYWORD && NUMERIC_TYPES.has(n.text)) {
      if (n.text === 'v128') this.features.add('simd');
      return true;
    }
    return this.refType(n);
  }

  private storageType(n: Node | undefined): boolean {
    if (isAtom(n) && (n.text === 'i8' || n.text === 'i16')) return true;
    return this.valType(n);
  }

  private fieldType(n: Node | undefined): boolean {
    if (headOf(n) === 'mut') {
      const c = (n as List).children;
      if (c.length !== 2 || !this.storageType(c[1])) this.error('wat-syntax', 'expected one storage type in (mut ...)', n!);
      return true;
    }
    return this.storageType(n);
  }

  /** `(param ...)` / `(result ...)` / `(local ...)`: with one `$id` and one type, or types only. */
  private declList(l: List, kind: 'param' | 'result' | 'local', out: Definition[] | undefined): void {
    const c = l.children;
    const id = this.idAt(c, 1);
    if (id) {
      if (kind === 'result') {
        this.error('wat-syntax', 'results cannot have names', id);
        return;
      }
      if (c.length !== 3 || !this.valType(c[2])) {
        this.error('wat-syntax', `expected exactly one value type after ${id.text}`, c[2] ?? l);
        return;
      }
      if (out) this.local(out, l, kind, id, c[2]);
      return;
    }
    for (let i = 1; i < c.length; i++) {
      if (!this.valType(c[i])) {
        this.error('wat-syntax', `expected a value type in (${kind} ...)`, c[i]);
        return;
      }
      if (out) this.local(out, l, kind, undefined, c[i]);
    }
  }

  private local(out: Definition[], l: List, kind: string, id: Atom | undefined, type: Node): void {
    const d: Definition = {
      space: 'local',
      index: out.length,
      span: l,
      selectionSpan: id ?? type,
      keyword: kind,
      valType: this.text.slice(type.start, type.end),
    };
    if (id) {
      d.id = idKey(id.text);
      d.idSpan = id;
      if (out.some((o) => o.id === d.id)) this.error('wat-duplicate-id', `duplicate local ${d.id}`, id);
    }
    out.push(d);
  }

  /** typeuse: `(type idx)? (param ...)* (result ...)*`; returns the next position. */
  private typeUse(c: Node[], i: number, locals: Definition[] | undefined, allowParams = true, allowNames = true): number {
    const from = i;
    if (headOf(c[i]) === 'type') {
      const h1 = headOf(c[i + 1]);
      if (h1 === 'param' || h1 === 'result') this.pendingTypeUses.push({ c, i, mod: this.mod });
      const t = c[i] as List;
      const j = this.needIdx(t.children, 1, 'type', 'a type', t);
      if (j < t.children.length) this.error('wat-syntax', 'unexpected token in (type ...)', t.children[j]);
      i++;
    }
    let sawResult = false;
    for (; i < c.length; i++) {
      const h = headOf(c[i]);
      if (h === 'param') {
        if (sawResult) this.error('wat-syntax', 'param after result', c[i]);
        if (!allowParams) this.error('wat-syntax', 'unexpected param', c[i]);
        if (!allowNames && this.idAt((c[i] as List).children, 1)) this.error('wat-syntax', 'parameters of block types and call_indirect cannot have names', (c[i] as List).children[1]);
        this.declList(c[i] as List, 'param', locals);
      } else if (h === 'result') {
        sawResult = true;
        this.declList(c[i] as List, 'result', undefined);
      } else break;
    }
    void from;
    return i;
  }

  private pendingTypeUses: { c: Node[]; i: number; mod: ModuleSyntax }[] = [];

  /** `(type $t) (param ..) (result ..)` must repeat exactly the signature of $t. */
  private checkTypeUses(m: ModuleSyntax): void {
    for (const p of this.pendingTypeUses) {
      if (p.mod !== m) continue;
      const use = readTypeUse(this.text, p.c, p.i);
      const a = use.typeRef;
      // not an index (`(type end)`): reported as such by typeUse
      if (!a || (a.token !== T_ID && a.token !== T_INT)) continue;
      const def = a.token === T_ID ? this.ids.get('type')?.get(idKey(a.text)) : this.lookup(m.defs.type, a);
      if (!def) {
        if (a.token !== T_INT) continue; // unknown $ids are reported with the other references
        // the text format resolves `(type N) (param ..)` at parse time: N must exist
        this.error('wat-unknown-id', `unknown type ${a.text}`, a);
        continue;
      }
      if (!isList(def.span as Node)) continue;
      const tl = def.span as List;
      let d: Node | undefined = tl.children[this.idAt(tl.children, 1) ? 2 : 1];
      if (headOf(d) === 'sub') d = (d as List).children.find((x, k) => k > 0 && isList(x));
      if (headOf(d) !== 'func') continue;
      const sig = readTypeUse(this.text, (d as List).children, 1).sig;
      const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, k) => v === y[k]);
      if (!same(sig.params, use.sig.params) || !same(sig.results, use.sig.results)) {
        this.error('wat-syntax', `inline function type does not match type ${a.text}`, p.c[p.i]);
      }
    }
    this.pendingTypeUses = this.pendingTypeUses.filter((p) => p.mod !== m);
  }

  /** limits `min max?` with an optional `i32`/`i64` before; `shared`; `(pagesize N)`. */
  private limits(c: Node[], i: number, what: 'memory' | 'table', at: Span): number {
    if (isAtom(c[i]) && ((c[i] as Atom).text === 'i64' || (c[i] as Atom).text === 'i32')) i++;
    const min = c[i];
    if (!isAtom(min) || min.token !== T_INT) {
      this.error('wat-syntax', `expected the ${what}'s minimum size`, min ?? at);
      return i;
    }
    if (!intInRange(this.text, min.start, min.end, 64, true)) this.error('wat-bad-number', `limit '${min.text}' out of range`, min);
    i++;
    const max = c[i];
    if (isAtom(max) && max.token === T_INT) {
      if (!intInRange(this.text, max.start, max.end, 64, true)) this.error('wat-bad-number', `limit '${max.text}' out of range`, max);
      i++;
    }
    if (what === 'memory') {
      if (isAtom(c[i]) && (c[i] as Atom).text === 'shared') {
        this.features.add('threads');
        i++;
      } else if (isAtom(c[i]) && (c[i] as Atom).text === 'unshared') i++;
      if (headOf(c[i]) === 'pagesize') {
        const p = (c[i] as List).children[1];
        if (!isAtom(p) || p.token !== T_INT) this.error('wat-syntax', 'expected the page size', p ?? c[i]);
        i++;
      }
    }
    return i;
  }

  private exportClause(l: List): void {
    const c = l.children;
    if (!isAtom(c[1]) || (c[1] as Atom).token !== T_STRING || c.length !== 2) {
      this.error('wat-syntax', 'expected (export "name")', l);
    } else this.name(c[1] as Atom);
  }

  /** import/export names must be valid UTF-8 */
  private name(a: Atom): void {
    if (a.token === T_STRING && !isValidUtf8String(this.text, a.start, a.end)) {
      this.error('wat-bad-string', 'name is not valid UTF-8', a);
    }
  }

  private importClause(l: List): void {
    const c = l.children;
    if (!isAtom(c[1]) || !isAtom(c[2]) || (c[1] as Atom).token !== T_STRING || (c[2] as Atom).token !== T_STRING) {
      this.error('wat-syntax', 'expected (import "module" "name")', l);
    } else {
      this.name(c[1] as Atom);
      this.name(c[2] as Atom);
    }
  }

  /** `$id? (export ..)* (import ..)?` after a field keyword; returns the next position and whether imported. */
  private fieldHeader(c: Node[]): { i: number; imported: boolean } {
    let i = 1;
    if (this.idAt(c, i)) i++;
    let imported = false;
    for (; i < c.length; i++) {
      const h = headOf(c[i]);
      if (h === 'export') {
        if (imported) this.error('wat-syntax', 'inline export after inline import', c[i]);
        this.exportClause(c[i] as List);
      } else if (h === 'import') {
        if (imported) this.error('wat-syntax', 'more than one inline import', c[i]);
        imported = true;
        this.importClause(c[i] as List);
      } else break;
    }
    return { i, imported };
  }

  private expectEnd(c: Node[], i: number, what: string): void {
    if (i < c.length) this.error('wat-syntax', `unexpected ${isAtom(c[i]) ? `'${(c[i] as Atom).text}'` : 'list'} in ${what}`, c[i]);
  }

  private strings(c: Node[], i: number, what: string): number {
    for (; i < c.length; i++) {
      const a = c[i];
      if (!isAtom(a) || a.token !== T_STRING) {
        this.error('wat-syntax', `expected a string in ${what}`, a);
        return c.length;
      }
    }
    return i;
  }

  // ---------------------------------------------------------------- fields

  private compType(n: Node | undefined, at: Span): void {
    const h = headOf(n);
    const l = n as List;
    if (h === 'func') {
      const i = this.typeUse(l.children, 1, undefined);
      this.expectEnd(l.children, i, 'func type');
    } else if (h === 'struct') {
      this.features.add('gc');
      const fieldIds = new Set<string>();
      for (let i = 1; i < l.children.length; i++) {
        const f = l.children[i];
        if (headOf(f) !== 'field') {
          this.error('wat-syntax', 'expected (field ...)', f);
          continue;
        }
        const fc = (f as List).children;
        let j = 1;
        const fid = this.idAt(fc, j);
        if (fid) {
          if (fieldIds.has(idKey(fid.text))) this.error('wat-duplicate-id', `duplicate field id ${fid.text}`, fid);
          fieldIds.add(idKey(fid.text));
          j++;
          if (fc.length !== 3) this.error('wat-syntax', 'a named field has exactly one type', f);
        }
        for (; j < fc.length; j++) if (!this.fieldType(fc[j])) this.error('wat-syntax', 'expected a field type', fc[j]);
      }
    } else if (h === 'array') {
      this.features.add('gc');
      if (l.children.length !== 2 || !this.fieldType(l.children[1])) this.error('wat-syntax', 'expected one field type in (array ...)', l);
    } else if (h === 'cont') {
      this.features.add('stack-switching');
      if (l.children.length !== 2 || !this.isIdx(l.children[1])) this.error('wat-syntax', 'expected a type index in (cont ...)', l);
      else this.checkIdx(l.children[1] as Atom, 'type');
    } else {
      this.error('wat-syntax', 'expected (func ...), (struct ...), (array ...) or (sub ...)', n ?? at);
    }
  }

  private typeField(t: List): void {
    const c = t.children;
    let i = 1;
    if (this.idAt(c, i)) i++;
    const d = c[i];
    if (headOf(d) === 'sub') {
      this.features.add('gc');
      const s = (d as List).children;
      let j = 1;
      if (isAtom(s[j]) && (s[j] as Atom).text === 'final') j++;
      while (this.isIdx(s[j])) this.checkIdx(s[j++] as Atom, 'type');
      this.compType(s[j], d!);
      this.expectEnd(s, j + 1, '(sub ...)');
    } else this.compType(d, t);
    this.expectEnd(c, i + 1, '(type ...)');
  }

  private checkField(f: List, h: string): void {
    const c = f.children;
    switch (h) {
      case 'type':
        return this.typeField(f);
      case 'rec':
        this.features.add('gc');
        for (let i = 1; i < c.length; i++) if (headOf(c[i]) === 'type') this.typeField(c[i] as List);
        return;
      case 'import': {
        if (!isAtom(c[1]) || (c[1] as Atom).token !== T_STRING || !isAtom(c[2]) || (c[2] as Atom).token !== T_STRING) {
          this.error('wat-syntax', 'expected (import "module" "name" (kind ...))', c[1] ?? f);
          return;
        }
        this.name(c[1] as Atom);
        this.name(c[2] as Atom);
        const d = c[3];
        const dh = headOf(d);
        if (!d || !dh || !['func', 'table', 'memory', 'global', 'tag'].includes(dh)) {
          this.error('wat-syntax', 'expected an import description (func/table/memory/global/tag ...)', d ?? f);
          return;
        }
        this.expectEnd(c, 4, 'import');
        const dc = (d as List).children;
        let i = 1;
        if (this.idAt(dc, i)) i++;
        this.externDesc(dh, dc, i, d as List, true);
        return;
      }
      case 'func': {
        const { i, imported } = this.fieldHeader(c);
        const fs = this.funcByNode.get(f)!;
        this.func = fs;
        const j = this.typeUse(c, i, fs.locals);
        if (imported) {
          this.expectEnd(c, j, 'imported function');
          this.func = undefined;
          return;
        }
        let k = j;
        while (headOf(c[k]) === 'local') this.declList(c[k++] as List, 'local', fs.locals);
        this.body(c, k, fs);
        this.func = undefined;
        return;
      }
      case 'table': {
        const { i, imported } = this.fieldHeader(c);
        this.externDesc('table', c, i, f, imported);
        return;
      }
      case 'memory': {
        const { i, imported } = this.fieldHeader(c);
        this.externDesc('memory', c, i, f, imported);
        return;
      }
      case 'global': {
        const { i, imported } = this.fieldHeader(c);
        this.externDesc('global', c, i, f, imported);
        return;
      }
      case 'tag': {
        this.features.add('exceptions');
        const { i, imported } = this.fieldHeader(c);
        this.externDesc('tag', c, i, f, imported);
        return;
      }
      case 'export': {
        if (!isAtom(c[1]) || (c[1] as Atom).token !== T_STRING) {
          this.error('wat-syntax', 'expected (export "name" (kind idx))', c[1] ?? f);
          return;
        }
        this.name(c[1] as Atom);
        const d = c[2];
        const dh = headOf(d);
        if (!dh || !['func', 'table', 'memory', 'global', 'tag'].includes(dh)) {
          this.error('wat-syntax', 'expected an export description (func/table/memory/global/tag idx)', d ?? f);
          return;
        }
        const dc = (d as List).children;
        const j = this.needIdx(dc, 1, dh as IndexSpace, `a ${dh}`, d!);
        this.expectEnd(dc, j, 'export description');
        this.expectEnd(c, 3, 'export');
        return;
      }
      case 'start': {
        const j = this.needIdx(c, 1, 'func', 'a function', f);
        this.expectEnd(c, j, 'start');
        return;
      }
      case 'elem':
        return this.elemField(f);
      case 'data':
        return this.dataField(f);
    }
  }

  private externDesc(kind: string, c: Node[], i: number, f: List, imported: boolean): void {
    switch (kind) {
      case 'func': {
        const j = this.typeUse(c, i, undefined);
        this.expectEnd(c, j, 'function import');
        return;
      }
      case 'tag': {
        const j = this.typeUse(c, i, undefined);
        this.expectEnd(c, j, 'tag');
        return;
      }
      case 'global': {
        const t = c[i];
        if (headOf(t) === 'mut') {
          const tc = (t as List).children;
          if (tc.length !== 2 || !this.valType(tc[1])) this.error('wat-syntax', 'expected (mut valtype)', t!);
        } else if (!this.valType(t)) {
          this.error('wat-syntax', 'expected the global type', t ?? f);
          return;
        }
        if (imported) return this.expectEnd(c, i + 1, 'imported global');
        this.constExpr(c, i + 1);
        return;
      }
      case 'memory': {
        // abbreviation: (memory i64? (data "..."))
        let j = i;
        if (isAtom(c[j]) && ((c[j] as Atom).text === 'i64' || (c[j] as Atom).text === 'i32')) j++;
        if (!imported && headOf(c[j]) === 'data') {
          const d = (c[j] as List).children;
          this.strings(d, 1, '(data ...)');
          this.expectEnd(c, j + 1, 'memory');
          return;
        }
        j = this.limits(c, i, 'memory', f);
        this.expectEnd(c, j, 'memory');
        return;
      }
      case 'table': {
        let j = i;
        if (isAtom(c[j]) && ((c[j] as Atom).text === 'i64' || (c[j] as Atom).text === 'i32')) j++;
        if (!imported && this.isRefTypeAhead(c[j]) && headOf(c[j + 1]) === 'elem') {
          this.refType(c[j]);
          this.elemList((c[j + 1] as List).children, 1, true, c[j + 1] as List);
          this.expectEnd(c, j + 2, 'table');
          return;
        }
        j = this.limits(c, i, 'table', f);
        if (!this.refType(c[j])) {
          this.error('wat-syntax', 'expected the table element type', c[j] ?? f);
          return;
        }
        j++;
        if (imported) return this.expectEnd(c, j, 'imported table');
        if (j < c.length) this.constExpr(c, j);
        return;
      }
    }
  }

  private isRefTypeAhead(n: Node | undefined): boolean {
    return (isAtom(n) && REF_SHORTHANDS.has(n.text)) || headOf(n) === 'ref';
  }

  /** elem list: `func? idx*` | `reftype (item expr)*|(instr)*`; with `abbrev` only as table's inline elem. */
  private elemList(c: Node[], i: number, _abbrev: boolean, at: Span): void {
    if (i >= c.length) return;
    if (isAtom(c[i]) && (c[i] as Atom).text === 'func') i++;
    else if (this.isRefTypeAhead(c[i])) {
      this.refType(c[i]);
      i++;
      for (; i < c.length; i++) {
        const x = c[i];
        if (headOf(x) === 'item') this.body((x as List).children, 1, undefined);
        else if (isList(x)) this.body([x], 0, undefined);
        else {
          this.error('wat-syntax', 'expected an element expression', x);
          return;
        }
      }
      return;
    }
    for (; i < c.length; i++) {
      if (this.isIdx(c[i])) this.checkIdx(c[i] as Atom, 'func');
      else if (isList(c[i]) && headOf(c[i]) === 'item') this.body((c[i] as List).children, 1, undefined);
      else if (isList(c[i])) this.body([c[i]], 0, undefined);
      else {
        this.error('wat-syntax', 'expected a function index', c[i] ?? at);
        return;
      }
    }
  }

  private elemField(f: List): void {
    const c = f.children;
    let i = 1;
    if (this.idAt(c, i)) i++;
    if (isAtom(c[i]) && (c[i] as Atom).text === 'declare') {
      this.elemList(c, i + 1, false, f);
      return;
    }
    let active = false;
    if (headOf(c[i]) === 'table') {
      const t = (c[i] as List).children;
      const j = this.needIdx(t, 1, 'table', 'a table', c[i]!);
      this.expectEnd(t, j, '(table ...)');
      i++;
      active = true;
    } else if (this.isIdx(c[i])) {
      // legacy: (elem 0 (offset ...) ...)
      this.checkIdx(c[i] as Atom, 'table');
      i++;
      active = true;
    }
    const o = c[i];
    if (headOf(o) === 'offset') {
      this.body((o as List).children, 1, undefined);
      i++;
    } else if (isList(o) && !this.isRefTypeAhead(o) && headOf(o) !== 'item') {
      this.body([o], 0, undefined);
      i++;
    } else if (active) {
      this.error('wat-syntax', 'expected the segment offset', o ?? f);
    }
    this.elemList(c, i, false, f);
  }

  private dataField(f: List): void {
    const c = f.children;
    let i = 1;
    if (this.idAt(c, i)) i++;
    if (headOf(c[i]) === 'memory') {
      const m = (c[i] as List).children;
      const j = this.needIdx(m, 1, 'memory', 'a memory', c[i]!);
      this.expectEnd(m, j, '(memory ...)');
      i++;
      if (!isList(c[i])) this.error('wat-syntax', 'expected the segment offset', c[i] ?? f);
    } else if (this.isIdx(c[i])) {
      this.checkIdx(c[i] as Atom, 'memory');
      i++;
    }
    const o = c[i];
    if (headOf(o) === 'offset') {
      this.body((o as List).children, 1, undefined);
      i++;
    } else if (isList(o)) {
      this.body([o], 0, undefined);
      i++;
    }
    this.strings(c, i, '(data ...)');
  }

  private constExpr(c: Node[], i: number): void {
    this.body(c, i, undefined);
  }

  // ---------------------------------------------------------------- instructions

  /**
   * Check an instruction sequence c[i..] (function body, or a constant expression when fs is undefined).
   * Kept small for the JIT (V8 optimizes a function after an amount of work that grows with its size):
   * runs of plain instructions are checked in the inner loop, folded ones out of line.
   */
  private body(c: Node[], i: number, fs: FuncSyntax | undefined): void {
    const savedConst = this.inConst;
    this.inConst = fs === undefined;
    const savedLabels = this.labels;
    this.labels = objectArray();
    const stack: Frame[] = [frame(c, i, true, undefined)];
    while (stack.length > 0) {
      const f = stack[stack.length - 1];
      if (!f.entered) {
        f.entered = true;
        f.base = this.labels.length;
        if (f.label !== undefined) this.labels.push({ def: f.label, flat: false });
      }
      const nodes = f.nodes;
      let n: Node | undefined;
      while (f.i < nodes.length) {
        n = nodes[f.i++];
        if (n.type !== 'atom') break;
        this.plainInstr(n, f);
        n = undefined;
      }
      if (n !== undefined) {
        this.folded(n as List, stack);
        continue;
      }
      stack.pop();
      // unclosed flat blocks inside this frame
      if (this.labels.length > f.base + (f.label !== undefined ? 1 : 0)) {
        const open = this.labels[this.labels.length - 1];
        if (open.flat) this.error('wat-syntax', `missing 'end' for '${open.def.keyword}'`, open.def.selectionSpan);
      }
      this.labels.length = f.base;
    }
    this.labels = savedLabels;
    this.inConst = savedConst;
  }

  /** A folded instruction `(op imm* instr*)`, `(if ...)`, `(try ...)`: checks its immediates, pushes the frames of its parts. */
  private folded(list: List, stack: Frame[]): void {
    const h = headOf(list);
    const info = h !== undefined ? INSTRUCTIONS.get(h) : undefined;
    if (!info) {
      if (h === 'then' || h === 'else' || h === 'do' || h === 'catch' || h === 'catch_all') {
        this.error('wat-syntax', `'(${h} ...)' outside a folded if/try`, list.children[0]);
      } else if (h !== undefined && /^[a-z][a-z0-9]*(\.[a-z0-9_]+)+$/.test(h)) {
        this.error('wat-unknown-instruction', `unknown instruction '${h}'`, list.children[0]);
      } else {
        this.error('wat-syntax', h ? `unexpected '(${h}' in an instruction sequence` : 'expected an instruction', list.children[0] ?? list);
      }
      return;
    }
    if (info.feature !== undefined) this.features.add(info.feature);
    const head = list.children[0] as Atom;
    if (info.kind === K_STRUCTURAL) {
      this.error('wat-syntax', `'${h}' cannot be folded`, head);
      return;
    }
    const next = this.immediates(info.imm, head, list.children, 1, true);
    let j = next;
    const label = this.openedLabel;
    if (h === 'if') {
      // (if label? bt cond* (then ...) (else ...)?)
      const cs = list.children;
      let thenAt = -1;
      let elseAt = -1;
      let k = j;
      for (; k < cs.length; k++) {
        const hh = headOf(cs[k]);
        if (hh === 'then') {
          thenAt = k;
          break;
        }
      }
      if (thenAt < 0) {
        this.error('wat-syntax', "expected '(then ...)' in folded 'if'", head);
        return;
      }
      if (headOf(cs[thenAt + 1]) === 'else') elseAt = thenAt + 1;
      const after = elseAt >= 0 ? elseAt + 1 : thenAt + 1;
      if (after < cs.length) this.error('wat-syntax', "unexpected content after '(then ...)'/'(else ...)'", cs[after]);
      if (elseAt >= 0) stack.push(frame((cs[elseAt] as List).children, 1, false, label));
      stack.push(frame((cs[thenAt] as List).children, 1, false, label));
      for (let k = j; k < thenAt; k++) {
        if (isAtom(cs[k])) {
          this.error('wat-syntax', `unexpected '${(cs[k] as Atom).text}' in folded 'if' (the condition must be folded)`, cs[k]);
          break;
        }
      }
      if (thenAt > j) stack.push(frame(cs.slice(j, thenAt), 0, false, undefined));
      return;
    }
    if (h === 'try') {
      const cs = list.children;
      const frames: Frame[] = [];
      for (let k = j; k < cs.length; k++) {
        const hh = headOf(cs[k]);
        const cl = cs[k] as List;
        if (hh === 'do') frames.push(frame(cl.children, 1, false, label));
        else if (hh === 'catch') {
          const t = cl.children;
          const q = this.needIdx(t, 1, 'tag', 'a tag', cl);
          frames.push(frame(t, q, false, label));
        } else if (hh === 'catch_all') frames.push(frame(cl.children, 1, false, label));
        else if (hh === 'delegate') this.needIdx(cl.children, 1, 'label', 'a label', cl);
        else this.error('wat-syntax', "expected (do ...), (catch ...), (catch_all ...) or (delegate ...)", cs[k]);
      }
      for (let k = frames.length - 1; k >= 0; k--) stack.push(frames[k]);
      return;
    }
    // ordinary folded instruction: (op imm* instr*); block/loop/try_table bodies see the label
    if (label) {
      stack.push(frame(list.children, j, false, label));
    } else {
      const cs = list.children;
      for (; j < cs.length; j++) {
        if (isAtom(cs[j])) {
          this.error('wat-syntax', `unexpected '${(cs[j] as Atom).text}' in folded '${h}'`, cs[j]);
          j = cs.length;
          break;
        }
      }
      if (next < cs.length) stack.push(frame(cs, next, false, undefined));
    }
  }

  /**
   * A plain (unfolded) instruction at an atom; its immediates are consumed from f. The frequent shapes
   * (no immediates, local/global index, integer constant, label, memarg) are checked right here.
   */
  private plainInstr(a: Atom, f: Frame): void {
    if (a.token !== T_KEYWORD) {
      this.error('wat-syntax', `expected an instruction, found '${a.text}'`, a);
      this.skipOperands(f);
      return;
    }
    const info = INSTRUCTIONS.get(a.text);
    if (info === undefined) {
      this.error('wat-unknown-instruction', `unknown instruction '${a.text}'`, a);
      this.skipOperands(f);
      return;
    }
    if (info.feature !== undefined) this.features.add(info.feature);
    this.openedLabel = undefined;
    const c = f.nodes;
    switch (info.kind) {
      case K_NONE:
        if (this.inConst && EXTENDED_CONST.has(a.text)) this.features.add('extended-const');
        return;
      case K_LOCAL:
        // locals in a constant expression: invalid (validation reports it), not malformed
        if (!this.func) f.i = this.isIdx(c[f.i]) ? f.i + 1 : f.i;
        else f.i = this.needIdx(c, f.i, 'local', 'a local', a);
        return;
      case K_GLOBAL:
        f.i = this.needIdx(c, f.i, 'global', 'a global', a);
        return;
      case K_I32:
      case K_I64:
        f.i = this.intConst(c, f.i, a, info.kind === K_I32 ? 32 : 64);
        return;
      case K_LABEL:
        f.i = this.labelIdx(c, f.i, a);
        return;
      case K_MEMARG:
        if (this.isIdx(c[f.i])) this.checkIdx(c[f.i++] as Atom, 'memory');
        f.i = this.memarg(c, f.i);
        return;
      case K_STRUCTURAL:
        this.structural(a, f);
        return;
    }
    f.i = this.immediates(info.imm, a, c, f.i, false);
    if (this.openedLabel) this.labels.push({ def: this.openedLabel, flat: true });
  }

  /** `end`, `else`, `catch`, `catch_all`, `delegate` in flat code. */
  private structural(a: Atom, f: Frame): void {
    const h = a.text;
    const top = this.labels.length > f.base + (f.label ? 1 : 0) ? this.labels[this.labels.length - 1] : undefined;
    if (!top || !top.flat) {
      this.error('wat-syntax', `'${h}' without a matching block`, a);
      if (h !== 'delegate') this.skipOperands(f);
      else f.i++;
      return;
    }
    if (h === 'catch') {
      f.i = this.needIdx(f.nodes, f.i, 'tag', 'a tag', a);
    } else if (h === 'delegate') {
      this.labels.pop();
      f.i = this.labelIdx(f.nodes, f.i, a);
      return;
    }
    const id = this.idAt(f.nodes, f.i);
    if (id && h !== 'catch') {
      f.i++;
      if (idKey(id.text) !== top.def.id) this.error('wat-label-mismatch', `label ${id.text} does not match ${top.def.id ?? 'the unnamed block'}`, id);
    }
    if (h === 'else' && top.def.keyword !== 'if') this.error('wat-syntax', "'else' outside 'if'", a);
    if (h === 'end') this.labels.pop();
  }

  /** The integer immediate of `i32.const`/`i64.const` at c[i]; returns the next position. */
  private intConst(c: Node[], i: number, op: Atom, bits: 32 | 64): number {
    const a = c[i];
    if (!isAtom(a) || a.token !== T_INT) {
      this.error(isAtom(a) && a.token === T_FLOAT ? 'wat-bad-number' : 'wat-syntax', `expected an integer after ${op.text}`, a ?? op);
      return isAtom(a) && a.token !== T_KEYWORD ? i + 1 : i;
    }
    if (!intInRange(this.text, a.start, a.end, bits)) this.error('wat-bad-number', `constant '${a.text}' out of range for i${bits}`, a);
    return i + 1;
  }

  private skipOperands(f: Frame): void {
    while (f.i < f.nodes.length) {
      const n = f.nodes[f.i];
      if (isAtom(n) && n.token === T_KEYWORD && INSTRUCTIONS.has(n.text)) break;
      if (isList(n)) break;
      f.i++;
    }
  }

  private labelIdx(c: Node[], i: number, at: Span): number {
    const a = c[i];
    if (!this.isIdx(a)) {
      this.error('wat-syntax', 'expected a label', a ?? at);
      return i;
    }
    this.checkIdx(a, undefined);
    const r: Reference = { space: 'label', span: a, target: undefined, func: this.func };
    if (a.token === T_ID) {
      const key = idKey(a.text);
      for (let k = this.labels.length - 1; k >= 0; k--) {
        if (this.labels[k].def.id === key) {
          r.target = this.labels[k].def;
          break;
        }
      }
      if (!r.target) this.error('wat-unknown-id', `unknown label ${a.text}`, a);
    } else {
      // (a signed depth was reported by checkIdx, and resolves to nothing)
      const depth = intNumber(this.text, a.start, a.end);
      if (depth < 0) {
        // no target
      } else if (depth < this.labels.length) r.target = this.labels[this.labels.length - 1 - depth].def;
      else if (depth === this.labels.length && this.func) r.target = this.func.def;
    }
    this.mod.refs.push(r);
    return i + 1;
  }

  /**
   * Consume the immediates of an instruction from c[i..]. Returns the next position and, for block
   * instructions, the label definition they open.
   */
  private immediates(imm: string, op: Atom, c: Node[], i: number, folded: boolean): number {
    this.openedLabel = undefined;
    if (this.inConst && EXTENDED_CONST.has(op.text)) this.features.add('extended-const');
    const t = this.text;
    switch (imm) {
      case 'none':
        return i;
      case 'block':
      case 'try_table': {
        const id = this.idAt(c, i);
        if (id) i++;
        const def: Definition = {
          space: 'label',
          index: this.labels.length,
          span: folded ? (c === undefined ? op : { start: op.start - 1, end: op.end }) : op,
          selectionSpan: id ?? op,
          keyword: op.text,
        };
        if (id) {
          def.id = idKey(id.text);
          def.idSpan = id;
        }
        if (this.func) this.func.labels.push(def);
        i = this.typeUse(c, i, undefined, true, false);
        if (imm === 'try_table') {
          for (; i < c.length; i++) {
            const h = headOf(c[i]);
            if (h !== 'catch' && h !== 'catch_ref' && h !== 'catch_all' && h !== 'catch_all_ref') break;
            const cc = (c[i] as List).children;
            let j = 1;
            if (h === 'catch' || h === 'catch_ref') j = this.needIdx(cc, j, 'tag', 'a tag', c[i]);
            j = this.labelIdx(cc, j, c[i]);
            this.expectEnd(cc, j, `(${h} ...)`);
          }
        }
        this.openedLabel = def;
        return i;
      }
      case 'end':
        return i;
      case 'label':
        return this.labelIdx(c, i, op);
      case 'br_table': {
        const s = i;
        while (this.isIdx(c[i])) i = this.labelIdx(c, i, op);
        if (i === s) this.error('wat-syntax', 'br_table needs at least one label', c[i] ?? op);
        return i;
      }
      case 'br_on_cast': {
        i = this.labelIdx(c, i, op);
        for (let k = 0; k < 2; k++) {
          if (!this.refType(c[i])) {
            this.error('wat-syntax', 'expected a reference type', c[i] ?? op);
            return i;
          }
          i++;
        }
        return i;
      }
      case 'func':
        return this.needIdx(c, i, 'func', 'a function', op);
      case 'call_indirect':
        if (this.isIdx(c[i])) this.checkIdx(c[i++] as Atom, 'table');
        return this.typeUse(c, i, undefined, true, false);
      case 'local':
        if (!this.func) {
          // locals in a constant expression: invalid (validation reports it), not malformed
          return this.isIdx(c[i]) ? i + 1 : i;
        }
        return this.needIdx(c, i, 'local', 'a local', op);
      case 'global':
        return this.needIdx(c, i, 'global', 'a global', op);
      case 'table?':
        if (this.isIdx(c[i])) this.checkIdx(c[i++] as Atom, 'table');
        return i;
      case 'memory?':
        if (this.isIdx(c[i])) this.checkIdx(c[i++] as Atom, 'memory');
        return i;
      case 'table2':
      case 'memory2': {
        const space = imm === 'table2' ? 'table' : 'memory';
        if (this.isIdx(c[i])) {
          this.checkIdx(c[i++] as Atom, space);
          i = this.needIdx(c, i, space, `a second ${space}`, op);
        }
        return i;
      }
      case 'table.init':
      case 'memory.init': {
        const space = imm === 'table.init' ? 'table' : 'memory';
        const seg = imm === 'table.init' ? 'elem' : 'data';
        if (this.isIdx(c[i]) && this.isIdx(c[i + 1])) this.checkIdx(c[i++] as Atom, space);
        return this.needIdx(c, i, seg, `a ${seg} segment`, op);
      }
      case 'elem':
        return this.needIdx(c, i, 'elem', 'an elem segment', op);
      case 'data':
        return this.needIdx(c, i, 'data', 'a data segment', op);
      case 'memarg':
        if (this.isIdx(c[i])) this.checkIdx(c[i++] as Atom, 'memory');
        return this.memarg(c, i);
      case 'memarg_lane': {
        if (this.isIdx(c[i]) && (c[i] as Atom).token === T_ID) this.checkIdx(c[i++] as Atom, 'memory');
        else if (isAtom(c[i]) && (c[i] as Atom).token === T_INT && isAtom(c[i + 1]) && ((c[i + 1] as Atom).token === T_INT || (c[i + 1] as Atom).text.startsWith('offset=') || (c[i + 1] as Atom).text.startsWith('align='))) {
          this.checkIdx(c[i++] as Atom, 'memory');
        }
        i = this.memarg(c, i);
        return this.lane(c, i, op, 16);
      }
      case 'lane':
        return this.lane(c, i, op, 16);
      case 'shuffle':
        for (let k = 0; k < 16; k++) i = this.lane(c, i, op, 32);
        return i;
      case 'i32':
      case 'i64': {
        const a = c[i];
        if (!isAtom(a) || a.token !== T_INT) {
          this.error(isAtom(a) && a.token === T_FLOAT ? 'wat-bad-number' : 'wat-syntax', `expected an integer after ${op.text}`, a ?? op);
          return isAtom(a) && a.token !== T_KEYWORD ? i + 1 : i;
        }
        if (!intInRange(t, a.start, a.end, imm === 'i32' ? 32 : 64)) this.error('wat-bad-number', `constant '${a.text}' out of range for ${imm}`, a);
        return i + 1;
      }
      case 'f32':
      case 'f64': {
        const a = c[i];
        if (!isAtom(a) || (a.token !== T_INT && a.token !== T_FLOAT)) {
          this.error('wat-syntax', `expected a number after ${op.text}`, a ?? op);
          return isAtom(a) && a.token !== T_KEYWORD ? i + 1 : i;
        }
        if (!floatInRange(t, a.start, a.end, imm === 'f32' ? 32 : 64)) this.error('wat-bad-number', `constant '${a.text}' out of range for ${imm}`, a);
        return i + 1;
      }
      case 'v128': {
        const s = c[i];
        const shape = isAtom(s) ? V128_SHAPES[s.text] : undefined;
        if (!shape) {
          this.error('wat-syntax', 'expected a v128 shape (i8x16, i16x8, i32x4, i64x2, f32x4, f64x2)', s ?? op);
          return i;
        }
        i++;
        for (let k = 0; k < shape.lanes; k++) {
          const a = c[i];
          const okTok = isAtom(a) && (a.token === T_INT || (shape.kind === 'f' && a.token === T_FLOAT));
          if (!okTok) {
            this.error('wat-syntax', `expected ${shape.lanes} ${shape.kind === 'i' ? 'integer' : 'float'} lanes for ${(s as Atom).text}`, a ?? op);
            return i;
          }
          const inRange = shape.kind === 'i' ? intInRange(t, a.start, a.end, shape.bits) : floatInRange(t, a.start, a.end, shape.bits as 32 | 64);
          if (!inRange) this.error('wat-bad-number', `lane '${a.text}' out of range for ${(s as Atom).text}`, a);
          i++;
        }
        return i;
      }
      case 'select':
        while (headOf(c[i]) === 'result') this.declList(c[i++] as List, 'result', undefined);
        return i;
      case 'heaptype':
        if (!this.heapType(c[i])) {
          this.error('wat-syntax', `expected a heap type after ${op.text}`, c[i] ?? op);
          return i;
        }
        return i + 1;
      case 'reftype':
        if (!this.refType(c[i])) {
          this.error('wat-syntax', `expected a reference type after ${op.text}`, c[i] ?? op);
          return i;
        }
        return i + 1;
      case 'type':
        return this.needIdx(c, i, 'type', 'a type', op);
      case 'type_field': {
        i = this.needIdx(c, i, 'type', 'a type', op);
        return this.needIdx(c, i, undefined, 'a field', op);
      }
      case 'type_u32': {
        i = this.needIdx(c, i, 'type', 'a type', op);
        const a = c[i];
        if (!isAtom(a) || a.token !== T_INT || !intInRange(t, a.start, a.end, 32, true)) {
          this.error('wat-syntax', 'expected the element count', a ?? op);
          return i;
        }
        return i + 1;
      }
      case 'type_data':
        i = this.needIdx(c, i, 'type', 'a type', op);
        return this.needIdx(c, i, 'data', 'a data segment', op);
      case 'type_elem':
        i = this.needIdx(c, i, 'type', 'a type', op);
        return this.needIdx(c, i, 'elem', 'an elem segment', op);
      case 'type_type':
        i = this.needIdx(c, i, 'type', 'a type', op);
        return this.needIdx(c, i, 'type', 'a type', op);
      case 'tag':
      case 'catch':
        return this.needIdx(c, i, 'tag', 'a tag', op);
      case 'resume':
      case 'resume_throw':
      case 'switch': {
        i = this.needIdx(c, i, 'type', 'a type', op);
        if (imm !== 'resume') i = this.needIdx(c, i, 'tag', 'a tag', op);
        if (imm === 'switch') return i;
        while (headOf(c[i]) === 'on') {
          const oc = (c[i] as List).children;
          let j = this.needIdx(oc, 1, 'tag', 'a tag', c[i]);
          if (isAtom(oc[j]) && (oc[j] as Atom).text === 'switch') j++;
          else j = this.labelIdx(oc, j, c[i]);
          this.expectEnd(oc, j, '(on ...)');
          i++;
        }
        return i;
      }
    }
    return i;
  }

  private lane(c: Node[], i: number, op: Atom, limit: number): number {
    const a = c[i];
    if (!isAtom(a) || a.token !== T_INT || !intInRange(this.text, a.start, a.end, 8, true)) {
      this.error(isAtom(a) && a.token === T_INT ? 'wat-bad-number' : 'wat-syntax', 'expected a lane index', a ?? op);
      return isAtom(a) && a.token === T_INT ? i + 1 : i;
    }
    void limit;
    return i + 1;
  }

  /** `offset=N`? `align=N`? with N unsigned, align a power of two. */
  private memarg(c: Node[], i: number): number {
    let a = c[i];
    if (a !== undefined && a.type === 'atom' && a.token === T_KEYWORD && a.text.startsWith('offset=')) {
      this.memargValue(a, 7);
      a = c[++i];
    }
    if (a !== undefined && a.type === 'atom' && a.token === T_KEYWORD && a.text.startsWith('align=')) {
      this.memargValue(a, 6);
      i++;
    }
    return i;
  }

  /** The value of `offset=N` (key length 7) or `align=N` (6): unsigned, an alignment a power of two. */
  private memargValue(a: Atom, keyLength: number): void {
    const t = this.text;
    const s = a.start + keyLength;
    if (classifyNumber(t, s, a.end) !== N_INT || !intInRange(t, s, a.end, 64, true)) {
      this.error('wat-bad-number', `malformed ${keyLength === 7 ? 'offset' : 'align'} '${a.text}'`, a);
    } else if (keyLength === 6) {
      const v = BigInt(t.slice(s, a.end).replace(/_/g, ''));
      if (v === 0n || (v & (v - 1n)) !== 0n) this.error('wat-bad-number', `alignment must be a power of two, got ${a.text.slice(6)}`, a);
    }
  }
}

keepMaps(new Checker('', []));

/** For `module quote`: the quoted strings concatenated, and the span they cover. */
export function quoteText(text: string, m: ModuleSyntax): { source: string; span: Span } | undefined {
  if (m.form !== 'quote') return undefined;
  const c = (m.node as List).children;
  let out = '';
  let start = -1;
  let end = -1;
  for (const n of c) {
    if (isAtom(n) && n.token === T_STRING) {
      if (scanString(text, n.start, undefined) !== n.end) continue;
      if (start < 0) start = n.start;
      end = n.end;
      out += Buffer.from(decodeBytes(text, n)).toString('utf8') + ' ';
    }
  }
  return start < 0 ? { source: '', span: m.node } : { source: out, span: { start, end } };
}

function decodeBytes(text: string, a: Atom): Uint8Array {
  return decodeStringBytes(text, a.start, a.end);
}

