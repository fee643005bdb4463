import type { Context } from '../server.ts';

export const typeDefs = /* GraphQL */ `
  type Query {
    "Liveness and which database mode this API runs on."
    health: Health!
    "Datasets, newest first."
    datasets: [Dataset!]!
  }

  type Health {
    ok: Boolean!
    databaseMode: String!
  }

  type Dataset {
    id: ID!
    name: String!
    description: String!
    modalities: [String!]!
    dimension: Int!
    itemCount: Int!
  }
`;

export const resolvers = {
  Query: {
    health: (_: unknown, __: unknown, { db }: Context) => ({ ok: true, databaseMode: db.mode }),
    datasets: async (_: unknown, __: unknown, { db }: Context) => {
      const datasets = await db.prisma.dataset.findMany({
        orderBy: { createdAt: 'desc' },
        include: { _count: { select: { items: true } } },
      });
      return datasets.map(({ _count, ...dataset }) => ({ ...dataset, itemCount: _count.items }));
    },
  },
};
