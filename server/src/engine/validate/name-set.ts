/**
 * A set of names held as byte ranges of the module, for the duplicate-export rule: no string per name
 * (a C++ module may export 75,000 mangled names, 7 MB of them, and making a string of each and hashing
 * it was a fifth of validating the whole module). Open addressing over a hash of the bytes; equal hashes
 * are told apart by comparing the bytes.
 */
export class ByteNameSet {
  /** per slot: the name's start + 1 (0: empty), its length and its hash */
  private starts: Int32Array;
  private lengths: Int32Array;
  private hashes: Int32Array;
  private size = 0;

  constructor(
    private readonly bytes: Uint8Array,
    expected = 0,
  ) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.starts = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
  }

  /** The name added last is ASCII (no byte above 0x7f: valid UTF-8 without a further look). */
  ascii = true;

  /** Adds the name in bytes [start, start + length); false when an equal name is already in the set. */
  add(start: number, length: number): boolean {
    const bytes = this.bytes;
    // two FNV-1a lanes over the even and odd bytes (independent multiplies), mixed at the end
    let h1 = 0x811c9dc5 ^ length;
    let h2 = 0x050c5d1f;
    let high = 0;
    const end = start + length;
    let i = start;
    for (; i + 1 < end; i += 2) {
      const a = bytes[i];
      const b = bytes[i + 1];
      h1 = Math.imul(h1 ^ a, 0x01000193);
      h2 = Math.imul(h2 ^ b, 0x01000193);
      high |= a | b;
    }
    if (i < end) {
      h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
      high |= bytes[i];
    }
    this.ascii = high < 0x80;
    const h = Math.imul(h1 ^ (h2 >>> 13), 0x5bd1e995) ^ h2;
    const mask = this.starts.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const s = this.starts[slot];
      if (s === 0) break;
      if (this.hashes[slot] === h && this.lengths[slot] === length && this.same(s - 1, start, length)) return false;
    }
    if ((this.size + 1) * 2 > this.starts.length) this.grow();
    this.insert(start, length, h);
    this.size++;
    return true;
  }

  private same(a: number, b: number, length: number): boolean {
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
    return true;
  }

  private insert(start: number, length: number, h: number): void {
    const mask = this.starts.length - 1;
    let slot = h & mask;
    while (this.starts[slot] !== 0) slot = (slot + 1) & mask;
    this.starts[slot] = start + 1;
    this.lengths[slot] = length;
    this.hashes[slot] = h;
  }

  private grow(): void {
    const { starts, lengths, hashes } = this;
    this.starts = new Int32Array(starts.length * 2);
    this.lengths = new Int32Array(starts.length * 2);
    this.hashes = new Int32Array(starts.length * 2);
    for (let i = 0; i < starts.length; i++) if (starts[i] !== 0) this.insert(starts[i] - 1, lengths[i], hashes[i]);
  }
}
