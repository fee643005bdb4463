/**
 * A small real world to attack: a dataset with two sites, real emoji images and texts, a tiny
 * trained and active model, a webhook, a second dataset, and one API key per principal the
 * authorisation matrix tries (no key, revoked, viewer, editor, admin, admin of another dataset).
 * Everything is made over GraphQL as the first admin, the way a client would.
 */
import { readFileSync } from 'node:fs';
import { loadEmojiCorpus } from '@concord/features';
import { waitFor, type HostileApp } from './app.ts';

export const PRINCIPALS = ['none', 'revoked', 'viewer', 'editor', 'admin', 'otherScope'] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

// Above the fixture datasets' label count: the matrix and injection suites add labels, and a run
// needs D ≥ labels.
export const FIXTURE_DIMENSION = 64;
export const CLASSES = ['Animals & Nature', 'Food & Drink', 'Flags'] as const;

export const TINY_CONFIG = {
  hiddenSizes: [16],
  splEpochs: 2,
  rscEpochs: 2,
  batchSize: 16,
  splLearningRate: 0.01,
  rscLearningRate: 0.01,
  textDimensions: 8,
  seed: 1,
};

export interface Fixture {
  datasetId: string;
  otherDatasetId: string;
  siteId: string;
  siteName: string;
  labelId: string;
  textItemId: string;
  imageItemId: string;
  modelId: string;
  runId: string;
  webhookId: string;
  /** A spare key's id (revokeApiKey's target). */
  spareKeyId: string;
  keys: Record<PrincipalName, string | null>;
  /** Every secret handed out, for the log checks. */
  secrets: string[];
  /** A PNG of the corpus (uploads and image searches). */
  png: Buffer;
  /** Texts ingested (content that must never reach a log). */
  texts: string[];
}

export function expectOk<T>(r: { data: T; errors?: unknown[] }, what: string): T {
  if (r.errors) throw new Error(`${what}: ${JSON.stringify(r.errors)}`);
  return r.data;
}

/** Items of the corpus: `perClass` images and texts of each class, split explicitly. */
export function corpusItems(perClass: number) {
  const records = loadEmojiCorpus({ sites: ['north', 'south'] });
  const items: Record<string, unknown>[] = [];
  const texts: string[] = [];
  for (const label of CLASSES) {
    const ofClass = records.filter((r) => r.label === label);
    ofClass.slice(0, 2 * perClass).forEach((r, i) => {
      const split =
        i < 2 * perClass * 0.6 ? 'TRAIN' : i < 2 * perClass * 0.8 ? 'VALIDATION' : 'TEST';
      if (i % 2 === 0) {
        items.push({
          key: `img-${r.id}`,
          site: r.site,
          labels: [label],
          split,
          modality: 'IMAGE',
          base64: readFileSync(r.imagePath).toString('base64'),
        });
      } else {
        const text = `${r.text} (${r.subcategory.replaceAll('-', ' ')})`;
        texts.push(text);
        items.push({
          key: `txt-${r.id}`,
          site: r.site,
          labels: [label],
          split,
          modality: 'TEXT',
          text,
        });
      }
    });
  }
  return { items, texts };
}

export const INGEST = `mutation($input: IngestItemsInput!) {
  ingestItems(input: $input) {
    created duplicates failed
    results { index status errorCode error item { id modality } }
    errors { code message field }
  }
}`;

export async function createDataset(t: HostileApp, name: string, dimension = FIXTURE_DIMENSION) {
  const r = await t.gql<{ createDataset: { dataset: { id: string } } }>(
    `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { dataset { id } errors { code message } } }`,
    { input: { name, dimension } },
  );
  return expectOk(r, 'createDataset').createDataset.dataset.id;
}

/** Trains with `config` and waits for the run to finish; returns the run and its model. */
export async function train(
  t: HostileApp,
  datasetId: string,
  config: Record<string, unknown> = TINY_CONFIG,
): Promise<{ runId: string; modelId: string; status: string }> {
  const started = expectOk(
    await t.gql<{ startTrainingRun: { run: { id: string } | null; errors: unknown[] } }>(
      `mutation($id: ID!, $config: TrainingConfigInput) { startTrainingRun(datasetId: $id, config: $config) { run { id } errors { code message } } }`,
      { id: datasetId, config },
    ),
    'startTrainingRun',
  ).startTrainingRun;
  if (!started.run) throw new Error(`training refused: ${JSON.stringify(started.errors)}`);
  const runId = started.run.id;
  const run = await waitFor(
    async () => {
      const r = await t.gql<{
        trainingRun: {
          status: string;
          error: string | null;
          model: { id: string; status: string } | null;
        };
      }>(`query($id: ID!) { trainingRun(id: $id) { status error model { id status } } }`, {
        id: runId,
      });
      const value = r.data.trainingRun;
      const done = ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(value.status);
      // A succeeded run's model is ready once it has left TRAINING/EVALUATING.
      if (done && value.status !== 'SUCCEEDED')
        throw new Error(`training ${value.status}: ${value.error}`);
      return done && value.model && !['TRAINING', 'EVALUATING'].includes(value.model.status)
        ? value
        : undefined;
    },
    240_000,
    'the fixture training run',
  );
  return { runId, modelId: run.model!.id, status: run.model!.status };
}

export async function seedFixture(t: HostileApp, perClass = 4): Promise<Fixture> {
  const datasetId = await createDataset(t, 'fixture');
  const otherDatasetId = await createDataset(t, 'other');
  for (const name of ['north', 'south'])
    expectOk(
      await t.gql(
        `mutation($id: ID!, $name: String!) { createSite(datasetId: $id, input: { name: $name }) { errors { code } } }`,
        { id: datasetId, name },
      ),
      'createSite',
    );
  const { items, texts } = corpusItems(perClass);
  const ingested = expectOk(
    await t.gql<{
      ingestItems: {
        created: number;
        results: { item: { id: string; modality: string } | null }[];
      };
    }>(INGEST, { input: { datasetId, createLabels: true, items } }),
    'ingest',
  ).ingestItems;
  if (ingested.created !== items.length)
    throw new Error(`fixture ingestion created ${ingested.created} of ${items.length}`);
  const { runId, modelId } = await train(t, datasetId);
  const dataset = expectOk(
    await t.gql<{
      dataset: {
        activeModel: { id: string } | null;
        sites: { id: string; name: string }[];
        labels: { id: string }[];
      };
    }>(
      `query($id: ID!) { dataset(id: $id) { activeModel { id } sites { id name } labels { id } } }`,
      {
        id: datasetId,
      },
    ),
    'dataset',
  ).dataset;
  if (dataset.activeModel?.id !== modelId) {
    expectOk(
      await t.gql(
        `mutation($id: ID!) { promoteModel(modelId: $id, force: true) { errors { code } } }`,
        {
          id: modelId,
        },
      ),
      'promote',
    );
  }
  const webhook = expectOk(
    await t.gql<{ createWebhook: { webhook: { id: string } } }>(
      `mutation { createWebhook(input: { url: "http://127.0.0.1:9/hook", events: ["run.finished"] }) { webhook { id } errors { code } } }`,
    ),
    'webhook',
  ).createWebhook.webhook.id;
  const mk = async (role: string, datasetIds: string[] = []) =>
    expectOk(
      await t.gql<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } errors { code } } }`,
        { input: { role, label: role.toLowerCase(), datasetIds } },
      ),
      'createApiKey',
    ).createApiKey;
  const viewer = await mk('VIEWER');
  const editor = await mk('EDITOR');
  const otherScope = await mk('ADMIN', [otherDatasetId]);
  const revoked = await mk('ADMIN');
  const spare = await mk('VIEWER');
  expectOk(
    await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { errors { code } } }`, {
      id: revoked.apiKey.id,
    }),
    'revoke',
  );
  const textItem = ingested.results.find((r) => r.item?.modality === 'TEXT')!.item!.id;
  const imageItem = ingested.results.find((r) => r.item?.modality === 'IMAGE')!.item!.id;
  const png = Buffer.from(String(items.find((i) => i.base64)!.base64), 'base64');
  return {
    datasetId,
    otherDatasetId,
    siteId: dataset.sites[0]!.id,
    siteName: dataset.sites[0]!.name,
    labelId: dataset.labels[0]!.id,
    textItemId: textItem,
    imageItemId: imageItem,
    modelId,
    runId,
    webhookId: webhook,
    spareKeyId: spare.apiKey.id,
    keys: {
      none: null,
      revoked: revoked.secret,
      viewer: viewer.secret,
      editor: editor.secret,
      admin: t.adminKey,
      otherScope: otherScope.secret,
    },
    secrets: [
      t.adminKey,
      viewer.secret,
      editor.secret,
      otherScope.secret,
      revoked.secret,
      spare.secret,
    ],
    png,
    texts,
  };
}
