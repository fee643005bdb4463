/**
 * Injection strings in every String, ID and JSON argument of every query and mutation: each
 * answer is a typed error or a safe result, the server stays up, and a mutation that answers
 * with an error wrote nothing (table snapshots before and after).
 */
import { expect, it } from 'vitest';
import { validArgs } from '../support/args.ts';
import {
  diff,
  outcomeOf,
  problems,
  record,
  refused,
  tablesOf,
  type InputCtx,
} from '../support/checks.ts';
import { operationFor } from '../support/schema.ts';
import { textPositions } from '../support/positions.ts';

export const INJECTIONS: Record<string, string> = {
  sqlDrop: "'; DROP TABLE item; --",
  sqlOr: "' OR '1'='1' --",
  likeWildcards: '%_%\\%',
  nulByte: 'a\u0000b',
  unicode: 'Zürich 東京 🦄 \u202e\u0301 ﷽',
  loneSurrogate: 'x\ud800y',
  long: 'x'.repeat(100_000),
  graphql: '") { __schema { types { name } } } mutation { deleteDataset(id: "',
  json: '{"$gt": "", "__proto__": {"admin": true}}',
  html: '<script>alert(1)</script><img src=x onerror=alert(1)>',
  pathTraversal: '../../etc/passwd',
  empty: '',
  whitespace: ' \t\n ',
};

const ID_PAYLOADS = ['sqlDrop', 'nulByte', 'unicode', 'long', 'empty'];

export function injectionTests(ctx: InputCtx): void {
  it('injection strings in every text argument: typed errors or safe results, nothing written by a refusal', async () => {
    const { t, f } = ctx;
    const failures: string[] = [];
    const tablesBefore = tablesOf(await t.snapshot());
    let last = await t.snapshot();
    for (const root of ctx.fields) {
      if (root.operation === 'Subscription') continue;
      const base = validArgs(root, f);
      for (const position of textPositions(root, base)) {
        // An ID that is not a UUID is refused before any SQL (NOT_FOUND): a few payloads suffice.
        const payloads = Object.entries(INJECTIONS).filter(
          ([name]) => position.scalar !== 'ID' || ID_PAYLOADS.includes(name),
        );
        for (const [name, payload] of payloads) {
          const args = position.with(base, payload);
          const r = await t.gql(operationFor(root, Object.keys(args)), args);
          const label = `${position.label} ← ${name}`;
          failures.push(...problems(r, label));
          record(ctx, 'injection', outcomeOf(r, root.field.name));
          if (root.operation !== 'Mutation') continue;
          // An accepted bulk ingestion writes from its job: let it finish before the snapshot.
          if (root.field.name === 'startBulkIngestion') await t.settle();
          const after = await t.snapshot();
          if (refused(r, root.field.name) && JSON.stringify(after) !== JSON.stringify(last))
            failures.push(`${label}: refused but wrote ${diff(last, after)}`);
          last = after;
        }
      }
    }
    expect(failures).toEqual([]);
    expect(tablesOf(await t.snapshot())).toEqual(tablesBefore);
    expect(await t.alive()).toBe(true);
  });

  it('stores an injection string verbatim (parameterised SQL), and finds it only literally', async () => {
    const { t, f } = ctx;
    const name = INJECTIONS.sqlDrop!;
    const created = await t.gql<{ createLabel: { label: { id: string; name: string } | null } }>(
      `mutation($id: ID!, $name: String!) { createLabel(datasetId: $id, name: $name) { label { id name } errors { code } } }`,
      { id: f.datasetId, name },
    );
    expect(created.data.createLabel.label?.name).toBe(name);
    const items = await t.gql<{ items: { totalCount: number } }>(
      `query($id: ID!) { items(datasetId: $id, first: 1) { totalCount } }`,
      { id: f.datasetId },
    );
    expect(items.data.items.totalCount).toBeGreaterThan(0);
    // A wildcard query text is text to featurise, not a pattern: search still answers normally.
    const search = await t.gql<{ search: { edges: unknown[] } }>(
      `query($id: ID!, $text: String!) { search(datasetId: $id, query: { text: $text }, first: 3) { edges { cursor } } }`,
      { id: f.datasetId, text: INJECTIONS.likeWildcards },
    );
    expect(search.errors).toBeUndefined();
    expect(search.data.search.edges.length).toBe(3);
  });
}
