/**
 * Issue 18: a search cursor carries the model (id and version) its page was ranked with. Over
 * HTTP, both modes: page 1 on v1, v2 promoted, page 2 with page 1's cursor continues on v1 (no
 * repeats, exactly v1's ranking); `modelId` naming another model, or v1 failed, is MODEL_CHANGED;
 * old-format and altered cursors are BAD_USER_INPUT.
 */
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emojiTestCorpus, ingestInput } from './testing/emoji-corpus.ts';
import { TINY_CONFIG } from './testing/training-configs.ts';
import { startTestApp, waitFor, type GqlResponse, type TestApp } from './testing/harness.ts';
import {
  CREATE_DATASET,
  CREATE_SITE,
  DATASET,
  INGEST,
  PROMOTE,
  RUN,
  START_RUN,
} from './testing/operations.ts';

interface Model {
  id: string;
  version: number;
}
interface SearchData {
  search: {
    model: Model;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { item: { id: string }; model: Model } }[];
  };
}
interface RunData {
  trainingRun: { status: string; error: string | null; model: Model | null };
}

const SITES: [string, string] = ['north', 'south'];
/** SEARCH with `modelId`, which the shared operation does not pass. */
const SEARCH_ON = `query($datasetId: ID!, $query: SearchQueryInput!, $target: Modality, $first: Int, $after: String, $mode: SearchMode, $modelId: ID) {
  search(datasetId: $datasetId, query: $query, targetModality: $target, first: $first, after: $after, mode: $mode, modelId: $modelId) {
    model { id version }
    pageInfo { hasNextPage endCursor }
    edges { cursor node { item { id } model { id version } } }
  }
}`;
const code = (r: GqlResponse<unknown>) => r.errors?.[0]?.extensions?.code;

describe.each(TEST_DATABASE_MODES)('search cursors carry their model ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  const corpus = emojiTestCorpus(6, SITES);
  const probe = corpus.texts.find((item) => item.split === 'TEST') ?? corpus.texts[0]!;
  const page = (args: { first: number; after?: string | null; modelId?: string }) =>
    t.gql<SearchData>(SEARCH_ON, {
      datasetId,
      query: { text: probe.text },
      target: 'IMAGE',
      mode: 'EXACT',
      ...args,
    });
  const train = async (seed: number): Promise<Model> => {
    const started = await t.gql<{ startTrainingRun: { run: { id: string } | null } }>(START_RUN, {
      datasetId,
      config: { ...TINY_CONFIG, seed },
    });
    const runId = started.data.startTrainingRun.run!.id;
    const run = await waitFor(
      async () => {
        const r = (await t.gql<RunData>(RUN, { id: runId })).data.trainingRun;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status) ? r : undefined;
      },
      240_000,
      'the training run',
    );
    expect(run.error).toBeNull();
    const { id, version } = run.model!;
    return { id, version };
  };

  beforeAll(async () => {
    t = await startTestApp(mode);
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: `cursors-${mode.name}`, dimension: 16 },
    });
    datasetId = created.data.createDataset.dataset.id;
    for (const name of SITES) await t.gql(CREATE_SITE, { datasetId, name });
    const items = [...corpus.images, ...corpus.texts].map((item) => ingestInput(item));
    const ingested = await t.gql<{ ingestItems: { created: number } }>(INGEST, {
      input: { datasetId, createLabels: true, items },
    });
    expect(ingested.data.ingestItems.created).toBe(items.length);
  }, 600_000);
  afterAll(async () => {
    await t?.close();
  });

  let v1: Model;
  let v2: Model;
  let page1: SearchData['search'];

  it('page 2 continues on the model of page 1 after another version is promoted', async () => {
    v1 = await train(1);
    const first = await page({ first: 4 });
    expect(first.errors).toBeUndefined();
    page1 = first.data.search;
    expect(page1.model).toEqual(v1);
    expect(page1.pageInfo.hasNextPage).toBe(true);

    v2 = await train(2);
    expect(v2.version).toBe(v1.version + 1);
    // Promoted by the run when not worse; forced here either way.
    const promoted = await t.gql<{ promoteModel: { model: Model | null } }>(PROMOTE, {
      id: v2.id,
      force: true,
    });
    expect(promoted.data.promoteModel.model).toMatchObject({ id: v2.id });
    const dataset = await t.gql<{ dataset: { activeModel: Model } }>(DATASET, { id: datasetId });
    expect(dataset.data.dataset.activeModel).toMatchObject(v2);

    const second = await page({ first: 4, after: page1.pageInfo.endCursor });
    expect(second.errors).toBeUndefined();
    expect(second.data.search.model).toEqual(v1);
    expect(second.data.search.edges.map((e) => e.node.model)).toEqual(
      second.data.search.edges.map(() => v1),
    );
    const ids = (edges: SearchData['search']['edges']) => edges.map((e) => e.node.item.id);
    const seen = [...ids(page1.edges), ...ids(second.data.search.edges)];
    expect(new Set(seen).size).toBe(seen.length);
    // Exactly v1's ranking, paged: the first 8 hits of v1 in one page.
    const whole = await page({ first: 8, modelId: v1.id });
    expect(ids(whole.data.search.edges)).toEqual(seen);
    // A new search (no cursor) ranks with the promoted v2.
    expect((await page({ first: 4 })).data.search.model).toEqual(v2);
  }, 600_000);

  it('a cursor of another model than modelId is MODEL_CHANGED; the cursor model itself is fine', async () => {
    const other = await page({ first: 4, after: page1.pageInfo.endCursor, modelId: v2.id });
    expect(code(other)).toBe('MODEL_CHANGED');
    expect(other.errors![0]!.message).toMatch(/model v1/);
    const same = await page({ first: 4, after: page1.pageInfo.endCursor, modelId: v1.id });
    expect(same.errors).toBeUndefined();
    expect(same.data.search.model).toEqual(v1);
  });

  it('old-format and altered cursors are BAD_USER_INPUT', async () => {
    const cursor = page1.pageInfo.endCursor!;
    const fields = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    expect(fields).toEqual([expect.any(Number), expect.any(String), v1.id, v1.version]);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const after of [
      encode(fields.slice(0, 2)), // the format before model ids
      encode([fields[0], fields[1], v1.id, v1.version + 5]), // a version v1 never had
      encode([fields[0], fields[1], 'not-a-uuid', v1.version]),
      'garbage',
    ])
      expect(code(await page({ first: 4, after }))).toBe('BAD_USER_INPUT');
  });

  it('a cursor whose model failed is MODEL_CHANGED', async () => {
    await t.app.deps.repos.models.setStatus(v1.id, 'FAILED');
    const r = await page({ first: 4, after: page1.pageInfo.endCursor });
    expect(code(r)).toBe('MODEL_CHANGED');
    expect(r.errors![0]!.message).toMatch(/failed/);
  });
});
