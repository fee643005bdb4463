/** Reads a multipart upload (graphql-upload-minimal) into memory, refusing oversized files. */
import type { FileUpload } from 'graphql-upload-minimal';
import { AppError } from '../errors.ts';

export async function readUpload(
  value: unknown,
  maxBytes: number,
  field: string[],
): Promise<Uint8Array> {
  const upload = (await value) as FileUpload;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of upload.createReadStream()) {
      size += (chunk as Buffer).length;
      if (size > maxBytes)
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `The file is larger than ${maxBytes} bytes.`,
          field,
        );
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    // graphql-upload-minimal aborts the stream at its own maxFileSize.
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `The file could not be read whole: ${(error as Error).message}`,
      field,
    );
  }
  return Buffer.concat(chunks);
}
