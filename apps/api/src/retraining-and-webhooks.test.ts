/**
 * The paths the flow test does not walk: the CRON and THRESHOLD retraining policies queueing
 * real runs through the retraining tick (the function pg-boss's minutely job runs), and a webhook
 * delivered to a real HTTP endpoint that fails twice, retried by pg-boss with exponential backoff,
 * then delivered — signature and delivery log checked. Both database modes.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retrainTick } from './jobs/retrain-tick.ts';
import { emitEvent } from './services/webhooks/emit-event.ts';
import { emojiTestCorpus } from './testing/emoji-corpus.ts';
import { startTestApp, waitFor, type TestApp } from './testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE, INGEST } from './testing/operations.ts';

const RETRY_SECONDS = 1;

interface Run {
  id: string;
  status: string;
  config: Record<string, unknown>;
}

describe.each(TEST_DATABASE_MODES)('retraining policies and webhook retries ($name)', (mode) => {
  let t: TestApp;
  const corpus = emojiTestCorpus(2, ['north', 'south']);

  beforeAll(async () => {
    // No worker: a queued run stays queued (its plan job waits in pg-boss), so nothing trains.
    t = await startTestApp(mode, { RUN_WORKER: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function dataset(name: string): Promise<string> {
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name, dimension: 8 },
    });
    const datasetId = created.data.createDataset.dataset.id;
    for (const site of ['north', 'south']) await t.gql(CREATE_SITE, { datasetId, name: site });
    await ingest(datasetId, [...corpus.images, ...corpus.texts]);
    return datasetId;
  }
  async function ingest(datasetId: string, items: typeof corpus.texts): Promise<void> {
    const r = await t.gql<{ ingestItems: { created: number } }>(INGEST, {
      input: {
        datasetId,
        createLabels: true,
        items: items.map((item) => ({
          key: item.key,
          site: item.site,
          labels: [item.label],
          ...(item.base64
            ? { base64: item.base64, modality: 'IMAGE' }
            : { text: item.text, modality: 'TEXT' }),
        })),
      },
    });
    expect(r.data.ingestItems.created).toBe(items.length);
  }
  const setPolicy = (datasetId: string, policy: Record<string, unknown>) =>
    t.gql<{ setRetrainPolicy: { errors: { message: string }[] } }>(
      `mutation($id: ID!, $policy: RetrainPolicyInput!) {
        setRetrainPolicy(datasetId: $id, policy: $policy) { errors { message } } }`,
      { id: datasetId, policy },
    );
  const runs = async (datasetId: string): Promise<Run[]> =>
    (
      await t.gql<{ trainingRuns: { edges: { node: Run }[] } }>(
        `query($id: ID!) { trainingRuns(datasetId: $id) { edges { node { id status config } } } }`,
        { id: datasetId },
      )
    ).data.trainingRuns.edges.map((e) => e.node);
  const cancel = (id: string) =>
    t.gql(`mutation($id: ID!) { cancelTrainingRun(id: $id) { run { status } } }`, { id });
  /** The plan job pg-boss holds for a run: the run was handed to the workers. */
  const jobsFor = async (runId: string) =>
    (
      await t.app.deps.db.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'runId' = $1`,
        [runId],
      )
    )[0]!.n;

  it('THRESHOLD: ingestion past the threshold queues a run; relabelled items count at the tick', async () => {
    const datasetId = await dataset('threshold');
    const total = corpus.images.length + corpus.texts.length;
    const config = {
      splEpochs: 1,
      rscEpochs: 1,
      priorCandidates: 'SITE_MODALITY',
      minSiteItems: 2,
    };
    const set = await setPolicy(datasetId, { kind: 'THRESHOLD', threshold: total + 2, config });
    expect(set.data.setRetrainPolicy.errors).toEqual([]);
    const tick = async () => (await retrainTick(t.app.deps)).includes(datasetId);

    expect(await tick()).toBe(false); // total < threshold
    expect(await runs(datasetId)).toEqual([]);
    const more = emojiTestCorpus(3, ['north', 'south']).texts.filter(
      (x) => !corpus.texts.some((y) => y.key === x.key),
    );
    await ingest(datasetId, more.slice(0, 1));
    expect(await runs(datasetId)).toEqual([]); // one short
    await ingest(datasetId, more.slice(1, 2)); // reaches it: the ingestion itself queues the run
    const [run] = await runs(datasetId);
    expect(run!.status).toBe('QUEUED');
    expect(run!.config).toMatchObject({ priorCandidates: 'site-modality', minSiteItems: 2 });
    expect(await jobsFor(run!.id)).toBe(1);
    expect(await tick()).toBe(false); // one is queued already
    await cancel(run!.id);
    expect(await tick()).toBe(false); // nothing new since that run

    // Relabelling counts as a change; relabels do not check the policy, the tick does.
    await setPolicy(datasetId, { kind: 'THRESHOLD', threshold: 2, config });
    const items = await t.gql<{ items: { edges: { node: { id: string } }[] } }>(
      `query($id: ID!) { items(datasetId: $id, first: 2) { edges { node { id } } } }`,
      { id: datasetId },
    );
    for (const { node } of items.data.items.edges) {
      const r = await t.gql<{ updateItem: { errors: unknown[] } }>(
        `mutation($id: ID!) { updateItem(id: $id, input: { labels: ["Relabelled"] }) { errors { message } } }`,
        { id: node.id },
      );
      expect(r.data.updateItem.errors).toEqual([]);
    }
    expect(await runs(datasetId)).toHaveLength(1);
    expect(await tick()).toBe(true);
    const latest = (await runs(datasetId)).find((r) => r.id !== run!.id)!;
    expect(latest.status).toBe('QUEUED');
    expect(await jobsFor(latest.id)).toBe(1);
    await cancel(latest.id);
  });

  it('CRON: queues a run when the schedule is due, not twice for one due time, not when stale', async () => {
    const datasetId = await dataset('cron');
    const config = {
      splEpochs: 1,
      rscEpochs: 1,
      rscLearningRates: [{ modality: 'text', learningRate: 0.002 }],
    };
    expect(
      (await setPolicy(datasetId, { kind: 'CRON', cron: '*/5 * * * *', config })).data
        .setRetrainPolicy.errors,
    ).toEqual([]);
    const now = Date.now();
    const due = new Date(Math.floor(now / 300_000) * 300_000); // the last */5 minute
    const at = (ms: number) => retrainTick(t.app.deps, new Date(ms));

    expect(await at(due.getTime() + 60_000)).toContain(datasetId);
    const [first] = await runs(datasetId);
    expect(first!.config).toMatchObject({ rscLearningRates: { text: 0.002 } });
    expect(await jobsFor(first!.id)).toBe(1);
    expect(await at(due.getTime() + 90_000)).not.toContain(datasetId); // one is queued
    await cancel(first!.id);
    expect(await at(due.getTime() + 120_000)).not.toContain(datasetId); // already ran for it
    // The next due time (5 minutes on) queues again…
    expect(await at(due.getTime() + 300_000 + 30_000)).toContain(datasetId);
    const second = (await runs(datasetId)).find((r) => r.id !== first!.id)!;
    await cancel(second.id);
    // …but a due time long past (a worker that was down an hour) is not replayed.
    await setPolicy(datasetId, { kind: 'CRON', cron: '0 * * * *', config });
    const hour = Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000;
    expect(await at(hour + 10 * 60_000)).not.toContain(datasetId);
    expect(await at(hour + 60_000)).toContain(datasetId); // while recent, it is due
    const third = (await runs(datasetId)).find((r) => r.id !== first!.id && r.id !== second.id)!;
    await cancel(third.id);
    expect(await runs(datasetId)).toHaveLength(3);
  });
});

describe.each(TEST_DATABASE_MODES)('webhook delivery retried with backoff ($name)', (mode) => {
  let t: TestApp;

  beforeAll(async () => {
    // With the worker: it delivers webhooks (nothing here starts a training run).
    t = await startTestApp(mode, {
      WEBHOOK_RETRY_SECONDS: String(RETRY_SECONDS),
      WEBHOOK_MAX_ATTEMPTS: '5',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('retries a failing webhook endpoint with backoff, then delivers; signed; logged', async () => {
    const hits: { at: number; headers: IncomingHttpHeaders; body: string }[] = [];
    const endpoint = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hits.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.statusCode = hits.length <= 2 ? 503 : 200; // down twice, then up
        res.end();
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hook`;
    try {
      const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
        input: { name: 'hooks', dimension: 8 },
      });
      const datasetId = created.data.createDataset.dataset.id;
      const hook = await t.gql<{ createWebhook: { webhook: { id: string; secret: string } } }>(
        `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id secret } errors { message } } }`,
        { input: { url, events: ['run.failed'], datasetId } },
      );
      const { id: hookId, secret } = hook.data.createWebhook.webhook;
      const sentAt = Date.now();
      expect(
        await emitEvent(t.app.deps, datasetId, 'run.failed', { runId: 'r1', error: 'boom' }),
      ).toBe(1);
      await waitFor(
        () => Promise.resolve(hits.length >= 3 ? true : undefined),
        60_000,
        'three attempts',
      );

      // The same signed body every time, under the same delivery id.
      for (const hit of hits) {
        expect(hit.headers['x-concord-signature']).toBe(
          `sha256=${createHmac('sha256', secret).update(hit.body).digest('hex')}`,
        );
        expect(hit.body).toBe(hits[0]!.body);
        expect(hit.headers['x-concord-delivery']).toBe(hits[0]!.headers['x-concord-delivery']);
        expect(hit.headers['x-concord-event']).toBe('run.failed');
      }
      expect(JSON.parse(hits[0]!.body)).toMatchObject({
        event: 'run.failed',
        datasetId,
        data: { runId: 'r1', error: 'boom' },
      });
      // pg-boss backoff: the k-th retry waits retryDelay·2^(k-1)·(1 + random) seconds.
      const gaps = [hits[1]!.at - hits[0]!.at, hits[2]!.at - hits[1]!.at];
      expect(gaps[0]).toBeGreaterThanOrEqual(RETRY_SECONDS * 1000 * 0.95);
      expect(gaps[1]).toBeGreaterThanOrEqual(2 * RETRY_SECONDS * 1000 * 0.95);
      console.log(
        `[${mode.name}] webhook attempts after ${hits.map((h) => h.at - sentAt).join(', ')} ms; gaps ${gaps.join(', ')} ms`,
      );

      const log = await waitFor(
        async () => {
          const r = await t.gql<{
            webhooks: {
              id: string;
              deliveries: {
                status: string;
                attempts: number;
                responseStatus: number | null;
                deliveredAt: string | null;
              }[];
            }[];
          }>(`{ webhooks { id deliveries { status attempts responseStatus deliveredAt } } }`);
          const d = r.data.webhooks.find((w) => w.id === hookId)?.deliveries[0];
          return d?.status === 'delivered' ? d : undefined;
        },
        10_000,
        'the delivery log',
      );
      expect(log).toMatchObject({ status: 'delivered', attempts: 3, responseStatus: 200 });
      expect(log.deliveredAt).not.toBeNull();
      // Delivered: no further attempts.
      await new Promise((resolve) => setTimeout(resolve, 3 * RETRY_SECONDS * 1000));
      expect(hits).toHaveLength(3);
    } finally {
      await new Promise<void>((resolve) => endpoint.close(() => resolve()));
    }
  });
});
