/**
 * Keeping the optimized code of hot engine paths (WAT parser, binary reader) alive across garbage collections.
 *
 * V8 drops a map (an object shape) once no live object has it: map transitions are weak. Optimized
 * code specialized to a map is thrown away with it ("deoptimize: weak objects"). The parser allocates
 * its working objects per parse (token buffer, atoms, checker...) and none of them outlive it, so after
 * every major GC the shapes of all of them were gone, with the optimized code of the lexer, the tree
 * builder and the checker: the next parses ran in the interpreter again until V8 re-optimized them.
 * One live instance of each such class keeps its map, and the maps it went through, alive.
 */
const kept: object[] = [];

/** Keep `objects` (one instance per class whose shape the hot code depends on) alive for good. */
export function keepMaps(...objects: object[]): void {
  kept.push(...objects);
}

const latest = new Map<string, unknown>();

/**
 * Keep `value` alive until the next call with the same `slot`. For the per-call objects of a hot path
 * (a check's result, its rule context, a file's stat): while the latest one lives, its shapes do, and
 * the optimized code specialized to them survives major GCs. Holds one call's worth of memory.
 */
export function keepLatest(slot: string, value: unknown): void {
  latest.set(slot, value);
}

/**
 * An empty array already in V8's "holds objects" elements kind. A fresh `[]` holds small integers
 * until the first object is pushed, and the optimized push of the hot loops (compiled for the arrays of
 * earlier parses, long transitioned) deoptimizes on that first push: once per parse, for arrays
 * created per parse (token trivia, the tree's lists, label stacks, references...).
 */
export function objectArray<T>(): T[] {
  const a = [OBJECT] as unknown as T[];
  a.pop();
  return a;
}
const OBJECT = {};
