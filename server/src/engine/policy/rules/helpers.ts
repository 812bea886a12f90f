/** Small helpers the rules share. */
import type { ImportEntry, ImportRef, Limits, ModuleModel } from '../../model';
import { isWasiModule } from '../../wasi';
import type { Span } from '../../span';
import { POLICY_MAX_GLOB_WORK } from '../limits';
import type { RuleFinding } from './rule';
import { codeAnalysisOf } from '../../code/code-scan';
import type { CodeAnalysis } from '../../code/code-analysis';

/**
 * The finding of a rule that stopped matching names against the policy's globs because their glob
 * work (GlobWork) was spent: fail closed, saying how many names went unchecked.
 */
export function globWorkSpent(model: ModuleModel, what: string, checked: number, total: number): RuleFinding {
  const n = (x: number) => x.toLocaleString('en-US');
  return {
    message:
      `Stopped after ${n(checked)} of ${n(total)} ${what}: matching them against the policy's globs costs more than the limit ` +
      `(${n(POLICY_MAX_GLOB_WORK)} units of glob work per rule and module); the other ${n(total - checked)} were not checked.`,
    span: moduleHeadSpan(model),
    data: { globWorkSpent: true, checked, total },
  };
}

/** A short span at the start of the module (`(module` in WAT, the 8-byte header in a binary). */
export function moduleHeadSpan(model: ModuleModel): Span {
  const len = model.origin === 'wat' ? 7 : 8;
  return { start: model.span.start, end: Math.min(model.span.end, model.span.start + len) };
}

export interface LimitedItem {
  index: number;
  limits: Limits;
  imported?: ImportRef;
  span: Span;
  limitsSpan?: Span;
}

/**
 * What several rules derive from one model, worked out once per model: a policy check runs a dozen
 * rules, and the memory rules (and the WASI rules) would each walk every import again. A model is
 * not changed once built (a new parse or read makes a new one), so the results stay right.
 */
interface Derived {
  memory?: readonly LimitedItem[];
  table?: readonly LimitedItem[];
  wasiImports?: readonly ImportEntry[];
}

const derived = new WeakMap<ModuleModel, Derived>();

function derivedOf(model: ModuleModel): Derived {
  let d = derived.get(model);
  if (d === undefined) {
    d = {};
    derived.set(model, d);
  }
  return d;
}

/** Memories (or tables) of the module, imported ones included even if the model lists them only as imports. */
export function limitedItems(model: ModuleModel, kind: 'memory' | 'table'): readonly LimitedItem[] {
  const d = derivedOf(model);
  const cached = d[kind];
  if (cached) return cached;
  const own: LimitedItem[] = kind === 'memory' ? model.memories : model.tables;
  const items = [...own];
  for (const imp of model.imports) {
    if (imp.kind !== kind || !imp.limits) continue;
    if (own.some((m) => m.index === imp.index)) continue;
    items.push({ index: imp.index, limits: imp.limits, imported: { module: imp.module, name: imp.name }, span: imp.span });
  }
  return (d[kind] = Object.freeze(items.sort((a, b) => a.index - b.index)));
}

/** The module's imports from WASI modules (`wasi*`), in order. */
export function wasiImports(model: ModuleModel): readonly ImportEntry[] {
  const d = derivedOf(model);
  if (d.wasiImports) return d.wasiImports;
  const out: ImportEntry[] = [];
  // a module imports from a few modules, each string usually shared by its imports (see the binary reader)
  let module: string | undefined;
  let wasi = false;
  for (const imp of model.imports) {
    if (imp.module !== module) {
      module = imp.module;
      wasi = isWasiModule(module);
    }
    if (wasi) out.push(imp);
  }
  return (d.wasiImports = Object.freeze(out));
}

export function describeItem(kind: 'memory' | 'table', item: LimitedItem): string {
  return item.imported ? `imported ${kind} ${item.index} (${item.imported.module}.${item.imported.name})` : `${kind} ${item.index}`;
}

/**
 * A finding's `data` for a memory or table: its index, where it is imported from, then `extra`. Built by
 * assignment onto one object (no spread of a temporary): the object that ends up in the diagnostic has
 * every shape it went through, so none dies with a temporary at a major GC (see ../../jit.ts).
 */
export function itemData(kind: 'memory' | 'table', item: LimitedItem, extra?: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = kind === 'memory' ? { memoryIndex: item.index } : { tableIndex: item.index };
  if (item.imported) {
    data.module = item.imported.module;
    data.name = item.imported.name;
  }
  return extra ? Object.assign(data, extra) : data;
}

/** The text with its first character upper-cased (a message that starts with an item's description). */
export function capitalize(s: string): string {
  return s.length === 0 ? s : s[0].toUpperCase() + s.slice(1);
}

/** Human-readable byte count: `256 MiB`, `64 KiB`, `1234 bytes`. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

/**
 * The module's code analysis for the code rules: only when the policy turns the code scan on
 * (`code.scan`) and the check has the module's every byte (a binary; WAT sources have none).
 */
export function codeOf(ctx: { model: ModuleModel; policy: { code?: { scan?: boolean } }; bytes?: Uint8Array }): CodeAnalysis | undefined {
  if (ctx.policy.code?.scan !== true) return undefined;
  return codeAnalysisOf(ctx.model, ctx.bytes);
}

/** A byte span of a binary (a function body, a string in a data segment). */
export function byteSpan(offset: number, length: number): Span {
  return { start: offset, end: offset + Math.max(1, length) };
}

/** `function 12 ($name)` */
export function functionLabel(index: number, names: Map<number, string>): string {
  const n = names.get(index);
  return n === undefined ? `function ${index}` : `function ${index} ($${n})`;
}
