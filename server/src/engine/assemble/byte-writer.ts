/**
 * A growable byte buffer with the encodings of the binary format: bytes, unsigned and signed LEB128
 * (32 and 64 bits, the latter from a number or a bigint), little-endian floats, names.
 */

const scratch = new DataView(new ArrayBuffer(8));
const utf8 = new TextEncoder();

export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private grow(need: number): void {
    let cap = this.buf.length * 2;
    while (cap < this.len + need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  u8(b: number): void {
    if (this.len >= this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.len + n > this.buf.length) this.grow(n);
    if (n <= 8) {
      // opcodes, short immediates: a loop beats the call into TypedArray.prototype.set
      const buf = this.buf;
      let p = this.len;
      for (let k = 0; k < n; k++) buf[p++] = b[k];
      this.len = p;
      return;
    }
    this.buf.set(b, this.len);
    this.len += n;
  }

  /** Appends another writer's bytes. */
  append(w: ByteWriter, from = 0, to = w.len): void {
    const n = to - from;
    if (this.len + n > this.buf.length) this.grow(n);
    this.buf.set(w.buf.subarray(from, to), this.len);
    this.len += n;
  }

  /** Unsigned LEB128 of a value 0 .. 2^53 (a number). */
  u32(v: number): void {
    if (this.len + 10 > this.buf.length) this.grow(10);
    const b = this.buf;
    let p = this.len;
    if (v < 0x80000000) {
      while (v >= 0x80) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        b[p++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
    }
    b[p++] = v;
    this.len = p;
  }

  /** Signed LEB128 of a 32-bit integer (any number is wrapped to 32 bits first). */
  s32(v: number): void {
    if (this.len + 5 > this.buf.length) this.grow(5);
    v |= 0;
    const b = this.buf;
    let p = this.len;
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
        b[p++] = byte;
        break;
      }
      b[p++] = byte | 0x80;
    }
    this.len = p;
  }

  /** Signed LEB128 of a safe integer (|v| < 2^53), for i64 constants, s33 block types. */
  sNum(v: number): void {
    if (v >= -0x80000000 && v <= 0x7fffffff) {
      this.s32(v);
      return;
    }
    this.s64(BigInt(v));
  }

  /** Signed LEB128 of a 64-bit integer (wrapped to 64 bits first). */
  s64(v: bigint): void {
    v = BigInt.asIntN(64, v);
    // as two 32-bit halves (hi signed): shifting numbers, not allocating a bigint per byte
    let lo = Number(v & 0xffffffffn) >>> 0;
    let hi = Number(v >> 32n) | 0;
    for (;;) {
      const byte = lo & 0x7f;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>= 7;
      if ((hi === 0 && lo === 0 && (byte & 0x40) === 0) || (hi === -1 && lo === 0xffffffff && (byte & 0x40) !== 0)) {
        this.u8(byte);
        return;
      }
      this.u8(byte | 0x80);
    }
  }

  /** Unsigned LEB128 of a 64-bit value. */
  u64(v: bigint): void {
    v = BigInt.asUintN(64, v);
    if (v < 0x20000000000000n) {
      this.u32(Number(v));
      return;
    }
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v === 0n) {
        this.u8(byte);
        return;
      }
      this.u8(byte | 0x80);
    }
  }

  /** 4 bytes, little endian. */
  u32le(v: number): void {
    if (this.len + 4 > this.buf.length) this.grow(4);
    const b = this.buf;
    b[this.len] = v & 0xff;
    b[this.len + 1] = (v >>> 8) & 0xff;
    b[this.len + 2] = (v >>> 16) & 0xff;
    b[this.len + 3] = (v >>> 24) & 0xff;
    this.len += 4;
  }

  f64(v: number): void {
    scratch.setFloat64(0, v, true);
    this.u32le(scratch.getUint32(0, true));
    this.u32le(scratch.getUint32(4, true));
  }

  /** A name: its UTF-8 length and bytes. */
  name(s: string): void {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }

  /** Length-prefixed raw bytes. */
  vecBytes(b: Uint8Array): void {
    this.u32(b.length);
    this.bytes(b);
  }

  /** A section (or a name subsection): its id, its size and its content. */
  section(id: number, content: ByteWriter | Uint8Array): void {
    this.u8(id);
    if (content instanceof ByteWriter) {
      this.u32(content.len);
      this.append(content);
    } else this.vecBytes(content);
  }

  /** A custom section: id 0, its size, its name, then `content`. */
  customSection(name: string, content: ByteWriter | Uint8Array): void {
    const head = new ByteWriter(name.length + 8);
    head.name(name);
    this.u8(0);
    this.u32(head.len + (content instanceof ByteWriter ? content.len : content.length));
    this.append(head);
    if (content instanceof ByteWriter) this.append(content);
    else this.bytes(content);
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Bytes of the unsigned LEB128 encoding of v. */
export function u32Size(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
