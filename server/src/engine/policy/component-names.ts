/**
 * Matching `imports.allow` / `imports.deny` patterns against component import names.
 *
 * A pattern with a `:` is structured like the names it matches, `namespace:package/interface@version`:
 * - it is compared part by part at the `:` and `/` boundaries, and `*` or `?` stay inside one part, so
 *   `wasi:random` (a whole package) matches `wasi:random/insecure` but never `wasi:randomly/x`;
 * - it may stop after the namespace or the package (every interface of it) but not inside a part;
 * - its version, when it has one, covers versions by dot-separated prefix (`@0.2` covers `@0.2.3`, not
 *   `@0.20.0`; `*` matches any part), and a versioned pattern never matches an unversioned name;
 *   an unversioned pattern matches every version.
 * A pattern without `:` (`*`, `log`, `my-*`) is a name glob over the whole name, whatever its form.
 * Core-module patterns (`module.name`) keep their meaning for core modules (glob.ts).
 */
import { GlobWork, matchGlob } from './glob';
import { parseExternName, versionCovers, type ExternName } from '../component/names';

interface StructuredPattern {
  parts: string[];
  /** separators between the parts (`:` or `/`), one fewer than the parts */
  seps: string[];
  version?: string;
}

const structured = new Map<string, StructuredPattern>();

function splitStructured(text: string): { parts: string[]; seps: string[] } {
  const parts: string[] = [];
  const seps: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === ':' || c === '/') {
      parts.push(text.slice(from, i));
      seps.push(c);
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return { parts, seps };
}

function compile(pattern: string): StructuredPattern {
  let p = structured.get(pattern);
  if (p) return p;
  const at = pattern.lastIndexOf('@');
  const colon = pattern.indexOf(':');
  const base = at > colon ? pattern.slice(0, at) : pattern;
  p = { ...splitStructured(base), ...(at > colon ? { version: pattern.slice(at + 1) } : {}) };
  if (structured.size > 2000) structured.clear();
  structured.set(pattern, p);
  return p;
}

/** Is this pattern a structured component-name pattern (it has a `:`)? */
export function isComponentNamePattern(pattern: string): boolean {
  return pattern.includes(':');
}

/** Does `pattern` match the component import/export `name` (parsed as `parsed`)? */
export function componentNameMatches(pattern: string, name: string, parsed: ExternName = parseExternName(name), work?: GlobWork): boolean {
  if (!isComponentNamePattern(pattern) || parsed.form !== 'interface') return matchGlob(pattern, name, 'name', work);
  const p = compile(pattern);
  const at = name.lastIndexOf('@');
  const n = splitStructured(at > 0 ? name.slice(0, at) : name);
  if (p.parts.length > n.parts.length) return false;
  // a shorter pattern names a whole namespace or package: it must end before the interface
  if (p.parts.length < n.parts.length && p.seps[p.seps.length - 1] === '/') return false;
  for (let i = 0; i < p.parts.length; i++) {
    if (i > 0 && p.seps[i - 1] !== n.seps[i - 1]) return false;
    if (!matchGlob(p.parts[i], n.parts[i], 'name', work)) return false;
  }
  if (p.version === undefined) return true;
  return parsed.version !== undefined && versionCovers(p.version, parsed.version);
}

/** The first pattern of the list that matches the name, or undefined. */
export function firstComponentMatch(patterns: readonly string[] | undefined, name: string, parsed: ExternName, work?: GlobWork): string | undefined {
  if (!patterns) return undefined;
  for (const pattern of patterns) {
    if (work?.exhausted) return undefined;
    if (componentNameMatches(pattern, name, parsed, work)) return pattern;
  }
  return undefined;
}
