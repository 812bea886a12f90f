/**
 * Rust dependencies recorded by `cargo auditable` in the `.dep-v0` custom section: zlib-compressed JSON
 * `{ "packages": [{ "name", "version", "source", "kind"?, "dependencies"?: [indices], "root"?: true }] }`.
 * The section comes from the module, so it is hostile input: inflating is capped (MAX_JSON_BYTES) and every
 * field is checked before it is used.
 */
import * as zlib from 'zlib';

export const CARGO_AUDITABLE_SECTION = '.dep-v0';
/** Largest inflated JSON accepted (real ones are a few hundred KB for a thousand crates). */
export const MAX_JSON_BYTES = 8 * 1024 * 1024;

export interface RustPackage {
  name: string;
  version: string;
  /** `crates.io`, `git`, `local`, `registry`... */
  source: string;
  /** `runtime` (default) or `build` */
  kind: string;
  /** indices into the package list */
  dependencies: number[];
  root: boolean;
}

export function readCargoAuditable(payload: Uint8Array): { packages: RustPackage[]; error?: string } {
  let json: string;
  try {
    json = zlib.inflateSync(payload, { maxOutputLength: MAX_JSON_BYTES }).toString('utf8');
  } catch (e) {
    return { packages: [], error: `cannot inflate the ${CARGO_AUDITABLE_SECTION} section: ${(e as Error).message}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    return { packages: [], error: `the ${CARGO_AUDITABLE_SECTION} section is not JSON: ${(e as Error).message}` };
  }
  const list = (doc as { packages?: unknown })?.packages;
  if (!Array.isArray(list)) return { packages: [], error: `the ${CARGO_AUDITABLE_SECTION} section has no package list` };
  // entries that are not packages are skipped; the dependency indices are renumbered to match
  const kept = new Map<number, number>();
  list.forEach((p, i) => {
    const o = p as Record<string, unknown> | null;
    if (o && typeof o === 'object' && typeof o.name === 'string' && typeof o.version === 'string') kept.set(i, kept.size);
  });
  const packages: RustPackage[] = [];
  list.forEach((p, i) => {
    if (!kept.has(i)) return;
    const o = p as Record<string, unknown>;
    const deps = Array.isArray(o.dependencies) ? o.dependencies : [];
    packages.push({
      name: o.name as string,
      version: o.version as string,
      source: typeof o.source === 'string' ? o.source : 'unknown',
      kind: o.kind === 'build' ? 'build' : 'runtime',
      dependencies: deps.filter((d): d is number => Number.isInteger(d) && kept.has(d as number)).map((d) => kept.get(d)!),
      root: o.root === true,
    });
  });
  return { packages, error: packages.length < list.length ? `${list.length - packages.length} malformed package entries skipped` : undefined };
}
