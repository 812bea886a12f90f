/**
 * The assembler's source map: for every instruction and module-level item, the byte offset it was
 * written at and the text span it was written from. Compact (three growable Int32Arrays) and sorted
 * by offset, so a byte offset (e.g. a validator finding) maps back to its text in O(log n).
 *
 *   const span = map.spanAt(offset)   // the item written at or before `offset`, or undefined
 */
import type { Span } from '../span';

export class SourceMap {
  offsets: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  count = 0;

  constructor(capacity = 64) {
    this.offsets = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  add(offset: number, start: number, end: number): void {
    if (this.count === this.offsets.length) this.reserve(this.count + 1);
    this.offsets[this.count] = offset;
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  /** Room for at least `n` entries. */
  private reserve(n: number): void {
    if (n <= this.offsets.length) return;
    {
      let cap = Math.max(16, this.offsets.length * 2);
      while (cap < n) cap *= 2;
      const o = new Int32Array(cap);
      o.set(this.offsets);
      const s = new Int32Array(cap);
      s.set(this.starts);
      const e = new Int32Array(cap);
      e.set(this.ends);
      this.offsets = o;
      this.starts = s;
      this.ends = e;
    }
  }

  /** Appends another map's entries with their offsets shifted by `base`. */
  addAll(other: SourceMap, base: number): void {
    const n = other.count;
    this.reserve(this.count + n);
    const at = this.count;
    const o = this.offsets;
    const oo = other.offsets;
    for (let k = 0; k < n; k++) o[at + k] = oo[k] + base;
    this.starts.set(other.starts.subarray(0, n), at);
    this.ends.set(other.ends.subarray(0, n), at);
    this.count += n;
  }

  /** The text span of the last item written at or before `offset` (undefined before the first). */
  spanAt(offset: number): Span | undefined {
    let lo = 0;
    let hi = this.count - 1;
    if (hi < 0 || this.offsets[0] > offset) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { start: this.starts[lo], end: this.ends[lo] };
  }

  /** Trims the arrays to their content (when they are more than a quarter empty). */
  compact(): void {
    if (this.count > this.offsets.length * 0.75) return;
    this.offsets = this.offsets.slice(0, this.count);
    this.starts = this.starts.slice(0, this.count);
    this.ends = this.ends.slice(0, this.count);
  }
}
