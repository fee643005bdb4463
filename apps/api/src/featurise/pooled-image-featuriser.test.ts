/**
 * The image featuriser pool: bounded waiting, a typed refusal past the bound, and it goes on;
 * search queries go before waiting ingestion batches and are not refused for their backlog.
 */
import { readFileSync } from 'node:fs';
import { decodeImage } from '@concord/features';
import { loadEmojiCorpus } from '@concord/features/demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { ImageFeaturiserPool, type PooledImageFeaturiser } from './pooled-image-featuriser.ts';

describe('PooledImageFeaturiser', () => {
  let threads: ImageFeaturiserPool;
  let pool: PooledImageFeaturiser;
  beforeAll(async () => {
    threads = ImageFeaturiserPool.start(1, 2);
    pool = await threads.featuriser({
      kind: 'builtin',
      id: 'nsfwjs/mobilenet_v2',
      model: 'mobilenet_v2',
    });
  }, 300_000);
  afterAll(() => threads?.destroy());

  it('answers SERVICE_BUSY past its queue bound and still serves every accepted batch', async () => {
    const png = loadEmojiCorpus().find((r) => r.label === 'Flags')!.imagePath;
    const image = await decodeImage(readFileSync(png), 'png', { size: pool.inputSize });
    // One batch runs, two wait; the rest find the queue full at once.
    const calls = Array.from({ length: 6 }, () => pool.featurise([image]));
    const settled = await Promise.allSettled(calls);
    const refused = settled.filter((s) => s.status === 'rejected');
    const served = settled.filter((s) => s.status === 'fulfilled');
    expect(served.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(AppError);
      expect((r.reason as AppError).code).toBe('SERVICE_BUSY');
    }
    // Every accepted batch gives the same vector (same thread, same input: within 1e-6), and the
    // pool takes work again afterwards.
    const [again] = await pool.featurise([image]);
    expect(again!.length).toBe(pool.dims);
    for (const s of served) {
      const gap = Math.max(...s.value[0]!.map((v, i) => Math.abs(v - again![i]!)));
      expect(gap).toBeLessThan(1e-6);
    }
  }, 300_000);

  it('serves a query before the ingestion batches waiting ahead of it, even past their bound', async () => {
    const png = loadEmojiCorpus().find((r) => r.label === 'Flags')!.imagePath;
    const image = await decodeImage(readFileSync(png), 'png', { size: pool.inputSize });
    const done: string[] = [];
    const track = (name: string, call: Promise<Float32Array[]>) =>
      call.then(
        () => done.push(name),
        (error: unknown) => done.push(`${name} refused: ${(error as AppError).code}`),
      );
    // One thread: ingestion batch 0 runs, 1 and 2 wait (the lane's bound is 2), 3 is refused;
    // then two queries arrive, find their own lane empty and go before batches 1 and 2.
    const batch = [image, image, image, image];
    const ingestion = [0, 1, 2, 3].map((i) => track(`ingest ${i}`, pool.featurise(batch)));
    const queries = pool.forQueries();
    const asked = [0, 1].map((i) => track(`query ${i}`, queries.featurise([image])));
    await Promise.all([...ingestion, ...asked]);
    expect(done[0]).toBe('ingest 3 refused: SERVICE_BUSY');
    expect(done.slice(1)).toEqual(['ingest 0', 'query 0', 'query 1', 'ingest 1', 'ingest 2']);
  }, 300_000);
});
