/**
 * The content-addressed store of approved module bytes: `.wasm-warden/store/sha256/<digest>` in the
 * lock file's folder. `rollback` restores from it.
 *
 * The folder comes from a cloned workspace, so the store trusts nothing in it: the path is fixed
 * (only a 64-hex-digit digest is ever joined to it), no component of it may be a symbolic link (each is
 * looked at with lstat, and files are opened with O_NOFOLLOW), an entry is read only when it is a
 * regular file of the recorded size, and its bytes are hashed before they are returned: an entry whose
 * digest is not its name is corrupted and refused.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export const STORE_DIR = path.join('.wasm-warden', 'store', 'sha256');
/** Largest module the store holds (bigger files are approved without a stored copy, and said so). */
export const MAX_STORED_MODULE_BYTES = 1024 * 1024 * 1024;

const DIGEST = /^[0-9a-f]{64}$/;

export class StoreError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'corrupted' | 'unsafe' | 'too-large',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** The store folder of a lock file's folder (not created). */
export function storeDir(lockDir: string): string {
  return path.join(lockDir, STORE_DIR);
}

function entryPath(lockDir: string, digest: string): string {
  if (!DIGEST.test(digest)) throw new StoreError(`not a SHA-256 digest: ${JSON.stringify(digest.slice(0, 80))}`, 'unsafe');
  return path.join(storeDir(lockDir), digest);
}

/**
 * Every folder from the lock's folder down to the store must be a real folder (not a symlink): checked
 * component by component. `create` makes the missing ones.
 */
function checkStoreFolders(lockDir: string, create: boolean): boolean {
  let dir = lockDir;
  for (const part of STORE_DIR.split(path.sep)) {
    dir = path.join(dir, part);
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st) {
      if (!create) return false;
      fs.mkdirSync(dir);
      continue;
    }
    if (st.isSymbolicLink()) throw new StoreError(`${dir} is a symbolic link: the store of approved versions does not follow links`, 'unsafe');
    if (!st.isDirectory()) throw new StoreError(`${dir} is not a folder`, 'unsafe');
  }
  return true;
}

/**
 * Keep a copy of `bytes` under their digest. An entry that is already there and right is kept; one
 * that is not (corrupted) is replaced. Written to a temporary file and renamed into place.
 */
export function storeBytes(lockDir: string, bytes: Uint8Array, digest = sha256(bytes)): { file: string; written: boolean } {
  if (bytes.length > MAX_STORED_MODULE_BYTES) throw new StoreError(`the module is over ${MAX_STORED_MODULE_BYTES / 1024 / 1024} MB: not stored`, 'too-large');
  const file = entryPath(lockDir, digest);
  checkStoreFolders(lockDir, true);
  try {
    readStored(lockDir, digest, bytes.length);
    return { file, written: false };
  } catch (err) {
    if (!(err instanceof StoreError) || err.reason === 'unsafe') throw err;
  }
  const tmp = path.join(path.dirname(file), `.${digest}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, bytes, { flag: 'wx', mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { file, written: true };
}

/**
 * The stored bytes of `digest`, checked: a regular file (not a link) of `size` bytes whose SHA-256 is
 * `digest`. Throws StoreError otherwise (missing, corrupted, unsafe).
 */
export function readStored(lockDir: string, digest: string, size: number): Uint8Array {
  const file = entryPath(lockDir, digest);
  if (!checkStoreFolders(lockDir, false)) throw new StoreError(`no stored copy of ${digest} (no store at ${storeDir(lockDir)})`, 'missing');
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StoreError(`no stored copy of ${digest} in ${storeDir(lockDir)}`, 'missing');
    if (code === 'ELOOP' || code === 'EMLINK') throw new StoreError(`${file} is a symbolic link: refused`, 'unsafe');
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new StoreError(`${file} is not a regular file: refused`, 'unsafe');
    if (st.size !== size) throw new StoreError(`the stored copy ${file} has ${st.size} bytes, the approved version ${size}: corrupted, refused`, 'corrupted');
    if (size > MAX_STORED_MODULE_BYTES) throw new StoreError(`the stored copy ${file} is over ${MAX_STORED_MODULE_BYTES / 1024 / 1024} MB: refused`, 'too-large');
    const bytes = new Uint8Array(size);
    let read = 0;
    while (read < size) {
      const n = fs.readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read !== size) throw new StoreError(`the stored copy ${file} ended after ${read} of ${size} bytes: corrupted, refused`, 'corrupted');
    const actual = sha256(bytes);
    if (actual !== digest) throw new StoreError(`the stored copy ${file} has SHA-256 ${actual}, not the approved ${digest}: corrupted, refused`, 'corrupted');
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Remove stored copies no version of the lock refers to. Only names that are digests, and only regular
 * files, are ever removed; anything else in the folder is left alone.
 */
export function pruneStore(lockDir: string, keep: ReadonlySet<string>): string[] {
  if (!checkStoreFolders(lockDir, false)) return [];
  const dir = storeDir(lockDir);
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!DIGEST.test(name) || keep.has(name)) continue;
    const file = path.join(dir, name);
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    fs.rmSync(file);
    removed.push(name);
  }
  return removed;
}
