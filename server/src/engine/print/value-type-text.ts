/**
 * Value, heap and reference types (as the decoder's number codes, see isa/value-type.ts) in WAT
 * spelling, with concrete types by their `$id` when the name section gives one.
 */
import { ABSTRACT_HEAP_NAMES, CONCRETE } from '../isa/value-type';
import type { IdMap } from './print-names';

const NUM: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };

export function heapText(heap: number, typeIds: IdMap): string {
  if (heap >= CONCRETE) {
    const i = heap - CONCRETE;
    return typeIds.get(i) ?? String(i);
  }
  return ABSTRACT_HEAP_NAMES[heap] ?? `(;heap ${heap};)`;
}

/** A reference type from a heap code and nullability: `funcref`, `externref`, `(ref null $t)`, `(ref any)`. */
export function refText(heap: number, nullable: boolean, typeIds: IdMap): string {
  if (nullable && heap === 0x70) return 'funcref';
  if (nullable && heap === 0x6f) return 'externref';
  if (nullable && heap === 0x69) return 'exnref';
  return nullable ? `(ref null ${heapText(heap, typeIds)})` : `(ref ${heapText(heap, typeIds)})`;
}

export function valTypeText(t: number, typeIds: IdMap): string {
  const num = NUM[t];
  if (num !== undefined) return num;
  return refText(t >> 2, (t & 1) === 1, typeIds);
}
