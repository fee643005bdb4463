/**
 * Issue 18: a label the dataset does not have is refused at ingestion (UNKNOWN_LABEL naming it and
 * its item, nothing written) unless the request (`createLabels`) or the dataset
 * (`allowLabelCreation`) allows creating labels — for `ingestItems` and, before anything is
 * staged, for `startBulkIngestion`. Over HTTP, both modes.
 */
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './testing/harness.ts';
import { CREATE_SITE, INGEST } from './testing/operations.ts';

interface UserError {
  code: string;
  message: string;
  field: string[] | null;
}
interface Ingested {
  ingestItems: { created: number; failed: number; errors: UserError[] };
}

const CREATE = `mutation($input: CreateDatasetInput!) {
  createDataset(input: $input) { dataset { id allowLabelCreation } errors { code message } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateDatasetInput!) {
  updateDataset(id: $id, input: $input) { dataset { id allowLabelCreation } errors { code message } }
}`;
const CREATE_LABEL = `mutation($datasetId: ID!, $name: String!) {
  createLabel(datasetId: $datasetId, name: $name) { label { id } errors { code message } }
}`;
const START_BULK = `mutation($input: StartBulkIngestionInput!) {
  startBulkIngestion(input: $input) { ingestion { id } errors { code message field } }
}`;
const STATE = `query($id: ID!) {
  dataset(id: $id) { itemCount labels { name index } }
  bulkIngestions(datasetId: $id) { totalCount }
}`;

describe.each(TEST_DATABASE_MODES)('unknown labels at ingestion ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  const text = (i: number, label: string) => ({ site: 'hq', labels: [label], text: `note ${i}` });
  const state = async () => (await t.gql(STATE, { id: datasetId })).data;

  beforeAll(async () => {
    // No worker: an accepted bulk ingestion stays staged, which is all these tests look at.
    t = await startTestApp(mode, { RUN_WORKER: 'false' });
    const created = await t.gql<{
      createDataset: { dataset: { id: string; allowLabelCreation: boolean } };
    }>(CREATE, { input: { name: 'labels', dimension: 8 } });
    expect(created.data.createDataset.dataset.allowLabelCreation).toBe(false);
    datasetId = created.data.createDataset.dataset.id;
    await t.gql(CREATE_SITE, { datasetId, name: 'hq' });
    await t.gql(CREATE_LABEL, { datasetId, name: 'cat' });
    await t.gql(CREATE_LABEL, { datasetId, name: 'dog' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a mistyped label with UNKNOWN_LABEL naming it and its item; nothing is written', async () => {
    const before = await state();
    const r = await t.gql<Ingested>(INGEST, {
      input: {
        datasetId,
        idempotencyKey: 'typo-1',
        items: [text(0, 'cat'), text(1, 'dgo'), text(2, 'dog'), text(3, 'dgo'), text(4, 'bird')],
      },
    });
    const [error] = r.data.ingestItems.errors;
    expect(r.data.ingestItems.created).toBe(0);
    expect(error).toMatchObject({
      code: 'UNKNOWN_LABEL',
      field: ['input', 'items', '1', 'labels', '0'],
    });
    expect(error!.message).toMatch(/^Item 1: unknown label "dgo"/);
    expect(error!.message).toContain('"dgo" (items 1, 3), "bird" (item 4)');
    expect(await state()).toEqual(before);
    // The refused request did not take its idempotency key: the corrected one goes through.
    const fixed = await t.gql<Ingested>(INGEST, {
      input: { datasetId, idempotencyKey: 'typo-1', items: [text(0, 'cat'), text(1, 'dog')] },
    });
    expect(fixed.data.ingestItems).toMatchObject({ created: 2, failed: 0, errors: [] });
  });

  it('createLabels: true creates the labels with the next class indices', async () => {
    const r = await t.gql<Ingested>(INGEST, {
      input: { datasetId, createLabels: true, items: [text(10, 'bird')] },
    });
    expect(r.data.ingestItems).toMatchObject({ created: 1, errors: [] });
    const after = (await state()) as { dataset: { labels: { name: string; index: number }[] } };
    expect(after.dataset.labels).toEqual([
      { name: 'cat', index: 0 },
      { name: 'dog', index: 1 },
      { name: 'bird', index: 2 },
    ]);
  });

  it('startBulkIngestion refuses an unknown label when started, before anything is staged', async () => {
    const before = await state();
    const r = await t.gql<{
      startBulkIngestion: { ingestion: { id: string } | null; errors: UserError[] };
    }>(START_BULK, { input: { datasetId, items: [text(20, 'cat'), text(21, 'fish')] } });
    expect(r.data.startBulkIngestion.ingestion).toBeNull();
    expect(r.data.startBulkIngestion.errors).toEqual([
      {
        code: 'UNKNOWN_LABEL',
        message: expect.stringMatching(/^Item 1: unknown label "fish"/) as string,
        field: ['input', 'items', '1', 'labels', '0'],
      },
    ]);
    expect(await state()).toEqual(before);
    const allowed = await t.gql<{
      startBulkIngestion: { ingestion: { id: string } | null; errors: UserError[] };
    }>(START_BULK, {
      input: { datasetId, createLabels: true, items: [text(20, 'cat'), text(21, 'fish')] },
    });
    expect(allowed.data.startBulkIngestion.errors).toEqual([]);
    expect(allowed.data.startBulkIngestion.ingestion?.id).toEqual(expect.any(String));
  });

  it("a dataset's allowLabelCreation lets every request create labels", async () => {
    const updated = await t.gql<{
      updateDataset: { dataset: { allowLabelCreation: boolean } };
    }>(UPDATE, { id: datasetId, input: { allowLabelCreation: true } });
    expect(updated.data.updateDataset.dataset.allowLabelCreation).toBe(true);
    const r = await t.gql<Ingested>(INGEST, {
      input: { datasetId, items: [text(30, 'horse')] },
    });
    expect(r.data.ingestItems).toMatchObject({ created: 1, errors: [] });

    const open = await t.gql<{
      createDataset: { dataset: { id: string; allowLabelCreation: boolean } };
    }>(CREATE, { input: { name: 'open labels', dimension: 8, allowLabelCreation: true } });
    expect(open.data.createDataset.dataset.allowLabelCreation).toBe(true);
    const openId = open.data.createDataset.dataset.id;
    await t.gql(CREATE_SITE, { datasetId: openId, name: 'hq' });
    const fresh = await t.gql<Ingested>(INGEST, {
      input: { datasetId: openId, items: [text(40, 'anything')] },
    });
    expect(fresh.data.ingestItems).toMatchObject({ created: 1, errors: [] });
  });
});
