/**
 * Component import and export names, as the component model writes them:
 * - interface names `namespace:package/interface@version` (`wasi:cli/stdout@0.2.3`; nested packages
 *   `a:b:c/d` and nested interfaces `a:b/c/d` are kept whole);
 * - plain names (`run`, `[method]r.m`, `[constructor]r`, `[static]r.f`);
 * - `url=<...>`, `relative-url=<...>`, `integrity=<...>` (a hash), `locked-dep=<...>`, `unlocked-dep=<...>`.
 */

export type ExternNameForm = 'interface' | 'plain' | 'url' | 'relative-url' | 'hash' | 'locked-dep' | 'unlocked-dep' | 'other';

export interface ExternName {
  form: ExternNameForm;
  /** interface names: `wasi`, `cli`, `stdout`, `0.2.3` (version absent when unversioned) */
  namespace?: string;
  package?: string;
  interface?: string;
  version?: string;
}

const LABEL = '[a-zA-Z][a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)*';
const INTERFACE_NAME = new RegExp(`^(${LABEL}):(${LABEL}(?::${LABEL})*)/(${LABEL}(?:/${LABEL})*)(?:@([0-9A-Za-z.+-]+))?$`);
const BRACKETED = /^(url|relative-url|integrity|locked-dep|unlocked-dep)=<(.*)>(?:,.*)?$/s;

/** What a component import/export name is (never throws; anything unrecognised is `other`). */
export function parseExternName(name: string): ExternName {
  const m = INTERFACE_NAME.exec(name);
  if (m) {
    const out: ExternName = { form: 'interface', namespace: m[1], package: m[2], interface: m[3] };
    if (m[4] !== undefined) out.version = m[4];
    return out;
  }
  const b = BRACKETED.exec(name);
  if (b) return { form: b[1] === 'integrity' ? 'hash' : (b[1] as ExternNameForm) };
  if (/^(\[(method|static|constructor|async|async method|async static)\])?[a-zA-Z][a-zA-Z0-9.-]*$/.test(name)) return { form: 'plain' };
  return { form: 'other' };
}

/** `wasi:cli/stdout` of `wasi:cli/stdout@0.2.3` (the name without its version). */
export function unversionedName(name: string): string {
  const at = name.lastIndexOf('@');
  return at > 0 && name.includes(':') ? name.slice(0, at) : name;
}

/**
 * Does a version pattern cover a version? Dot-separated parts are compared as a prefix, `*` matching
 * any part: `0.2` covers `0.2.0` and `0.2.3` (not `0.20.1`), `0.2.*` the same, `0.2.3` only `0.2.3`
 * (a pre-release `0.2.3-rc1` is another version, as semver says).
 */
export function versionCovers(pattern: string, version: string): boolean {
  const p = pattern.split('.');
  const v = version.split('.');
  if (p.length > v.length) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== '*' && p[i] !== v[i]) return false;
  return true;
}
