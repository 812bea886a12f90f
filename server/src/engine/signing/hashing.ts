/**
 * What is hashed: the raw bytes of every section after a leading `signature` section, in one running
 * SHA-256. Its value is recorded after each `signature_delimiter` section (the delimiter included) and
 * at the end unless the module ends on a delimiter.
 */
import * as crypto from 'node:crypto';
import { SigningError } from './errors';
import { isDelimiterSection, isSignatureSection, PREAMBLE_SIZE, RawSection, SectionLayout, walkSections } from './sections';

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
  layout: SectionLayout;
  /** the leading signature section, if any */
  signatureSection?: RawSection;
  /** first byte that is signed */
  signedStart: number;
  parts: HashedPart[];
  /** the hashes a signer records (one per part) */
  hashes: Uint8Array[];
  /** hash of everything from signedStart to the end of the file */
  fullHash: Uint8Array;
}

export function hashModule(bytes: Uint8Array, layout: SectionLayout = walkSections(bytes)): ModuleHashes {
  const sections = layout.sections;
  const first = sections[0];
  const signatureSection = first && isSignatureSection(first) ? first : undefined;
  const signedStart = signatureSection ? signatureSection.end : PREAMBLE_SIZE;
  const h = crypto.createHash('sha256');
  const parts: HashedPart[] = [];
  let partStart = signedStart;
  let pos = signedStart;
  for (const s of sections) {
    if (s === signatureSection) continue;
    if (isSignatureSection(s)) {
      throw new SigningError('signature-not-first', 'a "signature" custom section is not the first section (another tool\'s format?)', s.offset);
    }
    if (isDelimiterSection(s)) {
      h.update(bytes.subarray(pos, s.end));
      pos = s.end;
      parts.push({ start: partStart, end: s.end, hash: new Uint8Array(h.copy().digest()), delimited: true });
      partStart = s.end;
    }
  }
  h.update(bytes.subarray(pos));
  const fullHash = new Uint8Array(h.digest());
  const last = parts[parts.length - 1];
  if (!last || last.end !== bytes.length) {
    parts.push({ start: partStart, end: bytes.length, hash: fullHash, delimited: false });
  }
  return { layout, signatureSection, signedStart, parts, hashes: parts.map((p) => p.hash), fullHash };
}
