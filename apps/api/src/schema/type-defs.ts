/** The SDL of every domain, read from src/schema/<domain>/schema.graphql in a fixed order. */
import { readFileSync } from 'node:fs';
import { buildASTSchema, concatAST, parse, printSchema, type DocumentNode } from 'graphql';

export const DOMAINS = [
  'common',
  'datasets',
  'items',
  'records',
  'models',
  'training',
  'search',
  'auth',
  'webhooks',
] as const;

export function loadTypeDefs(): DocumentNode[] {
  return DOMAINS.map((domain) =>
    parse(readFileSync(new URL(`./${domain}/schema.graphql`, import.meta.url), 'utf8')),
  );
}

/** The whole schema as printed SDL (what apps/api/schema.graphql holds). */
export function printedSchema(): string {
  return printSchema(buildASTSchema(concatAST(loadTypeDefs())));
}
