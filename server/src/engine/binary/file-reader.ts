/**
 * Reading a `.wasm` file for what a policy check needs, without reading what it does not: the section
 * headers and the payloads of the small declaration sections (type, import, table, memory, tag, start,
 * data count; the head of each custom section), placed at their file offsets in a buffer of the file's
 * size. The function, global, export and element payloads are read only when a lazy read decodes them
 * (`load`, which reads them from the file then); code and data payloads never. The buffer is allocated
 * zero-filled and only the read parts are touched, so memory and I/O follow what the policy looks at,
 * not the module's code size. Pair it with `readWasm(bytes, { ...HEADER_READ_OPTIONS, load })`.
 *
 * Anything unusual (a malformed size, a truncated header) falls back to reading the whole file, so the
 * reader sees the real bytes and reports the problem with its offset.
 */
import * as fs from 'fs';
import type { ReadWasmOptions } from './reader';

/** Reader options matching a header-only read: no bodies, no data segments, no names. */
export const HEADER_READ_OPTIONS: ReadWasmOptions = { bodies: false, data: false, ids: false, names: false, lazy: true };

/** Sections whose payload a header read leaves for `load`: function, global, export, element. */
const ON_DEMAND = new Set([3, 6, 7, 9]);

/** Custom sections are read up to this many bytes (enough for their name). */
const CUSTOM_HEAD_BYTES = 4096;

export interface WasmFileBytes {
  bytes: Uint8Array;
  size: number;
  /** false when only the headers were read (code, data and large custom payloads are zeros) */
  complete: boolean;
  /** header reads: reads `[offset, offset + length)` of the file into `bytes` (once per range) */
  load?: (offset: number, length: number) => void;
}

function readAt(fd: number, bytes: Uint8Array, offset: number, length: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, bytes, offset + done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** The whole file, as a fresh (unpooled) array. */
export function readWasmFileFully(file: string): WasmFileBytes {
  const bytes = new Uint8Array(fs.readFileSync(file));
  return { bytes, size: bytes.length, complete: true };
}

export function readWasmFileHeaders(file: string): WasmFileBytes {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = new Uint8Array(size);
    const full = (): WasmFileBytes => {
      readAt(fd, bytes, 0, size);
      return { bytes, size, complete: true };
    };
    if (size < 8 || readAt(fd, bytes, 0, 8) < 8) return full();
    let pos = 8;
    while (pos < size) {
      // id byte and up to 5 bytes of size
      const head = readAt(fd, bytes, pos, Math.min(6, size - pos));
      if (head < 2) return full();
      let payloadSize = 0;
      let p = pos + 1;
      let shift = 0;
      for (;;) {
        if (p >= pos + head || shift > 28) return full();
        const b = bytes[p++];
        payloadSize += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) break;
      }
      const id = bytes[pos];
      const end = p + payloadSize;
      if (end > size) return full();
      // the head read may have run into the payload: that is fine, those bytes are real
      if (id === 10 || id === 11) {
        // code and data payloads are not needed: left as zeros, skipped by the reader
      } else if (ON_DEMAND.has(id)) {
        // read on demand; the head now (a function section's count is checked up front)
        if (p + 5 > pos + head) readAt(fd, bytes, p, Math.min(5, payloadSize));
      } else if (id === 0 && payloadSize > CUSTOM_HEAD_BYTES) {
        readAt(fd, bytes, p, CUSTOM_HEAD_BYTES);
      } else if (end > pos + head) {
        readAt(fd, bytes, p, end - p);
      }
      pos = end;
    }
    return { bytes, size, complete: false, load: onDemand(file, bytes) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads ranges of the file into `bytes` when a lazy read needs them. The file is opened again: if it
 * changed in between, the reader sees the new bytes (bounds-checked) and reports what does not fit.
 * An I/O error leaves the range as it was (zeros), which the reader reports as malformed.
 */
function onDemand(file: string, bytes: Uint8Array): (offset: number, length: number) => void {
  const done = new Set<number>();
  return (offset, length) => {
    if (done.has(offset) || length <= 0) return;
    done.add(offset);
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'r');
      readAt(fd, bytes, offset, Math.min(length, bytes.length - offset));
    } catch {
      // reported by the reader as a malformed section
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };
}
