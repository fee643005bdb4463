/**
 * Training config (per-modality learning rates, prior candidates per site×modality) validated,
 * stored with the run and resolved into the training core's args; dataset counts per site,
 * modality and label; search `totalCount`; CORS for configured origins — over HTTP, both modes.
 */
import { request } from 'node:http';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emojiTestCorpus, ingestInput } from './testing/emoji-corpus.ts';
import { startTestApp, type TestApp } from './testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE, INGEST } from './testing/operations.ts';

const ALLOWED = 'https://intranet.example.com';
const PER_CLASS = 3;

interface RunPayload {
  startTrainingRun: {
    run: { id: string; status: string; config: Record<string, unknown> } | null;
    errors: { code: string; message: string; field: string[] | null }[];
  };
}

describe.each(TEST_DATABASE_MODES)('training config, counts, totalCount, CORS ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  // Sites alternate over each modality's items so both sites hold both modalities.
  const raw = emojiTestCorpus(PER_CLASS, ['north', 'south']);
  const alternate = <T extends { site: string }>(items: T[]) =>
    items.map((item, i) => ({ ...item, site: i % 2 === 0 ? 'north' : 'south' }));
  const corpus = { images: alternate(raw.images), texts: alternate(raw.texts) };

  beforeAll(async () => {
    // No worker: queued runs stay queued, so the stored config can be read back as queued.
    t = await startTestApp(mode, {
      RUN_WORKER: 'false',
      CORS_ORIGINS: `${ALLOWED}, http://localhost:5173`,
    });
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: 'config', dimension: 8 },
    });
    datasetId = created.data.createDataset.dataset.id;
    for (const name of ['north', 'south', 'empty']) await t.gql(CREATE_SITE, { datasetId, name });
    const items = [...corpus.images, ...corpus.texts].map((item) => ingestInput(item));
    const r = await t.gql<{ ingestItems: { created: number; failed: number } }>(INGEST, {
      input: { datasetId, createLabels: true, items },
    });
    expect(r.data.ingestItems).toMatchObject({ created: items.length, failed: 0 });
  });
  afterAll(async () => {
    await t?.close();
  });

  const start = (config: Record<string, unknown>) =>
    t.gql<RunPayload>(
      `mutation($datasetId: ID!, $config: TrainingConfigInput) {
        startTrainingRun(datasetId: $datasetId, config: $config) {
          run { id status config } errors { code message field }
        }
      }`,
      { datasetId, config },
    );

  it.each([
    [
      { rscLearningRates: [{ modality: 'audio', learningRate: 1e-3 }] },
      'rscLearningRates',
      /audio/,
    ],
    [
      { rscLearningRates: [{ modality: 'image', learningRate: 2 }] },
      'rscLearningRates',
      /\(0, 1\)/,
    ],
    [
      {
        rscLearningRates: [
          { modality: 'text', learningRate: 1e-3 },
          { modality: 'text', learningRate: 2e-3 },
        ],
      },
      'rscLearningRates',
      /twice/,
    ],
    [{ minSiteItems: 10 }, 'minSiteItems', /SITE_MODALITY/],
    [{ priorCandidates: 'SITE_MODALITY', minSiteItems: 0 }, 'minSiteItems', /integer/],
  ])(
    'refuses %j with a typed error on config.%s and queues nothing',
    async (config, field, message) => {
      const r = await start(config);
      expect(r.data.startTrainingRun.run).toBeNull();
      const [error] = r.data.startTrainingRun.errors;
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: ['config', field] });
      expect(error!.message).toMatch(message);
      const runs = await t.gql<{ trainingRuns: { totalCount: number } }>(
        `query($id: ID!) { trainingRuns(datasetId: $id) { totalCount } }`,
        { id: datasetId },
      );
      expect(runs.data.trainingRuns.totalCount).toBe(0);
    },
  );

  it('refuses a shared space with fewer dimensions than the dataset has labels', async () => {
    const r = await start({ embeddingDim: 2 });
    expect(r.data.startTrainingRun.run).toBeNull();
    const [error] = r.data.startTrainingRun.errors;
    expect(error).toMatchObject({ code: 'FAILED_PRECONDITION' });
    expect(error!.message).toMatch(/D = 2.*labels \(3\)/);
  });

  it('stores per-modality learning rates and site×modality priors, resolved for DRCL', async () => {
    const r = await start({
      splEpochs: 2,
      rscEpochs: 2,
      rscLearningRate: 3e-4,
      rscLearningRates: [
        { modality: 'image', learningRate: 6e-6 },
        { modality: 'text', learningRate: 5e-3 },
      ],
      priorCandidates: 'SITE_MODALITY',
      minSiteItems: 4,
    });
    expect(r.data.startTrainingRun.errors).toEqual([]);
    const run = r.data.startTrainingRun.run!;
    expect(run.status).toBe('QUEUED');
    // What the caller asked for, in the training core's vocabulary…
    expect(run.config).toMatchObject({
      rscLearningRates: { image: 6e-6, text: 5e-3 },
      priorCandidates: 'site-modality',
      minSiteItems: 4,
    });
    // …and the args the worker hands to @concord/drcl.
    expect((run.config.resolved as { drcl: Record<string, unknown> }).drcl).toMatchObject({
      rscLearningRate: 3e-4,
      rscLearningRates: { image: 6e-6, text: 5e-3 },
      priorCandidates: 'site-modality',
      minSiteItems: 4,
      embeddingDim: 8,
    });
    await t.gql(`mutation($id: ID!) { cancelTrainingRun(id: $id) { run { status } } }`, {
      id: run.id,
    });
  });

  it('counts items per site, modality and label', async () => {
    const r = await t.gql<{
      datasets: {
        edges: {
          node: {
            id: string;
            counts: {
              total: number;
              ready: number;
              failed: number;
              unlabelled: number;
              byModality: { modality: string; count: number }[];
              bySite: {
                site: { name: string };
                count: number;
                byModality: { modality: string; count: number }[];
              }[];
              byLabel: { label: { name: string }; count: number }[];
            };
          };
        }[];
      };
    }>(
      `{ datasets { edges { node { id counts {
          total ready failed unlabelled
          byModality { modality count }
          bySite { site { name } count byModality { modality count } }
          byLabel { label { name } count }
      } } } } }`,
    );
    const counts = r.data.datasets.edges.find((e) => e.node.id === datasetId)!.node.counts;
    const all = [...corpus.images, ...corpus.texts];
    expect(counts).toMatchObject({
      total: all.length,
      ready: all.length,
      failed: 0,
      unlabelled: 0,
    });
    expect(counts.byModality).toEqual([
      { modality: 'image', count: corpus.images.length },
      { modality: 'text', count: corpus.texts.length },
    ]);
    for (const name of ['north', 'south']) {
      const site = counts.bySite.find((s) => s.site.name === name)!;
      expect(site.count).toBe(all.filter((i) => i.site === name).length);
      expect(site.byModality).toEqual([
        { modality: 'image', count: corpus.images.filter((i) => i.site === name).length },
        { modality: 'text', count: corpus.texts.filter((i) => i.site === name).length },
      ]);
    }
    expect(counts.bySite.find((s) => s.site.name === 'empty')).toMatchObject({ count: 0 });
    const labels = new Set(all.map((i) => i.label));
    expect(counts.byLabel).toHaveLength(labels.size);
    for (const label of labels)
      expect(counts.byLabel.find((l) => l.label.name === label)?.count).toBe(
        all.filter((i) => i.label === label).length,
      );
  });

  it('gives search totalCount: the items the filtered ranking covers', async () => {
    // A stand-in model (vectors from arithmetic, not training) so search has embeddings.
    const { db } = t.app.deps;
    const items = await db.prisma.item.findMany({ where: { datasetId }, include: { site: true } });
    const model = await db.prisma.model.create({
      data: { datasetId, version: 99, dimension: 8, config: {} },
    });
    await db.embeddings.upsertMany(
      model.id,
      items.map((item, i) => ({
        itemId: item.id,
        vector: Array.from({ length: 8 }, (_, j) => (j === i % 8 ? 1 : 0.01)),
      })),
    );
    const north = items.find((i) => i.site.name === 'north')!.siteId;
    const q = `query($id: ID!, $model: ID!, $target: Modality, $filters: SearchFilters) {
      search(datasetId: $id, modelId: $model, query: { vector: [1,0,0,0,0,0,0,0] }, targetModality: $target,
             filters: $filters, first: 2, mode: EXACT) { totalCount edges { node { score } } pageInfo { hasNextPage } }
    }`;
    const all = await t.gql<{ search: { totalCount: number; edges: unknown[] } }>(q, {
      id: datasetId,
      model: model.id,
    });
    expect(all.errors).toBeUndefined();
    expect(all.data.search.totalCount).toBe(items.length);
    expect(all.data.search.edges).toHaveLength(2);
    const filtered = await t.gql<{ search: { totalCount: number } }>(q, {
      id: datasetId,
      model: model.id,
      target: 'TEXT',
      filters: { sites: [north] },
    });
    expect(filtered.data.search.totalCount).toBe(
      items.filter((i) => i.modality === 'text' && i.siteId === north).length,
    );
    // Walking every page of the exact ranking yields exactly totalCount hits.
    let after: string | null = null;
    let seen = 0;
    for (;;) {
      const page: {
        data: {
          search: {
            edges: unknown[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        };
      } = await t.gql(
        `query($id: ID!, $model: ID!, $after: String) { search(datasetId: $id, modelId: $model,
             query: { vector: [1,0,0,0,0,0,0,0] }, first: 5, after: $after, mode: EXACT) {
             edges { cursor } pageInfo { hasNextPage endCursor } } }`,
        { id: datasetId, model: model.id, after },
      );
      seen += page.data.search.edges.length;
      if (!page.data.search.pageInfo.hasNextPage) break;
      after = page.data.search.pageInfo.endCursor;
    }
    expect(seen).toBe(items.length);
  });

  const http = (method: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>(
      (resolve, reject) => {
        const req = request(t.url, { method, headers, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        });
        req.on('error', reject);
        req.end(body);
      },
    );

  it('answers CORS preflights and requests for configured origins only', async () => {
    const preflight = await http('OPTIONS', {
      origin: ALLOWED,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/authorization/);
    expect(preflight.headers['access-control-allow-methods']).toMatch(/POST/);
    const body = JSON.stringify({ query: '{ __typename }' });
    const allowed = await http(
      'POST',
      { origin: ALLOWED, 'content-type': 'application/json' },
      body,
    );
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(allowed.headers.vary).toMatch(/Origin/);
    const evil = await http('OPTIONS', {
      origin: 'https://evil.example.com',
      'access-control-request-method': 'POST',
    });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const other = await http(
      'POST',
      { origin: 'https://evil.example.com', 'content-type': 'application/json' },
      body,
    );
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
