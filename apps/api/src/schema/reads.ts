/** The two read shapes every domain shares: one object by id, and a dataset's page of them. */
import type { Page } from '@concord/db';
import { authorize, type Principal } from '../auth/principal.ts';
import type { Context } from '../context.ts';
import { decodeCursor, pageSize, toConnection } from './connection.ts';
import { uuid } from './ids.ts';

/**
 * An object for a viewer: any valid key may ask (so a bad key is refused before the id is even
 * parsed), and only a key that reaches the object's dataset gets it.
 */
export async function readable<T extends { datasetId: string }>(
  principal: Principal | null,
  load: () => Promise<T | null>,
): Promise<T | null> {
  authorize(principal, 'viewer');
  const found = await load();
  if (found) authorize(principal, 'viewer', found.datasetId);
  return found;
}

/** One page of a dataset's objects as a Relay connection, for a viewer of that dataset. */
export async function datasetConnection<T extends { id: string }>(
  { deps, principal }: Pick<Context, 'deps' | 'principal'>,
  args: { datasetId: string; first?: number | null; after?: string | null },
  list: (datasetId: string, page: { first: number; afterId: string | null }) => Promise<Page<T>>,
) {
  const datasetId = uuid(args.datasetId, 'dataset');
  authorize(principal, 'viewer', datasetId);
  return toConnection(
    await list(datasetId, {
      first: pageSize(args.first, deps.env.MAX_PAGE_SIZE),
      afterId: decodeCursor(args.after),
    }),
  );
}
