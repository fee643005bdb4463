/**
 * One error vocabulary for the content pipeline. Every per-item failure carries one of these codes,
 * so the API can record it on the item and map it to a user-facing message without parsing text.
 */
export type FeatureErrorCode =
  | 'READ_FAILED' // the file could not be read
  | 'TOO_LARGE' // file larger than the configured byte limit
  | 'EMPTY_CONTENT' // zero bytes, or text that is empty after extraction
  | 'UNSUPPORTED_TYPE' // magic bytes name a type this pipeline does not handle
  | 'TYPE_MISMATCH' // the declared type (extension / manifest mime) disagrees with the magic bytes
  | 'CORRUPT_IMAGE' // decoder rejected the bytes (truncated, damaged)
  | 'PIXEL_LIMIT' // image larger than the decompression-bomb limit
  | 'BINARY_TEXT' // "text" that is really binary data
  | 'ENCRYPTED_PDF' // password-protected PDF
  | 'CORRUPT_DOCUMENT' // PDF/DOCX/HTML that could not be parsed
  | 'BAD_VECTOR' // wrong dimension, NaN/Inf, unparsable number
  | 'BAD_RECORD' // a manifest / vector-file row that is malformed
  | 'FEATURISER_FAILED'; // inference or vectorisation failed for this item

export interface FeatureErrorInfo {
  code: FeatureErrorCode;
  message: string;
}

export class FeatureError extends Error implements FeatureErrorInfo {
  readonly code: FeatureErrorCode;

  constructor(code: FeatureErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeatureError';
    this.code = code;
  }

  toJSON(): FeatureErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** Turns anything thrown into the `{code, message}` shape; unknown errors get `fallback`. */
export function toErrorInfo(err: unknown, fallback: FeatureErrorCode): FeatureErrorInfo {
  if (err instanceof FeatureError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: fallback, message };
}
