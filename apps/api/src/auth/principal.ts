/** Who is calling, and the one place roles and dataset scopes are checked. */
import type { ApiKeyRole, ApiKeyRepository } from '@concord/db';
import { AppError } from '../errors.ts';
import { parseApiKey, secretMatches } from './api-keys.ts';

export type Role = 'admin' | 'editor' | 'viewer';

export interface Principal {
  keyId: string;
  role: Role;
  /** Datasets this key may touch; null = all. */
  datasetIds: readonly string[] | null;
}

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

export function roleOf(role: ApiKeyRole): Role {
  return role.toLowerCase() as Role;
}

/** Resolves `Authorization: Bearer <key>` (or `x-api-key`) to a principal; null = anonymous. */
export async function authenticate(
  header: string | undefined,
  apiKeys: ApiKeyRepository,
): Promise<Principal | null> {
  if (!header) return null;
  const token = header.replace(/^Bearer\s+/i, '');
  const parsed = parseApiKey(token);
  if (!parsed) throw new AppError('UNAUTHENTICATED', 'The API key is malformed.');
  const key = await apiKeys.findByPrefix(parsed.prefix);
  if (!key || key.revokedAt || !secretMatches(parsed.secret, key.secretHash)) {
    throw new AppError('UNAUTHENTICATED', 'The API key is unknown or revoked.');
  }
  return {
    keyId: key.id,
    role: roleOf(key.role),
    datasetIds: key.datasetIds.length > 0 ? key.datasetIds : null,
  };
}

/** Throws unless the caller has at least `role` (and, with a dataset, may touch it). */
export function authorize(
  principal: Principal | null,
  role: Role,
  datasetId?: string | null,
): Principal {
  if (!principal) throw new AppError('UNAUTHENTICATED', 'An API key is required.');
  if (RANK[principal.role] < RANK[role]) {
    throw new AppError('FORBIDDEN', `This operation needs the ${role} role.`);
  }
  if (datasetId && principal.datasetIds && !principal.datasetIds.includes(datasetId)) {
    throw new AppError('FORBIDDEN', 'This API key is not scoped to that dataset.');
  }
  return principal;
}

/**
 * Throws unless the caller has at least `role` with a key that is not scoped to datasets: for
 * operations beyond any one dataset (new datasets, API keys, webhooks of every dataset), which
 * would otherwise let a dataset-scoped key reach past its scope.
 */
export function authorizeUnscoped(principal: Principal | null, role: Role): Principal {
  const p = authorize(principal, role);
  if (p.datasetIds) {
    throw new AppError('FORBIDDEN', 'This operation needs an API key not scoped to datasets.');
  }
  return p;
}

/** `authorize` for an object of one dataset, or `authorizeUnscoped` for one of every dataset. */
export function authorizeFor(
  principal: Principal | null,
  role: Role,
  datasetId: string | null,
): Principal {
  return datasetId ? authorize(principal, role, datasetId) : authorizeUnscoped(principal, role);
}

/** Whether the caller may see this dataset (lists filter with it instead of failing). */
export function canSee(principal: Principal, datasetId: string): boolean {
  return !principal.datasetIds || principal.datasetIds.includes(datasetId);
}
