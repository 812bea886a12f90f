import { assessSignature } from '../../signing/assess';
import { carriesSignature } from '../../signing/sections';
import type { PolicyRule } from './rule';

/** A signature that is present but malformed, of an unknown format, or that a trusted key made over other content (tampered). */
export const signatureInvalid: PolicyRule = {
  id: 'signature-invalid',
  title: 'Signature is invalid',
  defaultSeverity: 'error',
  policyKeys: ['signature.trustedKeys'],
  component: 'same',
  check({ model, policy, bytes, policyDir }) {
    if (model.origin !== 'binary' || !bytes) return [];
    // no "signature" section: nothing to assess (the common case, and cheap to tell from the model)
    if (!carriesSignature(model)) return [];
    const a = assessSignature(bytes, policy.signature?.trustedKeys ?? [], policyDir);
    if (a.state !== 'invalid' || !a.result) return [];
    const r = a.result;
    const why =
      r.reason === 'tampered'
        ? 'the module was modified after it was signed (no signed hash matches its content)'
        : r.reason === 'unknown-format'
          ? `the signature uses an unsupported format: ${r.message}`
          : r.reason === 'signature-not-first'
            ? r.message
            : `the signature section is malformed: ${r.message}`;
    return [{ message: `Invalid signature: ${why}.`, span: a.range, data: { reason: r.reason, offset: r.offset } }];
  },
};
