/**
 * The one error type of the signing component. `code` is stable and machine-readable; `offset` is a
 * byte offset into the module (or into the detached signature) when the problem has a place.
 * Messages never contain secret key material.
 */
export type SigningErrorCode =
  | 'no-signature'
  | 'unknown-format'
  | 'signature-not-first'
  | 'tampered'
  | 'wrong-key'
  | 'malformed'
  | 'duplicate-signature'
  | 'bad-key'
  | 'bad-argument';

export class SigningError extends Error {
  readonly code: SigningErrorCode;
  readonly offset?: number;
  constructor(code: SigningErrorCode, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = 'SigningError';
    this.code = code;
    this.offset = offset;
  }
}
