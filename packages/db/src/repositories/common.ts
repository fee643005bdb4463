/** Paging and error mapping shared by the Prisma-backed repositories. */
import { DbError } from '../errors.ts';
import { Prisma } from '../generated/prisma/client.ts';

export interface PageArgs {
  /** Rows wanted (already capped by the caller). */
  first: number;
  /** Id of the last row of the previous page. */
  afterId?: string | null;
}

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
  totalCount: number;
}

/** Prisma keyset arguments over (createdAt, id): `take` one extra row to learn hasNextPage. */
export function pageQuery(args: PageArgs): {
  take: number;
  skip?: number;
  cursor?: { id: string };
} {
  return args.afterId
    ? { take: args.first + 1, skip: 1, cursor: { id: args.afterId } }
    : { take: args.first + 1 };
}

export function toPage<T>(rows: T[], first: number, totalCount: number): Page<T> {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first, totalCount };
}

/** Turns Prisma's known request errors into the data layer's vocabulary; rethrows the rest. */
export function mapPrismaError(error: unknown, what: string): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === 'P2002') throw new DbError('CONFLICT', `${what} already exists.`);
    if (error.code === 'P2025') throw new DbError('NOT_FOUND', `${what} was not found.`);
    if (error.code === 'P2003')
      throw new DbError('CONFLICT', `${what} is still referenced by other rows.`);
  }
  throw error;
}

export async function mapped<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    return mapPrismaError(error, what);
  }
}
