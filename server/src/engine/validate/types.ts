/**
 * The type section as the validator sees it: composite types (func, struct, array, cont) in
 * recursion groups with declared supertypes, their canonical ids (iso-recursive type equivalence:
 * two types are the same when their recursion groups are structurally identical, the type's position
 * in them too), and the subtyping relation over value and heap types.
 */
import {
  BOTTOM,
  CONCRETE,
  HT_ANY,
  HT_ARRAY,
  HT_CONT,
  HT_EQ,
  HT_EXN,
  HT_EXTERN,
  HT_FUNC,
  HT_I31,
  HT_NOCONT,
  HT_NOEXN,
  HT_NOEXTERN,
  HT_NOFUNC,
  HT_NONE,
  HT_STRUCT,
  heapOf,
  isNullable,
  isRef,
} from '../isa/value-type';

export const enum TypeKind {
  Func = 0,
  Struct = 1,
  Array = 2,
  Cont = 3,
}

/** Packed storage types of struct and array fields. */
export const PACKED_I8 = 0x78;
export const PACKED_I16 = 0x77;

export interface CompositeType {
  kind: TypeKind;
  /** func: parameters and results */
  params: number[];
  results: number[];
  /** struct: field storage types and mutability; array: one field */
  fields: number[];
  mutables: boolean[];
  /** cont: the function type index */
  contFunc: number;
  /** declared supertype's index, or -1 */
  superIndex: number;
  final: boolean;
  /** index of the first type of its recursion group, and the group's size */
  groupStart: number;
  groupSize: number;
}

/** Types of one module with their canonical ids. */
export class TypeSpace {
  readonly types: CompositeType[] = [];
  /** canonical id per type index (equal ids: equivalent types) */
  readonly canon: number[] = [];
  private readonly groupIds = new Map<string, number>();
  private nextCanon = 0;

  get length(): number {
    return this.types.length;
  }

  /** Adds a finished recursion group (its types are already pushed to `types`) and canonicalises it. */
  closeGroup(start: number, size: number): void {
    const key = this.groupKey(start, size);
    let base = this.groupIds.get(key);
    if (base === undefined) {
      base = this.nextCanon;
      this.nextCanon += size;
      this.groupIds.set(key, base);
    }
    for (let i = 0; i < size; i++) this.canon[start + i] = base + i;
  }

  private groupKey(start: number, size: number): string {
    const parts: string[] = [String(size)];
    const ref = (t: number): string => {
      if (!isRef(t)) return String(t);
      const heap = heapOf(t);
      if (heap < CONCRETE) return `${t}`;
      const idx = heap - CONCRETE;
      const n = isNullable(t) ? 'n' : 'r';
      return idx >= start && idx < start + size ? `${n}R${idx - start}` : `${n}C${this.canon[idx]}`;
    };
    const idxKey = (idx: number): string => (idx < 0 ? '-' : idx >= start && idx < start + size ? `R${idx - start}` : `C${this.canon[idx]}`);
    for (let i = start; i < start + size; i++) {
      const t = this.types[i];
      parts.push(
        `${t.kind}${t.final ? 'f' : 'o'}${idxKey(t.superIndex)}(${t.params.map(ref)}|${t.results.map(ref)}|${t.fields.map(ref)}|${t.mutables.map((m) => (m ? 1 : 0))}|${idxKey(t.contFunc)})`,
      );
    }
    return parts.join(';');
  }

  /** Is type index `a` a (declared, transitive) subtype of type index `b`? */
  isSubIndex(a: number, b: number): boolean {
    const target = this.canon[b];
    for (let i = a, steps = 0; i >= 0 && steps < 1000; steps++) {
      if (this.canon[i] === target) return true;
      i = this.types[i].superIndex;
    }
    return false;
  }

  /** The top of the abstract hierarchy a heap type belongs to (func, extern, any, exn, cont). */
  topOf(heap: number): number {
    if (heap >= CONCRETE) {
      const t = this.types[heap - CONCRETE];
      if (!t) return HT_ANY;
      return t.kind === TypeKind.Func ? HT_FUNC : t.kind === TypeKind.Cont ? HT_CONT : HT_ANY;
    }
    switch (heap) {
      case HT_FUNC:
      case HT_NOFUNC:
        return HT_FUNC;
      case HT_EXTERN:
      case HT_NOEXTERN:
        return HT_EXTERN;
      case HT_EXN:
      case HT_NOEXN:
        return HT_EXN;
      case HT_CONT:
      case HT_NOCONT:
        return HT_CONT;
      default:
        return HT_ANY;
    }
  }

  /** The bottom of a hierarchy's top. */
  static bottomOf(top: number): number {
    return top === HT_FUNC ? HT_NOFUNC : top === HT_EXTERN ? HT_NOEXTERN : top === HT_EXN ? HT_NOEXN : top === HT_CONT ? HT_NOCONT : HT_NONE;
  }

  heapMatches(a: number, b: number): boolean {
    if (a === b) return true;
    if (a >= CONCRETE && b >= CONCRETE) return this.isSubIndex(a - CONCRETE, b - CONCRETE);
    if (a >= CONCRETE) {
      const t = this.types[a - CONCRETE];
      if (!t) return false;
      switch (t.kind) {
        case TypeKind.Func:
          return b === HT_FUNC;
        case TypeKind.Cont:
          return b === HT_CONT;
        case TypeKind.Struct:
          return b === HT_STRUCT || b === HT_EQ || b === HT_ANY;
        case TypeKind.Array:
          return b === HT_ARRAY || b === HT_EQ || b === HT_ANY;
      }
    }
    if (b >= CONCRETE) {
      // only a hierarchy's bottom is below a concrete type
      return a === TypeSpace.bottomOf(this.topOf(b));
    }
    switch (a) {
      case HT_NONE:
        return b === HT_ANY || b === HT_EQ || b === HT_I31 || b === HT_STRUCT || b === HT_ARRAY;
      case HT_I31:
      case HT_STRUCT:
      case HT_ARRAY:
        return b === HT_EQ || b === HT_ANY;
      case HT_EQ:
        return b === HT_ANY;
      case HT_NOFUNC:
        return b === HT_FUNC;
      case HT_NOEXTERN:
        return b === HT_EXTERN;
      case HT_NOEXN:
        return b === HT_EXN;
      case HT_NOCONT:
        return b === HT_CONT;
    }
    return false;
  }

  /** Value type subtyping (`a <: b`); BOTTOM matches everything. */
  matches(a: number, b: number): boolean {
    if (a === b || a === BOTTOM) return true;
    if (!isRef(a) || !isRef(b)) return false;
    if (isNullable(a) && !isNullable(b)) return false;
    return this.heapMatches(heapOf(a), heapOf(b));
  }

  /** Type equivalence of value types (canonical ids for concrete references). */
  equal(a: number, b: number): boolean {
    if (a === b) return true;
    if (!isRef(a) || !isRef(b) || isNullable(a) !== isNullable(b)) return false;
    const ha = heapOf(a);
    const hb = heapOf(b);
    return ha >= CONCRETE && hb >= CONCRETE && this.canon[ha - CONCRETE] === this.canon[hb - CONCRETE];
  }

  funcType(index: number): CompositeType | undefined {
    const t = this.types[index];
    return t && t.kind === TypeKind.Func ? t : undefined;
  }
}
