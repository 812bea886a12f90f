/**
 * Bounds-checked cursor over a `.wasm` byte array: LEB128, fixed-width values and names.
 *
 * Every read checks against `end` (the end of the current section or of the file) and throws a
 * WasmFormatError carrying the byte offset; the binary reader catches it and turns it into a
 * diagnostic. No read allocates except `name()`, which decodes one string.
 */

/** A malformed-binary finding at a byte offset, thrown by ByteReader and caught by the reader. */
export class WasmFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'WasmFormatError';
  }
}

// ignoreBOM: a name may start with U+FEFF (names.wast exports "\u{feff}" beside ""): keep it, do not strip it
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Names are decoded as slices of one latin1 string of the reader's bytes (made on the first name read,
 * for readers of at most this many bytes): one native decode per section instead of one per name, which
 * made string building most of the cost of reading a module's imports. Only ASCII names are taken
 * from it (latin1 and UTF-8 agree there); any other name is decoded as UTF-8 on its own. Names that
 * lie before the next non-ASCII byte (searched natively, once per such byte) need no check of their own.
 */
const TEXT_MAX = 256 * 1024;

/** A non-ASCII byte of a latin1 text (global: searches from its lastIndex, see nextNonAscii). */
const NON_ASCII = /[\x80-\xff]/g;

export function hex(n: number): string {
  return '0x' + n.toString(16);
}

export class ByteReader {
  pos: number;
  /** the reader's bytes from `textStart` to `end` as latin1, once a name was read (see TEXT_MAX) */
  private text: string | undefined = undefined;
  private textStart = 0;
  /** file offset of the next non-ASCII byte of the text, at or after the last name read (names wholly before it need no check) */
  private asciiEnd = 0;
  /** file offset of the content of the last name read */
  nameStart = 0;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    /** exclusive limit: reads never go past it */
    readonly end: number,
    /** the file offset of `bytes[0]` (a section read on its own); positions are file offsets either way */
    readonly base = 0,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, offset = this.pos): never {
    throw new WasmFormatError(message, offset);
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      this.fail(`unexpected end while reading ${what}: need ${n} byte${n === 1 ? '' : 's'} at ${hex(this.pos)}, ${this.end - this.pos} left`);
    }
  }

  u8(what = 'byte'): number {
    if (this.pos >= this.end) this.need(1, what);
    return this.bytes[this.pos++ - this.base];
  }

  peek(): number {
    if (this.pos >= this.end) this.need(1, 'byte');
    return this.bytes[this.pos - this.base];
  }

  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Unsigned LEB128 of at most 32 bits (5 bytes, the unused bits of the last byte must be zero). */
  u32(what = 'u32', suffix = ''): number {
    // fast path: one byte (and no label built: `suffix`, e.g. ' count', is appended only on the slow path)
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.bytes[pos - this.base];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.u32Long(suffix ? what + suffix : what);
  }

  private u32Long(what: string): number {
    const start = this.pos;
    const bytes = this.bytes;
    let result = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) this.fail(`unexpected end while reading ${what} (LEB128 started at ${hex(start)})`, start);
      const b = bytes[this.pos++ - this.base];
      if (i === 4) {
        if (b & 0x80) this.fail(`${what}: LEB128 at ${hex(start)} is longer than 5 bytes`, start);
        if (b & 0x70) this.fail(`${what}: LEB128 at ${hex(start)} has unused bits set (value exceeds 32 bits)`, start);
        return (result | (b << 28)) >>> 0;
      }
      result |= (b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return result >>> 0;
    }
    /* c8 ignore next */
    return this.fail(`${what}: bad LEB128 at ${hex(start)}`, start);
  }

  /**
   * Unsigned LEB128 of at most 64 bits (10 bytes), as a number. Values above 2^53 lose precision;
   * they only occur in memory64 limits, where that is harmless for reporting.
   */
  u64(what = 'u64'): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(`unexpected end while reading ${what} (LEB128 started at ${hex(start)})`, start);
      const b = this.bytes[this.pos++ - this.base];
      if (i === 9) {
        if (b & 0x80) this.fail(`${what}: LEB128 at ${hex(start)} is longer than 10 bytes`, start);
        if (b & 0x7e) this.fail(`${what}: LEB128 at ${hex(start)} has unused bits set (value exceeds 64 bits)`, start);
      }
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) return result;
      mul *= 128;
    }
    /* c8 ignore next */
    return this.fail(`${what}: bad LEB128 at ${hex(start)}`, start);
  }

  /** Signed LEB128 of `bits` width (32, 33 or 64); returns the value for widths up to 33, else only validates. */
  sleb(bits: 32 | 33 | 64, what = `s${bits}`): number {
    const start = this.pos;
    const maxBytes = Math.ceil(bits / 7);
    let result = 0;
    let mul = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) this.fail(`unexpected end while reading ${what} (LEB128 started at ${hex(start)})`, start);
      const b = this.bytes[this.pos++ - this.base];
      if (i === maxBytes - 1) {
        if (b & 0x80) this.fail(`${what}: LEB128 at ${hex(start)} is longer than ${maxBytes} bytes`, start);
        // The unused high bits of the last byte must all equal the sign bit.
        const usedBits = bits - 7 * (maxBytes - 1); // bits carried by the last byte, incl. sign
        const high = b & 0x7f & ~((1 << (usedBits - 1)) - 1); // sign bit and unused bits
        if (high !== 0 && high !== (0x7f & ~((1 << (usedBits - 1)) - 1))) {
          this.fail(`${what}: LEB128 at ${hex(start)} has unused bits that do not match the sign`, start);
        }
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) {
        if (b & 0x40) result -= mul;
        return result;
      }
    }
    /* c8 ignore next */
    return this.fail(`${what}: bad LEB128 at ${hex(start)}`, start);
  }

  /** A length-prefixed UTF-8 name; returns the string and the byte range of its content. */
  name(what = 'name'): { value: string; start: number; end: number } {
    const value = this.nameValue(what);
    return { value, start: this.nameStart, end: this.pos };
  }

  /** A length-prefixed UTF-8 name, as `name()` without the range object: its content starts at `nameStart`. */
  nameValue(what = 'name'): string {
    this.nameBytes(what);
    const start = this.nameStart;
    const len = this.pos - start;
    if (this.text === undefined && this.end - start <= TEXT_MAX) this.makeText(start);
    const text = start >= this.textStart ? this.text : undefined;
    const bytes = this.bytes;
    const s = start - this.base;
    const e = s + len;
    if (text !== undefined) {
      // past the non-ASCII byte found last (a LEB128 byte between names, say): find the next one
      if (start >= this.asciiEnd) this.asciiEnd = this.nextNonAscii(text, start);
      // before it: ASCII for sure; else the name holds that byte, and is decoded as UTF-8 below
      if (start + len <= this.asciiEnd) return text.slice(start - this.textStart, start - this.textStart + len);
    } else {
      // no text (a section past TEXT_MAX): this name's own bytes tell
      let high = 0;
      for (let i = s; i < e; i++) high |= bytes[i];
      if (high < 0x80) return latin1(bytes, s, e);
    }
    try {
      return utf8.decode(bytes.subarray(s, e));
    } catch {
      return this.fail(`${what} at ${hex(start)} is not valid UTF-8`, start);
    }
  }

  /**
   * A length-prefixed name's bytes, neither decoded nor checked (no string is made: a module may hold
   * 75,000 export names, megabytes of them): its content is [`nameStart`, `pos`); `checkName` checks it.
   */
  nameBytes(what = 'name'): void {
    const len = this.u32(what, ' length');
    const start = this.pos;
    if (len > this.end - start) {
      this.fail(`${what} length ${len} at ${hex(start)} runs past the end (${this.end - start} bytes left)`, start);
    }
    this.nameStart = start;
    this.pos = start + len;
  }

  /** Checks that the name `nameBytes` read last is UTF-8 (a caller that knows it is ASCII need not). */
  checkName(what = 'name'): void {
    try {
      utf8.decode(this.bytes.subarray(this.nameStart - this.base, this.pos - this.base));
    } catch {
      this.fail(`${what} at ${hex(this.nameStart)} is not valid UTF-8`, this.nameStart);
    }
  }

  /**
   * A name that often repeats (an import's module name): the pool's string when the bytes are one of
   * its names, else decoded as `nameValue()` does and added to the pool. Repeats then share one string,
   * and a well-known name is the engine's own literal, which compares and hashes fastest (a slice of a
   * section's text compares several times slower).
   */
  pooledName(what: string, pool: NamePool): string {
    const lenAt = this.pos;
    const len = this.u32(what, ' length');
    const start = this.pos;
    if (len <= this.end - start) {
      // the name given out last first: imports come grouped by module
      const last = pool.last;
      let k = last >= 0 && this.holds(start, len, pool.bytes[last]) ? last : -1;
      for (let j = 0; k < 0 && j < pool.bytes.length; j++) if (j !== last && this.holds(start, len, pool.bytes[j])) k = j;
      if (k >= 0) {
        this.nameStart = start;
        this.pos = start + len;
        pool.last = k;
        return pool.values[k];
      }
    }
    this.pos = lenAt;
    const value = this.nameValue(what);
    if (pool.values.length < POOL_MAX) {
      pool.last = pool.values.length;
      pool.values.push(value);
      pool.bytes.push(Uint8Array.from(this.bytes.subarray(this.nameStart - this.base, this.pos - this.base)));
    }
    return value;
  }

  /** Do the `len` bytes at `start` equal `known`? */
  private holds(start: number, len: number, known: Uint8Array): boolean {
    if (known.length !== len) return false;
    const bytes = this.bytes;
    const s = start - this.base;
    for (let i = 0; i < len; i++) if (bytes[s + i] !== known[i]) return false;
    return true;
  }

  /** The reader's bytes from `start` to its end as latin1, and where the first non-ASCII byte is. */
  private makeText(start: number): void {
    const text = latin1(this.bytes, start - this.base, this.end - this.base);
    this.text = text;
    this.textStart = start;
    this.asciiEnd = this.nextNonAscii(text, start);
  }

  /** File offset of the first non-ASCII byte of the text at or after `from` (the end if none). */
  private nextNonAscii(text: string, from: number): number {
    NON_ASCII.lastIndex = from - this.textStart;
    // test() moves lastIndex past the match and allocates nothing (exec would build a match array)
    return NON_ASCII.test(text) ? this.textStart + NON_ASCII.lastIndex - 1 : this.end;
  }

  /** A vector count, checked against the bytes left (each element takes at least `minSize` bytes). */
  count(what: string, minSize = 1): number {
    const at = this.pos;
    const n = this.u32(what, ' count');
    if (n * minSize > this.end - this.pos) {
      this.fail(`${what} count ${n} at ${hex(at)} cannot fit in the ${this.end - this.pos} bytes left`, at);
    }
    return n;
  }
}

/** Most names a pool holds (past that, names are decoded as usual). */
const POOL_MAX = 16;

/** Names `pooledName()` hands out again: each string and its UTF-8 bytes. */
export interface NamePool {
  values: string[];
  bytes: Uint8Array[];
  /** index of the name given out last (-1: none yet) */
  last: number;
}

/** The seed of pools that start with these names (literals: see `pooledName`); make it once. */
export function namePoolSeed(known: readonly string[]): Readonly<NamePool> {
  const encoder = new TextEncoder();
  return { values: [...known], bytes: known.map((k) => encoder.encode(k)), last: -1 };
}

/** A fresh pool holding the seed's names. */
export function namePool(seed: Readonly<NamePool>): NamePool {
  return { values: seed.values.slice(), bytes: seed.bytes.slice(), last: -1 };
}

/** Bytes `start..end` of `bytes` as latin1 (one char per byte). */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);
}
