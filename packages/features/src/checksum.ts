import { createHash } from 'node:crypto';

/** Hex sha256 of raw content bytes (or of a text's UTF-8 encoding): the idempotency key. */
export function sha256Hex(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('hex');
}
