/** Runs every `sh` block of docs/graphql.md, in order, against a live server (embedded mode). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_DATABASE_MODES } from '@concord/db/testing';
import { loadEmojiCorpus } from '@concord/features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './testing/harness.ts';

const run = promisify(execFile);

describe('docs/graphql.md', () => {
  let t: TestApp;
  let dir = '';
  beforeAll(async () => {
    t = await startTestApp(TEST_DATABASE_MODES[0]!, { RUN_WORKER: 'false' });
    dir = await mkdtemp(join(tmpdir(), 'concord-docs-'));
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('every command in it runs and gets a GraphQL answer', async () => {
    const doc = await readFile(new URL('../docs/graphql.md', import.meta.url), 'utf8');
    const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const env = {
      ...process.env,
      CONCORD_URL: t.url,
      CONCORD_KEY: t.adminKey,
      EXAMPLE_PNG: loadEmojiCorpus().find((r) => r.label === 'Flags')!.imagePath,
    };
    for (const block of blocks) {
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', block], { cwd: dir, env });
      const answer = JSON.parse(stdout.trim().split('\n').at(-1)!) as { data?: unknown };
      expect([block.slice(0, 60), answer.data]).not.toEqual([block.slice(0, 60), undefined]);
    }
    const items = await t.gql<{ items: { totalCount: number } }>(
      `query($id: ID!) { items(datasetId: $id) { totalCount } }`,
      { id: (await readFile(join(dir, 'dataset-id'), 'utf8')).trim() },
    );
    // The text and the image of the JSON call; the multipart upload is the same PNG (a duplicate).
    expect(items.data.items.totalCount).toBe(2);
  });
});
