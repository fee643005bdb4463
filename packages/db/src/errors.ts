/** The data layer's error vocabulary; the API maps `code` to GraphQL error codes in one table. */
export type DbErrorCode =
  'NOT_FOUND' | 'INVALID_VECTOR' | 'INVALID_ARGUMENT' | 'CONFLICT' | 'MIGRATION_REFUSED';

export class DbError extends Error {
  override readonly name = 'DbError';

  constructor(
    readonly code: DbErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isDbError(error: unknown): error is DbError {
  return error instanceof DbError;
}
