/**
 * The authorisation matrix, generated from the running server's schema: every Query, Mutation
 * and Subscription field × {no key, revoked key, viewer, editor, admin, an admin key scoped to
 * another dataset}, called over HTTP (subscriptions over graphql-ws) with arguments built from
 * the schema and naming real objects. Allowed calls must succeed; refused ones must carry
 * UNAUTHENTICATED or FORBIDDEN, return no data, and (mutations) write nothing at all.
 *
 * A field without an entry in EXPECTATIONS fails the test by name: a new field cannot be
 * forgotten. Adding one is one line.
 *
 * One database mode (PGlite): authorisation is decided in the API above the database, identical
 * in both modes, and the ~200 calls with a table snapshot around each refused mutation would
 * double the suite's time for no extra coverage (the other hostile suites run on both).
 */
import { randomUUID } from 'node:crypto';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import type { GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostileApp, type GqlResponse, type HostileApp } from './support/app.ts';
import {
  CLASSES,
  expectOk,
  FIXTURE_DIMENSION,
  PRINCIPALS,
  seedFixture,
  type Fixture,
  type PrincipalName,
} from './support/fixture.ts';
import { validArgs } from './support/args.ts';
import { introspect, operationFor, rootFields, type RootField } from './support/schema.ts';
import { subscribeOnce } from './support/subscribe.ts';

type Access = 'public' | 'viewer' | 'editor' | 'admin';
/**
 * dataset:  acts on the fixture dataset, so a key scoped to another dataset is FORBIDDEN;
 * filtered: a list a scoped key may read, showing only its own datasets' objects;
 * global:   needs a key that is not scoped to datasets (key management, new datasets);
 * any:      any valid key (or none, for public fields).
 */
type Scope = 'dataset' | 'filtered' | 'global' | 'any';

interface Ctx {
  t: HostileApp;
  f: Fixture;
}
interface Entry {
  access: Access;
  scope: Scope;
  /** Argument values that must name a fresh object (the call deletes or consumes it). */
  fresh?: (ctx: Ctx) => Promise<Record<string, unknown>>;
  /** An allowed call may answer this user-error code instead of succeeding. */
  allowedCode?: string;
}

const EXPECTATIONS: Record<string, Entry> = {
  'Query.health': { access: 'public', scope: 'any' },
  'Query.dataset': { access: 'viewer', scope: 'dataset' },
  'Query.datasets': { access: 'viewer', scope: 'filtered' },
  'Query.imageFeaturisers': { access: 'viewer', scope: 'any' },
  'Query.item': { access: 'viewer', scope: 'dataset' },
  'Query.items': { access: 'viewer', scope: 'dataset' },
  'Query.record': { access: 'viewer', scope: 'dataset' },
  'Query.model': { access: 'viewer', scope: 'dataset' },
  'Query.models': { access: 'viewer', scope: 'dataset' },
  'Query.trainingRun': { access: 'viewer', scope: 'dataset' },
  'Query.trainingRuns': { access: 'viewer', scope: 'dataset' },
  'Query.search': { access: 'viewer', scope: 'dataset' },
  'Query.me': { access: 'viewer', scope: 'any' },
  'Query.apiKeys': { access: 'admin', scope: 'global' },
  'Query.webhooks': { access: 'admin', scope: 'filtered' },
  'Mutation.createDataset': { access: 'admin', scope: 'global' },
  'Mutation.updateDataset': { access: 'admin', scope: 'dataset' },
  'Mutation.deleteDataset': { access: 'admin', scope: 'dataset', fresh: freshDataset },
  'Mutation.setRetrainPolicy': { access: 'admin', scope: 'dataset' },
  'Mutation.createSite': { access: 'editor', scope: 'dataset' },
  'Mutation.updateSite': { access: 'editor', scope: 'dataset' },
  'Mutation.deleteSite': { access: 'admin', scope: 'dataset', fresh: freshSite },
  'Mutation.createLabel': { access: 'editor', scope: 'dataset' },
  'Mutation.renameLabel': { access: 'editor', scope: 'dataset', fresh: freshLabel },
  'Mutation.deleteLabel': { access: 'admin', scope: 'dataset', fresh: freshLabel },
  'Mutation.ingestItems': { access: 'editor', scope: 'dataset' },
  'Query.bulkIngestion': { access: 'viewer', scope: 'dataset', fresh: matrixBulkIngestion },
  'Query.bulkIngestions': { access: 'viewer', scope: 'dataset' },
  'Mutation.startBulkIngestion': { access: 'editor', scope: 'dataset' },
  // Cancelling consumes the ingestion; one whose job already finished is refused for its state.
  'Mutation.cancelBulkIngestion': {
    access: 'editor',
    scope: 'dataset',
    fresh: freshBulkIngestion,
    allowedCode: 'FAILED_PRECONDITION',
  },
  'Mutation.updateItem': { access: 'editor', scope: 'dataset' },
  'Mutation.deleteItem': { access: 'editor', scope: 'dataset', fresh: freshItem },
  'Mutation.promoteModel': { access: 'admin', scope: 'dataset' },
  // The fixture has one promoted model: nothing to roll back to.
  'Mutation.rollbackModel': {
    access: 'admin',
    scope: 'dataset',
    allowedCode: 'FAILED_PRECONDITION',
  },
  'Mutation.startTrainingRun': { access: 'editor', scope: 'dataset', fresh: noRunInFlight },
  // The fixture's run has finished: cancelling it is refused for its state, not the caller.
  'Mutation.cancelTrainingRun': {
    access: 'editor',
    scope: 'dataset',
    allowedCode: 'FAILED_PRECONDITION',
  },
  'Mutation.createApiKey': { access: 'admin', scope: 'global' },
  'Mutation.revokeApiKey': { access: 'admin', scope: 'global', fresh: freshKey },
  'Mutation.createWebhook': { access: 'admin', scope: 'dataset' },
  'Mutation.deleteWebhook': { access: 'admin', scope: 'dataset', fresh: freshWebhook },
  'Subscription.trainingRunProgress': { access: 'viewer', scope: 'dataset' },
  'Subscription.bulkIngestionProgress': {
    access: 'viewer',
    scope: 'dataset',
    fresh: matrixBulkIngestion,
  },
};

const RANK: Record<Access, number> = { public: 0, viewer: 1, editor: 2, admin: 3 };
const ROLE_RANK: Partial<Record<PrincipalName, number>> = {
  viewer: 1,
  editor: 2,
  admin: 3,
  otherScope: 3,
};

/** The code a principal must get, or null when it is allowed. */
function expectedRefusal(entry: Entry, who: PrincipalName): string | null {
  if (who === 'revoked') return 'UNAUTHENTICATED';
  if (entry.access === 'public') return null;
  if (who === 'none') return 'UNAUTHENTICATED';
  if (ROLE_RANK[who]! < RANK[entry.access]) return 'FORBIDDEN';
  if (who === 'otherScope' && (entry.scope === 'dataset' || entry.scope === 'global'))
    return 'FORBIDDEN';
  return null;
}

const mode = TEST_DATABASE_MODES.find((m) => m.name === 'pglite')!;

describe(`authorisation matrix from the schema (${mode.name})`, () => {
  let t: HostileApp;
  let f: Fixture;
  let schema: GraphQLSchema;
  let fields: RootField[];
  const tried = { calls: 0, refused: 0, allowed: 0 };

  beforeAll(async () => {
    t = await startHostileApp(mode, { RUN_WORKER: 'true' });
    f = await seedFixture(t);
    schema = await introspect(t);
    fields = rootFields(schema);
  });
  afterAll(async () => {
    console.log(`authorisation matrix: ${JSON.stringify(tried)} over ${fields?.length} fields`);
    await t?.close();
  });

  it('has an expectation for every root field of the schema (and none for a field that is gone)', () => {
    const names = fields.map((r) => r.name);
    const missing = names.filter((n) => !(n in EXPECTATIONS));
    const stale = Object.keys(EXPECTATIONS).filter((n) => !names.includes(n));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
    expect(names.length).toBeGreaterThan(30);
  });

  async function call(root: RootField, args: Record<string, unknown>, key: string | null) {
    const query = operationFor(root, Object.keys(args));
    if (root.operation === 'Subscription') {
      const outcome = await subscribeOnce(t.url, query, args, key);
      // graphql-ws refuses a bad key at connection time: close code 4401 with the reason.
      const refusedKey =
        outcome.closed?.code === 4401
          ? [{ message: outcome.closed.reason, extensions: { code: 'UNAUTHENTICATED' } }]
          : [];
      return {
        data: outcome.data as Record<string, unknown> | null,
        errors: [...outcome.errors, ...refusedKey],
        closed: outcome.closed,
        text: JSON.stringify(outcome),
      };
    }
    const r: GqlResponse = await t.gql(query, args, key);
    return { data: r.data ?? null, errors: r.errors ?? [], closed: null, text: r.text };
  }

  it('every field × every principal: allowed calls succeed, refused ones are typed and write nothing', async () => {
    const failures: string[] = [];
    for (const root of fields) {
      const entry = EXPECTATIONS[root.name];
      if (!entry) continue; // reported by the test above
      for (const who of PRINCIPALS) {
        tried.calls += 1;
        const args = { ...validArgs(root, f), ...(entry.fresh ? await entry.fresh({ t, f }) : {}) };
        const refusal = expectedRefusal(entry, who);
        const checkWrites = root.operation === 'Mutation' && refusal !== null;
        if (checkWrites) {
          // Runs the startTrainingRun rows left going would write into the snapshot.
          await noRunInFlight({ t, f });
          await t.settle();
        }
        const before = checkWrites ? await t.snapshot() : null;
        const r = await call(root, args, f.keys[who]);
        const field = root.field.name;
        const value = r.data?.[field] as
          { errors?: { code: string; message: string }[] } | null | undefined;
        const codes = [
          ...r.errors.map((e) => e.extensions?.code ?? `untyped: ${e.message}`),
          ...(value?.errors ?? []).map((e) => e.code),
        ];
        const where = `${root.name} as ${who}`;
        if (refusal) {
          tried.refused += 1;
          if (codes[0] !== refusal || value != null)
            failures.push(
              `${where}: expected ${refusal}, got ${JSON.stringify(codes)} ${r.text.slice(0, 200)}`,
            );
          if (before) {
            const after = await t.snapshot();
            if (JSON.stringify(after) !== JSON.stringify(before))
              failures.push(`${where}: a refused mutation wrote ${diff(before, after)}`);
          }
        } else {
          tried.allowed += 1;
          const ok =
            codes.length === 0 ||
            (entry.allowedCode && codes.every((c) => c === entry.allowedCode));
          if (
            !ok ||
            (codes.length === 0 && value === undefined && root.operation !== 'Subscription')
          )
            failures.push(
              `${where}: expected to be allowed, got ${JSON.stringify(codes)} ${r.text.slice(0, 300)}`,
            );
          if (root.operation === 'Subscription' && codes.length === 0 && !r.data?.[field])
            failures.push(`${where}: no event (${r.text.slice(0, 200)})`);
          // A key scoped elsewhere never sees the fixture dataset's objects in a list.
          if (
            who === 'otherScope' &&
            (r.text.includes(f.datasetId) || r.text.includes(f.webhookId))
          )
            failures.push(`${where}: the answer shows objects outside the key's datasets`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('the server is alive and logged no key secret', async () => {
    expect(await t.alive()).toBe(true);
    // No call of the matrix is an internal error (they are logged with their reference).
    expect(t.logs.filter((line) => line.includes('internal error'))).toEqual([]);
    const logs = t.logs.join('\n');
    for (const secret of f.secrets) expect(logs.includes(secret.slice(3))).toBe(false);
  });
});

function diff(before: Record<string, string>, after: Record<string, string>): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k} ${before[k]} → ${after[k]}`)
    .join('; ');
}

async function freshDataset({ t }: Ctx) {
  const r = await t.gql<{ createDataset: { dataset: { id: string } } }>(
    `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { dataset { id } } }`,
    { input: { name: `doomed ${randomUUID()}`, dimension: FIXTURE_DIMENSION } },
  );
  return { id: expectOk(r, 'fresh dataset').createDataset.dataset.id };
}

async function freshSite({ t, f }: Ctx) {
  const r = await t.gql<{ createSite: { site: { id: string } } }>(
    `mutation($id: ID!, $name: String!) { createSite(datasetId: $id, input: { name: $name }) { site { id } } }`,
    { id: f.datasetId, name: `doomed ${randomUUID()}` },
  );
  return { id: expectOk(r, 'fresh site').createSite.site.id };
}

async function freshLabel({ t, f }: Ctx) {
  const r = await t.gql<{ createLabel: { label: { id: string } } }>(
    `mutation($id: ID!, $name: String!) { createLabel(datasetId: $id, name: $name) { label { id } } }`,
    { id: f.datasetId, name: `doomed ${randomUUID().slice(0, 8)}` },
  );
  return { id: expectOk(r, 'fresh label').createLabel.label.id };
}

async function freshItem({ t, f }: Ctx) {
  const r = await t.gql<{
    ingestItems: { results: { item: { id: string } }[]; errors: unknown[] };
  }>(
    `mutation($input: IngestItemsInput!) { ingestItems(input: $input) { results { item { id } } errors { code message } } }`,
    {
      input: {
        datasetId: f.datasetId,
        items: [{ site: f.siteId, labels: [CLASSES[0]], text: `doomed ${randomUUID()}` }],
      },
    },
  );
  const item = expectOk(r, 'fresh item').ingestItems.results[0]?.item;
  if (!item) throw new Error(`fresh item: ${JSON.stringify(r.data)}`);
  return { id: item.id };
}

async function freshKey({ t }: Ctx) {
  const r = await t.gql<{ createApiKey: { apiKey: { id: string } } }>(
    `mutation { createApiKey(input: { role: VIEWER, label: "doomed" }) { apiKey { id } } }`,
  );
  return { id: expectOk(r, 'fresh key').createApiKey.apiKey.id };
}

async function freshWebhook({ t, f }: Ctx) {
  const r = await t.gql<{ createWebhook: { webhook: { id: string } } }>(
    `mutation($id: ID) { createWebhook(input: { url: "http://127.0.0.1:9/doomed", events: ["run.failed"], datasetId: $id }) { webhook { id } } }`,
    { id: f.datasetId },
  );
  return { id: expectOk(r, 'fresh webhook').createWebhook.webhook.id };
}

/** Cancels any run of the fixture dataset still queued or running (one run at a time). */
async function noRunInFlight({ t, f }: Ctx) {
  const r = await t.gql<{ trainingRuns: { edges: { node: { id: string; status: string } }[] } }>(
    `query($id: ID!) { trainingRuns(datasetId: $id, first: 100) { edges { node { id status } } } }`,
    { id: f.datasetId },
  );
  for (const { node } of expectOk(r, 'runs').trainingRuns.edges) {
    if (node.status === 'QUEUED' || node.status === 'RUNNING')
      await t.gql(`mutation($id: ID!) { cancelTrainingRun(id: $id) { errors { code } } }`, {
        id: node.id,
      });
  }
  return {};
}

let matrixIngestionId: string | null = null;

/** One bulk ingestion of the fixture dataset, started once and read by every call. */
async function matrixBulkIngestion(ctx: Ctx) {
  matrixIngestionId ??= (await freshBulkIngestion(ctx)).id;
  return { id: matrixIngestionId };
}

async function freshBulkIngestion({ t, f }: Ctx) {
  const r = await t.gql<{ startBulkIngestion: { ingestion: { id: string } | null } }>(
    `mutation($input: StartBulkIngestionInput!) { startBulkIngestion(input: $input) { ingestion { id } errors { code message } } }`,
    {
      input: {
        datasetId: f.datasetId,
        items: [{ site: f.siteId, labels: [CLASSES[0]], text: `bulk ${randomUUID()}` }],
      },
    },
  );
  const ingestion = expectOk(r, 'fresh bulk ingestion').startBulkIngestion.ingestion;
  if (!ingestion) throw new Error(`fresh bulk ingestion: ${JSON.stringify(r.data)}`);
  return { id: ingestion.id };
}
