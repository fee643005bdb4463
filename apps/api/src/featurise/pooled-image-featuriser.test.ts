/**
 * The image featuriser pool: bounded waiting, a typed refusal past the bound, and it goes on;
 * search queries go before waiting ingestion batches and are not refused for their backlog; the
 * CNNs of several datasets share the threads.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '@concord/features';
import { loadEmojiCorpus } from '@concord/features/demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { writeChannelMeansModel } from '../testing/user-model.ts';
import { resolveImageModel } from './catalogue.ts';
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

describe('ImageFeaturiserPool with several CNNs', () => {
  let threads: ImageFeaturiserPool;
  let modelsDir = '';
  beforeAll(async () => {
    threads = ImageFeaturiserPool.start(1, 4);
    modelsDir = await mkdtemp(join(tmpdir(), 'concord-pool-models-'));
    await writeChannelMeansModel(join(modelsDir, 'channel-means'));
  });
  afterAll(async () => {
    await threads?.destroy();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('runs each task with the CNN it names on one thread, and reloads a user model whose folder changed', async () => {
    const png = readFileSync(loadEmojiCorpus().find((r) => r.label === 'Flags')!.imagePath);
    const mobilenet = await threads.featuriser({
      kind: 'builtin',
      id: 'nsfwjs/mobilenet_v2',
      model: 'mobilenet_v2',
    });
    const spec = (await resolveImageModel('user/channel-means', modelsDir))!;
    const user = await threads.featuriser(spec);
    expect([user.id, user.dims, user.inputSize]).toEqual(['user/channel-means', 3, 16]);
    const small = await decodeImage(png, 'png', { size: user.inputSize });
    const large = await decodeImage(png, 'png', { size: mobilenet.inputSize });
    // Interleaved on the one thread: each batch gets its own CNN's vectors.
    const [a, b, c] = await Promise.all([
      user.featurise([small]),
      mobilenet.featurise([large]),
      user.featurise([small]),
    ]);
    expect([a[0]!.length, b[0]!.length, c[0]!.length]).toEqual([3, 1280, 3]);
    // The per-channel means of x/255 (the model's kernel is the identity): within [0, 1].
    expect(a[0]!.every((x) => x >= 0 && x <= 1)).toBe(true);

    // Twice the kernel: a new content hash, so a new version, and twice the vector.
    await writeChannelMeansModel(join(modelsDir, 'channel-means'), 2);
    const changed = (await resolveImageModel('user/channel-means', modelsDir))!;
    const doubled = await threads.featuriser(changed);
    expect(doubled.version).not.toBe(user.version);
    const [d] = await doubled.featurise([small]);
    // Tolerance: float32 products of values in [0, 1] by 1 and by 2.
    for (let i = 0; i < 3; i++) expect(Math.abs(d![i]! - 2 * a[0]![i]!)).toBeLessThan(1e-5);
    // The old featuriser's version no longer matches what the thread has loaded: refused, so
    // no vector is ever recorded under a version that did not compute it.
    await expect(user.featurise([small])).rejects.toThrow(/changed/);
  }, 300_000);
});

describe('a batch on a pool of two threads', () => {
  const mobilenet = { kind: 'builtin', id: 'nsfwjs/mobilenet_v2', model: 'mobilenet_v2' } as const;
  let one: ImageFeaturiserPool;
  let two: ImageFeaturiserPool;
  beforeAll(() => {
    one = ImageFeaturiserPool.start(1, 8);
    two = ImageFeaturiserPool.start(2, 8);
  });
  afterAll(async () => {
    await one?.destroy();
    await two?.destroy();
  });

  it('is split across both threads and gives the one-thread vectors in the batch order', async () => {
    const records = loadEmojiCorpus().slice(0, 10);
    const images = await Promise.all(
      records.map((r) => decodeImage(readFileSync(r.imagePath), 'png', { size: 224 })),
    );
    const single = await (await one.featuriser(mobilenet)).featurise(images);
    const split = await (await two.featuriser(mobilenet)).featuriseOnThreads(images);
    // 10 images on 2 threads: parts of 5 and 5, each on its own thread.
    expect(split.map((part) => part.features.length)).toEqual([5, 5]);
    expect(new Set(split.map((part) => part.threadId)).size).toBe(2);
    const vectors = split.flatMap((part) => part.features);
    expect(vectors).toHaveLength(single.length);
    // Tolerance: the same CNN and weights on another thread; float32 sums may differ in order.
    for (const [i, v] of vectors.entries())
      for (const [j, x] of v.entries()) expect(Math.abs(x - single[i]![j]!)).toBeLessThan(1e-4);
    // Below two parts' worth of images, one task.
    const small = await (await two.featuriser(mobilenet)).featuriseOnThreads(images.slice(0, 5));
    expect(small).toHaveLength(1);
  }, 300_000);
});
