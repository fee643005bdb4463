/**
 * Concord as an Apollo Federation 2 subgraph: the same SDL and resolvers as the API, plus `@key`
 * on the entities other subgraphs may reference or extend (Dataset, Item, Model) and their
 * reference resolvers, which check the caller's key exactly as the `dataset`/`item`/`model`
 * queries do. Served when FEDERATION_SUBGRAPH=true; its SDL is printed to apps/api/subgraph.graphql.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  concatAST,
  GraphQLScalarType,
  parse,
  visit,
  type GraphQLSchema,
  type ObjectTypeDefinitionNode,
} from 'graphql';
import { authorize } from '../auth/principal.ts';
import type { Context } from '../context.ts';
import { uuid } from './ids.ts';
import { resolvers } from './index.ts';
import { query } from './payload.ts';
import { printedSchema } from './type-defs.ts';
import { readable } from './reads.ts';

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])`;
/** The entities: other subgraphs reference them by id and may add fields to them. */
export const ENTITIES = ['Dataset', 'Item', 'Model'] as const;
const KEY = parse(`type T @key(fields: "id") { id: ID! }`)
  .definitions[0] as ObjectTypeDefinitionNode;

type Ref = { id: string };

/** Reference resolvers: the same auth as the root queries (viewer, scoped to the dataset). */
const entityResolvers = {
  Dataset: {
    __resolveReference: (ref: Ref, { principal, loaders }: Context) =>
      query(async () => {
        authorize(principal, 'viewer', ref.id);
        return loaders.dataset.load(uuid(ref.id, 'dataset'));
      }),
  },
  Item: {
    __resolveReference: (ref: Ref, { principal, loaders }: Context) =>
      query(() => readable(principal, () => loaders.item.load(uuid(ref.id, 'item')))),
  },
  Model: {
    __resolveReference: (ref: Ref, { principal, loaders }: Context) =>
      query(() => readable(principal, () => loaders.model.load(uuid(ref.id, 'model')))),
  },
};

/** One resolver map from the per-domain maps (scalars are taken whole). */
function mergeResolvers(maps: readonly object[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [type, value] of Object.entries(map)) {
      out[type] =
        value instanceof GraphQLScalarType
          ? value
          : { ...(out[type] as object | undefined), ...(value as object) };
    }
  }
  return out;
}

/** The merged SDL (one type per name, as schema.graphql prints it) with `@key` on the entities. */
function withKeys() {
  return visit(parse(printedSchema()), {
    ObjectTypeDefinition: (node) =>
      (ENTITIES as readonly string[]).includes(node.name.value)
        ? { ...node, directives: [...(node.directives ?? []), ...KEY.directives!] }
        : undefined,
  });
}

export function buildSubgraph(): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: concatAST([withKeys(), parse(LINK)]),
    resolvers: mergeResolvers([...resolvers, entityResolvers]) as never,
  });
}

/** The subgraph SDL a router composes: exactly what `{ _service { sdl } }` answers. */
export function printedSubgraph(): string {
  // The field's own resolver: @apollo/subgraph loads graphql as CommonJS, so running a query
  // through this module's (ESM) graphql would mix two copies of graphql-js under Vitest.
  const service = buildSubgraph().getQueryType()?.getFields()._service;
  const sdl = (service?.resolve as (() => { sdl?: string }) | undefined)?.().sdl;
  if (!sdl) throw new Error('The subgraph schema has no _service.sdl.');
  return sdl;
}
