/**
 * Where printed text came from: one record per printed entry (a type, an import, a function, a
 * segment...) and, when asked, per instruction: its text range and the byte range it was printed
 * from. Records are kept in flat growable number arrays (a 45 MB module prints millions of lines),
 * in text order; lookups go both ways.
 */

export class OffsetMap {
  private textStart: Float64Array;
  private textEnd: Float64Array;
  private byteStart: Float64Array;
  private byteEnd: Float64Array;
  length = 0;

  /** `capacity`: the records expected (a body of n bytes has at most n instructions), so a large one is not grown and copied ten times */
  constructor(capacity = 1024) {
    const n = Math.max(16, Math.min(Math.ceil(capacity), 1 << 24));
    this.textStart = new Float64Array(n);
    this.textEnd = new Float64Array(n);
    this.byteStart = new Float64Array(n);
    this.byteEnd = new Float64Array(n);
  }

  /** Records that text [textStart, textEnd) shows bytes [byteStart, byteEnd). Calls come in text order. */
  add(textStart: number, textEnd: number, byteStart: number, byteEnd: number): void {
    if (this.length === this.textStart.length) this.grow();
    const i = this.length++;
    this.textStart[i] = textStart;
    this.textEnd[i] = textEnd;
    this.byteStart[i] = byteStart;
    this.byteEnd[i] = byteEnd;
  }

  /** Shifts every record's text range by `delta` (a text printed on its own, then placed in a larger one). */
  shiftText(delta: number): void {
    for (let i = 0; i < this.length; i++) {
      this.textStart[i] += delta;
      this.textEnd[i] += delta;
    }
  }

  /** Memory held, in bytes (the view cache's accounting). */
  get bytes(): number {
    return this.textStart.length * 32;
  }

  /**
   * The text range of the narrowest record whose byte range holds `byteOffset` (an empty byte range
   * matches its own offset); ties go to the first in text order.
   */
  textForByte(byteOffset: number): { start: number; end: number } | undefined {
    let best = -1;
    let bestSize = Infinity;
    for (let i = 0; i < this.length; i++) {
      const s = this.byteStart[i];
      const e = this.byteEnd[i];
      if (byteOffset >= s && (byteOffset < e || (e === s && byteOffset === s))) {
        const size = e - s;
        if (size < bestSize) {
          best = i;
          bestSize = size;
        }
      }
    }
    return best < 0 ? undefined : { start: this.textStart[best], end: this.textEnd[best] };
  }

  /** The byte offset of the record shown at a text offset (binary search; undefined between records). */
  byteForText(textOffset: number): number | undefined {
    let lo = 0;
    let hi = this.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (textOffset < this.textStart[mid]) hi = mid - 1;
      else {
        if (textOffset <= this.textEnd[mid]) found = mid;
        lo = mid + 1;
      }
    }
    // the last record starting at or before the offset that holds it (nested records come later)
    if (found >= 0) return this.byteStart[found];
    return undefined;
  }

  /** Every record, in text order. */
  *records(): IterableIterator<{ textStart: number; textEnd: number; byteStart: number; byteEnd: number }> {
    for (let i = 0; i < this.length; i++) {
      yield { textStart: this.textStart[i], textEnd: this.textEnd[i], byteStart: this.byteStart[i], byteEnd: this.byteEnd[i] };
    }
  }

  private grow(): void {
    const n = this.textStart.length * 2;
    const copy = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.textStart = copy(this.textStart);
    this.textEnd = copy(this.textEnd);
    this.byteStart = copy(this.byteStart);
    this.byteEnd = copy(this.byteEnd);
  }
}
