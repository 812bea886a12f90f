/**
 * The `name` custom section from the text's `$id`s: the module's name, and the names of functions,
 * locals (params included), labels, types, struct fields, tables, memories, globals, element and data
 * segments and tags (subsections 0-11 of the extended name section).
 */
import { isGeneratedLabel } from '../wat/generated-ids';
import { type ModuleSyntax } from '../wat/syntax';
import { ByteWriter } from './byte-writer';
import type { ModuleLayout } from './module-layout';

const SPACES: [number, 'func' | 'type' | 'table' | 'memory' | 'global' | 'elem' | 'data' | 'tag'][] = [
  [1, 'func'], [4, 'type'], [5, 'table'], [6, 'memory'], [7, 'global'], [8, 'elem'], [9, 'data'], [11, 'tag'],
];


/** The name of an idKey (`$name` -> `name`). */
function nameOf(id: string): string {
  return id.slice(1);
}


/** The label names without the ids our printer made up (`$label<N>` on block N: wat/generated-ids.ts). */
function namedLabels(maps: Map<number, Map<number, string>>): Map<number, Map<number, string>> {
  const out = new Map<number, Map<number, string>>();
  for (const [f, m] of maps) {
    let kept: Map<number, string> | undefined;
    for (const [ordinal, name] of m) {
      if (!isGeneratedLabel(name, ordinal)) (kept ??= new Map()).set(ordinal, name);
    }
    if (kept) out.set(f, kept);
  }
  return out;
}

/** An indirect name map (function -> index -> name), sorted. */
function indirect(maps: Map<number, Map<number, string>>): ByteWriter {
  const c = new ByteWriter(64);
  const outer = [...maps.keys()].sort((a, b) => a - b);
  c.u32(outer.length);
  for (const f of outer) {
    c.u32(f);
    const m = maps.get(f)!;
    const inner = [...m.keys()].sort((a, b) => a - b);
    c.u32(inner.length);
    for (const l of inner) {
      c.u32(l);
      c.name(m.get(l)!);
    }
  }
  return c;
}

/**
 * Appends the name section to `out` when the module names anything: only what the text names with an
 * id it wrote (not the block labels our printer makes up), subsections in increasing id order.
 */
export function writeNameSection(
  out: ByteWriter,
  mod: ModuleSyntax,
  layout: ModuleLayout,
  localNames: Map<number, Map<number, string>>,
  labelNames: Map<number, Map<number, string>>,
): void {
  const body = new ByteWriter(256);
  if (mod.id !== undefined) {
    const c = new ByteWriter(32);
    c.name(nameOf(mod.id));
    body.section(0, c);
  }
  for (const [id, space] of SPACES) {
    const named = mod.defs[space].filter((d) => d.id !== undefined);
    if (named.length > 0) {
      const c = new ByteWriter(64);
      const seen = new Set<number>();
      const entries = named.filter((d) => !seen.has(d.index) && seen.add(d.index)).sort((a, b) => a.index - b.index);
      c.u32(entries.length);
      for (const d of entries) {
        c.u32(d.index);
        c.name(nameOf(d.id!));
      }
      body.section(id, c);
    }
    if (space === 'func') {
      // locals (2) and labels (3) right after the function names
      if (localNames.size > 0) body.section(2, indirect(localNames));
      const labels = namedLabels(labelNames);
      if (labels.size > 0) body.section(3, indirect(labels));
    }
    if (space === 'data') {
      // field names (10) come before tag names (11)
      const typed = layout.types.map((t, k) => ({ k, names: t.fieldNames })).filter((t) => t.names && t.names.some((n) => n !== undefined));
      if (typed.length > 0) {
        const c = new ByteWriter(64);
        c.u32(typed.length);
        for (const t of typed) {
          c.u32(t.k);
          const entries = t.names!.map((n, i) => ({ n, i })).filter((e) => e.n !== undefined);
          c.u32(entries.length);
          for (const e of entries) {
            c.u32(e.i);
            c.name(nameOf(e.n!));
          }
        }
        body.section(10, c);
      }
    }
  }
  if (body.len === 0) return;
  out.customSection('name', body);
}
