/** Relay connections: opaque cursors, a capped `first`, and the typed errors for bad ones. */
import type { Page } from '@concord/db';
import { badInput } from '../errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function pageSize(first: number | null | undefined, max: number): number {
  const n = first ?? Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw badInput(`first must be between 1 and ${max}.`, ['first']);
  }
  return n;
}

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(after: string | null | undefined): string | null {
  if (!after) return null;
  const id = Buffer.from(after, 'base64url').toString('utf8');
  if (!UUID.test(id)) throw badInput('The `after` cursor is malformed.', ['after']);
  return id;
}

export function toConnection<T extends { id: string }>(page: Page<T>) {
  const edges = page.rows.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: page.totalCount,
  };
}
