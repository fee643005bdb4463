/**
 * One error vocabulary for the whole API. Services throw AppError; the table below is the only
 * place a code becomes a GraphQL `extensions.code`; anything else is logged and masked.
 */
import { isDbError, type DbErrorCode } from '@concord/db';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export type AppErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FAILED_PRECONDITION'
  | 'PAYLOAD_TOO_LARGE'
  | 'QUERY_TOO_COMPLEX'
  | 'SERVICE_BUSY'
  /** An ingested item names a label the dataset lacks and nothing allows creating it. */
  | 'UNKNOWN_LABEL'
  /** A search cursor's model can no longer answer its next page. */
  | 'MODEL_CHANGED';

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly field: string[] | null = null,
  ) {
    super(message);
  }
}

export const badInput = (message: string, field: string[] | null = null) =>
  new AppError('BAD_USER_INPUT', message, field);
export const notFound = (what: string, id: string) =>
  new AppError('NOT_FOUND', `Unknown ${what} id: ${JSON.stringify(id)}.`);

/** extensions.code and HTTP status of every AppError code. */
export const ERROR_TABLE: Record<AppErrorCode | 'INTERNAL_SERVER_ERROR', { http: number }> = {
  BAD_USER_INPUT: { http: 400 },
  UNAUTHENTICATED: { http: 401 },
  FORBIDDEN: { http: 403 },
  NOT_FOUND: { http: 404 },
  CONFLICT: { http: 409 },
  FAILED_PRECONDITION: { http: 412 },
  PAYLOAD_TOO_LARGE: { http: 413 },
  QUERY_TOO_COMPLEX: { http: 400 },
  SERVICE_BUSY: { http: 503 },
  UNKNOWN_LABEL: { http: 400 },
  MODEL_CHANGED: { http: 409 },
  INTERNAL_SERVER_ERROR: { http: 500 },
};

const DB_CODES: Record<DbErrorCode, AppErrorCode | null> = {
  NOT_FOUND: 'NOT_FOUND',
  INVALID_VECTOR: 'BAD_USER_INPUT',
  INVALID_ARGUMENT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  MIGRATION_REFUSED: null,
};

/** PostgreSQL errors (SQLSTATE) that only the caller's values cause, and what to tell them. */
const INPUT_SQLSTATES: Record<string, string> = {
  '22021': 'Text with a NUL byte or an invalid character cannot be stored.',
  '22P05': 'Text with a NUL byte or an invalid character cannot be stored.',
  '22P02': 'A value has an invalid format (e.g. an unpaired surrogate in JSON).',
  '54000': 'A value is too large to be stored or indexed.',
  '22003': 'A number is out of range.',
};

/** The SQLSTATE of a pg/PGlite error or of a Prisma error from a driver adapter. */
function sqlStateOf(error: unknown): string | null {
  const e = error as {
    code?: unknown;
    meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
  } | null;
  const code = e?.meta?.driverAdapterError?.cause?.originalCode ?? e?.code;
  return typeof code === 'string' ? code : null;
}

/** AppError, or the AppError a data-layer error stands for; null for unknown errors. */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (isDbError(error)) {
    const code = DB_CODES[error.code];
    return code ? new AppError(code, error.message) : null;
  }
  const input = INPUT_SQLSTATES[sqlStateOf(error) ?? ''];
  return input ? new AppError('BAD_USER_INPUT', input) : null;
}

/** The GraphQLError a resolver throws for an AppError. */
export function toGraphQLError(error: AppError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(error.field ? { field: error.field } : {}) },
  });
}

/** Apollo's formatError: known codes pass, the rest is masked with the request id logged. */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: (message: string, error: unknown) => void,
): GraphQLFormattedError {
  const limit = formatted.extensions?.limit;
  const code =
    formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && typeof limit === 'string'
      ? 'QUERY_TOO_COMPLEX'
      : formatted.extensions?.code;
  if (typeof code === 'string' && code in ERROR_TABLE && code !== 'INTERNAL_SERVER_ERROR') {
    return { ...formatted, extensions: { code, ...pick(formatted.extensions, 'field') } };
  }
  // Apollo's own request errors (parse, validation) are the caller's fault.
  if (
    code === 'GRAPHQL_PARSE_FAILED' ||
    code === 'GRAPHQL_VALIDATION_FAILED' ||
    code === 'BAD_REQUEST' ||
    code === 'PERSISTED_QUERY_NOT_FOUND' ||
    code === 'OPERATION_RESOLUTION_FAILURE'
  ) {
    return { message: formatted.message, locations: formatted.locations, extensions: { code } };
  }
  const original = unwrap(error);
  const app = toAppError(original);
  if (app) return { ...formatted, message: app.message, extensions: { code: app.code } };
  const errorId = crypto.randomUUID();
  log(`internal error ${errorId}`, original);
  return {
    message: `Internal server error (reference ${errorId}).`,
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
  };
}

/**
 * The error a GraphQLError wraps. Duck-typed: graphql-ws may load graphql's other build (CJS vs
 * ESM), whose GraphQLError is another class.
 */
function unwrap(error: unknown): unknown {
  const original = (error as { originalError?: unknown } | null)?.originalError;
  return original instanceof Error ? original : error;
}

function pick(record: Record<string, unknown> | undefined, key: string): Record<string, unknown> {
  return record && key in record ? { [key]: record[key] } : {};
}
