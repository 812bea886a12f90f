import { functionNames, hashKernels, miningEvidence } from '../../code/code-scan';
import { byteSpan, codeOf, functionLabel, moduleHeadSpan } from './helpers';
import type { PolicyRule } from './rule';

/**
 * A hashing kernel together with what makes it mining: a pool endpoint (`stratum+tcp://`, a pool host
 * and port), a wallet address, a miner's name in data, exports or imports. One finding per module, on
 * its largest kernel (or, when no function stands out, on the hash table in its data).
 */
export const miningKernel: PolicyRule = {
  id: 'mining-kernel',
  title: 'Module looks like a cryptocurrency miner',
  defaultSeverity: 'error',
  policyKeys: ['code.scan'],
  readsCode: true,
  check(ctx) {
    const a = codeOf(ctx);
    if (!a || !ctx.bytes) return [];
    const kernels = hashKernels(a);
    if (!kernels.length && !a.dataTables.length) return [];
    const evidence = miningEvidence(ctx.model, a);
    if (!evidence.reasons.length) return [];
    if (!kernels.length) {
      // no function stands out (flattened or split code), but the hash's tables are in data
      const t = a.dataTables[0];
      const labels = [...new Set(a.dataTables.map((x) => x.label))];
      return [
        {
          message: `The module looks like a cryptocurrency miner: its data holds the ${labels.join(', ')} (no single function stands out as the kernel) and ${evidence.reasons.join(', ')}.`,
          span: byteSpan(t.offset, 16),
          data: { segment: t.segment, reasons: evidence.reasons },
        },
      ];
    }
    const main = kernels.reduce((x, y) => (y.profile.size > x.profile.size ? y : x));
    const names = functionNames(ctx.bytes, [main.profile.index]);
    const share = kernels.reduce((s, k) => s + k.share, 0);
    return [
      {
        message:
          `The module looks like a cryptocurrency miner: ${kernels.length} hashing kernel${kernels.length === 1 ? '' : 's'} (${(share * 100).toFixed(1)}% of the code; the largest is ${functionLabel(main.profile.index, names)}) ` +
          `and ${evidence.reasons.join(', ')}.`,
        span: main ? byteSpan(main.profile.offset, main.profile.size) : moduleHeadSpan(ctx.model),
        data: { func: main.profile.index, reasons: evidence.reasons },
      },
    ];
  },
};
