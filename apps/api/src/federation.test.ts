/**
 * Concord mounted as an Apollo Federation 2 subgraph: its SDL (fetched over HTTP from
 * `_service`) composes with a small second subgraph (@apollo/composition), and a real gateway
 * (@apollo/gateway over the composed supergraph, listening on port 0) resolves one query across
 * both — Concord's reference resolvers checking the caller's key, forwarded by the gateway.
 */
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from './testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE, INGEST } from './testing/operations.ts';

/** A second team's subgraph: pins on Concord items, and a steward on every Concord dataset. */
const PINS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { pins: [Pin!]! }
  type Pin { note: String! item: Item! }
  type Item @key(fields: "id", resolvable: false) { id: ID! }
  type Dataset @key(fields: "id") { id: ID! steward: String! }
`;

interface GatewayContext {
  authorization?: string;
}

describe.each(TEST_DATABASE_MODES)('Federation 2 subgraph through a gateway ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  let itemIds: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  let gatewayUrl = '';
  let supergraphSdl = '';
  let concordSdl = '';

  beforeAll(async () => {
    t = await startTestApp(mode, { RUN_WORKER: 'false', FEDERATION_SUBGRAPH: 'true' });
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: 'federated', dimension: 8 },
    });
    datasetId = created.data.createDataset.dataset.id;
    await t.gql(CREATE_SITE, { datasetId, name: 'hq' });
    const ingested = await t.gql<{ ingestItems: { results: { item: { id: string } }[] } }>(INGEST, {
      input: {
        datasetId,
        createLabels: true,
        items: ['a red fox', 'a blue whale'].map((text, i) => ({
          key: `doc-${i}`,
          site: 'hq',
          labels: ['animals'],
          text,
          modality: 'TEXT',
        })),
      },
    });
    itemIds = ingested.data.ingestItems.results.map((r) => r.item.id);

    const pins = new ApolloServer({
      schema: buildSubgraphSchema({
        typeDefs: parse(PINS_SDL),
        resolvers: {
          Query: {
            pins: () => itemIds.map((id, i) => ({ note: `pin ${i}`, item: { id } })),
          },
          Dataset: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id, steward: 'Ada' }),
          },
        },
      }),
    });
    const pinsServer = await startStandaloneServer(pins, { listen: { port: 0 } });
    stops.push(() => pins.stop());

    // What a router does: fetch each subgraph's SDL from `_service`, then compose.
    const service = await t.gql<{ _service: { sdl: string } }>('{ _service { sdl } }', {}, null);
    concordSdl = service.data._service.sdl;
    const composed = composeServices([
      { name: 'concord', typeDefs: parse(concordSdl), url: t.url },
      { name: 'pins', typeDefs: parse(PINS_SDL), url: pinsServer.url },
    ]);
    expect(composed.errors ?? []).toEqual([]);
    supergraphSdl = composed.supergraphSdl!;

    const gateway = new ApolloGateway({
      supergraphSdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<GatewayContext>({
          url,
          willSendRequest({ request, context }) {
            const authorization = (context as GatewayContext).authorization;
            if (authorization) request.http?.headers.set('authorization', authorization);
          },
        }),
    });
    const router = new ApolloServer<GatewayContext>({ gateway });
    const started = await startStandaloneServer(router, {
      listen: { port: 0 },
      context: ({ req }) => Promise.resolve({ authorization: req.headers.authorization }),
    });
    gatewayUrl = started.url;
    stops.push(() => router.stop());
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await t?.close();
  });

  it('serves the committed subgraph SDL from _service', () => {
    const committed = readFileSync(new URL('../subgraph.graphql', import.meta.url), 'utf8');
    expect(print(parse(concordSdl))).toBe(print(parse(committed)));
    expect(supergraphSdl).toMatch(/join__type\(graph: CONCORD, key: "id"\)/);
    expect(committed).toMatch(/type Item\s+@key\(fields: "id"\)/);
  });

  const CROSS = `{ pins { note item { id externalKey modality dataset { id name steward } } } }`;

  it('resolves one query across both subgraphs, with the key forwarded', async () => {
    const r = await gql<{
      pins: {
        note: string;
        item: {
          id: string;
          externalKey: string;
          modality: string;
          dataset: { id: string; name: string; steward: string };
        } | null;
      }[];
    }>(gatewayUrl, CROSS, {}, t.adminKey);
    expect(r.errors).toBeUndefined();
    expect(r.data.pins).toEqual([
      {
        note: 'pin 0',
        item: {
          id: itemIds[0],
          externalKey: 'doc-0',
          modality: 'TEXT',
          dataset: { id: datasetId, name: 'federated', steward: 'Ada' },
        },
      },
      {
        note: 'pin 1',
        item: {
          id: itemIds[1],
          externalKey: 'doc-1',
          modality: 'TEXT',
          dataset: { id: datasetId, name: 'federated', steward: 'Ada' },
        },
      },
    ]);
    // And starting from Concord: a Concord root field extended by the other subgraph.
    const d = await gql<{ dataset: { name: string; steward: string; itemCount: number } }>(
      gatewayUrl,
      `query($id: ID!) { dataset(id: $id) { name steward itemCount } }`,
      { id: datasetId },
      t.adminKey,
    );
    expect(d.errors).toBeUndefined();
    expect(d.data.dataset).toEqual({ name: 'federated', steward: 'Ada', itemCount: 2 });
  });

  it('refuses entity references without a key, or with a key scoped to another dataset', async () => {
    const anonymous = await gql<{ pins: { item: unknown }[] | null }>(gatewayUrl, CROSS, {}, null);
    expect(anonymous.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
    expect(JSON.stringify(anonymous.data ?? {})).not.toContain('doc-0');

    const other = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: 'elsewhere', dimension: 8 },
    });
    const scoped = await t.gql<{ createApiKey: { secret: string } }>(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      {
        input: {
          role: 'VIEWER',
          label: 'other team',
          datasetIds: [other.data.createDataset.dataset.id],
        },
      },
    );
    const forbidden = await gql<{ pins: unknown }>(
      gatewayUrl,
      CROSS,
      {},
      scoped.data.createApiKey.secret,
    );
    expect(forbidden.errors?.some((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    expect(JSON.stringify(forbidden.data ?? {})).not.toContain('doc-0');
  });
});
