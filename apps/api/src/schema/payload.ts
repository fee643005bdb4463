/**
 * Mutations answer with the changed object or typed user errors: input problems (bad input,
 * unknown ids, conflicts) become `errors`; auth failures and the unexpected stay GraphQL errors.
 */
import { toAppError, toGraphQLError, type AppErrorCode } from '../errors.ts';
import type { ErrorCode, UserError } from '../generated/resolvers-types.ts';

const USER_CODES: ReadonlySet<AppErrorCode> = new Set<ErrorCode>([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'FAILED_PRECONDITION',
  'PAYLOAD_TOO_LARGE',
  'UNKNOWN_LABEL',
]);

export async function payload<K extends string, T>(
  key: K,
  run: () => Promise<T>,
): Promise<{ [P in K]: T | null } & { errors: UserError[] }> {
  try {
    const value = await run();
    return { [key]: value, errors: [] } as { [P in K]: T | null } & { errors: UserError[] };
  } catch (error) {
    const app = toAppError(error);
    if (app && USER_CODES.has(app.code)) {
      return {
        [key]: null,
        errors: [{ code: app.code as ErrorCode, message: app.message, field: app.field }],
      } as { [P in K]: T | null } & { errors: UserError[] };
    }
    throw app ? toGraphQLError(app) : error;
  }
}

/** For queries: AppErrors become GraphQL errors with their code. */
export async function query<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const app = toAppError(error);
    throw app ? toGraphQLError(app) : error;
  }
}
