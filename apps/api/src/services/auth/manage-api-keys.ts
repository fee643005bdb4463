/** API key use-cases: create (secret shown once), revoke, and the first admin key. */
import type { ApiKey, ApiKeyRole } from '@concord/db';
import { generateApiKey } from '../../auth/api-keys.ts';
import { authorizeUnscoped, type Principal } from '../../auth/principal.ts';
import type { AppDeps } from '../../context.ts';
import { badInput, notFound } from '../../errors.ts';

export async function createApiKey(
  deps: AppDeps,
  principal: Principal | null,
  input: { role: ApiKeyRole; label: string; datasetIds?: string[] | null },
): Promise<{ apiKey: ApiKey; secret: string }> {
  authorizeUnscoped(principal, 'admin');
  const label = input.label.trim();
  if (label.length < 1 || label.length > 200)
    throw badInput('label must have 1..200 characters.', ['input', 'label']);
  const datasetIds = [...new Set(input.datasetIds ?? [])];
  const found = await deps.repos.datasets.findByIds(datasetIds);
  const missing = datasetIds.find((id) => !found.some((d) => d.id === id));
  if (missing) throw notFound('dataset', missing);
  const key = generateApiKey();
  const apiKey = await deps.repos.apiKeys.create({
    prefix: key.prefix,
    secretHash: key.secretHash,
    role: input.role,
    label,
    datasetIds,
  });
  return { apiKey, secret: key.plaintext };
}

export async function revokeApiKey(
  deps: AppDeps,
  principal: Principal | null,
  id: string,
): Promise<ApiKey> {
  authorizeUnscoped(principal, 'admin');
  if (!(await deps.repos.apiKeys.findById(id))) throw notFound('API key', id);
  return deps.repos.apiKeys.revoke(id);
}

/** On an empty key table: creates an admin key and returns its plaintext (print it once). */
export async function ensureAdminKey(deps: Pick<AppDeps, 'repos'>): Promise<string | null> {
  const key = generateApiKey();
  const created = await deps.repos.apiKeys.createFirst({
    prefix: key.prefix,
    secretHash: key.secretHash,
    role: 'ADMIN',
    label: 'first admin key',
    datasetIds: [],
  });
  return created ? key.plaintext : null;
}
