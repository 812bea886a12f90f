/**
 * Signing, wasmsign2-compatible. The output module is the input's preamble, the new `signature`
 * section, then the input's section bytes copied verbatim: exactly the bytes that were hashed.
 */
import * as crypto from 'node:crypto';
import { SigningError } from './errors';
import { ALG_ED25519, bytesEqual, decodeSignatureData, encodeSignatureData, MAX_HASHES, SignedHashes, signedMessage } from './format';
import { hashModule, misplacedSignatureError } from './hashing';
import type { SecretKey } from './keys';
import { concatBytes, DELIMITER_SECTION, encodeCustomSection, leadingSignatureSection, PREAMBLE_SIZE, SIGNATURE_SECTION, visitSections } from './sections';

/** Where to put delimiters: after every section, or after the sections with these indices (counted without the signature section). */
export type DelimiterPlan = 'each' | readonly number[];

export interface SignOptions {
  /** key id stored with the signature: default = the key's default id; `null` or empty = no key id */
  keyId?: Uint8Array | null;
  /** produce a detached signature and leave the module unchanged */
  detached?: boolean;
  /** for detached signing: an existing detached signature to add this signer to */
  existingSignature?: Uint8Array;
  /** insert `signature_delimiter` sections first (see insertDelimiters) */
  delimiters?: DelimiterPlan;
}

export interface SignResult {
  /** the signed module (embedded mode), or the module with delimiters inserted (detached mode, when delimiters were asked for) */
  bytes?: Uint8Array;
  /** the signature payload (= the detached signature file; also the embedded section's payload) */
  signature: Uint8Array;
  /** the hashes that were signed */
  hashes: Uint8Array[];
}

export function newDelimiterSection(): Uint8Array {
  return encodeCustomSection(DELIMITER_SECTION, new Uint8Array(crypto.randomBytes(16)));
}

/**
 * Inserts `signature_delimiter` sections (16 random bytes each) after the given sections, and one at
 * the end if the module does not already end with one. Indices count the module's sections, skipping a
 * leading `signature` section and existing delimiters. No delimiter is doubled. Refuses (before building
 * anything) a plan that would cut the module into more parts than a signature can record (MAX_HASHES).
 */
export function insertDelimiters(bytes: Uint8Array, after: DelimiterPlan): Uint8Array {
  const wanted = after === 'each' ? undefined : new Set(after);
  // one pass to find the cut points: the end of each section that gets a delimiter after it
  const cuts: number[] = [];
  let existing = 0;
  let index = 0;
  let pending = -1;
  let lastWasDelimiter = false;
  let sectionCount = 0;
  visitSections(bytes, (s, isNamed) => {
    sectionCount++;
    const delimiter = isNamed(DELIMITER_SECTION);
    if (pending >= 0 && !delimiter) cuts.push(pending);
    pending = -1;
    if ((s.offset === PREAMBLE_SIZE && isNamed(SIGNATURE_SECTION)) || delimiter) {
      if (delimiter) existing++;
      lastWasDelimiter = delimiter;
      return;
    }
    lastWasDelimiter = false;
    if (wanted === undefined || wanted.has(index)) pending = s.end;
    index++;
    if (cuts.length + existing > MAX_HASHES) throw tooManyParts(cuts.length + existing);
  });
  // the module always ends on a delimiter (the last wanted section's, or one added after it)
  const addLast = sectionCount > 0 && !lastWasDelimiter;
  const parts = cuts.length + existing + (addLast ? 1 : 0);
  if (parts > MAX_HASHES) throw tooManyParts(parts);
  const out: Uint8Array[] = [];
  let pos = 0;
  for (const cut of cuts) {
    out.push(bytes.subarray(pos, cut), newDelimiterSection());
    pos = cut;
  }
  out.push(bytes.subarray(pos));
  if (addLast) out.push(newDelimiterSection());
  return concatBytes(out);
}

function tooManyParts(parts: number): SigningError {
  return new SigningError('bad-argument', `the module would have ${parts} or more parts (signature_delimiter sections): a signature records at most ${MAX_HASHES} hashes`);
}

export function signModule(bytes: Uint8Array, secretKey: SecretKey, options: SignOptions = {}): SignResult {
  const input = options.delimiters !== undefined ? insertDelimiters(bytes, options.delimiters) : bytes;
  const hashed = hashModule(input, { detached: options.detached });
  if (!options.detached) {
    const misplaced = misplacedSignatureError(hashed);
    if (misplaced) throw misplaced;
  }
  if (hashed.hashes.length > MAX_HASHES || hashed.partsOmitted > 0) throw tooManyParts(hashed.hashes.length + hashed.partsOmitted);
  const sigSection = hashed.signatureSection;

  let previous: SignedHashes[] = [];
  const previousPayload = options.detached
    ? options.existingSignature
    : sigSection && input.subarray(sigSection.contentOffset, sigSection.end);
  if (previousPayload) {
    const base = options.detached ? 0 : sigSection!.contentOffset;
    previous = decodeSignatureData(previousPayload, base).signedHashes;
  }

  const hashes = hashed.hashes;
  const keyId = options.keyId === undefined ? secretKey.publicKey.keyId : (options.keyId ?? new Uint8Array(0));
  const signature = new Uint8Array(crypto.sign(null, signedMessage(hashes), secretKey.keyObject));
  const newSig = { keyId, algId: ALG_ED25519, signature, offset: 0 };

  const entries = previous.map((e) => ({ ...e, signatures: [...e.signatures] }));
  const same = entries.find((e) => e.hashes.length === hashes.length && e.hashes.every((h, i) => bytesEqual(h, hashes[i])));
  if (same) {
    if (same.signatures.some((s) => bytesEqual(s.signature, signature))) {
      throw new SigningError('duplicate-signature', 'the module is already signed with this key');
    }
    same.signatures.push(newSig);
  } else {
    entries.push({ hashes, signatures: [newSig], offset: 0 });
  }
  const payload = encodeSignatureData({ signedHashes: entries });

  if (options.detached) {
    return { bytes: input === bytes ? undefined : input, signature: payload, hashes };
  }
  const out = concatBytes([input.subarray(0, PREAMBLE_SIZE), encodeCustomSection(SIGNATURE_SECTION, payload), input.subarray(hashed.signedStart)]);
  return { bytes: out, signature: payload, hashes };
}

/** Splits an embedded signature off: the module without it, and the detached signature. */
export function detachSignature(bytes: Uint8Array): { bytes: Uint8Array; signature: Uint8Array } {
  const { leading } = leadingSignatureSection(bytes);
  if (!leading) throw new SigningError('no-signature', 'the module has no embedded signature to detach');
  decodeSignatureData(bytes.subarray(leading.contentOffset, leading.end), leading.contentOffset);
  return {
    bytes: concatBytes([bytes.subarray(0, PREAMBLE_SIZE), bytes.subarray(leading.end)]),
    signature: bytes.slice(leading.contentOffset, leading.end),
  };
}

/** Embeds a detached signature as the first section. */
export function attachSignature(bytes: Uint8Array, signature: Uint8Array): Uint8Array {
  const { leading, otherAt } = leadingSignatureSection(bytes);
  if (leading || otherAt !== undefined) throw new SigningError('bad-argument', 'the module already has a "signature" section');
  decodeSignatureData(signature);
  return concatBytes([bytes.subarray(0, PREAMBLE_SIZE), encodeCustomSection(SIGNATURE_SECTION, signature), bytes.subarray(PREAMBLE_SIZE)]);
}
