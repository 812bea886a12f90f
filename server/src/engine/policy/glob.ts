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
 * Matching is a dynamic programme over (pattern token, text position): O(pattern × text), no
 * backtracking, so a hostile module name cannot make a check hang.
 */

export type GlobKind = 'name' | 'path';

export class GlobError extends Error {
  constructor(
    message: string,
    /** offset in the pattern where the problem is */
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token =
  | { t: 'lit'; c: string }
  | { t: 'one' }
  | { t: 'class'; chars: string; negate: boolean }
  | { t: 'star' }
  | { t: 'globstar' }
  /** `**∕`: empty, or anything ending with `/` */
  | { t: 'segments' };

/** Most alternatives a pattern's `{...}` may expand to. */
const MAX_ALTERNATIVES = 256;

/** A compiled alternative: does the (already normalised) subject match? */
type Matcher = (text: string) => boolean;

/** Compiled patterns by kind (no key building per lookup: policy checks match every import). */
const caches: Record<GlobKind, Map<string, Matcher[]>> = { name: new Map(), path: new Map() };

/** Parses a glob into matchers (one per `{}` alternative); throws GlobError when malformed. */
function compile(pattern: string, kind: GlobKind): Matcher[] {
  const cache = caches[kind];
  const hit = cache.get(pattern);
  if (hit) return hit;
  const compiled = alternativeTokens(pattern, kind).map((tokens) => matcher(tokens, kind));
  if (cache.size > 2000) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** The token lists of a pattern's `{}` alternatives; throws GlobError when malformed. */
function alternativeTokens(pattern: string, kind: GlobKind): Token[][] {
  if (pattern.length === 0) throw new GlobError('an empty pattern matches nothing', 0);
  return expand(pattern, 0, pattern.length, false).map((alt) => tokenize(alt, kind));
}

/**
 * The cheapest exact matcher for a token list. Patterns made of literals and `*` that crosses
 * everything (every name glob without `?` or classes, like `wasi_snapshot_preview1.path_*`) match by
 * finding their literal runs in order, leftmost first: linear, no allocation. Anything else runs the
 * general matcher, which is linear in text length times pattern length whatever the pattern.
 */
function matcher(tokens: Token[], kind: GlobKind): Matcher {
  if (!tokens.every((t) => t.t === 'lit' || t.t === 'globstar')) return (text) => matchTokens(tokens, text, kind);
  // literal runs between globstars; `anchoredStart`/`anchoredEnd`: no globstar before the first / after the last
  const runs: string[] = [''];
  for (const t of tokens) {
    if (t.t === 'lit') runs[runs.length - 1] += t.c;
    else runs.push('');
  }
  if (runs.length === 1) {
    const lit = runs[0];
    return (text) => text === lit;
  }
  const first = runs[0];
  const last = runs[runs.length - 1];
  const middle = runs.slice(1, -1).filter((r) => r !== '');
  const minLength = runs.reduce((n, r) => n + r.length, 0);
  return (text) => {
    if (text.length < minLength || !text.startsWith(first) || !text.endsWith(last)) return false;
    let at = first.length;
    const end = text.length - last.length;
    for (const run of middle) {
      const found = text.indexOf(run, at);
      if (found < 0 || found + run.length > end) return false;
      at = found + run.length;
    }
    return true;
  };
}

/**
 * Expands `{a,b}` alternatives of pattern[from, to) into plain patterns (escapes kept). Offsets in
 * errors are relative to the whole pattern.
 */
function expand(pattern: string, from: number, to: number, inBraces: boolean): string[] {
  // split at top-level commas (only meaningful inside braces)
  const parts: string[][] = [];
  let current: string[] = [''];
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
      const next: string[] = [];
      for (const s of current) for (const a of alternatives) next.push(s + a);
      if (next.length > MAX_ALTERNATIVES) throw new GlobError(`more than ${MAX_ALTERNATIVES} alternatives`, i);
      current = next;
      i = close + 1;
    } else if (c === '}') {
      throw new GlobError('`}` without a matching `{`', i);
    } else if (c === ',' && inBraces) {
      parts.push(current);
      current = [''];
      i++;
    } else {
      current = current.map((s) => s + c);
      i++;
    }
  }
  parts.push(current);
  const all = parts.flat();
  if (all.length > MAX_ALTERNATIVES) throw new GlobError(`more than ${MAX_ALTERNATIVES} alternatives`, from);
  return all;
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
      out.push({ t: 'class', chars: expandClass(body), negate });
      i = close;
    } else {
      out.push({ t: 'lit', c });
    }
  }
  return out;
}

/** The characters of a class body: ranges `a-z` expanded, escapes removed. */
function expandClass(body: string): string {
  let chars = '';
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
      const from = c.charCodeAt(0);
      const to = end.charCodeAt(0);
      for (let k = from; k <= to && k - from < 0x10000; k++) chars += String.fromCharCode(k);
      i += skip;
    } else chars += c;
  }
  return chars;
}

function matchTokens(tokens: Token[], text: string, kind: GlobKind): boolean {
  const n = text.length;
  let cur = new Uint8Array(n + 1);
  cur[0] = 1;
  for (const tok of tokens) {
    const next = new Uint8Array(n + 1);
    let any = false;
    switch (tok.t) {
      case 'lit':
        for (let p = 0; p < n; p++) if (cur[p] && text[p] === tok.c) { next[p + 1] = 1; any = true; }
        break;
      case 'one':
        for (let p = 0; p < n; p++) if (cur[p] && !(kind === 'path' && text[p] === '/')) { next[p + 1] = 1; any = true; }
        break;
      case 'class':
        for (let p = 0; p < n; p++) {
          if (!cur[p] || (kind === 'path' && text[p] === '/')) continue;
          if (tok.chars.includes(text[p]) !== tok.negate) { next[p + 1] = 1; any = true; }
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
    cur = next;
  }
  return cur[n] === 1;
}

/** The problem with a glob, or undefined when it is well formed. */
export function globError(pattern: string, kind: GlobKind): GlobError | undefined {
  try {
    compile(pattern, kind);
    return undefined;
  } catch (e) {
    return e instanceof GlobError ? e : new GlobError(String(e), 0);
  }
}

/** Does `text` match the glob? Malformed globs match nothing. */
export function matchGlob(pattern: string, text: string, kind: GlobKind): boolean {
  let alternatives: Matcher[];
  try {
    alternatives = compile(pattern, kind);
  } catch {
    return false;
  }
  let subject = text;
  if (kind === 'path') {
    subject = text.replace(/\\/g, '/').replace(/^\.\//, '');
    if (!pattern.includes('/')) subject = subject.slice(subject.lastIndexOf('/') + 1);
  }
  for (const m of alternatives) if (m(subject)) return true;
  return false;
}

/** The first pattern in the list that matches, if any. */
export function firstMatch(patterns: readonly string[] | undefined, text: string, kind: GlobKind): string | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  if (kind === 'path' || !Object.isFrozen(patterns)) return patterns.find((p) => matchGlob(p, text, kind));
  // a frozen list (an effective policy's): compiled once, then each match is a loop over matchers
  let list = nameLists.get(patterns);
  if (list === undefined) {
    list = nameAlternatives(patterns).map(({ pattern, tokens }) => ({ pattern, match: matcher(tokens, 'name') }));
    nameLists.set(patterns, list);
  }
  for (let i = 0; i < list.length; i++) if (list[i].match(text)) return list[i].pattern;
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
  /** The first pattern in the list that matches `module.name`, as `firstMatch` on the joined string. */
  first(module: string, name: string): string | undefined;
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
  if (!Object.isFrozen(patterns)) return { first: (module, name) => firstMatch(patterns, `${module}.${name}`, 'name') };
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
  private readonly alternatives: { pattern: string; tokens: Token[] }[];
  private readonly byModule = new Map<string, ModuleMatcher[]>();
  /** the last module asked about and its list (imports come grouped by module) */
  private lastModule: string | undefined;
  private lastList: ModuleMatcher[] = [];

  constructor(patterns: readonly string[]) {
    this.alternatives = nameAlternatives(patterns);
  }

  first(module: string, name: string): string | undefined {
    let list = this.lastList;
    if (module !== this.lastModule) {
      list = this.byModule.get(module) ?? this.specialise(module);
      this.lastModule = module;
      this.lastList = list;
    }
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      if (m.joined ? m.match(`${module}.${name}`) : m.match(name)) return m.pattern;
    }
    return undefined;
  }

  /** The alternatives that can match a name of `module`, each matching the rest where it can. */
  private specialise(module: string): ModuleMatcher[] {
    const prefix = `${module}.`;
    const out: ModuleMatcher[] = [];
    next: for (const { pattern, tokens } of this.alternatives) {
      for (let i = 0; i < prefix.length; i++) {
        const t = tokens[i];
        if (t === undefined) continue next; // the pattern ends inside the prefix: it matches no `module.name`
        if (t.t !== 'lit') {
          out.push({ pattern, match: matcher(tokens, 'name'), joined: true });
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
