/**
 * One finding per import: when several import rules refuse the same import (a deny pattern, and a WASI
 * capability switched off, and ...), they are told as one finding that names every reason. The first
 * rule's code stays (rules run in registry order: import-not-allowed first), the worst severity wins,
 * and `data.rules` lists every rule that spoke (when more than one did), so a quick fix can address each.
 * The diagnostics are the caller's fresh objects (checkModel builds them), so the first is extended in place.
 */
import type { EngineDiagnostic } from '../diagnostic';

const IMPORT_RULES = new Set(['import-not-allowed', 'wasi-capability-denied', 'unknown-wasi-import']);
const RANK: Record<string, number> = { error: 3, warning: 2, info: 1, hint: 0 };

export function mergeImportFindings(found: EngineDiagnostic[]): EngineDiagnostic[] {
  const firstAt = new Map<string, EngineDiagnostic>();
  const out: EngineDiagnostic[] = [];
  for (const d of found) {
    if (!IMPORT_RULES.has(d.code)) {
      out.push(d);
      continue;
    }
    const key = `${d.span.start}:${d.span.end}`;
    const first = firstAt.get(key);
    if (!first) {
      firstAt.set(key, d);
      out.push(d);
      continue;
    }
    // "Import m.n is denied by ... . It also needs the WASI capability ..." (the reason without its subject)
    first.message = `${first.message} Also, ${lowerFirst(d.message.replace(/^Import \S+ /, 'it '))}`;
    if ((RANK[d.severity] ?? 0) > (RANK[first.severity] ?? 0)) first.severity = d.severity;
    first.data = { ...d.data, ...first.data, rules: [...((first.data?.rules as string[]) ?? [first.code]), d.code] };
    if (d.related) first.related = [...(first.related ?? []), ...d.related];
  }
  return out;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
