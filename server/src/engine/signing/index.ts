/** Wasm module signatures, compatible with wasmsign2 / proxy-wasm-cpp-host. */
export { SigningError, type SigningErrorCode } from './errors';
export * from './keys';
export { signModule, insertDelimiters, detachSignature, attachSignature, type SignOptions, type SignResult, type DelimiterPlan } from './sign';
export {
  verifyModule,
  listSignatures,
  type VerifyResult,
  type VerifyOptions,
  type VerifyFailureReason,
  type VerifiedSignature,
  type VerifiedPart,
  type SignatureListing,
  type ListedEntry,
  type ListedSignature,
} from './verify';
export { decodeSignatureData, encodeSignatureData, signedMessage, type SignatureData, type SignedHashes, type SignatureForHashes, MAX_HASHES, MAX_SIGNATURES, MAX_SIGNED_HASHES } from './format';
export { hashModule, type ModuleHashes, type HashedPart } from './hashing';
export { walkSections, type RawSection, SIGNATURE_SECTION, DELIMITER_SECTION } from './sections';
export { assessSignature, loadTrustedKeys, sha256Hex, type SignatureAssessment, type SignatureState, type KeyLoadProblem } from './assess';
