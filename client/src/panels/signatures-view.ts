/** The "Signatures" panel: entries, key ids, which trusted key matched, and the verification verdict. */
import type { SignatureReport } from '../../../server/src/protocol';
import { badge, esc, section, table } from './html';
import { fileName } from './findings';

type ListedSignature = SignatureReport['entries'][number]['signatures'][number];

/** Key ids are not signed: say so next to any key id that no key declaring it verified. */
function keyIdStatusText(s: ListedSignature): string {
  if (!s.keyId) return '';
  if (s.keyIdStatus === 'verified') return ' (verified)';
  if (s.keyIdStatus === 'mismatch') return ' (refused: not the key id the key declares)';
  return ' (unverified: not covered by the signature)';
}

export function renderSignatures(r: SignatureReport): string {
  const verdict = r.verified === undefined ? (r.signed ? 'info' : 'warning') : r.verified ? 'ok' : 'error';
  const rows = r.entries.flatMap((e, i) =>
    e.signatures.map((s) => [i + 1, e.hashes, { html: `<code>${esc(s.keyId || '(none)')}</code>${esc(keyIdStatusText(s))}` }, s.algorithm, s.trustedKey ?? '', s.valid === undefined ? '' : s.valid ? 'valid' : 'invalid']),
  );
  return [
    `<h1>${fileName(r.file)} ${badge(verdict)}</h1>`,
    `<p class="summary">${r.signed ? 'signed' : 'not signed'}${r.verified === undefined ? '' : r.verified ? ' · verified' : ` · verification failed (${esc(r.reason ?? 'unknown')})`}${r.message ? ` · ${esc(r.message)}` : ''}${r.keyIdNote ? ` · ${esc(r.keyIdNote)}` : ''}${r.output?.written ? ` · wrote ${esc(r.output.file)}` : ''}</p>`,
    r.warnings.length ? `<ul>${r.warnings.map((w) => `<li>${badge('warning')} ${esc(w)}</li>`).join('')}</ul>` : '',
    section('Signature entries', table(['entry', 'hashes', 'key id', 'algorithm', 'trusted key', 'signature'], rows)),
  ].join('\n');
}

export function signaturesText(r: SignatureReport): string {
  const lines = [...r.warnings.map((w) => `warning: ${w}`), `${r.file}: ${r.signed ? 'signed' : 'not signed'}${r.verified === undefined ? '' : r.verified ? ', verified' : `, NOT verified (${r.reason}: ${r.message ?? ''})`}${r.keyIdNote ? `; ${r.keyIdNote}` : ''}`];
  r.entries.forEach((e, i) => e.signatures.forEach((s) => lines.push(`  entry ${i + 1}: ${e.hashes} hash(es), key id ${s.keyId || '(none)'}${keyIdStatusText(s)}${s.trustedKey ? `, trusted key ${s.trustedKey}` : ''}${s.valid === undefined ? '' : s.valid ? ', valid' : ', invalid'}`)));
  return lines.join('\n');
}
