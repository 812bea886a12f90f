import { assessSignature, type KeyLoadProblem } from '../../signing/assess';
import type { PolicyRule, RuleFinding } from './rule';

/** Problems listed in one message / as related information: the rest is counted. */
const SHOWN_PROBLEMS = 5;
const RELATED_PROBLEMS = 20;

const problemText = (p: KeyLoadProblem) => (p.keyPath === undefined ? p.message : `${p.keyPath} (${p.message})`);

/** "N trusted key problem(s): a (why); b (why); and M more." */
function keyProblemsText(problems: readonly KeyLoadProblem[]): string {
  const n = problems.length;
  const listed = problems.slice(0, SHOWN_PROBLEMS).map(problemText).join('; ') + (n > SHOWN_PROBLEMS ? `; and ${n - SHOWN_PROBLEMS} more` : '');
  return `${n} trusted key problem(s): ${listed}.`;
}

/** A well-formed signature that no trusted key (`signature.trustedKeys`) verifies; also reports unreadable trusted key files. */
export const signatureUntrusted: PolicyRule = {
  id: 'signature-untrusted',
  title: 'Signature is not from a trusted key',
  defaultSeverity: 'error',
  policyKeys: ['signature.trustedKeys', 'signature.required'],
  component: 'same',
  check({ model, policy, bytes, policyDir }) {
    if (model.origin !== 'binary' || !bytes) return [];
    const keyPaths = policy.signature?.trustedKeys ?? [];
    if (!policy.signature?.required && keyPaths.length === 0) return [];
    const a = assessSignature(bytes, keyPaths, policyDir);
    const out: RuleFinding[] = [];
    const related = a.keyProblems
      .slice(0, RELATED_PROBLEMS)
      .map((p) => (p.keyPath === undefined ? { message: `signature.trustedKeys: ${p.message}` } : { message: `Trusted key ${p.keyPath}: ${p.message}`, file: p.keyPath }));
    if (a.state === 'untrusted') {
      // key ids are not covered by the signature: whoever changed the module could have changed them too
      const shown = a.keyIds.slice(0, SHOWN_PROBLEMS).join(', ') + (a.keyIds.length > SHOWN_PROBLEMS ? ` and ${a.keyIds.length - SHOWN_PROBLEMS} more` : '');
      const ids = a.keyIds.length ? ` (key ids in the signature, unverified since the signature does not cover them: ${shown})` : '';
      const why =
        a.result?.reason === 'key-id-mismatch'
          ? a.result.message
          : a.trustedKeyCount === 0
            ? 'the policy lists no usable trusted key (signature.trustedKeys)'
            : `none of the ${a.trustedKeyCount} trusted key(s) verifies it`;
      const problems = a.keyProblems.length ? ` ${keyProblemsText(a.keyProblems)}` : '';
      out.push({
        message: `The module is signed, but ${why}${ids}.${problems}`,
        span: a.range,
        data: { keyIds: a.keyIds.slice(0, 64), keyIdCount: a.keyIds.length, keyIdsVerified: false, ...(a.keyProblems.length && { keyProblems: a.keyProblems.slice(0, RELATED_PROBLEMS), keyProblemCount: a.keyProblems.length }) },
        ...(related.length && { related }),
      });
    } else if (a.state !== 'absent' && related.length) {
      const n = a.keyProblems.length;
      out.push({
        message: keyProblemsText(a.keyProblems),
        span: a.range,
        data: { keyProblems: a.keyProblems.slice(0, RELATED_PROBLEMS), keyProblemCount: n },
        related,
      });
    }
    return out;
  },
};
