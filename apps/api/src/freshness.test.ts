/**
 * Searchable on arrival, on both database modes: once a dataset has an active model, an item
 * stored through `ingestItems`, a bulk ingestion or the import path is embedded by that model
 * before its ingestion answers (bulk: before its job counts it), and is found by its own content
 * at once; items stored while a new model is being trained and embedded end up in both models.
 * The item shows its lineage: its feature vectors and the models that embedded it. The import
 * CLI runs as a process against the same database in postgres mode (PGlite is one process's).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importItems, SYSTEM_PRINCIPAL } from './import/import-items.ts';
import { emojiTestCorpus, ingestInput, type CorpusItem } from './testing/emoji-corpus.ts';
import { runImportCli } from './testing/run-cli.ts';
import { startTestApp, waitFor, type TestApp } from './testing/harness.ts';
import { CREATE_DATASET, CREATE_SITE, RUN, SEARCH, START_RUN } from './testing/operations.ts';

const csv = (value: string) => `"${value.replaceAll('"', '""')}"`;

const INGEST_LINEAGE = `mutation($input: IngestItemsInput!) {
  ingestItems(input: $input) {
    created failed
    results { status error item { id embedded embeddings { model { id version } } } }
    errors { code message }
  }
}`;
const ITEM = `query($id: ID!) {
  item(id: $id) {
    id embedded
    featureVectors { featuriserId featuriserVersion dimension }
    embeddings { model { id version } createdAt }
  }
}`;
const START_BULK = `mutation($input: StartBulkIngestionInput!) {
  startBulkIngestion(input: $input) { ingestion { id } errors { code message } }
}`;
const BULK = `query($id: ID!) {
  bulkIngestion(id: $id) { status created results { edges { node { item { id embedded } } } } }
}`;

interface SearchData {
  search: {
    model: { id: string; version: number };
    edges: { node: { score: number; item: { id: string } } }[];
  };
}
interface IngestData {
  ingestItems: {
    created: number;
    failed: number;
    results: {
      status: string;
      error: string | null;
      item: { id: string; embedded: boolean; embeddings: { model: { version: number } }[] } | null;
    }[];
    errors: unknown[];
  };
}

/** Small and quick: this suite is about where items land, not how well the model ranks. */
const CONFIG = {
  hiddenSizes: [32],
  splEpochs: 4,
  rscEpochs: 4,
  batchSize: 16,
  textDimensions: 24,
  seed: 1,
};
const PER_CLASS = 14;
/** Items held back from the first ingestion, to arrive after a model is active. */
const LATE_PER_CLASS = 4;

describe.each(TEST_DATABASE_MODES)('new items are searchable on arrival ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  const corpus = emojiTestCorpus(PER_CLASS + LATE_PER_CLASS, ['north', 'south']);
  const perLabel = (items: CorpusItem[], from: number, to: number) =>
    [...new Set(items.map((i) => i.label))].flatMap((label) =>
      items.filter((i) => i.label === label).slice(from, to),
    );
  const early = [...perLabel(corpus.images, 0, PER_CLASS), ...perLabel(corpus.texts, 0, PER_CLASS)];
  const late = [
    ...perLabel(corpus.images, PER_CLASS, PER_CLASS + LATE_PER_CLASS),
    ...perLabel(corpus.texts, PER_CLASS, PER_CLASS + LATE_PER_CLASS),
  ];

  const ingest = async (items: CorpusItem[]) => {
    const response = await t.gql<IngestData>(INGEST_LINEAGE, {
      input: { datasetId, createLabels: true, items: items.map((item) => ingestInput(item)) },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data.ingestItems.errors).toEqual([]);
    return response.data.ingestItems;
  };
  const train = async (config: Record<string, unknown> = CONFIG) => {
    const started = await t.gql<{ startTrainingRun: { run: { id: string } | null } }>(START_RUN, {
      datasetId,
      config,
    });
    return started.data.startTrainingRun.run!.id;
  };
  const finished = (runId: string) =>
    waitFor(
      async () => {
        const run = (
          await t.gql<{
            trainingRun: { status: string; model: { id: string; version: number } | null };
          }>(RUN, { id: runId })
        ).data.trainingRun;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
      },
      240_000,
      'the training run',
    );
  /**
   * Whether searching by the item's own content ranks it first: its score is the top score (a
   * text whose words the model's LSA never saw shares its vector with other such texts, so ties
   * at the top count too).
   */
  const foundByContent = async (item: CorpusItem, itemId: string, modelId?: string) => {
    const response = await t.gql<SearchData>(SEARCH, {
      datasetId,
      query: item.base64 ? { image: item.base64 } : { text: item.text },
      target: item.base64 ? 'IMAGE' : 'TEXT',
      first: 100,
      mode: 'EXACT',
      ...(modelId ? { modelId } : {}),
    });
    expect(response.errors).toBeUndefined();
    const edges = response.data.search.edges;
    const hit = edges.find((e) => e.node.item.id === itemId);
    return hit !== undefined && hit.node.score >= edges[0]!.node.score - 1e-5;
  };
  const itemsOf = (outcome: IngestData['ingestItems']) =>
    outcome.results.map((r) => {
      expect(r.error).toBeNull();
      return r.item!;
    });

  beforeAll(async () => {
    t = await startTestApp(mode);
    const created = await t.gql<{ createDataset: { dataset: { id: string } } }>(CREATE_DATASET, {
      input: { name: `fresh-${mode.name}`, dimension: 16 },
    });
    datasetId = created.data.createDataset.dataset.id;
    for (const name of ['north', 'south']) await t.gql(CREATE_SITE, { datasetId, name });
    const stored = await ingest(early);
    expect(stored.created).toBe(early.length);
    // Nothing to embed into yet: stored, not embedded.
    expect(stored.results.every((r) => r.item?.embedded === false)).toBe(true);
    const run = await finished(await train());
    expect(run.status).toBe('SUCCEEDED');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an item ingested after promotion is embedded before ingestItems answers and found by its content', async () => {
    const batch = [late[0]!, late.at(-1)!]; // an image and a text
    const items = itemsOf(await ingest(batch));
    for (const [i, item] of items.entries()) {
      expect(item.embedded).toBe(true);
      expect(item.embeddings.map((e) => e.model.version)).toEqual([1]);
      expect(await foundByContent(batch[i]!, item.id)).toBe(true);
    }
    const image = await t.gql<{
      item: {
        embedded: boolean;
        featureVectors: { featuriserId: string; featuriserVersion: string; dimension: number }[];
        embeddings: { model: { version: number }; createdAt: string }[];
      };
    }>(ITEM, { id: items[0]!.id });
    expect(image.data.item.featureVectors).toEqual([
      expect.objectContaining({ featuriserId: 'nsfwjs/mobilenet_v2', dimension: 1280 }),
    ]);
    expect(image.data.item.embeddings).toHaveLength(1);
  });

  it('items of a bulk ingestion and of the import path are found by their content when stored', async () => {
    const bulkItems = [late[1]!, late.at(-2)!];
    const started = await t.gql<{ startBulkIngestion: { ingestion: { id: string } } }>(START_BULK, {
      input: { datasetId, items: bulkItems.map((item) => ingestInput(item)) },
    });
    const id = started.data.startBulkIngestion.ingestion.id;
    const done = await waitFor(
      async () => {
        const b = (
          await t.gql<{
            bulkIngestion: {
              status: string;
              created: number;
              results: { edges: { node: { item: { id: string; embedded: boolean } } }[] };
            };
          }>(BULK, { id })
        ).data.bulkIngestion;
        return b.status === 'SUCCEEDED' ? b : undefined;
      },
      120_000,
      'the bulk ingestion',
    );
    expect(done.created).toBe(2);
    for (const [i, edge] of done.results.edges.entries()) {
      expect(edge.node.item.embedded).toBe(true);
      expect(await foundByContent(bulkItems[i]!, edge.node.item.id)).toBe(true);
    }

    const text = late.at(-3)!;
    const summary = await importItems(
      t.app.deps,
      SYSTEM_PRINCIPAL,
      [{ key: text.key, text: text.text!, labels: [text.label], site: text.site }],
      { datasetId },
    );
    expect(summary).toMatchObject({ created: 1, failed: 0 });
    const imported = await t.app.deps.repos.items.list({ datasetId, first: 1000 });
    const row = imported.rows.find((r) => r.externalKey === text.key)!;
    expect(await foundByContent(text, row.id)).toBe(true);

    if (!t.databaseUrl) return;
    // The import CLI, a process of its own on the same PostgreSQL database.
    const viaCli = late.at(-4)!;
    const dir = mkdtempSync(join(tmpdir(), 'concord-fresh-cli-'));
    try {
      const manifest = join(dir, 'manifest.csv');
      writeFileSync(
        manifest,
        'id,text,modality,labels,site\n' +
          [viaCli.key, viaCli.text!, 'text', viaCli.label, viaCli.site].map(csv).join(',') +
          '\n',
      );
      const cli = await runImportCli([manifest, '--dataset', `fresh-${mode.name}`], {
        ...process.env,
        DATABASE_URL: t.databaseUrl,
        NODE_ENV: 'test',
      });
      expect(cli.out).toMatch(/1 created, 0 duplicates \(already stored\), 0 failed/);
      expect(cli.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const afterCli = await t.app.deps.repos.items.list({ datasetId, first: 1000 });
    const cliRow = afterCli.rows.find((r) => r.externalKey === viaCli.key)!;
    expect(await foundByContent(viaCli, cliRow.id)).toBe(true);
  });

  it('items stored while a new model is trained and embedded end up in both models', async () => {
    // Per-site prior candidates this time, to check that the run names them by site.
    const runId = await train({ ...CONFIG, priorCandidates: 'SITE_MODALITY', minSiteItems: 2 });
    const during: { item: CorpusItem; id: string }[] = [];
    const waiting = [...late.slice(2, -4)];
    // One item at a time until the run ends; an item counts only when the run was still running
    // after its ingestion answered (so it surely arrived during the run).
    while (waiting.length > 0) {
      const item = waiting.shift()!;
      const [stored] = itemsOf(await ingest([item]));
      expect(stored!.embedded).toBe(true);
      const run = (await t.gql<{ trainingRun: { status: string } }>(RUN, { id: runId })).data
        .trainingRun;
      if (run.status !== 'RUNNING' && run.status !== 'QUEUED') break;
      during.push({ item, id: stored!.id });
      await delay(300); // spread the arrivals over planning, training and re-embedding
    }
    const run = await finished(runId);
    expect(run.status).toBe('SUCCEEDED');
    expect(during.length).toBeGreaterThan(0);
    const [v1, v2] = await t.app.deps.repos.models
      .list(datasetId, { first: 10, afterId: null })
      .then((page) => page.rows);
    for (const { item, id } of during) {
      const lineage = await t.gql<{ item: { embeddings: { model: { version: number } }[] } }>(
        ITEM,
        { id },
      );
      expect(lineage.data.item.embeddings.map((e) => e.model.version).sort()).toEqual([1, 2]);
      expect(await foundByContent(item, id, v1!.id)).toBe(true);
      expect(await foundByContent(item, id, v2!.id)).toBe(true);
    }
    // The prior candidates and the chosen prior name their sites, ids alongside.
    const prior = (
      await t.gql<{
        trainingRun: {
          selectedPrior: { name: string };
          priorCandidates: { name: string; site: { id: string; name: string } | null }[];
        };
      }>(`query($id: ID!) { trainingRun(id: $id) { selectedPrior priorCandidates } }`, {
        id: runId,
      })
    ).data.trainingRun;
    const sites = await t.app.deps.repos.datasets.listSites(datasetId);
    const named = prior.priorCandidates.map((c) => [c.name, c.site]);
    expect(named).toEqual(
      expect.arrayContaining(
        ['image', 'text'].flatMap((modality) =>
          sites.map((site) => [`${modality} @ ${site.name}`, { id: site.id, name: site.name }]),
        ),
      ),
    );
    expect(prior.priorCandidates.map((c) => c.name)).toContain(prior.selectedPrior.name);
    // And the new model holds every stored item, as the old one does.
    const count = await t.app.deps.repos.items.count({ datasetId });
    expect(await t.app.deps.db.embeddings.count(v2!.id)).toBe(count);
    expect(await t.app.deps.db.embeddings.count(v1!.id)).toBe(count);
  });
});
