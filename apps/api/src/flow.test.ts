/**
 * The whole flow over HTTP on both database modes: a dataset with two sites → real images and
 * texts ingested → a small training run → search by image returns texts of the query's class
 * well above chance → retrain → promote and roll back, with search answering the whole time.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emojiTestCorpus,
  ingestInput,
  TEST_CATEGORIES,
  type CorpusItem,
} from './testing/emoji-corpus.ts';
import { TINY_CONFIG } from './testing/training-configs.ts';
import { startTestApp, waitFor, type TestApp } from './testing/harness.ts';
import {
  CREATE_DATASET,
  CREATE_SITE,
  DATASET,
  INGEST,
  PROMOTE,
  ROLLBACK,
  RUN,
  SEARCH,
  START_RUN,
} from './testing/operations.ts';

const PER_CLASS = 20;

interface Hit {
  score: number;
  item: { id: string; modality: string; externalKey: string };
  labels: { name: string }[];
  model: { id: string; version: number };
}
interface SearchData {
  search: {
    model: { id: string; version: number };
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: Hit }[];
  };
}
interface RunData {
  trainingRun: {
    status: string;
    error: string | null;
    epochs: { stage: string; unit: string; epoch: number }[];
    selectedPrior: unknown;
    model: {
      id: string;
      version: number;
      status: string;
      meanMap: number;
      embeddingCount: number;
    } | null;
  };
}

describe.each(TEST_DATABASE_MODES)('the whole flow over HTTP ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  const corpus = emojiTestCorpus(PER_CLASS, ['north-plant', 'south-plant']);

  const received: { event: string; signature: string; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({
        event: String(req.headers['x-concord-event']),
        signature: String(req.headers['x-concord-signature']),
        body,
      });
      res.end('ok');
    });
  });

  beforeAll(async () => {
    t = await startTestApp(mode);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await t?.close();
    receiver.close();
  });

  const ingest = async (items: CorpusItem[], idempotencyKey: string) => {
    const response = await t.gql<{
      ingestItems: {
        created: number;
        duplicates: number;
        failed: number;
        results: { status: string; error: string | null }[];
      };
    }>(INGEST, {
      input: {
        datasetId,
        createLabels: true,
        idempotencyKey,
        items: items.map((item) => ingestInput(item)),
      },
    });
    expect(response.errors).toBeUndefined();
    return response.data.ingestItems;
  };

  const train = async (config: Record<string, unknown>) => {
    const started = await t.gql<{
      startTrainingRun: { run: { id: string; status: string } | null; errors: unknown[] };
    }>(START_RUN, { datasetId, config });
    expect(started.data.startTrainingRun.errors).toEqual([]);
    expect(started.data.startTrainingRun.run?.status).toBe('QUEUED');
    const runId = started.data.startTrainingRun.run!.id;
    return waitFor(
      async () => {
        const run = (await t.gql<RunData>(RUN, { id: runId })).data.trainingRun;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
      },
      240_000,
      'the training run',
    );
  };

  const searchByImage = (image: CorpusItem, first = 5) =>
    t.gql<SearchData>(SEARCH, { datasetId, query: { image: image.base64 }, target: 'TEXT', first });

  let webhookSecret = '';

  it('creates the dataset and its two sites', async () => {
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: `emoji-${mode.name}`, dimension: 16 },
    });
    datasetId = created.data.createDataset.dataset.id;
    for (const name of ['north-plant', 'south-plant']) {
      const site = await t.gql<{ createSite: { errors: unknown[] } }>(CREATE_SITE, {
        datasetId,
        name,
      });
      expect(site.data.createSite.errors).toEqual([]);
    }
    const port = (receiver.address() as AddressInfo).port;
    const hook = await t.gql<{ createWebhook: { webhook: { secret: string } } }>(
      `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { secret } errors { code message } } }`,
      {
        input: {
          url: `http://127.0.0.1:${port}/hook`,
          events: ['run.finished', 'model.promoted'],
          datasetId,
        },
      },
    );
    webhookSecret = hook.data.createWebhook.webhook.secret;
  });

  it('ingests real images and texts; repeating an idempotency key writes nothing more', async () => {
    const images = await ingest(corpus.images, 'images-1');
    expect(images.failed).toBe(0);
    expect(images.created).toBe(corpus.images.length);
    const texts = await ingest(corpus.texts, 'texts-1');
    expect(texts.created).toBe(corpus.texts.length);
    const again = await ingest(corpus.texts, 'texts-1');
    expect(again).toEqual(texts);
    const dataset = await t.gql<{ dataset: { itemCount: number; labels: { name: string }[] } }>(
      DATASET,
      { id: datasetId },
    );
    expect(dataset.data.dataset.itemCount).toBe(corpus.images.length + corpus.texts.length);
    expect(dataset.data.dataset.labels.map((l) => l.name).sort()).toEqual(
      [...TEST_CATEGORIES].sort(),
    );
    // Same content under a new key: a duplicate, not a new row.
    const duplicate = await ingest(corpus.images.slice(0, 2), 'images-2');
    expect(duplicate.duplicates).toBe(2);
  });

  it('trains, embeds every item, and makes the model active', async () => {
    const run = await train(TINY_CONFIG);
    if (process.env.CONCORD_TEST_LOG)
      console.log(JSON.stringify((run as unknown as { logs: unknown }).logs, null, 1));
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    // SPL per modality candidate and RSC per modality, each epoch once.
    expect(run.epochs).toHaveLength(2 * TINY_CONFIG.splEpochs + 2 * TINY_CONFIG.rscEpochs);
    expect(run.selectedPrior).not.toBeNull();
    expect(run.model?.status).toBe('ACTIVE');
    expect(run.model?.embeddingCount).toBe(corpus.images.length + corpus.texts.length);
    // Signed webhooks announced the finished run and the promotion.
    await waitFor(
      () => Promise.resolve(received.length >= 2 ? true : undefined),
      60_000,
      'two webhook deliveries',
    );
    expect(received.map((r) => r.event).sort()).toEqual(['model.promoted', 'run.finished']);
    for (const delivery of received) {
      const expected = `sha256=${createHmac('sha256', webhookSecret).update(delivery.body).digest('hex')}`;
      expect(delivery.signature).toBe(expected);
    }
  });

  it('search by image returns texts of the query class well above chance', async () => {
    const queries = corpus.images.filter((item) => item.split === 'TEST');
    let relevant = 0;
    let total = 0;
    for (const query of queries) {
      const response = await searchByImage(query);
      expect(response.errors).toBeUndefined();
      for (const edge of response.data.search.edges) {
        expect(edge.node.item.modality).toBe('TEXT');
        total += 1;
        if (edge.node.labels.some((l) => l.name === query.label)) relevant += 1;
      }
    }
    const precision = relevant / total;
    console.log(
      `image→text precision@5 over ${queries.length} held-out images (${mode.name}): ${precision.toFixed(3)} (chance 0.333)`,
    );
    // Chance is 1/3 with three balanced classes.
    expect(precision).toBeGreaterThan(0.55);
  });

  it('pages stably and answers text, item and exact queries', async () => {
    const text = corpus.texts.find((item) => item.split === 'TEST')!;
    const all = await t.gql<SearchData>(SEARCH, {
      datasetId,
      query: { text: text.text },
      target: 'IMAGE',
      first: 10,
      mode: 'EXACT',
    });
    expect(all.errors).toBeUndefined();
    const page1 = await t.gql<SearchData>(SEARCH, {
      datasetId,
      query: { text: text.text },
      target: 'IMAGE',
      first: 5,
      mode: 'EXACT',
    });
    const page2 = await t.gql<SearchData>(SEARCH, {
      datasetId,
      query: { text: text.text },
      target: 'IMAGE',
      first: 5,
      mode: 'EXACT',
      after: page1.data.search.pageInfo.endCursor,
    });
    const ids = (d: SearchData) => d.search.edges.map((e) => e.node.item.id);
    expect([...ids(page1.data), ...ids(page2.data)]).toEqual(ids(all.data));
    const byItem = await t.gql<SearchData>(SEARCH, {
      datasetId,
      query: { itemId: ids(all.data)[0] },
      first: 3,
    });
    expect(byItem.errors).toBeUndefined();
    expect(byItem.data.search.edges[0]!.node.item.id).toBe(ids(all.data)[0]);
    expect(byItem.data.search.edges[0]!.node.score).toBeCloseTo(1, 5);
    // A raw vector of the wrong dimension is a typed input error.
    const wrong = await t.gql(SEARCH, { datasetId, query: { vector: [0.1, 0.2, 0.3] }, first: 3 });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknownItem = await t.gql(SEARCH, {
      datasetId,
      query: { itemId: '00000000-0000-4000-8000-000000000000' },
      first: 3,
    });
    expect(unknownItem.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('retrains, then promotes and rolls back while search keeps answering from one model', async () => {
    const probe = corpus.images.find((item) => item.split === 'TEST')!;
    const seen: { ok: boolean; versions: Set<number> }[] = [];
    let searching = true;
    const loop = (async () => {
      while (searching) {
        const response = await searchByImage(probe, 5);
        const versions = new Set(
          response.data?.search.edges.map((e) => e.node.model.version) ?? [],
        );
        seen.push({
          ok: response.errors === undefined && response.data.search.edges.length === 5,
          versions,
        });
      }
    })();
    try {
      const first = await t.gql<{ dataset: { activeModel: { id: string; version: number } } }>(
        DATASET,
        { id: datasetId },
      );
      const v1 = first.data.dataset.activeModel;
      const run = await train({ ...TINY_CONFIG, seed: 2 });
      expect(run.status).toBe('SUCCEEDED');
      const v2 = run.model!;
      expect(v2.version).toBe(2);
      const promoted = await t.gql<{
        promoteModel: { model: { version: number; status: string } };
      }>(PROMOTE, { id: v2.id, force: true });
      expect(promoted.data.promoteModel.model).toEqual({ id: v2.id, version: 2, status: 'ACTIVE' });
      const rolled = await t.gql<{ rollbackModel: { model: { id: string; status: string } } }>(
        ROLLBACK,
        { id: datasetId },
      );
      expect(rolled.data.rollbackModel.model).toMatchObject({ id: v1.id, status: 'ACTIVE' });
      const after = await searchByImage(probe);
      expect(after.data.search.model.id).toBe(v1.id);
    } finally {
      searching = false;
      await loop;
    }
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every((s) => s.ok)).toBe(true);
    // Search never mixes versions within one answer.
    expect(seen.every((s) => s.versions.size === 1)).toBe(true);
  });
});
