/**
 * Where the engine's separate processes live, in source form (tests, run with tsx) and in the
 * esbuild bundle (dist/). Heavy or untrusted work (wabt, binaryen, guest modules) runs in these
 * processes so it can be killed on a timeout without freezing the language server.
 */
import * as fs from 'fs';
import * as path from 'path';
import processEntries from './process-entries.json';

/** Entry points (relative to this folder) that scripts/build.mjs bundles to `dist/<name>.js`: one list, read by both. */
export const PROCESS_ENTRIES = processEntries;

export type ProcessEntry = keyof typeof PROCESS_ENTRIES;

export interface EntryLocation {
  /** the script to start with `child_process.fork` or `new Worker` */
  file: string;
  /** Node flags needed to start it (tsx loader when running from source) */
  execArgv: string[];
}

export function processEntry(name: ProcessEntry): EntryLocation {
  // Bundled: this code is inside dist/<something>.js and the entry sits beside it.
  if (!__filename.endsWith('.ts')) {
    return { file: path.join(__dirname, `${name}.js`), execArgv: [] };
  }
  const file = path.join(__dirname, PROCESS_ENTRIES[name]);
  if (!fs.existsSync(file)) throw new Error(`engine entry ${name} not found at ${file}`);
  // resolved from here, not from the current folder, so source runs work from any working directory
  return { file, execArgv: ['--require', require.resolve('tsx/cjs')] };
}
