/**
 * What is hashed, in one pass over the sections (no list of them is built, so a module of millions of
 * tiny sections costs time linear in its size and constant memory):
 * - embedded mode: the raw bytes of every section after a leading `signature` section;
 * - detached mode: every byte after the 8-byte preamble, as wasmsign2 hashes it. A `signature` section
 *   in the module is then just content: it is covered, never skipped.
 * One running SHA-256; its value is recorded after each `signature_delimiter` section (the delimiter
 * included) and at the end unless the module ends on a delimiter.
 */
import * as crypto from 'node:crypto';
import { SigningError } from './errors';
import { MAX_HASHES, MAX_SIGNED_HASHES } from './format';
import { DELIMITER_SECTION, PREAMBLE_SIZE, SIGNATURE_SECTION, visitSections, type SectionSpan } from './sections';

/**
 * Parts recorded per module: a signature holds at most 64 entries of 64 hashes, so no verifiable module
 * has more parts. Past this, delimiters are still hashed through but not recorded (`partsOmitted`).
 */
export const MAX_PARTS = MAX_SIGNED_HASHES * MAX_HASHES;

export interface HashedPart {
  /** byte range [start, end) of the module covered by this part alone */
  start: number;
  end: number;
  /** running hash from the first signed byte up to `end` */
  hash: Uint8Array;
  /** true when the part ends with a signature_delimiter */
  delimited: boolean;
}

export interface ModuleHashes {
  kind: 'module' | 'component';
  /** embedded mode: the leading `signature` section (not hashed), if any */
  signatureSection?: SectionSpan;
  /** offset of the first `signature` section that is not the leading one (embedded mode: another tool's
   *  format, or a second signature section; detached mode: the first one anywhere, hashed like any other) */
  otherSignatureAt?: number;
  /** first byte that is signed */
  signedStart: number;
  /** recorded parts, at most MAX_PARTS (see partsOmitted) */
  parts: HashedPart[];
  /** delimited parts past MAX_PARTS that were hashed but not recorded */
  partsOmitted: number;
  /** the hashes a signer records (one per part) */
  hashes: Uint8Array[];
  /** hash of everything from signedStart to the end of the file */
  fullHash: Uint8Array;
}

export interface HashOptions {
  /** hash every byte after the preamble (a detached signature), instead of skipping a leading signature section */
  detached?: boolean;
}

/** Hashes a module; throws SigningError('malformed') when its sections do not parse. */
export function hashModule(bytes: Uint8Array, options: HashOptions = {}): ModuleHashes {
  // locals, not imported bindings, in the per-section callback (a CommonJS build reads those through getters)
  const signatureName = SIGNATURE_SECTION;
  const delimiterName = DELIMITER_SECTION;
  const preambleSize = PREAMBLE_SIZE;
  const detached = !!options.detached;
  const h = crypto.createHash('sha256');
  const parts: HashedPart[] = [];
  let signatureSection: SectionSpan | undefined;
  let otherSignatureAt: number | undefined;
  let signedStart = PREAMBLE_SIZE;
  let partStart = PREAMBLE_SIZE;
  let pos = PREAMBLE_SIZE;
  let partsOmitted = 0;
  let lastEndedOnDelimiter = false;
  const kind = visitSections(bytes, (s, isNamed) => {
    if (s.id !== 0) {
      lastEndedOnDelimiter = false;
      return;
    }
    if (isNamed(signatureName)) {
      if (s.offset === preambleSize && !detached) {
        signatureSection = { offset: s.offset, contentOffset: s.contentOffset, end: s.end };
        signedStart = partStart = pos = s.end;
        return;
      }
      otherSignatureAt ??= s.offset;
    }
    lastEndedOnDelimiter = isNamed(delimiterName);
    if (!lastEndedOnDelimiter) return;
    if (parts.length >= MAX_PARTS) {
      partsOmitted++;
      return;
    }
    h.update(bytes.subarray(pos, s.end));
    pos = s.end;
    parts.push({ start: partStart, end: s.end, hash: new Uint8Array(h.copy().digest()), delimited: true });
    partStart = s.end;
  });
  h.update(bytes.subarray(pos));
  const fullHash = new Uint8Array(h.digest());
  if (!lastEndedOnDelimiter) {
    if (parts.length < MAX_PARTS) parts.push({ start: partStart, end: bytes.length, hash: fullHash, delimited: false });
    else partsOmitted++;
  }
  return { kind, signatureSection, otherSignatureAt, signedStart, parts, partsOmitted, hashes: parts.map((p) => p.hash), fullHash };
}

/** The SigningError for a module whose embedded layout is not wasmsign2's (a `signature` section that is not first). */
export function misplacedSignatureError(hashed: ModuleHashes): SigningError | undefined {
  if (hashed.otherSignatureAt === undefined) return undefined;
  return new SigningError(
    'signature-not-first',
    hashed.signatureSection
      ? 'a second "signature" section: a wasmsign2 signature is one section, placed first'
      : 'a "signature" custom section is not the first section (another tool\'s format?)',
    hashed.otherSignatureAt,
  );
}
