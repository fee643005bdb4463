/**
 * Import into the database with real files: a folder (labels from sub-folders) and a JSONL
 * manifest, through the API's ingestion service, on both database modes. Bad items fail alone
 * with their code; a re-import stores nothing twice.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { readManifest, walkFolder, type SourceItem } from '@concord/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../services/datasets/create-dataset.ts';
import { startTestApp, type TestApp } from '../testing/harness.ts';
import { importItems, SYSTEM_PRINCIPAL, type ImportProgress } from './import-items.ts';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURES = join(REPO, 'test', 'fixtures', 'features');
const PASCAL = join(REPO, '..', 'shared', 'datasets', 'pascal-sentences');

interface PascalEntry {
  category: string;
  captions: string[];
}
const pascal = Object.entries(
  JSON.parse(readFileSync(join(PASCAL, 'pascal_sentences.json'), 'utf8')) as Record<
    string,
    PascalEntry
  >,
);
/** The first n entries of a class; `withImage`: only those whose image is in the checkout. */
const firstOf = (category: string, n: number, withImage = true) =>
  pascal
    .filter(
      ([file, e]) =>
        e.category === category && (!withImage || existsSync(join(PASCAL, 'images', file))),
    )
    .slice(0, n);

/** root/<label>/<file>: 2 aeroplane photos, 2 other images, 4 documents and 4 bad files. */
function makeFolder(root: string): void {
  mkdirSync(join(root, 'aeroplane'));
  for (const [file] of firstOf('aeroplane', 2))
    copyFileSync(join(PASCAL, 'images', file), join(root, 'aeroplane', file));
  mkdirSync(join(root, 'shapes'));
  for (const file of ['alpha.png', 'halves.webp'])
    copyFileSync(join(FIXTURES, 'images', file), join(root, 'shapes', file));
  mkdirSync(join(root, 'documents'));
  for (const file of ['report.pdf', 'timetable.docx', 'page.html', 'notes.md'])
    copyFileSync(join(FIXTURES, 'docs', file), join(root, 'documents', file));
  mkdirSync(join(root, 'broken'));
  for (const file of ['png-named.jpg', 'empty.txt', 'encrypted.pdf', 'bomb-8000x6000.png'])
    copyFileSync(join(FIXTURES, 'bad', file), join(root, 'broken', file));
}

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe.each(TEST_DATABASE_MODES)('import into the database ($name)', (mode) => {
  let t: TestApp;
  let datasetId = '';
  const root = mkdtempSync(join(tmpdir(), 'concord-import-'));

  beforeAll(async () => {
    makeFolder(root);
    t = await startTestApp(mode);
    datasetId = (await createDataset(t.app.deps, SYSTEM_PRINCIPAL, { name: `import-${mode.name}` }))
      .id;
  });
  afterAll(async () => {
    await t?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('imports a folder: every good file stored with its features, each bad one failed alone', async () => {
    const items = await collect(walkFolder(root, { labelFromFolder: true, site: 'hq' }));
    expect(items).toHaveLength(12);
    const progress: ImportProgress[] = [];
    const summary = await importItems(t.app.deps, SYSTEM_PRINCIPAL, items, {
      datasetId,
      createLabels: true,
      batchSize: 5,
      total: items.length,
      onProgress: (p) => progress.push(p),
    });
    const codes = Object.fromEntries(summary.errors.map((e) => [e.key, e.code]));
    expect(codes).toEqual({
      'broken/png-named.jpg': 'TYPE_MISMATCH',
      'broken/empty.txt': 'EMPTY_CONTENT',
      'broken/encrypted.pdf': 'ENCRYPTED_PDF',
      'broken/bomb-8000x6000.png': 'PIXEL_LIMIT',
    });
    expect(summary).toMatchObject({ created: 8, duplicates: 0, failed: 4 });
    expect(progress.at(-1)).toMatchObject({ processed: 12, total: 12, created: 8, failed: 4 });

    const { repos } = t.app.deps;
    expect(await repos.items.count({ datasetId, modality: 'image' })).toBe(4);
    expect(await repos.items.count({ datasetId, modality: 'text' })).toBe(4);
    const sites = await repos.datasets.listSites(datasetId);
    expect(sites.map((s) => s.name)).toEqual(['hq']);
    const labels = (await repos.datasets.listLabels(datasetId)).map((l) => l.name).sort();
    expect(labels).toEqual(['aeroplane', 'broken', 'documents', 'shapes']);
    // The image features carry the featuriser's id; texts are featurised per model at training.
    const training = await repos.items.trainingItems(
      datasetId,
      t.app.deps.featurisers.defaultImageId,
    );
    const images = training.filter((i) => i.modality === 'image');
    expect(images).toHaveLength(4);
    for (const image of images) expect(image.features?.length).toBe(1280);
    const texts = training.filter((i) => i.modality === 'text');
    expect(texts.every((i) => (i.text ?? '').length > 0)).toBe(true);
  });

  it('re-importing the same folder stores nothing twice', async () => {
    const items = await collect(walkFolder(root, { labelFromFolder: true, site: 'hq' }));
    const summary = await importItems(t.app.deps, SYSTEM_PRINCIPAL, items, {
      datasetId,
      createLabels: true,
    });
    expect(summary).toMatchObject({ created: 0, duplicates: 8, failed: 4 });
    expect(await t.app.deps.repos.items.count({ datasetId })).toBe(8);
  });

  it('imports a JSONL manifest of texts and paths with sites and labels; bad rows fail alone', async () => {
    const captions = firstOf('cat', 3, false).flatMap(([, e]) => e.captions.slice(0, 2));
    const [file] = firstOf('aeroplane', 3)[2]!;
    const lines = [
      ...captions.map((text, i) => ({ id: `cap-${i}`, text, labels: ['cat'], site: 'branch' })),
      // The same caption under another key, in the same batch: another item (identity by key)...
      { id: 'cap-again', text: captions[0], labels: ['cat'], site: 'branch' },
      // ...and again under its own key: a duplicate, not a failure.
      { id: 'cap-0', text: captions[0], labels: ['cat'], site: 'branch' },
      {
        id: 'bird',
        path: join(PASCAL, 'images', file),
        modality: 'image',
        label: 'bird',
        site: 'branch',
      },
      { id: 'no-label', text: 'a caption without any label', site: 'branch' },
      { id: 'two-sources', text: 'x', path: 'y.jpg', labels: ['cat'] },
      {
        id: 'pdf-as-image',
        path: join(FIXTURES, 'docs', 'report.pdf'),
        modality: 'image',
        labels: ['cat'],
        site: 'branch',
      },
    ];
    const manifest = join(root, 'manifest.jsonl');
    writeFileSync(manifest, lines.map((l) => JSON.stringify(l)).join('\n') + '\n{not json\n');
    const items = await readManifest(manifest);
    const summary = await importItems(t.app.deps, SYSTEM_PRINCIPAL, items, {
      datasetId,
      createLabels: true,
    });
    expect(Object.fromEntries(summary.errors.map((e) => [e.key, e.code]))).toEqual({
      'no-label': 'BAD_LABELS',
      'two-sources': 'BAD_RECORD',
      'pdf-as-image': 'TYPE_MISMATCH',
      'row-13': 'BAD_RECORD',
    });
    expect(summary).toMatchObject({ created: captions.length + 2, duplicates: 1, failed: 4 });
    const sites = (await t.app.deps.repos.datasets.listSites(datasetId)).map((s) => s.name);
    expect(sites.sort()).toEqual(['branch', 'hq']);
    const again = await importItems(t.app.deps, SYSTEM_PRINCIPAL, items, {
      datasetId,
      createLabels: true,
    });
    expect(again).toMatchObject({ created: 0, duplicates: captions.length + 3, failed: 4 });
  });

  it('without createLabels an entry naming a label the dataset lacks fails alone (UNKNOWN_LABEL)', async () => {
    const { repos } = t.app.deps;
    const before = await repos.datasets.listLabels(datasetId);
    const items: SourceItem[] = [
      { key: 'known', text: 'a cat asleep on a warm windowsill', labels: ['cat'], site: 'hq' },
      { key: 'typo', text: 'a cat chasing a ball of red wool', labels: ['cta'], site: 'hq' },
    ];
    const summary = await importItems(t.app.deps, SYSTEM_PRINCIPAL, items, { datasetId });
    expect(summary).toMatchObject({ created: 1, duplicates: 0, failed: 1 });
    expect(summary.errors).toEqual([
      { key: 'typo', code: 'UNKNOWN_LABEL', message: expect.stringContaining('"cta"') as string },
    ]);
    expect(await repos.datasets.listLabels(datasetId)).toEqual(before);
  });
});
