/**
 * Reading the signing inputs a workspace controls (key files, detached signatures) with a size bound
 * checked before anything is read: a hostile path (a huge file, a device, a FIFO, a directory) costs a
 * stat and gives a clear SigningError, never a read of gigabytes or a blocked open.
 */
import * as fs from 'node:fs';
import { SigningError, type SigningErrorCode } from './errors';
import { MAX_SIGNATURE_BYTES } from './format';

/** Largest key file read: PEM, DER, OpenSSH and raw Ed25519 keys are well under 1 KiB. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

function readBounded(path: string, limit: number, what: string, code: SigningErrorCode): Uint8Array {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below as not a regular file)
    fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new SigningError(code, `${what} ${path}: ${reason}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new SigningError(code, `${what} ${path}: not a regular file`);
    if (st.size > limit) throw new SigningError(code, `${what} ${path}: ${st.size} bytes, more than the ${limit} bytes a ${what} can have`);
    // read at most limit + 1 bytes: a file that grew after the stat is still caught
    const buf = Buffer.alloc(Math.min(limit + 1, st.size + 1));
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
      if (n === buf.length) break;
    }
    if (n > limit) throw new SigningError(code, `${what} ${path}: more than the ${limit} bytes a ${what} can have`);
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** A key file's bytes (at most MAX_KEY_FILE_BYTES); throws SigningError('bad-key'). */
export function readKeyFileBytes(path: string): Uint8Array {
  return readBounded(path, MAX_KEY_FILE_BYTES, 'key file', 'bad-key');
}

/** A detached signature file's bytes (at most MAX_SIGNATURE_BYTES); throws SigningError('malformed'). */
export function readSignatureFile(path: string): Uint8Array {
  return readBounded(path, MAX_SIGNATURE_BYTES, 'signature file', 'malformed');
}
