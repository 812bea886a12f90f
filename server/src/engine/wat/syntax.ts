/**
 * The WAT/WAST syntax tree: a lossless-enough S-expression tree (every node is itself a Span:
 * `start`/`end` are UTF-16 offsets into the text), plus what the parser learnt about each module:
 * its definitions (one per item of every index space) and every reference to them, resolved.
 */
import type { Span } from '../span';
import type { ModuleModel } from '../model';
import { TokenKind } from './lexer';

export { TokenKind };

export interface Atom extends Span {
  type: 'atom';
  token: TokenKind;
  /** the token's source text */
  text: string;
}

export interface List extends Span {
  type: 'list';
  children: Node[];
  /** false when the source ends before the closing paren */
  closed: boolean;
}

export type Node = Atom | List;

export interface Root extends Span {
  type: 'root';
  children: Node[];
  /** block comments and annotations (trivia), for folding */
  trivia: Span[];
  /** `(@custom "name" ...)` annotations: the annotation and its name string */
  customAnnotations: { span: Span; nameStart: number; nameEnd: number }[];
  /** what the parser found: one entry per module (a whole `.wat`, or each `(module ...)` of a script) */
  modules: ModuleSyntax[];
}

/** Index spaces a `$id` or an index can refer to. `local` covers params too; `label` is per function. */
export type IndexSpace = 'type' | 'func' | 'table' | 'memory' | 'global' | 'tag' | 'data' | 'elem' | 'local' | 'label';

export interface Definition {
  space: IndexSpace;
  /** index in its space (labels: nesting depth from the function body, 0 = outermost block) */
  index: number;
  id?: string;
  /** the `$id` token, when present */
  idSpan?: Span;
  /** the declaring construct: the field, the `(param ...)`/`(local ...)`, the block instruction */
  span: Span;
  /** where to put the cursor / select: the id, else the keyword */
  selectionSpan: Span;
  /** the keyword that declares it (`func`, `param`, `local`, `block`, `loop`, ...) */
  keyword: string;
  /** value type of locals/params, `(mut i32)`/`i32` of globals, ref type of tables */
  valType?: string;
  /** imported items: module and name */
  imported?: { module: string; name: string };
}

export interface Reference {
  space: IndexSpace;
  /** the `$id` or index token (its text is the token's text) */
  span: Atom;
  /** resolved definition, when found */
  target: Definition | undefined;
  /** for locals and labels: the function they belong to */
  func: FuncSyntax | undefined;
}

export interface FuncSyntax {
  /** the function's definition in the func space */
  def: Definition;
  node: List;
  locals: Definition[];
  labels: Definition[];
}

export interface ModuleSyntax {
  /** the `(module ...)` list, or the root for a `.wat` with bare fields */
  node: List | Root;
  /** `text`: ordinary; `quote`: text in strings (parsed separately); `binary`: not modelled */
  form: 'text' | 'quote' | 'binary' | 'definition' | 'instance';
  id?: string;
  idSpan?: Span;
  /** the module's fields (each a list) */
  fields: List[];
  defs: Record<Exclude<IndexSpace, 'local' | 'label'>, Definition[]>;
  funcs: FuncSyntax[];
  refs: Reference[];
  /** the model built from this module (absent for binary modules) */
  model?: ModuleModel;
}

export function isList(n: Node | undefined): n is List {
  return n !== undefined && n.type === 'list';
}

export function isAtom(n: Node | undefined): n is Atom {
  return n !== undefined && n.type === 'atom';
}

// a module constant: under per-file transpilation an imported enum member is a getter call per use
const T_KEYWORD = TokenKind.Keyword;

/** The keyword at the head of a list, if any. */
export function headOf(n: Node | undefined): string | undefined {
  if (n === undefined || n.type !== 'list') return undefined;
  const h = n.children[0];
  return h !== undefined && h.type === 'atom' && h.token === T_KEYWORD ? h.text : undefined;
}
