/**
 * Table cap by rewriting the module, like the memory cap (memory-limit.ts): the tables' declared maxima
 * are lowered so that all tables together can never hold more than `maxElements` elements, so
 * `table.grow` past it returns -1 as the spec says. Tables are not linear memory, yet each element costs
 * the engine memory (V8: a tagged slot plus, for funcref tables, a dispatch entry; tens of bytes), and
 * a module can declare many tables of millions of elements each.
 *
 * The budget is shared in index order (imported tables first, as in the index space): every table gets
 * its initial size; the elements left over go to the tables in order, each up to its declared maximum.
 * A module whose tables need more than the budget at start is refused (`TableLimitError`). Imported
 * tables have their import type's maximum lowered too, so whatever table a linker supplies must fit.
 * Only the limits are re-encoded; every other byte is copied unchanged.
 */
import { leb, ModuleFormatError, Reader, sections } from './memory-limit';
import { skipConstantExpression, skipRefType } from './instrument';

export class TableLimitError extends ModuleFormatError {}

export interface TableLimitResult {
  bytes: Uint8Array;
  /** elements at start, all tables together */
  initialElements: number;
  /** the tables' maxima after the rewrite, in index order */
  maxima: number[];
  /** true when a maximum was lowered (or introduced) */
  capped: boolean;
}

interface LimitsAt {
  /** where the limits start and end in the module */
  start: number;
  end: number;
  flags: number;
  min: number;
  max?: number;
}

function readLimits(bytes: Uint8Array, p: number): LimitsAt {
  const r = new Reader(bytes, p);
  const flags = r.byte();
  if (flags & ~0x05) throw new ModuleFormatError(`bad table limits flags 0x${flags.toString(16)}`);
  const min = r.u32();
  const max = flags & 1 ? r.u32() : undefined;
  return { start: p, end: r.p, flags, min, max };
}

export function capTables(bytes: Uint8Array, maxElements: number): TableLimitResult {
  const budget = Math.max(0, Math.floor(maxElements));
  const secs = sections(bytes);
  const tables: LimitsAt[] = [];
  const imp = secs.find((s) => s.id === 2);
  if (imp) {
    const r = new Reader(bytes, imp.start);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      r.name();
      r.name();
      const kind = r.byte();
      if (kind === 0) r.u32();
      else if (kind === 1) {
        r.p = skipRefType(bytes, r.p);
        const l = readLimits(bytes, r.p);
        tables.push(l);
        r.p = l.end;
      } else if (kind === 2) {
        const flags = r.byte();
        r.u32();
        if (flags & 1) r.u32();
      } else if (kind === 3) {
        r.p = skipRefType(bytes, r.p); // a value type: the same encoding
        r.byte();
      } else if (kind === 4) {
        r.byte();
        r.u32();
      } else throw new ModuleFormatError(`unknown import kind ${kind}`);
    }
  }
  const tab = secs.find((s) => s.id === 4);
  if (tab) {
    const r = new Reader(bytes, tab.start);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const withInit = bytes[r.p] === 0x40 && bytes[r.p + 1] === 0x00;
      if (withInit) r.p += 2;
      r.p = skipRefType(bytes, r.p);
      const l = readLimits(bytes, r.p);
      tables.push(l);
      r.p = withInit ? skipConstantExpression(bytes, l.end) : l.end;
    }
    if (r.p !== tab.end) throw new ModuleFormatError('table section has trailing bytes');
  }
  const initialElements = tables.reduce((sum, t) => sum + t.min, 0);
  if (initialElements > budget) {
    throw new TableLimitError(`tables need ${initialElements} elements at start; the cap is ${budget} elements (all tables together)`);
  }
  let spare = budget - initialElements;
  let capped = false;
  const maxima = tables.map((t) => {
    const max = Math.min(t.max ?? Infinity, t.min + spare);
    spare -= max - t.min;
    if (t.max === undefined || t.max > max) capped = true;
    return max;
  });
  if (!capped) return { bytes, initialElements, maxima, capped };
  // splice the new limits in, from the last to the first so earlier offsets stay valid; then fix the
  // sizes of the sections that changed
  const parts: (Uint8Array | number[])[] = [];
  let at = 0;
  const changedIn = new Map<number, number>(); // section header start -> size change
  tables.forEach((t, i) => {
    if (t.max === maxima[i]) return;
    const encoded = [t.flags | 1, ...leb(t.min), ...leb(maxima[i])];
    parts.push(bytes.subarray(at, t.start), encoded);
    at = t.end;
    const sec = secs.find((s) => s.start <= t.start && t.end <= s.end)!;
    changedIn.set(sec.headerStart, (changedIn.get(sec.headerStart) ?? 0) + encoded.length - (t.end - t.start));
  });
  parts.push(bytes.subarray(at));
  const spliced = concat(parts);
  // re-encode the size of each changed section (its header: id, LEB size)
  const out: (Uint8Array | number[])[] = [];
  let shift = 0;
  let from = 0;
  for (const s of secs) {
    const delta = changedIn.get(s.headerStart);
    if (delta === undefined) continue;
    const headerStart = s.headerStart + shift;
    const contentStart = s.start + shift;
    out.push(spliced.subarray(from, headerStart), [s.id, ...leb(s.end - s.start + delta)]);
    from = contentStart;
    shift += delta;
  }
  out.push(spliced.subarray(from));
  return { bytes: concat(out), initialElements, maxima, capped };
}

function concat(parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
