/**
 * The glob patterns used in a policy.
 *
 * Two flavours:
 * - name globs (import names `module.name`, export names, custom-section names): `*` matches any run of
 *   characters, `?` one character;
 * - path globs (`overrides[].files`, `include`, `exclude`, `integrity` keys): `*` and `?` stay within one
 *   path segment, `**` spans segments; a pattern without `/` matches the file's base name anywhere.
 * Both support `{a,b}` alternatives, `[abc]` / `[!abc]` classes and `\` to escape a character.
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

const cache = new Map<string, RegExp>();

/** Compiles a glob to an anchored RegExp; throws GlobError on a malformed pattern. */
export function compileGlob(pattern: string, kind: GlobKind): RegExp {
  const key = `${kind}\0${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const anyChar = kind === 'path' ? '[^/]' : '[\\s\\S]';
  let out = '';
  let braceDepth = 0;
  const braceStarts: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 >= pattern.length) throw new GlobError('a pattern cannot end with an escaping backslash', i);
      out += escapeRegExp(pattern[++i]);
    } else if (c === '*') {
      if (kind === 'path' && pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          out += '(?:[^/]*/)*'; // `**/` : zero or more whole segments
        } else out += '.*';
      } else out += `${anyChar}*`;
    } else if (c === '?') {
      out += anyChar;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) throw new GlobError('unclosed `[` character class', i);
      let body = pattern.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else if (c === '{') {
      braceDepth++;
      braceStarts.push(i);
      out += '(?:';
    } else if (c === '}') {
      if (braceDepth === 0) throw new GlobError('`}` without a matching `{`', i);
      braceDepth--;
      braceStarts.pop();
      out += ')';
    } else if (c === ',' && braceDepth > 0) {
      out += '|';
    } else {
      out += escapeRegExp(c);
    }
  }
  if (braceDepth > 0) throw new GlobError('unclosed `{` alternative', braceStarts[braceStarts.length - 1]);
  const re = new RegExp(`^${out}$`);
  if (cache.size > 2000) cache.clear();
  cache.set(key, re);
  return re;
}

/** The problem with a glob, or undefined when it is well formed. */
export function globError(pattern: string, kind: GlobKind): GlobError | undefined {
  if (pattern.length === 0) return new GlobError('an empty pattern matches nothing', 0);
  try {
    compileGlob(pattern, kind);
    return undefined;
  } catch (e) {
    if (e instanceof GlobError) return e;
    return new GlobError(String(e), 0);
  }
}

/** Does `text` match the glob? Malformed globs match nothing. */
export function matchGlob(pattern: string, text: string, kind: GlobKind): boolean {
  let re: RegExp;
  try {
    re = compileGlob(pattern, kind);
  } catch {
    return false;
  }
  if (kind === 'path') {
    const p = text.replace(/\\/g, '/').replace(/^\.\//, '');
    if (!pattern.includes('/')) return re.test(p.slice(p.lastIndexOf('/') + 1));
    return re.test(p);
  }
  return re.test(text);
}

/** The first pattern in the list that matches, if any. */
export function firstMatch(patterns: readonly string[] | undefined, text: string, kind: GlobKind): string | undefined {
  return patterns?.find((p) => matchGlob(p, text, kind));
}

/** A glob that matches exactly `text` (metacharacters escaped). */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]{},]/g, '\\$&');
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
