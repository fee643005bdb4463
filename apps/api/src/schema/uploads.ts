/** Reads a multipart upload (graphql-upload-minimal) into memory, refusing oversized files. */
import type { FileUpload } from 'graphql-upload-minimal';
import { AppError, badInput } from '../errors.ts';

export async function readUpload(
  value: unknown,
  maxBytes: number,
  field: string[],
): Promise<Uint8Array> {
  const tooLarge = () =>
    new AppError('PAYLOAD_TOO_LARGE', `The file is larger than ${maxBytes} bytes.`, field);
  // graphql-upload-minimal errors carry an HTTP status: 413 over its maxFileSize, 400 otherwise
  // (e.g. a file the multipart map names but the request never sent).
  const refusal = (error: unknown) =>
    error instanceof AppError
      ? error
      : (error as { status?: number }).status === 413
        ? tooLarge()
        : badInput(`The upload could not be read: ${(error as Error).message}`, field);
  let stream: NodeJS.ReadableStream & { truncated?: boolean };
  try {
    stream = ((await value) as FileUpload).createReadStream();
  } catch (error) {
    throw refusal(error);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw refusal(error);
  }
  // At its maxFileSize (= maxBytes) busboy ends the stream early and only marks it truncated.
  if (stream.truncated) throw tooLarge();
  return Buffer.concat(chunks);
}
