/**
 * Stage 1 of the WAT parser: tokens -> S-expression tree, with an explicit stack (no recursion per
 * nesting level) and paren recovery: a module field opening inside a func/global field closes that
 * field, so a missing `)` costs one diagnostic instead of swallowing the rest of the module.
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { Span } from '../span';
import { lex, TokenKind, type TokenStream } from './lexer';
import { keepMaps, objectArray as objectArrayImport } from '../jit';
import { addWithheld, boundedMessage, pushLimited, takeWithheld } from '../diagnostic-limit';
import { type Atom, type List, type Node, type Root, headOf as headOfImport } from './syntax';

// Module constants for what buildLists uses from other modules (see the note in parser.ts).
const T_LPAREN = TokenKind.LParen;
const T_RPAREN = TokenKind.RParen;
const T_KEYWORD = TokenKind.Keyword;
const T_ID = TokenKind.Id;
const objectArray = objectArrayImport;
const headOf = headOfImport;

export type WatDiagnosticCode =
  | 'wat-syntax'
  | 'wat-unbalanced-paren'
  | 'wat-unknown-instruction'
  | 'wat-bad-number'
  | 'wat-bad-string'
  | 'wat-bad-token'
  | 'wat-unknown-field'
  | 'wat-duplicate-id'
  | 'wat-unterminated-comment'
  | 'wat-bad-annotation'
  | 'wat-unknown-id'
  | 'wat-label-mismatch'
  | 'wat-field-order';

export function diag(code: WatDiagnosticCode, message: string, s: Span): EngineDiagnostic {
  return { code, severity: 'error', message: boundedMessage(message), span: { start: s.start, end: s.end }, source: 'wat-parser' };
}

/** list heads that cannot occur inside a func/global field: seeing one means a `)` is missing */
const RECOVERY_HEADS = new Set(['func', 'global', 'table', 'memory', 'data', 'elem', 'start', 'tag', 'rec', 'module']);

/**
 * Interns keyword and id texts: instruction names and keywords repeat all over a module, so their atoms
 * share one string instead of allocating a fresh slice per token (less garbage on large files). Looked up
 * by the hash the lexer computed while scanning the token, compared by `startsWith` (native code).
 * A word's slot in `table` is its number for `wordOf` (KeptTokens): 1 + slot.
 */
class KeywordInterner {
  declare readonly table: (string | undefined)[];
  /** `copy`: store copies, not slices that would keep the whole source text alive */
  declare readonly copy: boolean;
  constructor(copy: boolean) {
    this.table = new Array(WORD_SLOTS).fill(undefined);
    this.copy = copy;
  }
  get(text: string, s: number, e: number, hash: number): string {
    const slot = this.slot(text, s, e, hash);
    return slot >= 0 ? this.table[slot]! : this.fresh(text, s, e);
  }
  /** text[s, e) as a string of its own (not interned) */
  fresh(text: string, s: number, e: number): string {
    return this.copy ? flatCopy(text.slice(s, e)) : text.slice(s, e);
  }
  /** The slot of text[s, e) (interned now if it is new), or -1 when it is not interned (too long, too many collisions). */
  slot(text: string, s: number, e: number, hash: number): number {
    const len = e - s;
    if (len > 40) return -1;
    let slot = (hash ^ (hash >>> 13)) & (WORD_SLOTS - 1);
    for (let probe = 0; probe < 8; probe++) {
      const cand = this.table[slot];
      if (cand === undefined) {
        this.table[slot] = this.fresh(text, s, e);
        return slot;
      }
      if (cand.length === len && text.startsWith(cand, s)) return slot;
      slot = (slot + 1) & (WORD_SLOTS - 1);
    }
    return -1;
  }
}

const WORD_SLOTS = 8192;

/**
 * A copy of a (sliced) string that does not reference the text it was sliced from. V8 slices of 13+
 * characters point into their parent: atoms kept across incremental reparses must not pin old texts.
 */
export function flatCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * The text atoms read their lazy text from. One per tree; incremental reparsing points it at the
 * new text (atoms it keeps have the same text at their shifted offsets) and sets `copy`.
 */
export interface AtomSource {
  text: string;
  /** cache copies, not slices (see flatCopy) */
  copy: boolean;
}

/** An atom whose text is sliced from the source only when asked for (numbers, strings). */
class LazyAtom implements Atom {
  declare readonly type: 'atom';
  // declared, not class fields: one constructor, no field initializer run per atom
  declare readonly token: TokenKind;
  // not readonly: incremental reparsing shifts the atoms it keeps
  declare start: number;
  declare end: number;
  declare private readonly source: AtomSource;
  declare private cached: string | undefined;
  constructor(token: TokenKind, start: number, end: number, source: AtomSource, text: string | undefined) {
    this.token = token;
    this.start = start;
    this.end = end;
    this.source = source;
    this.cached = text;
  }
  get text(): string {
    if (this.cached === undefined) {
      const s = this.source.text.slice(this.start, this.end);
      this.cached = this.source.copy ? flatCopy(s) : s;
    }
    return this.cached;
  }
  toJSON(): unknown {
    return { type: 'atom', token: this.token, start: this.start, end: this.end, text: this.text };
  }
}

// shared by every atom: on the prototype, not one slot per instance
Object.defineProperty(LazyAtom.prototype, 'type', { value: 'atom', writable: false, enumerable: true });

{
  // `cached` is written after construction (lazy text): the kept atom has it written already, so the
  // field is mutable from the start instead of turning mutable (and deoptimizing) during a parse
  const lazy = new LazyAtom(TokenKind.Int, 0, 1, { text: '0', copy: false }, undefined);
  void lazy.text;
  keepMaps(new LazyAtom(TokenKind.Reserved, 0, 0, { text: '', copy: false }, ''), lazy, new KeywordInterner(false));
}

/** Stage 1: the S-expression tree. */
export function buildTree(text: string, diagnostics: EngineDiagnostic[]): Root {
  const source: AtomSource = { text, copy: false };
  const tokens = lex(text);
  const interner = new KeywordInterner(false);
  const wordOf = new Uint16Array(tokens.count);
  const root = buildTreeOf(text, tokens, diagnostics, source, 0, text.length, interner, undefined, wordOf);
  treeSources.set(root, source);
  treeTokens.set(root, { text, tokens: { ...kept(tokens), wordOf, words: interner.table } });
  return root;
}

/**
 * A whole parse's tokens, kept beside its tree, with the word the tree builder interned for each
 * Keyword and Id token: a reader of the tokens knows a token's exact text by its number, without
 * comparing characters again (the interner compared them).
 */
export interface KeptTokens extends TokenStream {
  /** per token: 1 + the slot of its text in `words`, or 0 (not a Keyword or Id token, or not interned) */
  wordOf: Uint16Array;
  /** the interned texts, by slot */
  words: readonly (string | undefined)[];
}

/**
 * Token arrays to keep beside a tree: trimmed when most of their capacity is unused (the lexer sizes
 * them by the text's length; a text of long data strings has few tokens).
 */
function kept(t: TokenStream): TokenStream {
  if (t.kinds.length <= 2 * t.count + 4096) return t;
  const n = t.count;
  return { ...t, kinds: t.kinds.slice(0, n), starts: t.starts.slice(0, n), ends: t.ends.slice(0, n), hashes: t.hashes.slice(0, n) };
}

/** The tokens each tree built by buildTree was built from, with their text. */
const treeTokens = new WeakMap<Root, { text: string; tokens: KeptTokens }>();

/**
 * The tokens `root` was built from, when it was built whole from `text` (not for a tree reparsed in
 * part since, nor for another text): the assembler encodes bodies from them (validation).
 */
export function tokensOf(root: Root, text: string): KeptTokens | undefined {
  const t = treeTokens.get(root);
  return t !== undefined && t.text === text ? t.tokens : undefined;
}

/** `root` is being reparsed in part (its atoms read a new text): its tokens are dropped, not kept stale. */
export function forgetTokens(root: Root): void {
  treeTokens.delete(root);
}

/** The AtomSource of each tree built by buildTree (for incremental reparsing). */
export const treeSources = new WeakMap<Root, AtomSource>();

/**
 * Incremental reparsing: the tree of `text[from, to)` only (one module field), as a root whose
 * children are what that range holds; atoms read their text from `source` and copy their strings.
 */
export function buildRangeTree(text: string, from: number, to: number, diagnostics: EngineDiagnostic[], source: AtomSource): Root {
  return buildTreeOf(text, lex(text, from, to), diagnostics, source, from, to, new KeywordInterner(true));
}

/**
 * The token range of a function's body (its instructions, after the header's `$id`, inline exports
 * and imports, type use and locals): tokens [from, to), `to` being the func's closing `)`.
 */
export interface BodyRange {
  from: number;
  to: number;
}

/**
 * For the assembler's fast path (assembleWat): the tree of a whole `.wat` without the instructions
 * of its module-level functions. Each func list holds its header only; its body is left as a token
 * range (`bodies`), for an encoder that reads the tokens directly. Undefined when the text needs the
 * full tree: a `(module-field` inside a body (paren recovery), an unclosed function.
 */
export function buildTreeWithoutBodies(
  text: string,
  ts: TokenStream,
  diagnostics: EngineDiagnostic[],
): { root: Root; bodies: Map<List, BodyRange> } | undefined {
  const source: AtomSource = { text, copy: false };
  const bodies = new Map<List, BodyRange>();
  const root = buildTreeOf(text, ts, diagnostics, source, 0, text.length, new KeywordInterner(false), bodies);
  if (bodies.has(BAILED)) return undefined;
  treeSources.set(root, source);
  return { root, bodies };
}

/** The key buildLists sets in `bodies` when the text needs the full tree. */
const BAILED = { type: 'list', start: 0, end: 0, children: [], closed: false } as List;

/** List heads of a function's header: a body starts at the first child that is not one of them. */
const HEADER_HEADS = new Set(['export', 'import', 'type', 'param', 'result', 'local']);

/**
 * Tokens from `t` on (the first of a function's body): the index of the func's closing `)`, or -1
 * when a module field opens inside (the full tree's paren recovery is needed) or the func is unclosed.
 */
function skipBody(text: string, kinds: Uint8Array, starts: Int32Array, ends: Int32Array, hashes: Int32Array, count: number, t: number, interner: KeywordInterner): number {
  let depth = 0;
  for (; t < count; t++) {
    const k = kinds[t];
    if (k === T_LPAREN) {
      if (t + 1 < count && kinds[t + 1] === T_KEYWORD && RECOVERY_HEADS.has(interner.get(text, starts[t + 1], ends[t + 1], hashes[t + 1]))) return -1;
      depth++;
    } else if (k === T_RPAREN) {
      if (depth === 0) return t;
      depth--;
    }
  }
  return -1;
}

function buildTreeOf(
  text: string,
  ts: ReturnType<typeof lex>,
  diagnostics: EngineDiagnostic[],
  source: AtomSource,
  from: number,
  to: number,
  interner: KeywordInterner,
  bodies?: Map<List, BodyRange>,
  wordOf?: Uint16Array,
): Root {
  for (const e of ts.errors) pushLimited(diagnostics, diag(e.code, interner.copy ? flatCopy(e.message) : e.message, e));
  for (const w of takeWithheld(ts.errors).values()) addWithheld(diagnostics, diag(w.first.code, w.first.message, w.first), w.count);
  const root: Root = { type: 'root', start: from, end: to, children: objectArray(), trivia: ts.trivia, customAnnotations: ts.customAnnotations, modules: [] };
  const stack = objectArray<List>();
  buildLists(text, ts.kinds, ts.starts, ts.ends, ts.hashes, ts.count, root.children, stack, diagnostics, source, interner, bodies, wordOf);
  if (stack.length > 0) {
    // one diagnostic for the outermost unclosed list: the inner ones are its consequence
    const outer = stack[0];
    pushLimited(diagnostics, diag('wat-unbalanced-paren', `missing ')' to close this '(${headOf(outer) ?? ''}'`, { start: outer.start, end: outer.start + 1 }));
    for (const l of stack) l.end = to;
  }
  return root;
}

/**
 * The loop of buildTreeOf, on its own (see lexRange): the lists and atoms of the tokens, appended to
 * `rootChildren`; `stack` is left with the lists still open.
 */
function buildLists(
  text: string,
  kinds: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  hashes: Int32Array,
  count: number,
  rootChildren: Node[],
  stack: List[],
  diagnostics: EngineDiagnostic[],
  source: AtomSource,
  interner: KeywordInterner,
  bodies: Map<List, BodyRange> | undefined,
  wordOf: Uint16Array | undefined,
): void {
  /** depth in `stack` of the open func/global field, or -1 */
  let fieldDepth = -1;
  /** with `bodies`: the module-level func whose header is being read (its body is skipped) */
  let lazyFunc: List | undefined;
  let children = rootChildren;
  for (let t = 0; t < count; t++) {
    const k = kinds[t];
    if (lazyFunc !== undefined && stack.length === fieldDepth + 1 && k !== T_RPAREN && !isHeaderItem(text, kinds, starts, ends, hashes, count, t, lazyFunc, interner)) {
      const close = skipBody(text, kinds, starts, ends, hashes, count, t, interner);
      if (close < 0) {
        bodies!.set(BAILED, { from: t, to: t });
        return;
      }
      bodies!.set(lazyFunc, { from: t, to: close });
      lazyFunc = undefined;
      t = close - 1;
      continue;
    }
    if (k === T_LPAREN) {
      const nextIsKeyword = t + 1 < count && kinds[t + 1] === T_KEYWORD;
      // recovery: a module field opening inside a func/global field means that field lacks its `)`
      if (fieldDepth >= 0 && stack.length > fieldDepth && nextIsKeyword && RECOVERY_HEADS.has(interner.get(text, starts[t + 1], ends[t + 1], hashes[t + 1]))) {
        closeField(stack, fieldDepth, starts[t], diagnostics);
        children = stack.length ? stack[stack.length - 1].children : rootChildren;
        fieldDepth = -1;
        lazyFunc = undefined;
      }
      const l: List = { type: 'list', start: starts[t], end: starts[t] + 1, children: objectArray(), closed: false };
      children.push(l);
      stack.push(l);
      children = l.children;
      if (fieldDepth < 0 && nextIsKeyword && (stack.length === 1 || headOf(stack[stack.length - 2]) === 'module')) {
        const head = interner.get(text, starts[t + 1], ends[t + 1], hashes[t + 1]);
        if (head === 'func' || head === 'global') fieldDepth = stack.length - 1;
        if (head === 'func' && bodies !== undefined) lazyFunc = l;
      }
    } else if (k === T_RPAREN) {
      const l = stack.pop();
      if (!l) {
        pushLimited(diagnostics, diag('wat-unbalanced-paren', "unexpected ')'", { start: starts[t], end: ends[t] }));
        continue;
      }
      l.end = ends[t];
      l.closed = true;
      // the children array grew by V8's steps (17 slots for the first push): most lists hold a few
      // nodes, so an exact copy halves the tree's memory on dense text (a million `(local i32)`)
      if (l.children.length < 16) (l as { children: Node[] }).children = l.children.slice();
      if (stack.length === fieldDepth) {
        fieldDepth = -1;
        lazyFunc = undefined;
      }
      children = stack.length ? stack[stack.length - 1].children : rootChildren;
    } else {
      const s = starts[t];
      const e = ends[t];
      let word: string | undefined;
      if (k === T_KEYWORD || k === T_ID) {
        const slot = interner.slot(text, s, e, hashes[t]);
        if (slot >= 0) {
          word = interner.table[slot];
          if (wordOf !== undefined) wordOf[t] = slot + 1;
        } else word = interner.fresh(text, s, e);
      }
      children.push(new LazyAtom(k, s, e, source, word));
    }
  }
}

/** Is token `t` (a direct child of the module-level func `f`) part of its header: `func`, its `$id`, `(export|import|type|param|result|local ...)`? */
function isHeaderItem(text: string, kinds: Uint8Array, starts: Int32Array, ends: Int32Array, hashes: Int32Array, count: number, t: number, f: List, interner: KeywordInterner): boolean {
  const k = kinds[t];
  const n = f.children.length;
  if (n === 0) return true;
  if (k === T_ID) return n === 1;
  return k === T_LPAREN && t + 1 < count && kinds[t + 1] === T_KEYWORD && HEADER_HEADS.has(interner.get(text, starts[t + 1], ends[t + 1], hashes[t + 1]));
}

/** Recovery: the func/global field at stack[fieldDepth] lacks its `)`; it and the lists inside it end at `at`. */
function closeField(stack: List[], fieldDepth: number, at: number, diagnostics: EngineDiagnostic[]): void {
  const field = stack[fieldDepth];
  pushLimited(diagnostics, diag('wat-unbalanced-paren', `missing ')' to close this '(${headOf(field) ?? ''}'`, { start: field.start, end: field.start + 1 }));
  while (stack.length > fieldDepth) {
    const l = stack.pop()!;
    l.end = at;
  }
}

