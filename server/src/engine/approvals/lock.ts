/**
 * The lock file of approved versions, `wasm-warden.lock.json`, beside the policy file: for each module
 * (by its path relative to the lock's folder) the versions a person approved, oldest first, each with
 * its SHA-256, size, signers and capability summary. Described with the policy's own nodes, so the
 * schema (`dist/lock.schema.json`) and the loader's validation come from one definition.
 *
 * The lock comes from a cloned workspace: it is read within a size limit, validated, and only ever used
 * to look up digests and to name entries of the content store by digest (approval-store.ts); no path in
 * it is ever opened.
 */
import * as fs from 'fs';
import * as path from 'path';
import { definitionSchema, FEATURES, type ArrayNode, type DefNode, type ObjectNode, type RecordNode } from '../policy/definition';
import type { CapabilitySummary } from './capabilities';
import { parseDefinedJson } from '../policy/load';
import { WASI_CAPABILITIES } from '../wasi';

export const LOCK_FILE_NAME = 'wasm-warden.lock.json';
/** Largest lock file read (a lock holds summaries, not modules). */
export const LOCK_MAX_BYTES = 8 * 1024 * 1024;
/** Versions kept per module: approving one more drops the oldest (and its stored copy). */
export const MAX_VERSIONS_PER_MODULE = 10;

const str = (description: string, format?: 'sha256' | 'path'): DefNode => ({ kind: 'string', description, format });
const int = (description: string): DefNode => ({ kind: 'integer', description, minimum: 0 });
const list = (description: string, items: DefNode): ArrayNode => ({ kind: 'array', description, items });
const obj = <P extends Record<string, DefNode>>(description: string, properties: P, required?: (keyof P & string)[]): ObjectNode<P> => ({
  kind: 'object',
  description,
  properties,
  required,
});

const signer = obj(
  'A signature the module carried when it was approved.',
  {
    keyId: str('The signature\'s key id, in hex (not covered by the signature: a hint).'),
    algorithm: str('The signature algorithm (ed25519).'),
    publicKey: str('The 32-byte Ed25519 public key (hex) of a trusted key that verified the signature; `rollback` verifies the restored bytes with it.'),
    trustedKey: str('The policy\'s trusted key file that verified it, as the policy names it.'),
  },
  ['keyId'],
);

const capabilities = obj('What the version may do: its capability summary.', {
  imports: list('`module.name` of every import, sorted.', str('An import.')),
  wasi: list('WASI capability groups of the imports (`unknown-wasi`: `wasi*` imports outside the catalog).', { kind: 'enum', description: 'A group.', values: [...WASI_CAPABILITIES, 'unknown-wasi'] }),
  memories: list('Memory limits by index (`min 1, max 16`).', str('Limits.')),
  tables: list('Table limits by index.', str('Limits.')),
  features: list('WebAssembly features it uses.', { kind: 'enum', description: 'A feature.', values: FEATURES }),
  start: { kind: 'boolean', description: 'It has a start function.' },
});

const version = obj(
  'One approved version.',
  {
    sha256: str('SHA-256 of the whole file (64 hex digits); also the name of its copy in the store.', 'sha256'),
    size: int('File size in bytes.'),
    approvedAt: str('When it was approved (ISO 8601, UTC).'),
    approvedBy: str('Who approved it (the user name of the approving process, or `--by`).'),
    note: str('Why it was approved (`--note`).'),
    signers: list('The signatures it carried.', signer),
    capabilities,
  },
  ['sha256', 'size'],
);

const moduleEntry = obj('The approved versions of one module.', { versions: list('Approved versions, oldest first: the last one is what `rollback` restores.', version) }, ['versions']);

const modules: RecordNode<typeof moduleEntry> = {
  kind: 'record',
  description: 'Modules by path, relative to this file\'s folder with `/` separators.',
  keyFormat: 'path',
  values: moduleEntry,
};

export const LOCK_DEFINITION = obj('Wasm Warden approved module versions.', {
  $schema: str('The JSON schema of this file.'),
  lockVersion: int('The format of this file: 1.'),
  modules,
});

// The types of a validated lock (the loader drops what does not fit LOCK_DEFINITION; `required` keys are there).
export interface ApprovedSigner {
  keyId: string;
  algorithm?: string;
  publicKey?: string;
  trustedKey?: string;
}
export interface ApprovedVersion {
  sha256: string;
  size: number;
  approvedAt?: string;
  approvedBy?: string;
  note?: string;
  signers?: ApprovedSigner[];
  capabilities?: Partial<CapabilitySummary>;
}
export interface ApprovedModule {
  versions: ApprovedVersion[];
}
export interface ApprovalLock {
  $schema?: string;
  lockVersion?: number;
  modules?: Record<string, ApprovedModule>;
}

export function lockJsonSchema(): Record<string, unknown> {
  return definitionSchema(LOCK_DEFINITION, { id: 'https://wasm-warden.dev/lock.schema.json', title: 'Wasm Warden approved versions' });
}

export interface LoadedLock {
  file: string;
  lock: ApprovalLock;
  /** why the lock cannot be used (unreadable, too large, not valid): then `lock` is empty */
  problem?: string;
}

const cache = new Map<string, { mtimeMs: number; size: number; loaded: LoadedLock }>();

/** The lock file, or undefined when it does not exist. Cached by modification time and size. */
export function readLock(file: string): LoadedLock | undefined {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    return { file, lock: {}, problem: `cannot read ${file}: ${(err as Error).message}` };
  }
  if (!st) {
    cache.delete(file);
    return undefined;
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.loaded;
  const loaded = loadLock(file, st);
  cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, loaded });
  // a handful of lock files per workspace at most; a long-running server drops the oldest
  if (cache.size > 64) cache.delete(cache.keys().next().value!);
  return loaded;
}

function loadLock(file: string, st: fs.Stats): LoadedLock {
  if (!st.isFile()) return { file, lock: {}, problem: `${file} is not a file` };
  if (st.size > LOCK_MAX_BYTES) return { file, lock: {}, problem: `${file} is ${st.size.toLocaleString('en-US')} bytes, over the limit of ${LOCK_MAX_BYTES.toLocaleString('en-US')}: not read` };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { file, lock: {}, problem: `cannot read ${file}: ${(err as Error).message}` };
  }
  return parseLock(text, file);
}

/** Parse lock text; a lock with any error is not used (its digests could be half-read). */
export function parseLock(text: string, file: string): LoadedLock {
  const parsed = parseDefinedJson(text, LOCK_DEFINITION, LOCK_MAX_BYTES);
  const error = parsed.diagnostics.find((d) => d.severity === 'error');
  if (!parsed.ok || error) {
    return { file, lock: {}, problem: `${path.basename(file)} is not a valid lock file: ${error?.message.replace(/\bthe policy\b/g, 'the lock file') ?? 'not a JSON object'}` };
  }
  return { file, lock: parsed.value as ApprovalLock };
}

/** The key of `module` in the lock of `lockFile`: its path relative to the lock's folder, `/`-separated. */
export function lockKey(lockFile: string, module: string): string {
  return path.relative(path.dirname(lockFile), path.resolve(module)).split(path.sep).join('/');
}

/** The approved versions of a module (none: undefined). */
export function approvedModule(lock: ApprovalLock, key: string): ApprovedModule | undefined {
  const modules = lock.modules ?? {};
  return Object.prototype.hasOwnProperty.call(modules, key) ? modules[key] : undefined;
}

/** Lock text for people and diffs: two-space JSON, keys of `modules` sorted, newline at the end. */
export function lockText(lock: ApprovalLock): string {
  const modules: Record<string, ApprovedModule> = {};
  for (const key of Object.keys(lock.modules ?? {}).sort()) modules[key] = lock.modules![key];
  return JSON.stringify({ $schema: lock.$schema ?? LOCK_SCHEMA_URL, lockVersion: 1, modules }, null, 2) + '\n';
}

export const LOCK_SCHEMA_URL = 'https://wasm-warden.dev/lock.schema.json';

/** Forget cached lock files (tests, and after this process wrote one). */
export function forgetLock(file?: string): void {
  if (file) cache.delete(file);
  else cache.clear();
}
