'use client';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Empty, QueryView } from '../../components/states.tsx';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  type Role,
} from '../../generated/graphql.ts';
import { errorMessage, execute } from '../../lib/client.ts';
import { useDatasets } from '../../lib/datasets.tsx';
import { hasRole, useSession } from '../../lib/session.tsx';
import { useQuery } from '../../lib/use-query.ts';

export default function KeysPage() {
  const { state } = useSession();
  if (!hasRole(state, 'ADMIN')) {
    return <Empty title="Admins only">Your key cannot manage API keys.</Empty>;
  }
  return <Keys />;
}

function Keys() {
  const keys = useQuery(ApiKeysDocument, {});
  const { datasets } = useDatasets();
  const { state } = useSession();
  const myId = state.status === 'signed-in' ? state.me.id : null;
  const [label, setLabel] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const [scope, setScope] = useState<string>('');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSecret(null);
    try {
      const { createApiKey } = await execute(CreateApiKeyDocument, {
        input: { label: label.trim(), role, datasetIds: scope ? [scope] : [] },
      });
      if (createApiKey.errors.length > 0) {
        setError(createApiKey.errors.map((e) => e.message).join(' '));
      } else {
        setSecret(createApiKey.secret ?? null);
        setLabel('');
        keys.refetch();
      }
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function revoke(id: string) {
    if (!window.confirm('Revoke this key? Clients using it stop working at once.')) return;
    try {
      const { revokeApiKey } = await execute(RevokeApiKeyDocument, { id });
      if (revokeApiKey.errors.length > 0)
        setError(revokeApiKey.errors.map((e) => e.message).join(' '));
      keys.refetch();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <>
      <h1>API keys</h1>
      <section className="panel">
        <h2>New key</h2>
        <form className="form-grid" onSubmit={(e) => void create(e)}>
          <label className="field">
            Label
            <input
              name="label"
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              required
              placeholder="who or what uses it"
            />
          </label>
          <label className="field">
            Role
            <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              <option value="VIEWER">Viewer — search and read</option>
              <option value="EDITOR">Editor — upload and train</option>
              <option value="ADMIN">Admin — everything</option>
            </select>
          </label>
          <label className="field">
            Datasets
            <select value={scope} onChange={(e) => setScope(e.target.value)}>
              <option value="">All datasets</option>
              {datasets.data?.datasets.edges.map(({ node }) => (
                <option key={node.id} value={node.id}>
                  {node.name}
                </option>
              ))}
            </select>
          </label>
          <div className="field" style={{ alignSelf: 'end' }}>
            <button className="button primary" disabled={!label.trim()}>
              Create key
            </button>
          </div>
        </form>
        {error ? <p className="field-error">{error}</p> : null}
        {secret ? (
          <div className="secret" style={{ marginTop: 12 }} data-testid="new-secret">
            <strong>Copy this key now — it is shown only once.</strong>
            <div>
              <code data-testid="secret-value">{secret}</code>
            </div>
            <button
              type="button"
              className="button small"
              onClick={() => void navigator.clipboard?.writeText(secret)}
            >
              Copy
            </button>
          </div>
        ) : null}
      </section>
      <section className="panel">
        <QueryView
          state={keys}
          isEmpty={(d) => d.apiKeys.length === 0}
          empty={<Empty title="No keys" />}
        >
          {(d) => (
            <div className="table-wrap">
              <table data-testid="api-keys">
                <thead>
                  <tr>
                    <th>Label</th>
                    <th>Prefix</th>
                    <th>Role</th>
                    <th>Scope</th>
                    <th>Created</th>
                    <th>Last used</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {d.apiKeys.map((k) => (
                    <tr key={k.id}>
                      <td>
                        {k.label} {k.id === myId ? <span className="badge">you</span> : null}
                      </td>
                      <td>
                        <code>{k.prefix}</code>
                      </td>
                      <td>{k.role.toLowerCase()}</td>
                      <td className="small">
                        {k.datasetIds.length === 0 ? 'all' : `${k.datasetIds.length} dataset(s)`}
                      </td>
                      <td className="small">{new Date(k.createdAt).toLocaleDateString()}</td>
                      <td className="small">
                        {k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}
                      </td>
                      <td>
                        {k.revokedAt ? (
                          <span className="badge bad">revoked</span>
                        ) : k.id !== myId ? (
                          <button
                            type="button"
                            className="button small danger"
                            onClick={() => void revoke(k.id)}
                          >
                            Revoke
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </section>
    </>
  );
}
