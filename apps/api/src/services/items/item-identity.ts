/**
 * Identity by key, not by content (issue #12). An item is identified by (dataset, modality, key):
 *
 * - a key not stored yet makes a new item, even when other items hold the same content (their
 *   features are shared, not their identity: every caller's key, site, labels and record stay);
 * - a key stored with the same content is a DUPLICATE of that item (idempotent; nothing changes);
 * - a key stored with other content is refused per item: FAILED with `KEY_CONFLICT`;
 * - a keyless item is identified by its content among keyless items: the same content again
 *   without a key is a DUPLICATE of the keyless item that holds it.
 */
import type { ItemSummary, Repositories } from '@concord/db';
import type { AppDeps } from '../../context.ts';
import type { ItemOutcome } from './featurise-items.ts';

export type Identity =
  | { kind: 'new' }
  | { kind: 'duplicate'; item: ItemSummary }
  | { kind: 'key-conflict'; item: ItemSummary };

/** The error code of a key that already names other content. */
export const KEY_CONFLICT = 'KEY_CONFLICT';

export async function identityOf(
  repos: Pick<Repositories, 'items'>,
  datasetId: string,
  modality: string,
  key: string | null,
  checksum: string,
): Promise<Identity> {
  if (key === null) {
    const keyless = await repos.items.findKeyless(datasetId, modality, checksum);
    return keyless ? { kind: 'duplicate', item: keyless } : { kind: 'new' };
  }
  const named = await repos.items.findByKey(datasetId, modality, key);
  if (!named) return { kind: 'new' };
  return named.checksum === checksum
    ? { kind: 'duplicate', item: named }
    : { kind: 'key-conflict', item: named };
}

/** The outcome of an item whose identity is already stored (null for a new one). */
export function storedOutcome(
  identity: Identity,
  p: { index: number; key: string | null },
): ItemOutcome | null {
  const base = { index: p.index, key: p.key, itemId: null, errorCode: null, error: null };
  switch (identity.kind) {
    case 'new':
      return null;
    case 'duplicate':
      return { ...base, status: 'DUPLICATE', itemId: identity.item.id };
    case 'key-conflict':
      return {
        ...base,
        status: 'FAILED',
        errorCode: KEY_CONFLICT,
        error:
          `Key ${JSON.stringify(p.key)} already names other ${identity.item.modality} content ` +
          `(item ${identity.item.id}): delete that item first to replace its content, or give ` +
          `this content another key.`,
      };
  }
}

/**
 * The outcome of a new item whose write hit a unique index: the same key (or keyless content)
 * was stored meanwhile — earlier in the same request, or by a concurrent one.
 */
export async function outcomeAfterConflict(
  deps: AppDeps,
  p: { index: number; key: string | null },
  item: { datasetId: string; modality: string; externalKey: string | null; checksum: string },
): Promise<ItemOutcome> {
  const identity = await identityOf(
    deps.repos,
    item.datasetId,
    item.modality,
    item.externalKey,
    item.checksum,
  );
  return (
    storedOutcome(identity, p) ?? {
      index: p.index,
      key: p.key,
      status: 'FAILED',
      itemId: null,
      errorCode: 'CONFLICT',
      error: `The item with key ${JSON.stringify(p.key)} changed while this one was stored; send it again.`,
    }
  );
}
