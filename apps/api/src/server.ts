/** The GraphQL server as a factory, so tests and main.ts build it the same way. */
import { ApolloServer } from '@apollo/server';
import type { Database } from '@concord/db';
import { resolvers, typeDefs } from './schema/index.ts';

export interface ServerDeps {
  db: Database;
}

export interface Context {
  db: Database;
}

export function createServer(): ApolloServer<Context> {
  return new ApolloServer<Context>({ typeDefs, resolvers });
}
