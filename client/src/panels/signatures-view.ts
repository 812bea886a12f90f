/** The "Signatures" panel: entries, key ids, which trusted key matched, and the verification verdict. */
import type { SignatureReport } from '../../../server/src/protocol';
import { esc, section, table } from './html';
import { statusBadge } from './status';
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
  const verdict =
    r.verified === undefined
      ? r.signed
        ? statusBadge('signed', 'info')
        : statusBadge('not signed', 'warning')
      : r.verified
        ? statusBadge('verified', 'ok')
        : statusBadge('not verified', 'error');
  // the signature's verdict first: the column that matters stays on screen in a narrow panel
  const rows = r.entries.flatMap((e, i) =>
    e.signatures.map((s) => [
      s.valid === undefined ? '' : { html: s.valid ? statusBadge('valid', 'ok') : statusBadge('invalid', 'error') },
      i + 1,
      e.hashes,
      { text: `${s.keyId || '(none)'}${keyIdStatusText(s)}`, code: true },
      { text: s.algorithm },
      { text: s.trustedKey ?? '' },
    ]),
  );
  return [
    `<h1>${fileName(r.file)} ${verdict}</h1>`,
    `<p class="summary">${r.signed ? 'signed' : 'not signed'}${r.verified === undefined ? '' : r.verified ? ' · verified' : ` · verification failed (${esc(r.reason ?? 'unknown')})`}${r.message ? ` · ${esc(r.message)}` : ''}${r.keyIdNote ? ` · ${esc(r.keyIdNote)}` : ''}${r.output?.written ? ` · wrote ${esc(r.output.file)}` : ''}</p>`,
    r.warnings.length ? `<ul>${r.warnings.map((w) => `<li>${statusBadge('warning', 'warning')} ${esc(w)}</li>`).join('')}</ul>` : '',
    section(
      'Signature entries',
      table(
        [
          { label: 'signature', cls: 'c-narrow' },
          { label: 'entry', cls: 'c-kind' },
          { label: 'hashes', cls: 'c-kind' },
          'key id',
          { label: 'algorithm', cls: 'c-medium' },
          'trusted key',
        ],
        rows,
      ),
    ),
  ].join('\n');
}

export function signaturesText(r: SignatureReport): string {
  const lines = [...r.warnings.map((w) => `warning: ${w}`), `${r.file}: ${r.signed ? 'signed' : 'not signed'}${r.verified === undefined ? '' : r.verified ? ', verified' : `, NOT verified (${r.reason}: ${r.message ?? ''})`}${r.keyIdNote ? `; ${r.keyIdNote}` : ''}`];
  r.entries.forEach((e, i) => e.signatures.forEach((s) => lines.push(`  entry ${i + 1}: ${e.hashes} hash(es), key id ${s.keyId || '(none)'}${keyIdStatusText(s)}${s.trustedKey ? `, trusted key ${s.trustedKey}` : ''}${s.valid === undefined ? '' : s.valid ? ', valid' : ', invalid'}`)));
  return lines.join('\n');
}
