/**
 * The guest's stdout/stderr, from its worker thread to the process's main thread, through a ring
 * buffer in a SharedArrayBuffer: a write is a copy, two Atomics and a notify (no message, no
 * serialisation: a postMessage per fd_write cost ~2 µs more per call). The main thread waits with
 * Atomics.waitAsync, so output written just before a busy loop is seen at once.
 * Single writer, single reader. Records: stream (1 byte), length (u32 LE), bytes; positions are Int32
 * counters that wrap (differences are taken `| 0`). A full ring blocks the writer (Atomics.wait in the
 * worker) until the reader drains it.
 */
const HEAD = 0;
const TAIL = 1;
const CTRL_BYTES = 16;
const HEADER = 5;

/** Atomics.waitAsync (Node 16+; the project's TypeScript lib predates its declaration) */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number): { async: true; value: Promise<string> } | { async: false; value: string };
}).waitAsync;

export function outputRingBuffer(capacity = 1 << 20): SharedArrayBuffer {
  if (capacity & (capacity - 1)) throw new Error('ring capacity must be a power of two');
  return new SharedArrayBuffer(CTRL_BYTES + capacity);
}

export class OutputRingWriter {
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  private readonly mask: number;
  private head = 0;

  constructor(sab: SharedArrayBuffer) {
    this.ctrl = new Int32Array(sab, 0, CTRL_BYTES / 4);
    this.data = new Uint8Array(sab, CTRL_BYTES);
    this.mask = this.data.length - 1;
    this.head = Atomics.load(this.ctrl, HEAD);
  }

  write(stream: 1 | 2, bytes: Uint8Array): void {
    const max = this.data.length >> 2;
    for (let off = 0; off < bytes.length; off += max) this.record(stream, bytes.subarray(off, off + max));
  }

  private record(stream: 1 | 2, chunk: Uint8Array): void {
    const need = HEADER + chunk.length;
    const cap = this.data.length;
    const head = this.head;
    for (;;) {
      const tail = Atomics.load(this.ctrl, TAIL);
      if (cap - ((head - tail) | 0) >= need) break;
      Atomics.wait(this.ctrl, TAIL, tail, 100);
    }
    const { data, mask } = this;
    const len = chunk.length;
    data[head & mask] = stream;
    data[(head + 1) & mask] = len & 0xff;
    data[(head + 2) & mask] = (len >>> 8) & 0xff;
    data[(head + 3) & mask] = (len >>> 16) & 0xff;
    data[(head + 4) & mask] = (len >>> 24) & 0xff;
    const p = (head + HEADER) & mask;
    const first = Math.min(len, cap - p);
    data.set(first === len ? chunk : chunk.subarray(0, first), p);
    if (first < len) data.set(chunk.subarray(first), 0);
    this.head = (head + need) | 0;
    Atomics.store(this.ctrl, HEAD, this.head);
    Atomics.notify(this.ctrl, HEAD);
  }
}

export class OutputRingReader {
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  private readonly mask: number;
  private tail = 0;
  private stopped = false;

  constructor(sab: SharedArrayBuffer) {
    this.ctrl = new Int32Array(sab, 0, CTRL_BYTES / 4);
    this.data = new Uint8Array(sab, CTRL_BYTES);
    this.mask = this.data.length - 1;
  }

  /** Hands every complete record to `onChunk` and frees its space. */
  drain(onChunk: (stream: 1 | 2, bytes: Uint8Array) => void): void {
    const { data, mask } = this;
    const cap = data.length;
    let tail = this.tail;
    const head = Atomics.load(this.ctrl, HEAD);
    while (tail !== head) {
      const stream = data[tail & mask] as 1 | 2;
      const len = data[(tail + 1) & mask] | (data[(tail + 2) & mask] << 8) | (data[(tail + 3) & mask] << 16) | (data[(tail + 4) & mask] << 24);
      const p = (tail + HEADER) & mask;
      const first = Math.min(len, cap - p);
      const out = new Uint8Array(len);
      out.set(data.subarray(p, p + first));
      if (first < len) out.set(data.subarray(0, len - first), first);
      onChunk(stream, out);
      tail = (tail + HEADER + len) | 0;
    }
    if (tail !== this.tail) {
      this.tail = tail;
      Atomics.store(this.ctrl, TAIL, tail);
      Atomics.notify(this.ctrl, TAIL);
    }
  }

  /** Drains whenever the writer adds something (Atomics.waitAsync), until stop(). */
  follow(onChunk: (stream: 1 | 2, bytes: Uint8Array) => void): void {
    const loop = () => {
      if (this.stopped) return;
      this.drain(onChunk);
      const w = waitAsync(this.ctrl, HEAD, this.tail);
      if (w.async) void w.value.then(loop);
      else setImmediate(loop); // written meanwhile: drain on the next turn, letting other events in
    };
    loop();
  }

  stop(): void {
    this.stopped = true;
  }
}
