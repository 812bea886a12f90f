/**
 * Imports an Extism-style manifest into SandboxOptions:
 * - `allowed_paths` {host: guest}; a host path prefixed `ro:` is mounted read-only (others read-write),
 *   relative host paths are resolved against `baseDir`;
 * - `timeout_ms` -> timeoutMs (default 30 s when absent: the sandbox always has a wall-clock limit);
 * - `memory.max_pages` -> maxMemoryBytes (64 KiB pages);
 * - `config` -> the guest's environment (Extism exposes it through its own host functions, which this
 *   sandbox does not provide: the environment is the closest WASI equivalent);
 * - `wasm` entries are returned as-is for the caller to load and check (`hash` is a SHA-256);
 * - `allowed_hosts` and other unknown fields cannot be honoured and are listed in `warnings`.
 */
import * as path from 'path';
import type { SandboxOptions } from './types';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface ExtismWasmSource {
  path?: string;
  url?: string;
  data?: string;
  hash?: string;
  name?: string;
}

export interface ExtismImport {
  options: SandboxOptions;
  wasm: ExtismWasmSource[];
  warnings: string[];
}

export class ManifestError extends Error {}

const KNOWN = new Set(['wasm', 'allowed_paths', 'timeout_ms', 'memory', 'config', 'allowed_hosts']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function importExtismManifest(manifest: unknown, baseDir: string, args: string[] = ['main']): ExtismImport {
  if (!isRecord(manifest)) throw new ManifestError('an Extism manifest is a JSON object');
  const warnings: string[] = [];
  const options: SandboxOptions = { dirs: [], env: {}, args, timeoutMs: DEFAULT_TIMEOUT_MS };

  const paths = manifest.allowed_paths;
  if (paths !== undefined) {
    if (!isRecord(paths)) throw new ManifestError('allowed_paths must map host paths to guest paths');
    for (const [key, guest] of Object.entries(paths)) {
      if (typeof guest !== 'string' || guest === '') throw new ManifestError(`allowed_paths["${key}"] must be a guest path`);
      const readOnly = key.startsWith('ro:');
      const host = path.resolve(baseDir, readOnly ? key.slice(3) : key);
      options.dirs.push({ host, guest, readOnly });
    }
  }

  const timeout = manifest.timeout_ms;
  if (timeout !== undefined && timeout !== null) {
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) throw new ManifestError('timeout_ms must be a positive number');
    options.timeoutMs = timeout;
  } else warnings.push(`no timeout_ms: using ${DEFAULT_TIMEOUT_MS} ms`);

  const memory = manifest.memory;
  if (memory !== undefined) {
    if (!isRecord(memory)) throw new ManifestError('memory must be an object');
    const pages = memory.max_pages;
    if (pages !== undefined) {
      if (typeof pages !== 'number' || !Number.isInteger(pages) || pages < 0 || pages > 65536) throw new ManifestError('memory.max_pages must be an integer 0..65536');
      options.maxMemoryBytes = pages * 65536;
    }
    for (const k of Object.keys(memory)) if (k !== 'max_pages') warnings.push(`memory.${k} is not supported`);
  }

  const config = manifest.config;
  if (config !== undefined) {
    if (!isRecord(config)) throw new ManifestError('config must be an object of strings');
    for (const [k, v] of Object.entries(config)) {
      if (typeof v !== 'string') throw new ManifestError(`config["${k}"] must be a string`);
      if (k.includes('=') || k.includes('\0')) throw new ManifestError(`config key "${k}" cannot be an environment variable name`);
      options.env[k] = v;
    }
  }

  const hosts = manifest.allowed_hosts;
  if (Array.isArray(hosts) && hosts.length) warnings.push(`allowed_hosts (${hosts.join(', ')}) ignored: the sandbox has no network`);

  const wasm: ExtismWasmSource[] = [];
  if (manifest.wasm !== undefined) {
    if (!Array.isArray(manifest.wasm)) throw new ManifestError('wasm must be an array');
    for (const w of manifest.wasm) {
      if (!isRecord(w)) throw new ManifestError('each wasm entry is an object');
      wasm.push(w as ExtismWasmSource);
    }
  }
  for (const k of Object.keys(manifest)) if (!KNOWN.has(k)) warnings.push(`${k} is not supported`);
  return { options, wasm, warnings };
}
