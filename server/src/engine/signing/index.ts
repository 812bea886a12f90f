/** Wasm module signatures, compatible with wasmsign2 / proxy-wasm-cpp-host. */
export { SigningError, type SigningErrorCode } from './errors';
export * from './keys';
export { signModule, insertDelimiters, detachSignature, attachSignature, type SignOptions, type SignResult, type DelimiterPlan } from './sign';
export {
  verifyModule,
  listSignatures,
  MAX_SIGNATURE_CHECKS,
  type KeyIdStatus,
  type VerifyResult,
  type VerifyOptions,
  type VerifyFailureReason,
  type VerifiedSignature,
  type VerifiedPart,
  type SignatureListing,
  type ListedEntry,
  type ListedSignature,
} from './verify';
export { decodeSignatureData, encodeSignatureData, signedMessage, type SignatureData, type SignedHashes, type SignatureForHashes, MAX_HASHES, MAX_SIGNATURES, MAX_SIGNED_HASHES, MAX_SIGNATURE_BYTES, MAX_SHOWN_KEY_ID_BYTES, keyIdText } from './format';
export { hashModule, MAX_PARTS, type ModuleHashes, type HashedPart } from './hashing';
export { readKeyFileBytes, readSignatureFile, MAX_KEY_FILE_BYTES } from './files';
export { walkSections, type RawSection, SIGNATURE_SECTION, DELIMITER_SECTION } from './sections';
export { assessSignature, loadTrustedKeys, sha256Hex, MAX_TRUSTED_KEYS, MAX_KEY_PATH_LENGTH, type SignatureAssessment, type SignatureState, type KeyLoadProblem } from './assess';
