import { describe, expect, it } from 'vitest';
import { generate, readCommitted } from '../scripts/codegen.ts';

describe('committed GraphQL schema, subgraph schema and resolver types', () => {
  it('match what the SDL files generate (run `npm run codegen -w @concord/api` after a change)', async () => {
    const fresh = await generate();
    const committed = await readCommitted();
    expect(committed.schema).toBe(fresh.schema);
    expect(committed.types).toBe(fresh.types);
    expect(committed.subgraph).toBe(fresh.subgraph);
  });
});
