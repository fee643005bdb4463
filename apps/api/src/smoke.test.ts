import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './testing/harness.ts';

describe.each(TEST_DATABASE_MODES)('smoke ($name)', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(mode);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a dataset with a site over HTTP', async () => {
    const created = await t.gql<{ createDataset: { dataset: { id: string }; errors: unknown[] } }>(
      `mutation { createDataset(input: { name: "demo", dimension: 16 }) { dataset { id } errors { code message } } }`,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data.createDataset.dataset.id;
    const site = await t.gql(
      `mutation($id: ID!) { createSite(datasetId: $id, input: { name: "a" }) { site { id name } errors { code } } }`,
      { id },
    );
    expect(site.errors).toBeUndefined();
    const list = await t.gql<{ datasets: { totalCount: number } }>(
      `{ datasets(first: 5) { totalCount edges { node { id name sites { name } } } } }`,
    );
    expect(list.data.datasets.totalCount).toBe(1);
  });
});
