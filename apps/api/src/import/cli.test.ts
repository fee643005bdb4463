/**
 * The `import` CLI as a user runs it (a process on an embedded database in a temp folder): a CSV
 * manifest goes in, a bad row fails alone (exit code 1, listed and written to --errors), a
 * second run stores nothing twice, a manifest's record column links items (and one content under
 * two ids is two items), and a created dataset gets the CNN --image-featuriser names.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@concord/db';
import { writeNpyFloat32 } from '@concord/features';
import { afterAll, describe, expect, it } from 'vitest';
import { runImportCli } from '../testing/run-cli.ts';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/features/', import.meta.url));

function runCli(args: string[], dataDir: string): Promise<{ code: number; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CONCORD_DATA_DIR: dataDir, NODE_ENV: 'test' };
  delete env.DATABASE_URL; // the embedded database
  return runImportCli(args, env);
}

describe('import CLI (embedded database)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-import-cli-'));
  const dataDir = join(dir, 'data');
  const manifest = join(dir, 'manifest.csv');
  const errors = join(dir, 'errors.jsonl');
  writeFileSync(
    manifest,
    [
      'id,path,text,modality,labels,site',
      `png,${join(FIXTURES, 'images', 'alpha.png')},,image,shapes,hq`,
      `webp,${join(FIXTURES, 'images', 'halves.webp')},,image,shapes,branch`,
      'caption,,a red square beside a blue one,text,shapes|colours,hq',
      `empty,${join(FIXTURES, 'bad', 'empty.txt')},,text,shapes,hq`,
    ].join('\n') + '\n',
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a manifest; failed rows are listed; a second run is a no-op', async () => {
    const args = [
      manifest,
      '--dataset',
      'shapes',
      '--create',
      '--create-labels',
      '--errors',
      errors,
    ];
    const first = await runCli(args, dataDir);
    expect(first.out).toMatch(/admin API key was created/);
    expect(first.out).toMatch(/created dataset "shapes"/);
    expect(first.out).toMatch(/3 created, 0 duplicates \(already stored\), 1 failed/);
    expect(first.out).toMatch(/empty: EMPTY_CONTENT/);
    expect(first.code).toBe(1);
    expect(
      readFileSync(errors, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as object),
    ).toEqual([{ key: 'empty', code: 'EMPTY_CONTENT', message: expect.any(String) as string }]);

    const second = await runCli(args, dataDir);
    expect(second.out).not.toMatch(/admin API key/);
    expect(second.out).toMatch(/0 created, 3 duplicates \(already stored\), 1 failed/);

    const missing = await runCli([manifest, '--dataset', 'nope'], dataDir);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/no dataset "nope"/);
  });

  it('imports records; one content under two ids is two items; rows without id are keyless', async () => {
    const data = join(dir, 'records');
    const records = join(dir, 'records.csv');
    const png = join(FIXTURES, 'images', 'alpha.png');
    writeFileSync(
      records,
      [
        'id,path,text,modality,labels,site,record',
        `square.png,${png},,image,shapes,hq,sq-1`,
        `square-copy.png,${png},,image,copies,branch,sq-2`,
        'square.txt,,a square with alpha,text,shapes,hq,sq-1',
        ',,a keyless note,text,notes,hq,',
        ',,a keyless note,text,notes,hq,',
      ].join('\n') + '\n',
    );
    const args = [records, '--dataset', 'records', '--create', '--create-labels', '--quiet'];
    const first = await runCli(args, data);
    expect(first.out).toMatch(/4 created, 1 duplicates \(already stored\), 0 failed/);
    expect(first.code).toBe(0);
    const again = await runCli(args, data);
    expect(again.out).toMatch(/0 created, 5 duplicates \(already stored\), 0 failed/);
    const db = await openDatabase({ mode: 'embedded', dataDir: data });
    try {
      const items = await db.sql.query<{ key: string | null; record: string | null; site: string }>(
        `SELECT i.external_key AS key, i.record_key AS record, s.name AS site
         FROM item i JOIN site s ON s.id = i.site_id ORDER BY i.external_key NULLS LAST`,
      );
      expect(items).toEqual([
        { key: 'square-copy.png', record: 'sq-2', site: 'branch' },
        { key: 'square.png', record: 'sq-1', site: 'hq' },
        { key: 'square.txt', record: 'sq-1', site: 'hq' },
        { key: null, record: null, site: 'hq' },
      ]);
      // The two keys of one image share one vector's values: one row each.
      const vectors = await db.sql.query<{ n: number; distinct_values: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT "values")::int AS distinct_values FROM feature_vector`,
      );
      expect(vectors).toEqual([{ n: 2, distinct_values: 1 }]);
    } finally {
      await db.close();
    }
  });

  it('creates a dataset with the CNN --image-featuriser names; an unknown one creates nothing', async () => {
    const data = join(dir, 'featurisers');
    const refused = await runCli(
      [manifest, '--dataset', 'bad', '--create', '--image-featuriser', 'user/../x'],
      data,
    );
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/Unknown image featuriser "user\/\.\.\/x"/);
    const args = [
      '--dataset',
      'deep',
      '--create',
      '--create-labels',
      '--image-featuriser',
      'nsfwjs/inception_v3',
    ];
    const made = await runCli([manifest, ...args, '--quiet'], data);
    expect(made.out).toMatch(/3 created, 0 duplicates \(already stored\), 1 failed/);
    const db = await openDatabase({ mode: 'embedded', dataDir: data });
    try {
      expect(await db.sql.query(`SELECT name, featurisers FROM dataset`)).toEqual([
        { name: 'deep', featurisers: { image: 'nsfwjs/inception_v3', text: 'lsa-tfidf' } },
      ]);
      const vectors = await db.sql.query<{ id: string; dims: number }>(
        `SELECT featuriser_id AS id, dimension AS dims FROM feature_vector`,
      );
      expect(vectors).toEqual([
        { id: 'nsfwjs/inception_v3', dims: 2048 },
        { id: 'nsfwjs/inception_v3', dims: 2048 },
      ]);
    } finally {
      await db.close();
    }
  });

  it('imports a .npy feature file with --vectors: labels file, class names, --create, bad rows by number', async () => {
    const data = join(dir, 'vectors');
    const features = join(dir, 'features.npy');
    const labels = join(dir, 'labels.npy');
    const rows = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, Number.NaN],
      [0.5, 0.5, 0],
    ].map((r) => Float32Array.from(r));
    writeFileSync(features, writeNpyFloat32(rows, 3));
    // Multi-hot labels: classes 0, 1, 0, 1.
    const hot = [0, 1, 0, 1].map((c) => Float32Array.from([c === 0 ? 1 : 0, c === 1 ? 1 : 0]));
    writeFileSync(labels, writeNpyFloat32(hot, 2));
    const args = [
      features,
      '--dataset',
      'encoded',
      '--vectors',
      '--modality',
      'image',
      '--labels',
      labels,
      '--class-names',
      'cat,dog',
      '--site',
      'lab',
      '--create',
      '--create-labels',
      '--vector-name',
      'my-encoder',
      '--errors',
      errors,
    ];
    const first = await runCli(args, data);
    expect(first.out).toMatch(/created dataset "encoded"/);
    expect(first.out).toMatch(/3 created, 0 duplicates \(already stored\), 1 failed/);
    expect(first.out).toMatch(/row 3: BAD_VECTOR/);
    expect(first.code).toBe(1);
    expect(JSON.parse(readFileSync(errors, 'utf8').trim())).toMatchObject({
      row: 3,
      code: 'BAD_VECTOR',
    });
    const second = await runCli(args, data);
    expect(second.out).toMatch(/0 created, 3 duplicates \(already stored\), 1 failed/);
    // A JSONL file whose first row is short: checked against the dataset's 3, not that row's 2.
    const jsonl = join(dir, 'more.jsonl');
    writeFileSync(
      jsonl,
      [
        [1, 2],
        [3, 4, 5],
        [6, 7, 8],
      ]
        .map((vector, i) => JSON.stringify({ id: `j${i}`, vector, label: 'cat', site: 'lab' }))
        .join('\n') + '\n',
    );
    const more = await runCli(
      [jsonl, '--dataset', 'encoded', '--vectors', '--modality', 'image', '--quiet'],
      data,
    );
    expect(more.out).toMatch(/2 created, 0 duplicates \(already stored\), 1 failed/);
    expect(more.out).toMatch(/row 1: BAD_VECTOR/);
    const db = await openDatabase({ mode: 'embedded', dataDir: data });
    try {
      expect(await db.sql.query(`SELECT featurisers FROM dataset`)).toEqual([
        {
          featurisers: {
            image: 'vectors/my-encoder',
            text: 'lsa-tfidf',
            imported: { image: { dimension: 3 } },
          },
        },
      ]);
      const labelled = await db.sql.query<{ name: string; n: number }>(
        `SELECT l.name, count(*)::int AS n FROM item_label il JOIN label l ON l.id = il.label_id GROUP BY l.name ORDER BY l.name`,
      );
      expect(labelled).toEqual([
        { name: 'cat', n: 3 },
        { name: 'dog', n: 2 },
      ]);
    } finally {
      await db.close();
    }
  });

  it('refuses an embedded database another process has open', async () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    writeFileSync(join(open, 'postmaster.pid'), '-42\n');
    const refused = await runCli([manifest, '--dataset', 'shapes'], open);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/open in another process/);
  });
});
