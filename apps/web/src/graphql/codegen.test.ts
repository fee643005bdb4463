import { describe, expect, it } from 'vitest';
import { generate, readCommitted } from '../../scripts/codegen.ts';

describe('typed GraphQL operations', () => {
  it('match the committed schema (run `npm run codegen -w @concord/web` after changing either)', async () => {
    expect(await readCommitted()).toBe(await generate());
  });
});
