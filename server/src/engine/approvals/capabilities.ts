/**
 * What a module may do, in a form two versions can be compared in: its imports (and their WASI
 * capability groups), memory and table limits, features and start function. The lock file of approved
 * versions records this summary, the version diff compares it, and its gate ("more capabilities")
 * asks whether the newer summary asks for more than the older one.
 */
import { memoryMaxBytes, memoryMinBytes, type Limits, type ModuleModel } from '../model';
import { describeLimits } from '../model-text';
import { limitedItems } from '../policy/rules/helpers';
import { describeImport, type WasiCapability } from '../wasi';

export interface CapabilitySummary {
  /** `module.name` of every import, sorted, without repeats */
  imports: string[];
  /** WASI capability groups the imports belong to, sorted (`unknown-wasi` for `wasi*` imports outside the catalog) */
  wasi: string[];
  /** memories (defined and imported) by index: `min 1, max 16` (describeLimits) */
  memories: string[];
  tables: string[];
  features: string[];
  start: boolean;
}

export function capabilitySummary(model: ModuleModel): CapabilitySummary {
  const imports = new Set<string>();
  const wasi = new Set<string>();
  for (const imp of model.imports) {
    imports.add(`${imp.module}.${imp.name}`);
    const info = describeImport(imp.module, imp.name);
    if (info.capability) wasi.add(info.capability);
    else if (info.wasi) wasi.add('unknown-wasi');
  }
  return {
    imports: [...imports].sort(),
    wasi: [...wasi].sort(),
    memories: limitedItems(model, 'memory').map((m) => describeLimits(m.limits)),
    tables: limitedItems(model, 'table').map((t) => describeLimits(t.limits)),
    features: [...model.features].sort(),
    start: model.start !== undefined,
  };
}

/** One difference between two summaries. `more`: the newer version asks for more than the older one. */
export interface CapabilityChange {
  what: 'import' | 'wasi' | 'memory' | 'table' | 'feature' | 'start';
  change: 'added' | 'removed' | 'changed';
  /** the import, group, feature, or `memory 0` / `table 1` */
  subject: string;
  before?: string;
  after?: string;
  more: boolean;
  /** one line for people: `+ import wasi_snapshot_preview1.sock_accept (sockets)` */
  text: string;
}

/**
 * The changes from `before` to `after`. Limits are compared as written (`min 1, max 16`): the newer
 * one asks for more when its maximum (or, unbounded, its minimum) is larger, or it is shared / 64-bit
 * where the older one was not; a memory or table that is new asks for more.
 */
export function compareCapabilities(before: CapabilitySummary, after: CapabilitySummary): CapabilityChange[] {
  const out: CapabilityChange[] = [];
  const sets = (what: 'import' | 'wasi' | 'feature', a: string[], b: string[], label: (x: string) => string) => {
    const A = new Set(a);
    const B = new Set(b);
    for (const x of b) if (!A.has(x)) out.push({ what, change: 'added', subject: x, more: true, text: `+ ${label(x)}` });
    for (const x of a) if (!B.has(x)) out.push({ what, change: 'removed', subject: x, more: false, text: `- ${label(x)}` });
  };
  sets('import', before.imports, after.imports, (x) => {
    const dot = x.indexOf('.');
    const info = describeImport(x.slice(0, dot), x.slice(dot + 1));
    return `import ${x}${info.capability ? ` (${info.capability})` : ''}`;
  });
  sets('wasi', before.wasi, after.wasi, (x) => `capability group ${x}`);
  limits('memory', before.memories, after.memories, out);
  limits('table', before.tables, after.tables, out);
  sets('feature', before.features, after.features, (x) => `feature ${x}`);
  if (before.start !== after.start) {
    out.push({
      what: 'start',
      change: after.start ? 'added' : 'removed',
      subject: 'start function',
      more: after.start,
      text: after.start ? '+ start function (runs on instantiation)' : '- start function',
    });
  }
  return out;
}

function limits(what: 'memory' | 'table', a: string[], b: string[], out: CapabilityChange[]): void {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const subject = `${what} ${i}`;
    if (i >= a.length) out.push({ what, change: 'added', subject, after: b[i], more: true, text: `+ ${subject}: ${b[i]}` });
    else if (i >= b.length) out.push({ what, change: 'removed', subject, before: a[i], more: false, text: `- ${subject}: ${a[i]}` });
    else if (a[i] !== b[i]) {
      out.push({ what, change: 'changed', subject, before: a[i], after: b[i], more: limitsGrow(a[i], b[i], what), text: `~ ${subject}: ${a[i]} -> ${b[i]}` });
    }
  }
}

/** Whether limits written `b` allow more than `a` (both from describeLimits). */
function limitsGrow(a: string, b: string, what: 'memory' | 'table'): boolean {
  const pa = parseLimits(a);
  const pb = parseLimits(b);
  if (!pa || !pb) return true; // not understood: treated as more, so a gate does not miss it
  if (pb.shared && !pa.shared) return true;
  if (pb.index64 && !pa.index64) return true;
  const bytes = (l: Limits) => (what === 'memory' ? (memoryMaxBytes(l) ?? Number.POSITIVE_INFINITY) : (l.max ?? Number.POSITIVE_INFINITY));
  const floor = (l: Limits) => (what === 'memory' ? memoryMinBytes(l) : l.min);
  return bytes(pb) > bytes(pa) || floor(pb) > floor(pa);
}

/** The inverse of describeLimits, for comparing recorded summaries. */
export function parseLimits(text: string): Limits | undefined {
  const m = /^min (\d+), (?:max (\d+)|no max)((?:, (?:i64|shared|page \d+ B))*)$/.exec(text);
  if (!m) return undefined;
  const flags = m[3] ?? '';
  const page = /page (\d+) B/.exec(flags);
  return {
    min: Number(m[1]),
    max: m[2] === undefined ? undefined : Number(m[2]),
    index64: flags.includes('i64'),
    shared: flags.includes('shared'),
    pageSizeLog2: page ? Math.log2(Number(page[1])) : 16,
  } as Limits;
}

/** A summary as the lock file holds it (its keys optional), with the missing parts empty. */
export function completeSummary(c: Partial<CapabilitySummary>): CapabilitySummary {
  return { imports: c.imports ?? [], wasi: c.wasi ?? [], memories: c.memories ?? [], tables: c.tables ?? [], features: c.features ?? [], start: c.start ?? false };
}

export type { WasiCapability };
