/** A record key as callers give it: trimmed, at most MAX_RECORD_KEY_LENGTH characters. */
import { badInput } from '../../errors.ts';

export const MAX_RECORD_KEY_LENGTH = 200;

/** The record key to store (null for none), or BAD_USER_INPUT on `field`. */
export function checkRecordKey(
  value: string | null | undefined,
  field: string[],
  subject = 'A record key',
): string | null {
  const key = value?.trim() ?? '';
  if (key === '') return null;
  if (key.length > MAX_RECORD_KEY_LENGTH)
    throw badInput(`${subject} has at most ${MAX_RECORD_KEY_LENGTH} characters.`, field);
  if (key.includes('\u0000')) throw badInput(`${subject} holds a NUL character.`, field);
  return key;
}
