/**
 * Every role allowed and refused on representative operations, and each bad input answered with
 * its typed error while writing nothing — over HTTP, on both database modes.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { loadEmojiCorpus } from '@concord/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type GqlResponse, type TestApp } from './testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE, INGEST, START_RUN } from './testing/operations.ts';

type Role = 'admin' | 'editor' | 'viewer' | 'otherScope' | 'anonymous' | 'revoked';
const UPLOAD_LIMIT = 8 * 1024;

const codeOf = (r: GqlResponse<unknown>): string | null => r.errors?.[0]?.extensions?.code ?? null;
const payloadCode = (
  r: GqlResponse<Record<string, { errors: { code: string }[] }>>,
  field: string,
) => r.data?.[field]?.errors?.[0]?.code ?? null;

describe.each(TEST_DATABASE_MODES)('auth and errors ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  const keys: Record<Role, string | null> = {} as Record<Role, string | null>;

  const counts = async () => {
    const r = await t.gql<{
      dataset: { itemCount: number; sites: unknown[]; labels: unknown[] };
      datasets: { totalCount: number };
      trainingRuns: { totalCount: number };
    }>(
      `query($id: ID!) { dataset(id: $id) { itemCount sites { id } labels { id } } datasets { totalCount } trainingRuns(datasetId: $id) { totalCount } }`,
      { id: datasetId },
    );
    return r.data;
  };

  beforeAll(async () => {
    // No worker: queued runs stay queued, so role checks on training cost nothing.
    t = await startTestApp(mode, {
      RUN_WORKER: 'false',
      MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT),
      MAX_QUERY_DEPTH: '6',
    });
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: 'roles', dimension: 8 },
    });
    datasetId = created.data.createDataset.dataset.id;
    const other = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: 'other', dimension: 8 },
    });
    await t.gql(CREATE_SITE, { datasetId, name: 'hq' });
    const mk = async (role: string, datasetIds: string[] = []) => {
      const r = await t.gql<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } errors { code } } }`,
        { input: { role, label: role, datasetIds } },
      );
      return r.data.createApiKey;
    };
    keys.admin = t.adminKey;
    keys.editor = (await mk('EDITOR')).secret;
    keys.viewer = (await mk('VIEWER')).secret;
    keys.otherScope = (await mk('EDITOR', [other.data.createDataset.dataset.id])).secret;
    keys.anonymous = null;
    const revoked = await mk('ADMIN');
    await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } } }`, {
      id: revoked.apiKey.id,
    });
    keys.revoked = revoked.secret;
  });
  afterAll(async () => {
    await t?.close();
  });

  const operations: {
    name: string;
    allowed: Role[];
    run: (key: string | null) => Promise<GqlResponse<unknown>>;
  }[] = [
    {
      name: 'createDataset',
      allowed: ['admin'],
      run: (key) =>
        t.gql(CREATE_DATASET, { input: { name: `d-${randomUUID()}`, dimension: 8 } }, key),
    },
    {
      name: 'ingestItems',
      allowed: ['admin', 'editor'],
      run: (key) =>
        t.gql(
          INGEST,
          {
            input: {
              datasetId,
              createLabels: true,
              items: [{ site: 'hq', labels: ['a'], text: `text ${randomUUID()}` }],
            },
          },
          key,
        ),
    },
    {
      name: 'startTrainingRun',
      allowed: ['admin', 'editor'],
      // Allowed callers reach validation (FAILED_PRECONDITION: one text item is not enough).
      run: (key) => t.gql(START_RUN, { datasetId, config: { splEpochs: 1 } }, key),
    },
    {
      name: 'items (query)',
      allowed: ['admin', 'editor', 'viewer'],
      run: (key) =>
        t.gql(
          `query($id: ID!) { items(datasetId: $id, first: 5) { totalCount } }`,
          { id: datasetId },
          key,
        ),
    },
    {
      name: 'search (query)',
      allowed: ['admin', 'editor', 'viewer'],
      // Allowed callers get FAILED_PRECONDITION: the dataset has no model yet.
      run: (key) =>
        t.gql(
          `query($id: ID!) { search(datasetId: $id, query: { text: "x" }) { model { id } } }`,
          { id: datasetId },
          key,
        ),
    },
    {
      name: 'apiKeys (query)',
      allowed: ['admin'],
      run: (key) => t.gql(`{ apiKeys { id role } }`, {}, key),
    },
  ];

  it.each(operations)('$name: allowed and refused roles', async (op) => {
    for (const role of Object.keys(keys) as Role[]) {
      const response = await op.run(keys[role]);
      const code = codeOf(response);
      if (op.allowed.includes(role)) {
        expect([role, code]).not.toEqual([role, 'FORBIDDEN']);
        expect([role, code]).not.toEqual([role, 'UNAUTHENTICATED']);
      } else {
        const expected =
          role === 'anonymous' || role === 'revoked' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
        expect([role, code]).toEqual([role, expected]);
      }
    }
  });

  it('unknown ids answer NOT_FOUND and write nothing', async () => {
    const before = await counts();
    const site = await t.gql<Record<string, { errors: { code: string }[] }>>(CREATE_SITE, {
      datasetId: randomUUID(),
      name: 'x',
    });
    expect(payloadCode(site, 'createSite')).toBe('NOT_FOUND');
    const badSite = await t.gql<Record<string, { errors: { code: string }[] }>>(INGEST, {
      input: {
        datasetId,
        createLabels: true,
        items: [
          { site: 'hq', labels: ['a'], text: 'fine' },
          { site: 'nowhere', labels: ['a'], text: 'bad' },
        ],
      },
    });
    expect(payloadCode(badSite, 'ingestItems')).toBe('NOT_FOUND');
    const items = await t.gql(`{ items(datasetId: "not-an-id") { totalCount } }`);
    expect(codeOf(items)).toBe('NOT_FOUND');
    const model = await t.gql<Record<string, { errors: { code: string }[] }>>(
      `mutation($id: ID!) { promoteModel(modelId: $id) { errors { code } } }`,
      { id: randomUUID() },
    );
    expect(payloadCode(model, 'promoteModel')).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });

  it('oversized uploads answer PAYLOAD_TOO_LARGE and write nothing', async () => {
    const before = await counts();
    const big = Buffer.alloc(UPLOAD_LIMIT * 2, 7).toString('base64');
    const r = await t.gql<Record<string, { errors: { code: string }[] }>>(INGEST, {
      input: { datasetId, createLabels: true, items: [{ site: 'hq', labels: ['a'], base64: big }] },
    });
    expect(payloadCode(r, 'ingestItems')).toBe('PAYLOAD_TOO_LARGE');
    // The same through a multipart upload.
    const multipart = await upload(t, datasetId, Buffer.alloc(UPLOAD_LIMIT * 2, 7), true);
    expect(
      multipart.body.data?.ingestItems?.errors?.[0]?.code ??
        multipart.body.errors?.[0]?.extensions?.code,
    ).toBe('PAYLOAD_TOO_LARGE');
    expect(await counts()).toEqual(before);
  });

  it('multipart uploads work and need the CSRF preflight header', async () => {
    const png = readFileSync(loadEmojiCorpus().find((r) => r.label === 'Flags')!.imagePath);
    const refused = await upload(t, datasetId, png, false);
    expect(refused.status).toBe(400);
    const accepted = await upload(t, datasetId, png, true);
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data?.ingestItems?.created).toBe(1);
  });

  it('invalid training configs answer BAD_USER_INPUT and queue nothing', async () => {
    const before = await counts();
    for (const config of [
      { splEpochs: -1 },
      { hiddenSizes: [0] },
      { splLearningRate: 5 },
      { priorSelection: 'random' },
      { embeddingDim: 100000 },
    ]) {
      const r = await t.gql<Record<string, { errors: { code: string }[] }>>(START_RUN, {
        datasetId,
        config,
      });
      expect([config, payloadCode(r, 'startTrainingRun')]).toEqual([config, 'BAD_USER_INPUT']);
    }
    expect(await counts()).toEqual(before);
  });

  it('too-deep and too-costly queries, and oversized pages, are refused before they run', async () => {
    const deep = await t.gql(
      `{ datasets { edges { node { activeModel { dataset { activeModel { dataset { id } } } } } } } }`,
    );
    expect(codeOf(deep)).toBe('QUERY_TOO_COMPLEX');
    // Estimated cost: 100,000 rows of a list.
    const costly = await t.gql(`{ datasets(first: 100000) { edges { node { id } } } }`);
    expect(codeOf(costly)).toBe('QUERY_TOO_COMPLEX');
    // Cheap enough, but above the page-size cap.
    const page = await t.gql(`{ datasets(first: 500) { totalCount } }`);
    expect(codeOf(page)).toBe('BAD_USER_INPUT');
    const cursor = await t.gql(`{ datasets(after: "garbage") { totalCount } }`);
    expect(codeOf(cursor)).toBe('BAD_USER_INPUT');
  });

  it('an idempotency key reused for a different request is a CONFLICT', async () => {
    const input = (text: string) => ({
      input: {
        datasetId,
        createLabels: true,
        idempotencyKey: 'k-1',
        items: [{ site: 'hq', labels: ['a'], text }],
      },
    });
    const first = await t.gql<{ ingestItems: { created: number } }>(INGEST, input('first text'));
    expect(first.data.ingestItems.created).toBe(1);
    const before = await counts();
    const reused = await t.gql<Record<string, { errors: { code: string }[] }>>(
      INGEST,
      input('another text'),
    );
    expect(payloadCode(reused, 'ingestItems')).toBe('CONFLICT');
    expect(await counts()).toEqual(before);
  });
});

interface UploadAnswer {
  data?: { ingestItems?: { created: number; errors?: { code: string }[] } };
  errors?: { extensions?: { code?: string } }[];
}

/** A GraphQL multipart request (the spec graphql-upload implements) ingesting one file. */
async function upload(t: TestApp, datasetId: string, bytes: Buffer, preflight: boolean) {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: `mutation($input: IngestItemsInput!) { ingestItems(input: $input) { created failed errors { code message } results { status errorCode } } }`,
      variables: {
        input: {
          datasetId,
          createLabels: true,
          items: [{ site: 'hq', labels: ['flag'], file: null }],
        },
      },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.input.items.0.file'] }));
  form.append('0', new Blob([bytes], { type: 'image/png' }), 'flag.png');
  const response = await fetch(t.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.adminKey}`,
      ...(preflight ? { 'apollo-require-preflight': 'true' } : {}),
    },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as UploadAnswer };
}
