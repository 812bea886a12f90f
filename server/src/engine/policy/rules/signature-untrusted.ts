import { assessSignature } from '../../signing/assess';
import type { PolicyRule, RuleFinding } from './rule';

/** A well-formed signature that no trusted key (`signature.trustedKeys`) verifies; also reports unreadable trusted key files. */
export const signatureUntrusted: PolicyRule = {
  id: 'signature-untrusted',
  title: 'Signature is not from a trusted key',
  defaultSeverity: 'error',
  policyKeys: ['signature.trustedKeys', 'signature.required'],
  check({ model, policy, bytes, policyDir }) {
    if (model.origin !== 'binary' || !bytes) return [];
    const keyPaths = policy.signature?.trustedKeys ?? [];
    if (!policy.signature?.required && keyPaths.length === 0) return [];
    const a = assessSignature(bytes, keyPaths, policyDir);
    const out: RuleFinding[] = [];
    const related = a.keyProblems.map((p) => ({ message: `Trusted key ${p.keyPath}: ${p.message}`, file: p.keyPath }));
    if (a.state === 'untrusted') {
      const ids = a.keyIds.length ? ` (key ids in the signature: ${a.keyIds.join(', ')})` : '';
      const why = a.trustedKeyCount === 0 ? 'the policy lists no usable trusted key (signature.trustedKeys)' : `none of the ${a.trustedKeyCount} trusted key(s) verifies it`;
      out.push({ message: `The module is signed, but ${why}${ids}.`, span: a.range, data: { keyIds: a.keyIds }, ...(related.length && { related }) });
    } else if (a.state !== 'absent' && related.length) {
      out.push({
        message: `${related.length} trusted key file(s) could not be used: ${a.keyProblems.map((p) => `${p.keyPath} (${p.message})`).join('; ')}.`,
        span: a.range,
        data: { keyProblems: a.keyProblems },
        related,
      });
    }
    return out;
  },
};
