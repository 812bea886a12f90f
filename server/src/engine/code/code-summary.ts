/**
 * The per-module code summary `inspect` and the `.wasm` summary panel show: instruction mix, indirect-call
 * density, the largest functions, the start function's work, the hashing kernels, data segments and the
 * strings of interest, from one CodeAnalysis.
 */
import { MIX_CATEGORIES, type CodeAnalysis, type MixCategory } from './code-analysis';
import { DATA_STRING_KIND_NAMES, type DataStringKind } from './data-strings';
import { functionNames, hashKernels } from './code-scan';
import { HIGH_ENTROPY_BITS } from '../policy/rules/high-entropy-data';

export interface FunctionRow {
  index: number;
  name?: string;
  size: number;
  /** share of the code bytes, 0..1 */
  share: number;
  instructions: number;
}

export interface CodeSummary {
  functions: number;
  codeBytes: number;
  instructions: number;
  mix: { category: MixCategory; count: number; share: number }[];
  indirectCalls: number;
  /** indirect calls per 1000 instructions */
  indirectCallsPerThousand: number;
  largest: FunctionRow[];
  start?: FunctionRow & { calls: number; loops: number; indirectCalls: number };
  kernels: (FunctionRow & { why: string[] })[];
  dataSegments: number;
  dataBytes: number;
  highEntropySegments: { index: number; size: number; entropy: number }[];
  strings: { kind: DataStringKind; label: string; count: number; examples: string[] }[];
  /** a malformed body or section cut the analysis short */
  error?: string;
  timeMs: number;
}

export function codeSummary(a: CodeAnalysis, bytes: Uint8Array, packedMinBytes = 16384): CodeSummary {
  const kernels = hashKernels(a);
  const names = functionNames(bytes, [...a.largest.map((p) => p.index), ...kernels.map((k) => k.profile.index), ...(a.start ? [a.start.index] : [])]);
  const row = (p: { index: number; size: number; instructions: number }): FunctionRow => ({
    index: p.index,
    ...(names.has(p.index) && { name: names.get(p.index) }),
    size: p.size,
    share: a.codeBytes ? p.size / a.codeBytes : 0,
    instructions: p.instructions,
  });
  const strings: CodeSummary['strings'] = [];
  for (const kind of Object.keys(DATA_STRING_KIND_NAMES) as DataStringKind[]) {
    const items = a.strings.items.filter((s) => s.kind === kind);
    const count = items.length + (a.strings.omitted[kind] ?? 0);
    if (count) strings.push({ kind, label: DATA_STRING_KIND_NAMES[kind], count, examples: items.slice(0, 5).map((s) => s.value) });
  }
  return {
    functions: a.functions,
    codeBytes: a.codeBytes,
    instructions: a.instructions,
    mix: MIX_CATEGORIES.map((category) => ({ category, count: a.mix[category], share: a.instructions ? a.mix[category] / a.instructions : 0 })).filter((m) => m.count > 0),
    indirectCalls: a.indirectCalls,
    indirectCallsPerThousand: a.instructions ? (a.indirectCalls * 1000) / a.instructions : 0,
    largest: a.largest.slice(0, 5).map(row),
    start: a.start && { ...row(a.start), calls: a.start.calls, loops: a.start.loops, indirectCalls: a.start.indirectCalls },
    kernels: kernels.slice(0, 20).map((k) => ({ ...row(k.profile), why: k.why })),
    dataSegments: a.segments.length,
    dataBytes: a.segments.reduce((n, s) => n + s.size, 0),
    highEntropySegments: a.segments.filter((s) => s.size >= packedMinBytes && s.entropy >= HIGH_ENTROPY_BITS).map((s) => ({ index: s.index, size: s.size, entropy: s.entropy })),
    strings,
    ...(a.error && { error: a.error }),
    timeMs: a.timeMs,
  };
}
