/**
 * Bulk ingestion over HTTP on both database modes: real images and texts staged and run as a job
 * to SUCCEEDED with exact counts and per-item results, duplicates within and across requests (the
 * same key and content; the same content under another key is another item sharing its features,
 * a key reused for other content KEY_CONFLICT), an idempotency key replayed and reused, bad
 * requests that write nothing, multipart uploads, cancellation, an ingestion whose job was never
 * sent, and the roles.
 */
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requeueStrandedIngestions, STRANDED_AFTER_MS } from './jobs/requeue-ingestions.ts';
import { emojiTestCorpus, ingestInput } from './testing/emoji-corpus.ts';
import { startTestApp, waitFor, type GqlResponse, type TestApp } from './testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE } from './testing/operations.ts';

const START = `mutation($input: StartBulkIngestionInput!) {
  startBulkIngestion(input: $input) {
    ingestion { id status total processed created duplicates failed }
    errors { code message field }
  }
}`;
const CANCEL = `mutation($id: ID!) {
  cancelBulkIngestion(id: $id) {
    ingestion { id status processed total } errors { code message }
  }
}`;
const READ = `query($id: ID!, $first: Int, $after: String, $status: BulkItemStatus) {
  bulkIngestion(id: $id) {
    id status total processed created duplicates failed attempts error
    startedAt finishedAt dataset { id }
    results(first: $first, after: $after, status: $status) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { index key status errorCode error item { id externalKey modality } } }
    }
  }
}`;
const LIST = `query($datasetId: ID!, $first: Int, $after: String) {
  bulkIngestions(datasetId: $datasetId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id status } }
  }
}`;
const ITEM_COUNT = `query($datasetId: ID!) { items(datasetId: $datasetId) { totalCount } }`;

interface Result {
  index: number;
  key: string | null;
  status: string;
  errorCode: string | null;
  error: string | null;
  item: { id: string; externalKey: string | null; modality: string } | null;
}
interface Ingestion {
  id: string;
  status: string;
  total: number;
  processed: number;
  created: number;
  duplicates: number;
  failed: number;
  attempts: number;
  error: string | null;
  results: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: Result }[];
  };
}
type StartData = {
  startBulkIngestion: {
    ingestion: Omit<Ingestion, 'results' | 'attempts' | 'error'> | null;
    errors: { code: string; message: string; field: string[] | null }[];
  };
};

const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const PER_CLASS = 6;
const SITES: [string, string] = ['north-plant', 'south-plant'];
const TEST_ENV = {
  MAX_BULK_INGEST_ITEMS: '1200',
  MAX_BULK_INGEST_BYTES: String(1024 * 1024),
  INGESTION_CHUNK_SIZE: '4',
  // Every job continues in a new one after a second: the slicing runs in every test here.
  INGESTION_SLICE_SECONDS: '1',
};

const asInput = ingestInput;

describe.each(TEST_DATABASE_MODES)('bulk ingestion as a job ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  let otherDatasetId = '';
  const keys = { editor: '', viewer: '', scoped: '' };
  const corpus = emojiTestCorpus(PER_CLASS, SITES);
  const all = [...corpus.images, ...corpus.texts];
  let firstId = '';

  const start = (input: Record<string, unknown>, key?: string) =>
    t.gql<StartData>(START, { input: { datasetId, createLabels: true, ...input } }, key);
  const read = async (id: string, args: Record<string, unknown> = {}, key?: string) =>
    t.gql<{ bulkIngestion: Ingestion | null }>(READ, { id, first: 100, ...args }, key);
  const itemCount = async () =>
    (await t.gql<{ items: { totalCount: number } }>(ITEM_COUNT, { datasetId })).data.items
      .totalCount;
  const ingestionCount = async () =>
    (await t.gql<{ bulkIngestions: { totalCount: number } }>(LIST, { datasetId })).data
      .bulkIngestions.totalCount;
  const finished = (id: string) =>
    waitFor(
      async () => {
        const ingestion = (await read(id)).data.bulkIngestion!;
        return FINAL.includes(ingestion.status) ? ingestion : undefined;
      },
      300_000,
      'the bulk ingestion to finish',
    );
  /** Every result, page by page, through the cursors. */
  const allResults = async (id: string, status?: string) => {
    const out: Result[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GqlResponse<{ bulkIngestion: Ingestion | null }> = await read(id, {
        first: 7,
        after,
        ...(status ? { status } : {}),
      });
      expect(page.errors).toBeUndefined();
      const results = page.data.bulkIngestion!.results;
      out.push(...results.edges.map((e) => e.node));
      if (!results.pageInfo.hasNextPage) return { results: out, totalCount: results.totalCount };
      after = results.pageInfo.endCursor;
    }
  };

  beforeAll(async () => {
    t = await startTestApp(mode, TEST_ENV);
    const dataset = async (name: string) => {
      const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
        input: { name, dimension: 8 },
      });
      const id = created.data.createDataset.dataset.id;
      for (const site of SITES) await t.gql(CREATE_SITE, { datasetId: id, name: site });
      return id;
    };
    datasetId = await dataset(`bulk-${mode.name}`);
    otherDatasetId = await dataset(`bulk-other-${mode.name}`);
    const key = async (role: string, datasetIds: string[] = []) =>
      (
        await t.gql<{ createApiKey: { secret: string } }>(
          `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret errors { code } } }`,
          { input: { role, label: role, datasetIds } },
        )
      ).data.createApiKey.secret;
    keys.editor = await key('EDITOR');
    keys.viewer = await key('VIEWER');
    keys.scoped = await key('EDITOR', [otherDatasetId]);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a bad request is refused with a typed error and writes nothing', async () => {
    const items = all.slice(0, 6).map((item) => asInput(item));
    const unknownSite = await start({
      items: items.map((x, i) => (i === 4 ? { ...x, site: 'moon' } : x)),
    });
    expect(unknownSite.data.startBulkIngestion.errors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'items', '4', 'site'] }),
    ]);
    expect(unknownSite.data.startBulkIngestion.ingestion).toBeNull();
    const bothContents = await start({
      items: items.map((x, i) => (i === 2 ? { ...x, text: 'and a text' } : x)),
    });
    expect(bothContents.data.startBulkIngestion.errors[0]?.code).toBe('BAD_USER_INPUT');
    const tooMany = await start({
      items: Array.from({ length: 1201 }, (_, i) => ({
        site: SITES[0],
        labels: ['x'],
        text: `note ${i}`,
      })),
    });
    expect(tooMany.data.startBulkIngestion.errors[0]).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'items'],
    });
    const tooBig = await start({
      items: [0, 1].map((i) => ({ site: SITES[0], labels: ['x'], text: `${i}`.repeat(600_000) })),
    });
    expect(tooBig.data.startBulkIngestion.errors[0]?.code).toBe('PAYLOAD_TOO_LARGE');
    const empty = await start({ items: [] });
    expect(empty.data.startBulkIngestion.errors[0]?.code).toBe('BAD_USER_INPUT');
    const longRecord = await start({
      items: items.map((x, i) => (i === 3 ? { ...x, record: 'r'.repeat(201) } : x)),
    });
    expect(longRecord.data.startBulkIngestion.errors).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field: ['input', 'items', '3', 'record'] }),
    ]);
    expect(await ingestionCount()).toBe(0);
    expect(await itemCount()).toBe(0);
  });

  it('runs real images and texts to SUCCEEDED with exact counts and per-item results', async () => {
    const garbage = Buffer.from('not an image at all').toString('base64');
    const items = [
      ...all.map((item) => asInput(item)),
      // The same content as the first image under another key: another item (identity by key).
      asInput(corpus.images[0]!, 'same-content-again'),
      // The first image's key and content again: a duplicate within the request.
      asInput(corpus.images[0]!),
      // The first image's key with other content: refused for that item alone.
      asInput(corpus.images[1]!, corpus.images[0]!.key),
      { key: 'broken', site: SITES[1], labels: ['Flags'], base64: garbage, modality: 'IMAGE' },
    ];
    const started = await start({ idempotencyKey: 'bulk-1', items });
    expect(started.errors).toBeUndefined();
    const queued = started.data.startBulkIngestion.ingestion!;
    expect(started.data.startBulkIngestion.errors).toEqual([]);
    expect(queued).toMatchObject({ status: 'QUEUED', total: items.length, processed: 0 });
    firstId = queued.id;

    const done = await finished(firstId);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      total: items.length,
      processed: items.length,
      created: all.length + 1,
      duplicates: 1,
      failed: 2,
    });
    expect(await itemCount()).toBe(all.length + 1);

    const { results, totalCount } = await allResults(firstId);
    expect(totalCount).toBe(items.length);
    expect(results.map((r) => r.index)).toEqual(items.map((_, i) => i));
    for (const [i, item] of all.entries()) {
      expect(results[i]).toMatchObject({ key: item.key, status: 'CREATED', errorCode: null });
      expect(results[i]!.item).toMatchObject({
        externalKey: item.key,
        modality: item.base64 ? 'IMAGE' : 'TEXT',
      });
    }
    const sameContent = results[all.length]!;
    expect(sameContent).toMatchObject({ key: 'same-content-again', status: 'CREATED' });
    expect(sameContent.item?.id).not.toBe(results[0]!.item?.id);
    // Its features are the first image's, stored for it too.
    const vectors = await t.app.deps.repos.items.featureVectorsOf(
      [results[0]!.item!.id, sameContent.item!.id],
      t.app.deps.featurisers.defaultImageId,
    );
    expect(vectors.size).toBe(2);
    expect(Array.from(vectors.get(sameContent.item!.id)!)).toEqual(
      Array.from(vectors.get(results[0]!.item!.id)!),
    );
    const duplicate = results[all.length + 1]!;
    expect(duplicate.status).toBe('DUPLICATE');
    expect(duplicate.item?.id).toBe(results[0]!.item?.id);
    expect(results[all.length + 2]).toMatchObject({
      key: corpus.images[0]!.key,
      status: 'FAILED',
      errorCode: 'KEY_CONFLICT',
      item: null,
    });
    expect(results[all.length + 3]).toMatchObject({ key: 'broken', status: 'FAILED', item: null });
    expect(results[all.length + 3]!.errorCode).toBeTruthy();

    const failed = await allResults(firstId, 'FAILED');
    expect(failed.totalCount).toBe(2);
    expect(failed.results.map((r) => r.key)).toEqual([corpus.images[0]!.key, 'broken']);
  }, 600_000);

  it('replays an idempotency key, refuses it for another request, and finds duplicates across requests', async () => {
    const items = [
      ...all.map((item) => asInput(item)),
      asInput(corpus.images[0]!, 'same-content-again'),
      asInput(corpus.images[0]!),
      asInput(corpus.images[1]!, corpus.images[0]!.key),
      {
        key: 'broken',
        site: SITES[1],
        labels: ['Flags'],
        base64: Buffer.from('not an image at all').toString('base64'),
        modality: 'IMAGE',
      },
    ];
    const replay = await start({ idempotencyKey: 'bulk-1', items });
    expect(replay.data.startBulkIngestion.ingestion).toMatchObject({
      id: firstId,
      status: 'SUCCEEDED',
      created: all.length + 1,
    });
    const conflict = await start({ idempotencyKey: 'bulk-1', items: items.slice(1) });
    expect(conflict.data.startBulkIngestion.errors).toEqual([
      expect.objectContaining({ code: 'CONFLICT', field: ['input', 'idempotencyKey'] }),
    ]);
    expect(await ingestionCount()).toBe(1);

    // The same keys with the same content: duplicates of the stored items.
    const again = await start({
      idempotencyKey: 'bulk-2',
      items: [...corpus.images.slice(0, 3), ...corpus.texts.slice(0, 3)].map((item) =>
        asInput(item),
      ),
    });
    const done = await finished(again.data.startBulkIngestion.ingestion!.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', created: 0, duplicates: 6, failed: 0 });
    expect(done.results.edges.map((e) => e.node.item?.externalKey)).toEqual(
      [...corpus.images.slice(0, 3), ...corpus.texts.slice(0, 3)].map((item) => item.key),
    );
    expect(await itemCount()).toBe(all.length + 1);
    const list = await t.gql<{ bulkIngestions: { edges: { node: { id: string } }[] } }>(LIST, {
      datasetId,
      first: 1,
    });
    expect(list.data.bulkIngestions.edges.map((e) => e.node.id)).toEqual([done.id]);
  }, 600_000);

  it('takes multipart file uploads', async () => {
    const used = new Set(corpus.images.map((i) => i.key));
    const extra = emojiTestCorpus(PER_CLASS + 2, SITES)
      .images.filter((i) => !used.has(i.key))
      .slice(0, 2);
    expect(extra).toHaveLength(2);
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query: START,
        variables: {
          input: {
            datasetId,
            createLabels: true,
            items: extra.map((item) => ({
              key: item.key,
              site: item.site,
              labels: [item.label],
              file: null,
            })),
          },
        },
      }),
    );
    form.append(
      'map',
      JSON.stringify(
        Object.fromEntries(extra.map((_, i) => [i, [`variables.input.items.${i}.file`]])),
      ),
    );
    for (const [i, item] of extra.entries())
      form.append(
        String(i),
        new Blob([Buffer.from(item.base64!, 'base64')], { type: 'image/png' }),
        `${item.key}.png`,
      );
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.editor}`, 'apollo-require-preflight': 'true' },
      body: form,
    });
    const body = (await response.json()) as { data: StartData; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const id = body.data.startBulkIngestion.ingestion!.id;
    expect(await finished(id)).toMatchObject({ status: 'SUCCEEDED', created: 2, failed: 0 });
    expect(await itemCount()).toBe(all.length + 3);
  }, 600_000);

  it('cancels a queued or running ingestion (between chunks); the rest keeps no outcome', async () => {
    const before = await itemCount();
    const items = Array.from({ length: 1000 }, (_, i) => ({
      key: `cancel-${i}`,
      site: SITES[i % 2],
      labels: ['Flags'],
      text: `a note to cancel, number ${i}`,
    }));
    const started = await start({ items }, keys.editor);
    const id = started.data.startBulkIngestion.ingestion!.id;
    const cancelled = await t.gql<{
      cancelBulkIngestion: { ingestion: { status: string } | null; errors: { code: string }[] };
    }>(CANCEL, { id }, keys.editor);
    expect(cancelled.data.cancelBulkIngestion.errors).toEqual([]);
    expect(cancelled.data.cancelBulkIngestion.ingestion?.status).toBe('CANCELLED');

    // The chunk in flight may still store its outcomes; then nothing moves any more, and the
    // counts are those of the rows.
    let last = -1;
    const settled = await waitFor(
      async () => {
        const r = await t.gql<{ bulkIngestion: Ingestion & { pending: { totalCount: number } } }>(
          `query($id: ID!) { bulkIngestion(id: $id) {
            status total processed created duplicates failed
            pending: results(status: PENDING, first: 1) { totalCount }
          } }`,
          { id },
        );
        const ingestion = r.data.bulkIngestion;
        const still = ingestion.processed === last;
        last = ingestion.processed;
        return still && ingestion.processed + ingestion.pending.totalCount === ingestion.total
          ? ingestion
          : undefined;
      },
      120_000,
      'the cancelled ingestion to settle',
      { intervalMs: 2000 },
    );
    console.log(`cancelled with ${settled.processed} of ${items.length} items done`);
    expect(settled.status).toBe('CANCELLED');
    expect(settled.processed).toBeLessThan(items.length);
    expect(settled.processed).toBe(settled.created + settled.duplicates + settled.failed);
    expect(await itemCount()).toBe(before + settled.created);

    const twice = await t.gql<{ cancelBulkIngestion: { errors: { code: string }[] } }>(CANCEL, {
      id,
    });
    expect(twice.data.cancelBulkIngestion.errors[0]?.code).toBe('FAILED_PRECONDITION');
  }, 300_000);

  it('an ingestion whose job was never sent is queued again by the tick, once', async () => {
    // Staged, but the process died before sending its job: only the repository write happened.
    const { deps } = t.app;
    const [site] = await deps.repos.datasets.listSites(datasetId);
    const text = `stranded note ${mode.name}`;
    const stranded = await deps.repos.bulkIngestions.create(
      { datasetId, idempotencyKey: null, requestHash: 'stranded' },
      [
        {
          index: 0,
          key: null,
          recordKey: null,
          siteId: site!.id,
          labels: ['stranded'],
          modality: 'text',
          mimeType: null,
          split: null,
          metadata: null,
          text,
          content: null,
        },
      ],
    );
    const jobs = async () =>
      (
        await deps.db.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'ingestion' AND data->>'ingestionId' = $1`,
          [stranded.id],
        )
      )[0]!.n;
    expect(await jobs()).toBe(0);
    // Not yet a minute old: left alone. Past the minute: its job is sent, and sent once.
    expect(await requeueStrandedIngestions(deps)).not.toContain(stranded.id);
    const later = new Date(Date.now() + 2 * STRANDED_AFTER_MS);
    expect(await requeueStrandedIngestions(deps, later)).toContain(stranded.id);
    await requeueStrandedIngestions(deps, later);
    // One job for the ingestion (its one chunk needs no continuation job).
    expect(await jobs()).toBe(1);
    const done = await finished(stranded.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', total: 1, created: 1, failed: 0 });
    expect(await jobs()).toBe(1);
    expect(await requeueStrandedIngestions(deps, later)).not.toContain(stranded.id);
  });

  it('editors start and cancel, viewers read, dataset-scoped keys stay in their datasets', async () => {
    const items = [{ site: SITES[0], labels: ['Flags'], text: 'a note from a viewer' }];
    const code = (r: GqlResponse) => r.errors?.[0]?.extensions?.code;
    expect(code(await start({ items }, keys.viewer))).toBe('FORBIDDEN');
    expect(code(await start({ items }, keys.scoped))).toBe('FORBIDDEN');
    expect(code(await t.gql(CANCEL, { id: firstId }, keys.viewer))).toBe('FORBIDDEN');
    expect(code(await t.gql(CANCEL, { id: firstId }, keys.scoped))).toBe('FORBIDDEN');
    expect(code(await read(firstId, {}, keys.scoped))).toBe('FORBIDDEN');
    expect(code(await t.gql(LIST, { datasetId }, keys.scoped))).toBe('FORBIDDEN');
    expect(code(await read(firstId, {}, ''))).toBe('UNAUTHENTICATED');

    const viewed = await read(firstId, {}, keys.viewer);
    expect(viewed.errors).toBeUndefined();
    expect(viewed.data.bulkIngestion?.status).toBe('SUCCEEDED');
    const listed = await t.gql<{ bulkIngestions: { totalCount: number } }>(
      LIST,
      { datasetId },
      keys.viewer,
    );
    expect(listed.data.bulkIngestions.totalCount).toBeGreaterThanOrEqual(3);
    // The scoped editor works in its own dataset.
    const own = await t.gql<StartData>(
      START,
      { input: { datasetId: otherDatasetId, createLabels: true, items } },
      keys.scoped,
    );
    expect(own.data.startBulkIngestion.errors).toEqual([]);
    expect(await finished(own.data.startBulkIngestion.ingestion!.id)).toMatchObject({
      status: 'SUCCEEDED',
      created: 1,
    });
  }, 300_000);
});
