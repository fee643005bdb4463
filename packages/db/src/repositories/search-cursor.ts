/**
 * A search page's cursor: the last hit's exact distance and embedding id (keyset paging on
 * (distance, id)) and the model — id and version — the search ranked with, so the next page
 * continues on that model even after another version was promoted meanwhile. Opaque to callers
 * (base64url JSON); anything else, including the earlier two-field form, is malformed.
 */
import { DbError } from '../errors.ts';
import { isUuid } from '../vector-sql.ts';

export interface SearchCursor {
  distance: number;
  /** The embedding id (a bigint, as text). */
  id: string;
  modelId: string;
  modelVersion: number;
}

export function encodeSearchCursor(cursor: SearchCursor): string {
  const fields = [cursor.distance, cursor.id, cursor.modelId, cursor.modelVersion];
  return Buffer.from(JSON.stringify(fields)).toString('base64url');
}

/** The cursor's fields; a DbError INVALID_ARGUMENT when it is not one this code made. */
export function decodeSearchCursor(cursor: string): SearchCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 4 &&
      typeof value[0] === 'number' &&
      Number.isFinite(value[0]) &&
      typeof value[1] === 'string' &&
      /^\d{1,19}$/.test(value[1]) &&
      typeof value[2] === 'string' &&
      isUuid(value[2]) &&
      Number.isSafeInteger(value[3]) &&
      (value[3] as number) >= 1
    ) {
      return {
        distance: value[0],
        id: value[1],
        modelId: value[2].toLowerCase(),
        modelVersion: value[3] as number,
      };
    }
  } catch {
    // fall through to the typed error
  }
  throw malformedCursor();
}

export const malformedCursor = () =>
  new DbError('INVALID_ARGUMENT', 'The `after` cursor is malformed.');
