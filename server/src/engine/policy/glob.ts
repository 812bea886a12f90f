/**
 * The glob patterns used in a policy.
 *
 * Two flavours:
 * - name globs (import names `module.name`, export names, custom-section names): `*` matches any run of
 *   characters, `?` one character;
 * - path globs (`overrides[].files`, `include`, `exclude`, `integrity` keys): `*` and `?` stay within one
 *   path segment, `**` spans segments (`**∕` is zero or more whole segments); a pattern without `/`
 *   matches the file's base name anywhere.
 * Both support `{a,b}` alternatives, `[abc]` / `[!abc]` classes and `\` to escape a character.
 *
 * Matching never backtracks: a name glob's fixed-length pieces between `*`s are found leftmost, in
 * order; a path glob runs a dynamic programme over (pattern token, text position). Either costs at most
 * O(pattern × text), so a hostile module name cannot make a check hang. And a glob is bounded before it
 * is compiled (limits.ts): its length, how deep its `{}` nest and how many alternatives they expand to.
 */
import {
  GLOB_MAX_ALTERNATIVES,
  GLOB_MAX_BRACE_DEPTH,
  GLOB_MAX_LENGTH,
  POLICY_MAX_GLOB_EXPANSION,
  POLICY_MAX_GLOB_WORK,
  SCAN_MAX_GLOBS,
} from './limits';

export type GlobKind = 'name' | 'path';

/**
 * What is wrong with a glob, and where. Not an Error: a hostile policy holds thousands of bad globs,
 * and capturing a stack trace for each would cost more than everything else.
 */
export class GlobError {
  constructor(
    readonly message: string,
    /** offset in the pattern where the problem is */
    readonly offset: number,
  ) {}
}

/**
 * The glob matching one rule may do over one module (limits.ts: POLICY_MAX_GLOB_WORK). Each glob
 * cost is linear, but a policy's thousands of globs times a module's thousands of names is not: a
 * rule charges every test here and stops, with a finding, once the work is spent.
 */
export class GlobWork {
  private spent = 0;

  constructor(readonly limit = POLICY_MAX_GLOB_WORK) {}

  /** Charge `tests` alternatives tested against a text of `length` characters (one unit per 64). */
  charge(tests: number, length: number): void {
    this.spent += tests * (1 + (length >>> 6));
  }

  get exhausted(): boolean {
    return this.spent > this.limit;
  }
}

type Token =
  | { t: 'lit'; c: string }
  | { t: 'one' }
  /** `ranges`: inclusive code unit ranges as [from, to] pairs, flattened */
  | { t: 'class'; ranges: number[]; negate: boolean }
  | { t: 'star' }
  | { t: 'globstar' }
  /** `**∕`: empty, or anything ending with `/` */
  | { t: 'segments' };

/** A compiled alternative: does the (already normalised) subject match? */
type Matcher = (text: string) => boolean;

interface Compiled {
  matchers: Matcher[];
  /** characters of all alternatives written out */
  expandedLength: number;
}

/** Compiled patterns by kind (no key building per lookup: policy checks match every import). */
const caches: Record<GlobKind, Map<string, Compiled>> = { name: new Map(), path: new Map() };
/** expanded characters the caches hold: they are dropped past CACHE_MAX_EXPANSION, so they stay small */
let cachedExpansion = 0;
const CACHE_MAX_EXPANSION = 4 * 1024 * 1024;

/** Parses a glob into matchers (one per `{}` alternative); throws GlobError when malformed or over a limit. */
function compile(pattern: string, kind: GlobKind): Compiled {
  const cache = caches[kind];
  const hit = cache.get(pattern);
  if (hit) return hit;
  const written = alternatives(pattern);
  const compiled: Compiled = {
    matchers: written.map((alt) => matcher(tokenize(alt, kind), kind)),
    expandedLength: written.reduce((n, alt) => n + alt.length, 0),
  };
  if (cache.size >= 2000 || cachedExpansion + compiled.expandedLength > CACHE_MAX_EXPANSION) {
    caches.name.clear();
    caches.path.clear();
    cachedExpansion = 0;
  }
  cache.set(pattern, compiled);
  cachedExpansion += compiled.expandedLength;
  return compiled;
}

/** The token lists of a pattern's `{}` alternatives; throws GlobError when malformed or over a limit. */
function alternativeTokens(pattern: string, kind: GlobKind): Token[][] {
  return alternatives(pattern).map((alt) => tokenize(alt, kind));
}

/**
 * A pattern's `{}` alternatives written out (escapes and classes kept as written); throws GlobError
 * when it is malformed or over a limit. Everything tokenize could refuse is refused here.
 */
function alternatives(pattern: string): string[] {
  if (pattern.length === 0) throw new GlobError('an empty pattern matches nothing', 0);
  if (pattern.length > GLOB_MAX_LENGTH) {
    throw new GlobError(`it is ${pattern.length.toLocaleString('en-US')} characters long; the limit is ${GLOB_MAX_LENGTH.toLocaleString('en-US')}`, GLOB_MAX_LENGTH);
  }
  checkBraceDepth(pattern);
  return expand(pattern, 0, pattern.length, false);
}

/** Refuses `{}` nested deeper than GLOB_MAX_BRACE_DEPTH, in one pass (expand recurses once per level). */
function checkBraceDepth(pattern: string): void {
  let depth = 0;
  for (let j = 0; j < pattern.length; j++) {
    const c = pattern[j];
    if (c === '\\') j++;
    else if (c === '[') j = classEnd(pattern, j, pattern.length); // unclosed: refused here, as expand would
    else if (c === '{' && ++depth > GLOB_MAX_BRACE_DEPTH) {
      throw new GlobError(`\`{}\` alternatives nested more than ${GLOB_MAX_BRACE_DEPTH} deep`, j);
    } else if (c === '}' && depth > 0) depth--;
  }
}

/**
 * The cheapest exact matcher for a token list. A name glob is literal runs, `?` and classes between
 * `*`s, each piece of a fixed length: the first piece must match at the start, the last at the end,
 * and each one between at its leftmost place after the previous one (leftmost never loses: it leaves
 * the most text for the rest). So matching costs at most text length × pattern length, and a piece
 * made only of literals is found with indexOf. A path glob (`*` stops at `/`) runs the general matcher,
 * which is linear in text length times pattern length whatever the pattern.
 */
function matcher(tokens: Token[], kind: GlobKind): Matcher {
  if (kind === 'path' && tokens.some((t) => t.t === 'star' || t.t === 'segments' || t.t === 'one' || t.t === 'class')) {
    return (text) => matchTokens(tokens, text, kind);
  }
  // pieces between globstars
  const pieces: Token[][] = [[]];
  for (const t of tokens) {
    if (t.t === 'globstar') pieces.push([]);
    else pieces[pieces.length - 1].push(t);
  }
  const parts = pieces.map(piece);
  if (parts.length === 1) {
    const only = parts[0];
    return (text) => text.length === only.length && only.at(text, 0);
  }
  const first = parts[0];
  const last = parts[parts.length - 1];
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  const minLength = parts.reduce((n, p) => n + p.length, 0);
  return (text) => {
    if (text.length < minLength || !first.at(text, 0)) return false;
    const end = text.length - last.length;
    if (!last.at(text, end)) return false;
    let at = first.length;
    for (const part of middle) {
      const found = part.find(text, at, end);
      if (found < 0) return false;
      at = found + part.length;
    }
    return true;
  };
}

/** A fixed-length piece of a name glob (literals, `?`, classes): where it matches. */
interface Piece {
  length: number;
  /** does it match text at `p`? (p + length ≤ text.length is checked) */
  at(text: string, p: number): boolean;
  /** the leftmost p in [from, end - length] where it matches, or -1 */
  find(text: string, from: number, end: number): number;
}

function piece(tokens: Token[]): Piece {
  const length = tokens.length;
  if (tokens.every((t) => t.t === 'lit')) {
    const lit = tokens.map((t) => (t as { c: string }).c).join('');
    return {
      length,
      at: (text, p) => p >= 0 && text.startsWith(lit, p),
      find: (text, from, end) => {
        const found = text.indexOf(lit, from);
        return found >= 0 && found + length <= end ? found : -1;
      },
    };
  }
  const at = (text: string, p: number) => {
    if (p < 0 || p + length > text.length) return false;
    for (let k = 0; k < length; k++) if (!oneMatches(tokens[k], text.charCodeAt(p + k), 'name')) return false;
    return true;
  };
  return {
    length,
    at,
    find: (text, from, end) => {
      for (let p = from; p + length <= end; p++) if (at(text, p)) return p;
      return -1;
    },
  };
}

/** Does a one-character token (literal, `?`, class) match the code unit `c`? */
function oneMatches(tok: Token, c: number, kind: GlobKind): boolean {
  switch (tok.t) {
    case 'lit':
      return tok.c.charCodeAt(0) === c;
    case 'one':
      return !(kind === 'path' && c === 0x2f);
    case 'class': {
      if (kind === 'path' && c === 0x2f) return false;
      let inside = false;
      for (let r = 0; r < tok.ranges.length; r += 2) {
        if (c >= tok.ranges[r] && c <= tok.ranges[r + 1]) {
          inside = true;
          break;
        }
      }
      return inside !== tok.negate;
    }
    default:
      return false;
  }
}

/**
 * Expands `{a,b}` alternatives of pattern[from, to) into plain patterns (escapes kept). Offsets in
 * errors are relative to the whole pattern. Recurses once per nesting level (at most
 * GLOB_MAX_BRACE_DEPTH) and never builds more than GLOB_MAX_ALTERNATIVES strings.
 */
function expand(pattern: string, from: number, to: number, inBraces: boolean): string[] {
  // split at top-level commas (only meaningful inside braces)
  const parts: string[][] = [];
  let current: string[] = [''];
  let count = 0; // alternatives in the parts so far
  const tooMany = (at: number) => new GlobError(`it expands to more than ${GLOB_MAX_ALTERNATIVES} alternatives`, at);
  let i = from;
  while (i < to) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 >= to) throw new GlobError('a pattern cannot end with an escaping backslash', i);
      current = current.map((s) => s + pattern.slice(i, i + 2));
      i += 2;
    } else if (c === '[') {
      const close = classEnd(pattern, i, to);
      current = current.map((s) => s + pattern.slice(i, close + 1));
      i = close + 1;
    } else if (c === '{') {
      const close = braceEnd(pattern, i, to);
      const alternatives = expand(pattern, i + 1, close, true);
      if (current.length * alternatives.length > GLOB_MAX_ALTERNATIVES) throw tooMany(i);
      const next: string[] = [];
      for (const s of current) for (const a of alternatives) next.push(s + a);
      current = next;
      i = close + 1;
    } else if (c === '}') {
      throw new GlobError('`}` without a matching `{`', i);
    } else if (c === ',' && inBraces) {
      parts.push(current);
      count += current.length;
      current = [''];
      i++;
    } else {
      // a run of plain characters, appended at once
      let j = i + 1;
      while (j < to && !isSpecial(pattern.charCodeAt(j), inBraces)) j++;
      const run = pattern.slice(i, j);
      current = current.length === 1 ? [current[0] + run] : current.map((s) => s + run);
      i = j;
    }
    if (count + current.length > GLOB_MAX_ALTERNATIVES) throw tooMany(from);
  }
  parts.push(current);
  return parts.flat();
}

/** Characters expand must look at: `\\ [ { }`, and `,` inside braces. */
function isSpecial(c: number, inBraces: boolean): boolean {
  return c === 0x5c || c === 0x5b || c === 0x7b || c === 0x7d || (inBraces && c === 0x2c);
}

/** Index of the `]` closing the class that opens at `open`. */
function classEnd(pattern: string, open: number, to: number): number {
  let j = open + 1;
  if (pattern[j] === '!' || pattern[j] === '^') j++;
  if (pattern[j] === ']') j++; // a leading `]` is a member
  for (; j < to; j++) {
    if (pattern[j] === '\\') j++;
    else if (pattern[j] === ']') return j;
  }
  throw new GlobError('unclosed `[` character class', open);
}

/** Index of the `}` closing the alternative that opens at `open`. */
function braceEnd(pattern: string, open: number, to: number): number {
  let depth = 0;
  for (let j = open; j < to; j++) {
    const c = pattern[j];
    if (c === '\\') j++;
    else if (c === '[') j = classEnd(pattern, j, to);
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return j;
  }
  throw new GlobError('unclosed `{` alternative', open);
}

/** Tokens of a brace-free pattern. */
function tokenize(p: string, kind: GlobKind): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      out.push({ t: 'lit', c: p[++i] });
    } else if (c === '*') {
      let run = 1;
      while (p[i + 1] === '*') {
        i++;
        run++;
      }
      if (kind === 'path' && run >= 2) {
        if (p[i + 1] === '/') {
          i++;
          out.push({ t: 'segments' });
        } else out.push({ t: 'globstar' });
      } else out.push(kind === 'name' ? { t: 'globstar' } : { t: 'star' });
    } else if (c === '?') {
      out.push({ t: 'one' });
    } else if (c === '[') {
      const close = classEnd(p, i, p.length);
      let body = p.slice(i + 1, close);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      out.push({ t: 'class', ranges: classRanges(body), negate });
      i = close;
    } else {
      out.push({ t: 'lit', c });
    }
  }
  return out;
}

/** The code unit ranges of a class body (`a-z` a range, escapes removed), as [from, to] pairs. */
function classRanges(body: string): number[] {
  const ranges: number[] = [];
  for (let i = 0; i < body.length; i++) {
    let c = body[i];
    if (c === '\\' && i + 1 < body.length) c = body[++i];
    if (body[i + 1] === '-' && i + 2 < body.length) {
      let end = body[i + 2];
      let skip = 2;
      if (end === '\\' && i + 3 < body.length) {
        end = body[i + 3];
        skip = 3;
      }
      ranges.push(c.charCodeAt(0), end.charCodeAt(0)); // a reversed range holds nothing
      i += skip;
    } else ranges.push(c.charCodeAt(0), c.charCodeAt(0));
  }
  return ranges;
}

/**
 * The general matcher: which text positions each token prefix can reach, one token at a time over two
 * reused rows. O(text × tokens) time, O(text) memory.
 */
function matchTokens(tokens: Token[], text: string, kind: GlobKind): boolean {
  const n = text.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  cur[0] = 1;
  for (const tok of tokens) {
    next.fill(0);
    let any = false;
    switch (tok.t) {
      case 'lit':
      case 'one':
      case 'class':
        for (let p = 0; p < n; p++) {
          if (cur[p] && oneMatches(tok, text.charCodeAt(p), kind)) {
            next[p + 1] = 1;
            any = true;
          }
        }
        break;
      case 'star': {
        let reach = false;
        for (let p = 0; p <= n; p++) {
          if (cur[p]) reach = true;
          if (reach) { next[p] = 1; any = true; }
          if (p < n && text[p] === '/') reach = false;
        }
        break;
      }
      case 'globstar': {
        let reach = false;
        for (let p = 0; p <= n; p++) {
          if (cur[p]) reach = true;
          if (reach) { next[p] = 1; any = true; }
        }
        break;
      }
      case 'segments': {
        let seen = false;
        for (let p = 0; p <= n; p++) {
          if (cur[p] || (seen && text[p - 1] === '/')) { next[p] = 1; any = true; }
          if (cur[p]) seen = true;
        }
        break;
      }
    }
    if (!any) return false;
    [cur, next] = [next, cur];
  }
  return cur[n] === 1;
}

/** The problem with a glob, or undefined when it is well formed and within the limits. */
export function globError(pattern: string, kind: GlobKind): GlobError | undefined {
  const checked = checkGlob(pattern, kind);
  return 'error' in checked ? checked.error : undefined;
}

/**
 * A glob's problem, or the characters its alternatives spell once written out (what its matchers will
 * hold). Compiles nothing: validating a policy costs the expansion only.
 */
export function checkGlob(pattern: string, kind: GlobKind): { error: GlobError } | { expandedLength: number } {
  const hit = caches[kind].get(pattern);
  if (hit) return { expandedLength: hit.expandedLength };
  try {
    return { expandedLength: alternatives(pattern).reduce((n, alt) => n + alt.length, 0) };
  } catch (e) {
    return { error: asGlobError(e) };
  }
}

function asGlobError(e: unknown): GlobError {
  return e instanceof GlobError ? e : new GlobError(e instanceof Error ? e.message : String(e), 0);
}

/** Does `text` match the glob? Malformed globs match nothing. `work`, when given, is charged. */
export function matchGlob(pattern: string, text: string, kind: GlobKind, work?: GlobWork): boolean {
  let alternatives: Matcher[];
  try {
    alternatives = compile(pattern, kind).matchers;
  } catch {
    return false;
  }
  work?.charge(alternatives.length, text.length);
  let subject = text;
  if (kind === 'path') {
    subject = text.replace(/\\/g, '/').replace(/^\.\//, '');
    if (!pattern.includes('/')) subject = subject.slice(subject.lastIndexOf('/') + 1);
  }
  for (const m of alternatives) if (m(subject)) return true;
  return false;
}

/**
 * One matcher for a list of path globs matched against whole `/`-separated relative paths (no
 * base-name rule: the workspace scan's include and exclude settings, where `*.wasm` means the top
 * folder's). A glob that is malformed or over a limit is left out and passed to `rejected`.
 */
export function pathListMatcher(
  patterns: readonly string[],
  rejected?: (pattern: string, error: GlobError) => void,
  maxGlobs = SCAN_MAX_GLOBS,
): Matcher {
  const matchers: Matcher[] = [];
  let expansion = 0;
  for (let i = 0; i < patterns.length; i++) {
    const pattern = patterns[i];
    if (i >= maxGlobs) {
      rejected?.(pattern, new GlobError(`more than ${maxGlobs.toLocaleString('en-US')} globs in one list (the limit): this one and the rest are not used`, 0));
      break;
    }
    try {
      const compiled = compile(pattern, 'path');
      expansion += compiled.expandedLength;
      if (expansion > POLICY_MAX_GLOB_EXPANSION) {
        rejected?.(pattern, new GlobError('the list\'s globs, with their `{}` alternatives written out, spell too many characters: this one and the rest are not used', 0));
        break;
      }
      matchers.push(...compiled.matchers);
    } catch (e) {
      rejected?.(pattern, asGlobError(e));
    }
  }
  return (text) => {
    for (let i = 0; i < matchers.length; i++) if (matchers[i](text)) return true;
    return false;
  };
}

/** The first pattern in the list that matches, if any. `work`, when given, is charged. */
export function firstMatch(patterns: readonly string[] | undefined, text: string, kind: GlobKind, work?: GlobWork): string | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  if (kind === 'path' || !Object.isFrozen(patterns)) return patterns.find((p) => matchGlob(p, text, kind, work));
  // a frozen list (an effective policy's): compiled once, then each match is a loop over matchers
  let list = nameLists.get(patterns);
  if (list === undefined) {
    list = nameAlternatives(patterns).map(({ pattern, tokens }) => ({ pattern, match: matcher(tokens, 'name') }));
    nameLists.set(patterns, list);
  }
  for (let i = 0; i < list.length; i++) {
    if (list[i].match(text)) {
      work?.charge(i + 1, text.length);
      return list[i].pattern;
    }
  }
  work?.charge(list.length, text.length);
  return undefined;
}

/** Every `{}` alternative of a list of name globs, in order, with its pattern; a malformed glob matches nothing. */
function nameAlternatives(patterns: readonly string[]): { pattern: string; tokens: Token[] }[] {
  const out: { pattern: string; tokens: Token[] }[] = [];
  for (const pattern of patterns) {
    try {
      for (const tokens of alternativeTokens(pattern, 'name')) out.push({ pattern, tokens });
    } catch {
      // malformed: left out
    }
  }
  return out;
}

/** Compiled frozen name-glob lists (policy checks match every import against the same few lists). */
const nameLists = new WeakMap<readonly string[], { pattern: string; match: Matcher }[]>();

/** Matches imports (`module.name`) against a list of name globs. */
export interface ImportMatcher {
  /** The first pattern in the list that matches `module.name`, as `firstMatch` on the joined string; `work` is charged. */
  first(module: string, name: string, work?: GlobWork): string | undefined;
}

/**
 * An import matcher for a list of name globs (undefined for no list). A frozen list (an effective
 * policy's) gets one matcher, which specialises the list once per module name: an alternative whose
 * leading literal characters rule the module out is dropped, one whose leading literals spell
 * `module.` matches the rest of its tokens against the name alone, and only one with a wildcard inside
 * the module part matches the joined string. So a module's hundreds of imports cost a name match each
 * (usually none), and no joined string is built.
 */
export function importMatcher(patterns: readonly string[] | undefined): ImportMatcher | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  if (!Object.isFrozen(patterns)) return { first: (module, name, work) => firstMatch(patterns, `${module}.${name}`, 'name', work) };
  let m = importMatchers.get(patterns);
  if (m === undefined) {
    m = new SpecialisingImportMatcher(patterns);
    importMatchers.set(patterns, m);
  }
  return m;
}

const importMatchers = new WeakMap<readonly string[], ImportMatcher>();

/** Module names a matcher keeps specialised lists for (a hostile module cannot grow it without bound). */
const MODULES_PER_MATCHER = 1024;

interface ModuleMatcher {
  pattern: string;
  match: Matcher;
  /** matches `module.name` (a wildcard in the module part); else the name alone */
  joined: boolean;
}

class SpecialisingImportMatcher implements ImportMatcher {
  private readonly alternatives: { pattern: string; tokens: Token[]; joinedMatch?: Matcher }[];
  private readonly byModule = new Map<string, ModuleMatcher[]>();
  /** the last module asked about and its list (imports come grouped by module) */
  private lastModule: string | undefined;
  private lastList: ModuleMatcher[] = [];

  constructor(patterns: readonly string[]) {
    this.alternatives = nameAlternatives(patterns);
  }

  first(module: string, name: string, work?: GlobWork): string | undefined {
    let list = this.lastList;
    if (module !== this.lastModule) {
      const known = this.byModule.get(module);
      // specialising tests every alternative's leading literals against the module name
      if (!known) work?.charge(this.alternatives.length, module.length);
      list = known ?? this.specialise(module);
      this.lastModule = module;
      this.lastList = list;
    }
    const length = module.length + 1 + name.length;
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      if (m.joined ? m.match(`${module}.${name}`) : m.match(name)) {
        work?.charge(i + 1, length);
        return m.pattern;
      }
    }
    work?.charge(list.length, length);
    return undefined;
  }

  /** The alternatives that can match a name of `module`, each matching the rest where it can. */
  private specialise(module: string): ModuleMatcher[] {
    const prefix = `${module}.`;
    const out: ModuleMatcher[] = [];
    next: for (const alternative of this.alternatives) {
      const { pattern, tokens } = alternative;
      for (let i = 0; i < prefix.length; i++) {
        const t = tokens[i];
        if (t === undefined) continue next; // the pattern ends inside the prefix: it matches no `module.name`
        if (t.t !== 'lit') {
          // the same for every module: compiled once
          alternative.joinedMatch ??= matcher(tokens, 'name');
          out.push({ pattern, match: alternative.joinedMatch, joined: true });
          continue next;
        }
        if (t.c !== prefix[i]) continue next;
      }
      out.push({ pattern, match: matcher(tokens.slice(prefix.length), 'name'), joined: false });
    }
    if (this.byModule.size >= MODULES_PER_MATCHER) this.byModule.clear();
    this.byModule.set(module, out);
    return out;
  }
}

/** A glob that matches exactly `text` (metacharacters escaped). */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]{},]/g, '\\$&');
}
