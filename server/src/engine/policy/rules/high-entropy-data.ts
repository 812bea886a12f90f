import { byteSpan, codeOf } from './helpers';
import type { PolicyRule } from './rule';

/** Bits of entropy per byte from which a segment reads as compressed or encrypted (text is 4-5, code 5-6.5). */
export const HIGH_ENTROPY_BITS = 7.5;

/** Large data segments that look compressed or encrypted: a packed payload, or an ordinary compressed asset. */
export const highEntropyData: PolicyRule = {
  id: 'high-entropy-data',
  title: 'Compressed or encrypted data segment',
  defaultSeverity: 'info',
  policyKeys: ['code.scan', 'code.packedMinBytes'],
  readsCode: true,
  check(ctx) {
    const a = codeOf(ctx);
    if (!a) return [];
    const min = ctx.policy.code?.packedMinBytes ?? 16384;
    return a.segments
      .filter((s) => s.size >= min && s.entropy >= HIGH_ENTROPY_BITS)
      .map((s) => ({
        message: `Data segment ${s.index} (${s.size} bytes) has ${s.entropy.toFixed(2)} bits of entropy per byte: compressed or encrypted data, unpacked at run time (a packed payload, or an ordinary compressed asset).`,
        span: byteSpan(s.offset, Math.min(s.size, 16)),
        data: { segment: s.index, entropy: s.entropy, size: s.size },
      }));
  },
};
