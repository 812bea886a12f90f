/**
 * Value types as small integers, for the decoder and the validator (a type is compared and stored
 * millions of times per module: a number, not an object or a string).
 *
 * - number and vector types: their binary byte (i32 0x7f, i64 0x7e, f32 0x7d, f64 0x7c, v128 0x7b)
 * - reference types: `(heap << 2) | 2 | nullable`, where `heap` is an abstract heap type's byte
 *   (func 0x70, extern 0x6f, ... all below 0x80) or `0x80 + typeidx` for a concrete type
 * - BOTTOM (-1): the unknown type an unreachable stack yields, a subtype of every type
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export const BOTTOM = -1;

/** Abstract heap types, by their binary byte. */
export const HT_FUNC = 0x70;
export const HT_EXTERN = 0x6f;
export const HT_ANY = 0x6e;
export const HT_EQ = 0x6d;
export const HT_I31 = 0x6c;
export const HT_STRUCT = 0x6b;
export const HT_ARRAY = 0x6a;
export const HT_EXN = 0x69;
export const HT_CONT = 0x68;
export const HT_NOEXN = 0x74;
export const HT_NOFUNC = 0x73;
export const HT_NOEXTERN = 0x72;
export const HT_NONE = 0x71;
export const HT_NOCONT = 0x75;
/** Heap codes at or above this are concrete: `CONCRETE + typeidx`. */
export const CONCRETE = 0x80;

export const ABSTRACT_HEAP_NAMES: Record<number, string> = {
  [HT_FUNC]: 'func',
  [HT_EXTERN]: 'extern',
  [HT_ANY]: 'any',
  [HT_EQ]: 'eq',
  [HT_I31]: 'i31',
  [HT_STRUCT]: 'struct',
  [HT_ARRAY]: 'array',
  [HT_EXN]: 'exn',
  [HT_CONT]: 'cont',
  [HT_NOEXN]: 'noexn',
  [HT_NOFUNC]: 'nofunc',
  [HT_NOEXTERN]: 'noextern',
  [HT_NONE]: 'none',
  [HT_NOCONT]: 'nocont',
};

export function refType(heap: number, nullable: boolean): number {
  return (heap << 2) | 2 | (nullable ? 1 : 0);
}

export function isRef(t: number): boolean {
  return t >= 0x100;
}

export function isNum(t: number): boolean {
  return t >= V128 && t <= I32;
}

export function heapOf(t: number): number {
  return t >> 2;
}

export function isNullable(t: number): boolean {
  return (t & 1) === 1;
}

export function isConcrete(heap: number): boolean {
  return heap >= CONCRETE;
}

/** Can a local of this type start without an initialiser (numbers, vectors, nullable references)? */
export function isDefaultable(t: number): boolean {
  return !isRef(t) || isNullable(t);
}

export function heapName(heap: number): string {
  return heap >= CONCRETE ? String(heap - CONCRETE) : (ABSTRACT_HEAP_NAMES[heap] ?? `heap ${heap}`);
}

const NUM_NAMES: Record<number, string> = { [I32]: 'i32', [I64]: 'i64', [F32]: 'f32', [F64]: 'f64', [V128]: 'v128' };

/** The WAT spelling: `i32`, `funcref`, `(ref null 3)`; `_` for the unknown type of dead code. */
export function typeName(t: number): string {
  if (t === BOTTOM) return '_';
  const num = NUM_NAMES[t];
  if (num !== undefined) return num;
  const heap = heapOf(t);
  if (isNullable(t) && heap < CONCRETE) return `${heapName(heap)}ref`;
  return `(ref ${isNullable(t) ? 'null ' : ''}${heapName(heap)})`;
}

export function typeListName(ts: readonly number[]): string {
  return `[${ts.map(typeName).join(' ')}]`;
}

/** The letters of the instruction table's signatures (i I f F v) as types. */
export function letterTypes(s: string): number[] {
  const out: number[] = [];
  for (const c of s) out.push(c === 'i' ? I32 : c === 'I' ? I64 : c === 'f' ? F32 : c === 'F' ? F64 : V128);
  return out;
}
