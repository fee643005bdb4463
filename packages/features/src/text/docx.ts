import mammoth from 'mammoth';
import { FeatureError } from '../errors.ts';

/** Raw text of a Word .docx document (mammoth): paragraphs separated by blank lines. */
export async function docxToText(bytes: Uint8Array): Promise<string> {
  try {
    const result = await mammoth.extractRawText({
      buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    });
    return result.value;
  } catch (err) {
    throw new FeatureError(
      'CORRUPT_DOCUMENT',
      `DOCX could not be read: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}
