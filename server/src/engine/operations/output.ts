/**
 * Writing results without losing files: outputs never replace an existing file unless the caller says
 * `overwrite` (the editor asks the user; the CLI has `--force`), and are written to a temporary file
 * first and renamed into place, so a failure never leaves a half-written output.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface WriteResult {
  /** the output file */
  file: string;
  written: boolean;
  /** the output exists and `overwrite` was not set: nothing was written */
  exists?: boolean;
}

export function writeOutput(file: string, data: Uint8Array | string, overwrite = false, mode?: number): WriteResult {
  if (!overwrite && fs.existsSync(file)) return { file, written: false, exists: true };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { file, written: true };
}

/**
 * Output path from a template: `${dir}` (the input's folder), `${name}` (its name without extension),
 * `${ext}` (its extension without the dot). Relative results are resolved against the input's folder.
 */
export function outputPath(template: string, input: string): string {
  const dir = path.dirname(path.resolve(input));
  const ext = path.extname(input);
  const name = path.basename(input, ext);
  const out = template.replace(/\$\{dir\}/g, dir).replace(/\$\{name\}/g, name).replace(/\$\{ext\}/g, ext.slice(1));
  return path.resolve(dir, out);
}

/** Read a file as bytes, as a fresh (unpooled) Uint8Array. */
export function readBytes(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(file));
}

/**
 * A free name beside `file` for writing alongside it instead of over it: `name-1.ext`, `name-2.ext`, ...
 * (the first that does not exist).
 */
export function alongsidePath(file: string): string {
  return alongsidePaths([file])[0];
}

/** Free names beside several files that belong together, with the same number (`key-2.key`, `key-2.pub`). */
export function alongsidePaths(files: string[]): string[] {
  for (let n = 1; ; n++) {
    const candidates = files.map((file) => {
      const ext = path.extname(file);
      return `${file.slice(0, file.length - ext.length)}-${n}${ext}`;
    });
    if (candidates.every((c) => !fs.existsSync(c))) return candidates;
  }
}
