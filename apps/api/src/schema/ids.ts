/** ID arguments: anything that is not a UUID cannot name a row, so it is NOT_FOUND up front. */
import { AppError } from '../errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuid(value: string, what: string, field?: string[]): string {
  if (!UUID.test(value))
    throw new AppError('NOT_FOUND', `Unknown ${what} id: ${JSON.stringify(value)}.`, field ?? null);
  return value;
}

export function uuids(
  values: readonly string[] | null | undefined,
  what: string,
  field?: string[],
): string[] {
  return (values ?? []).map((value) => uuid(value, what, field));
}
