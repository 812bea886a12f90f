/**
 * The code analysis of a module as the policy rules see it: run once per module and kept (the rules
 * share it), only for a complete binary and only when the policy turns the code scan on (`code.scan`).
 * Also the judgments the code rules share: which functions read as hashing kernels and why, and what in
 * the module reads as mining.
 */
import type { ModuleModel } from '../model';
import { readNameSection, emptyNameSection } from '../binary/name-section';
import { visitRawSections, customNameIs } from '../binary/sections';
import { analyzeCode, type CodeAnalysis, type FunctionProfile } from './code-analysis';
import { CODE_MATCH_THRESHOLD, HASH_ALGORITHM_NAMES, HASH_ALGORITHMS, type HashAlgorithm } from './hash-constants';
import type { DataString } from './data-strings';

const analyses = new WeakMap<Uint8Array, CodeAnalysis | null>();

/** The number of imported functions (the index of the first defined one). */
export function importedFuncCount(model: ModuleModel): number {
  let n = 0;
  for (const imp of model.imports) if (imp.kind === 'func') n++;
  return n;
}

/**
 * The module's code analysis, when `bytes` are the whole module (a header-only read has only the
 * first bytes) and it is a core module; computed on first use and kept as long as the bytes live.
 */
export function codeAnalysisOf(model: ModuleModel, bytes: Uint8Array | undefined): CodeAnalysis | undefined {
  if (!bytes || model.origin !== 'binary' || model.kind !== 'module' || bytes.length !== model.byteLength) return undefined;
  let a = analyses.get(bytes);
  if (a === undefined) {
    a = analyzeCode(bytes, { importedFuncs: importedFuncCount(model), start: model.start?.func });
    analyses.set(bytes, a);
  }
  return a ?? undefined;
}

/** Function names from the `name` section, for the functions asked for (none when there is no section). */
export function functionNames(bytes: Uint8Array, indices: readonly number[]): Map<number, string> {
  const out = new Map<number, string>();
  if (!indices.length) return out;
  try {
    visitRawSections(bytes, (h) => {
      if (h.id !== 0 || !customNameIs(bytes, h, 'name')) return;
      const names = emptyNameSection();
      readNameSection(bytes, h.contentOffset, h.end, names, false);
      for (const i of indices) {
        const n = names.functions.get(i);
        if (n !== undefined) out.set(i, n);
      }
    });
  } catch {
    /* a malformed module: no names (the reader reports the problem) */
  }
  return out;
}

export interface HashKernel {
  profile: FunctionProfile;
  /** share of the module's code bytes, 0..1 */
  share: number;
  /** why it reads as a hashing kernel, one reason per item */
  why: string[];
  /** algorithms recognised by their constants (in its code, or in the module's data) */
  algorithms: HashAlgorithm[];
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;

/** ARX density (rotate/xor/shift/add share of the instructions) from which a function counts as a kernel on shape alone. */
export const ARX_DENSITY = 0.2;
export const MIN_ROTATES = 8;

/** The functions that read as hashing kernels, each with the reasons. */
export function hashKernels(a: CodeAnalysis): HashKernel[] {
  const dataAlgorithms = [...new Set(a.dataTables.map((t) => t.algorithm))];
  const out: HashKernel[] = [];
  for (const p of a.kernels) {
    const why: string[] = [];
    const algorithms: HashAlgorithm[] = [];
    for (const alg of HASH_ALGORITHMS) {
      const n = p.constants[alg] ?? 0;
      if (n >= CODE_MATCH_THRESHOLD[alg]) {
        algorithms.push(alg);
        why.push(`${n} distinct ${HASH_ALGORITHM_NAMES[alg]} in its code`);
      }
    }
    const density = p.instructions ? p.arx / p.instructions : 0;
    const shaped = p.rotates >= MIN_ROTATES && p.instructions >= 64 && density >= ARX_DENSITY;
    if (shaped) {
      const inLoop = p.loopInstructions ? ` (${pct(p.loopArx / p.loopInstructions)} inside its loops)` : ' (straight-line, unrolled)';
      why.push(`${p.rotates} rotates; rotate/xor/shift/add are ${pct(density)} of its ${p.instructions} instructions${inLoop}`);
      if (!algorithms.length && dataAlgorithms.length) {
        why.push(`the module's data holds ${dataAlgorithms.map((x) => HASH_ALGORITHM_NAMES[x]).join(', ')}`);
        algorithms.push(...dataAlgorithms);
      }
    }
    if (!why.length) continue;
    out.push({ profile: p, share: a.codeBytes ? p.size / a.codeBytes : 0, why, algorithms });
  }
  return out;
}

export interface MiningEvidence {
  /** what reads as mining, one item per reason */
  reasons: string[];
  strings: DataString[];
}

/** Names of miners in exports and imports (in-browser miners export their hash functions by name). */
const MINER_NAME = /(?:cryptonight|^_?cn_|_cn_|coinhive|xmrig|randomx|hashrate|^_?mine(?:r|_|$)|miner_)/i;

/** What in a module reads as mining rather than hashing: pool endpoints, wallet addresses, miner names. */
export function miningEvidence(model: ModuleModel, a: CodeAnalysis): MiningEvidence {
  const strings = a.strings.items.filter((s) => s.kind === 'pool' || s.kind === 'wallet' || s.kind === 'mining');
  const reasons = strings.slice(0, 5).map((s) => `${s.kind === 'pool' ? 'mining pool endpoint' : s.kind === 'wallet' ? `${s.detail} wallet address` : 'miner name'} "${s.value}" in data segment ${s.segment}`);
  if (strings.length > 5) reasons.push(`${strings.length - 5} more such strings`);
  for (const e of model.exports) if (MINER_NAME.test(e.name)) reasons.push(`export "${e.name}"`);
  for (const i of model.imports) if (MINER_NAME.test(i.name)) reasons.push(`import ${i.module}.${i.name}`);
  return { reasons, strings };
}
