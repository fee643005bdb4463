'use client';
/** The dataset's retraining policy and the webhook endpoints (admin). */
import { useState } from 'react';
import type { FormEvent } from 'react';
import {
  CreateWebhookDocument,
  DatasetDocument,
  DeleteWebhookDocument,
  SetRetrainPolicyDocument,
  WebhooksDocument,
  type RetrainPolicyKind,
} from '../generated/graphql.ts';
import { errorMessage, execute } from '../lib/client.ts';
import { useQuery } from '../lib/use-query.ts';
import { Empty, QueryView } from './states.tsx';

const EVENTS = ['run.finished', 'run.failed', 'model.promoted'];

export function RetrainPolicyPanel({ datasetId }: { datasetId: string }) {
  const dataset = useQuery(DatasetDocument, { id: datasetId });
  return (
    <section className="panel">
      <h2>Retraining policy</h2>
      <QueryView state={dataset}>
        {({ dataset: d }) =>
          d ? (
            <PolicyForm
              key={d.id}
              datasetId={d.id}
              initial={d.retrainPolicy}
              onSaved={dataset.refetch}
            />
          ) : (
            <p>Dataset not found.</p>
          )
        }
      </QueryView>
    </section>
  );
}

function PolicyForm({
  datasetId,
  initial,
  onSaved,
}: {
  datasetId: string;
  initial: { kind: RetrainPolicyKind; cron?: string | null; threshold?: number | null };
  onSaved: () => void;
}) {
  const [kind, setKind] = useState<RetrainPolicyKind>(initial.kind);
  const [cron, setCron] = useState(initial.cron ?? '0 3 * * *');
  const [threshold, setThreshold] = useState(String(initial.threshold ?? 100));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setMessage(null);
    const n = Number(threshold);
    if (kind === 'THRESHOLD' && !(Number.isInteger(n) && n > 0)) {
      setMessage({ ok: false, text: 'The threshold is a positive whole number of items.' });
      return;
    }
    try {
      const { setRetrainPolicy } = await execute(SetRetrainPolicyDocument, {
        datasetId,
        policy: {
          kind,
          cron: kind === 'CRON' ? cron.trim() : null,
          threshold: kind === 'THRESHOLD' ? n : null,
        },
      });
      if (setRetrainPolicy.errors.length > 0) {
        setMessage({ ok: false, text: setRetrainPolicy.errors.map((e) => e.message).join(' ') });
      } else {
        setMessage({ ok: true, text: 'Saved.' });
        onSaved();
      }
    } catch (e) {
      setMessage({ ok: false, text: errorMessage(e) });
    }
  }

  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <label className="field">
        Retrain
        <select value={kind} onChange={(e) => setKind(e.target.value as RetrainPolicyKind)}>
          <option value="MANUAL">Manually only</option>
          <option value="CRON">On a schedule</option>
          <option value="THRESHOLD">After N new or relabelled items</option>
        </select>
      </label>
      {kind === 'CRON' ? (
        <label className="field">
          Schedule (cron)
          <input value={cron} onChange={(e) => setCron(e.target.value)} />
          <span className="hint">minute hour day month weekday, e.g. 0 3 * * * (03:00 daily)</span>
        </label>
      ) : null}
      {kind === 'THRESHOLD' ? (
        <label className="field">
          New items
          <input
            type="number"
            min={1}
            value={threshold}
            onChange={(e) => setThreshold(e.target.value)}
          />
        </label>
      ) : null}
      {message ? (
        <p className={message.ok ? 'small' : 'field-error'} role="status">
          {message.text}
        </p>
      ) : null}
      <div>
        <button className="button primary">Save policy</button>
      </div>
    </form>
  );
}

export function WebhooksPanel({ datasetId }: { datasetId: string }) {
  const hooks = useQuery(WebhooksDocument, {});
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(EVENTS);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const { createWebhook } = await execute(CreateWebhookDocument, {
        input: { url: url.trim(), events, datasetId },
      });
      if (createWebhook.errors.length > 0) {
        setError(createWebhook.errors.map((e) => e.message).join(' '));
      } else {
        setSecret(createWebhook.webhook?.secret ?? null);
        setUrl('');
        hooks.refetch();
      }
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function remove(id: string) {
    try {
      await execute(DeleteWebhookDocument, { id });
      hooks.refetch();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <section className="panel">
      <h2>Webhooks</h2>
      <form className="form" onSubmit={(e) => void create(e)}>
        <label className="field">
          Endpoint URL
          <input
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://…"
            required
          />
        </label>
        <div className="chips">
          {EVENTS.map((ev) => (
            <button
              key={ev}
              type="button"
              className="chip"
              aria-pressed={events.includes(ev)}
              onClick={() =>
                setEvents((all) => (all.includes(ev) ? all.filter((x) => x !== ev) : [...all, ev]))
              }
            >
              {ev}
            </button>
          ))}
        </div>
        {error ? <p className="field-error">{error}</p> : null}
        <div>
          <button className="button" disabled={!url.trim() || events.length === 0}>
            Add webhook
          </button>
        </div>
      </form>
      {secret ? (
        <p className="secret small">
          Signing secret (HMAC-SHA256 of each delivery): <code>{secret}</code>
        </p>
      ) : null}
      <QueryView
        state={hooks}
        isEmpty={(d) =>
          d.webhooks.filter((w) => !w.datasetId || w.datasetId === datasetId).length === 0
        }
        empty={<Empty title="No webhooks" />}
      >
        {(d) => (
          <div className="table-wrap" style={{ marginTop: 12 }}>
            <table>
              <thead>
                <tr>
                  <th>URL</th>
                  <th>Events</th>
                  <th>Last delivery</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {d.webhooks
                  .filter((w) => !w.datasetId || w.datasetId === datasetId)
                  .map((w) => {
                    const last = w.deliveries[0];
                    return (
                      <tr key={w.id}>
                        <td style={{ wordBreak: 'break-all' }}>{w.url}</td>
                        <td className="small">{w.events.join(', ')}</td>
                        <td className="small">
                          {last
                            ? `${last.event}: ${last.status}${last.responseStatus ? ` (${last.responseStatus})` : ''}${last.error ? ` — ${last.error}` : ''}`
                            : 'none yet'}
                        </td>
                        <td>
                          <button
                            type="button"
                            className="button small danger"
                            onClick={() => void remove(w.id)}
                          >
                            Delete
                          </button>
                        </td>
                      </tr>
                    );
                  })}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </section>
  );
}
