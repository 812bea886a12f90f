import { assessSignature } from '../../signing/assess';
import { moduleHeadSpan } from './helpers';
import type { PolicyRule } from './rule';

/** `signature.required`: a binary module must carry a wasmsign2 signature (verified by signature-invalid / -untrusted). */
export const signatureMissing: PolicyRule = {
  id: 'signature-missing',
  title: 'Module is not signed',
  defaultSeverity: 'error',
  policyKeys: ['signature.required'],
  component: 'same',
  check({ model, policy, bytes, policyDir }) {
    if (model.origin !== 'binary' || !bytes || !policy.signature?.required) return [];
    const a = assessSignature(bytes, policy.signature.trustedKeys ?? [], policyDir);
    if (a.state !== 'absent') return [];
    const foreign = a.foreignSignatureAt !== undefined;
    return [
      {
        message: foreign
          ? 'The policy requires a signature (signature.required), but the only "signature" section is not the first section: it is another tool\'s format, not a wasmsign2 signature.'
          : 'The policy requires a signature (signature.required), but the module is not signed. Sign it with a trusted key.',
        span: foreign ? { start: a.foreignSignatureAt!, end: a.foreignSignatureAt! + 1 } : moduleHeadSpan(model),
        data: { foreignSignatureAt: a.foreignSignatureAt },
      },
    ];
  },
};
