import { HASH_ALGORITHM_NAMES } from '../../code/hash-constants';
import { functionNames, hashKernels } from '../../code/code-scan';
import { byteSpan, codeOf, functionLabel } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

/**
 * A function that looks like a hashing (or mining) kernel: dense rotate/xor/shift/add code, or the
 * round constants of SHA-2, SHA-3/Keccak, BLAKE2, MD5, SHA-1, ChaCha or AES in its code. Information by
 * default: hash libraries are everywhere (checksums, hash maps, TLS); mining-kernel is the error.
 */
export const hashKernel: PolicyRule = {
  id: 'hash-kernel',
  title: 'Function looks like a hashing/mining kernel',
  defaultSeverity: 'info',
  policyKeys: ['code.scan'],
  readsCode: true,
  check(ctx) {
    const a = codeOf(ctx);
    if (!a || !ctx.bytes) return [];
    const kernels = hashKernels(a);
    const names = functionNames(ctx.bytes, kernels.map((k) => k.profile.index));
    const out: RuleFinding[] = [];
    for (const k of kernels) {
      const p = k.profile;
      const algos = k.algorithms.length ? ` (${[...new Set(k.algorithms)].map((x) => HASH_ALGORITHM_NAMES[x].replace(/ (round constants|constants|initial values|tables)$/, '')).join(', ')})` : '';
      out.push({
        message: `${functionLabel(p.index, names)} looks like a hashing/mining kernel${algos}: ${(k.share * 100).toFixed(k.share < 0.01 ? 2 : 1)}% of the code (${p.size} bytes). Why: ${k.why.join('; ')}.`,
        span: byteSpan(p.offset, p.size),
        data: { func: p.index, share: k.share, algorithms: k.algorithms },
      });
    }
    // hash tables in data that no function was matched to (table-driven code, split from its tables)
    if (!kernels.length) {
      for (const t of a.dataTables) {
        out.push({
          message: `Data segment ${t.segment} holds the ${t.label}: the module carries hashing/cipher code that reads it (no single function matched).`,
          span: byteSpan(t.offset, 16),
          data: { segment: t.segment, algorithms: [t.algorithm] },
        });
      }
    }
    return out;
  },
};
