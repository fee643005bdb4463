/**
 * An ImageFeaturiser whose CNN runs on a piscina pool of worker threads. Decoding stays where the
 * ingestion pipeline does it (sharp, on libuv's thread pool); only the decoded pixels travel to a
 * thread (transferred, not copied) and the vectors come back. The pool keeps its threads (and
 * their loaded CNN) alive while the API runs.
 */
import type { BuiltinCnnId, DecodedImage, ImageFeaturiser } from '@concord/features';
import { Piscina } from 'piscina';
import { AppError } from '../errors.ts';
import type { FeaturiserDescription, ImageTask, ImageTaskResult } from './protocol.ts';

export class PooledImageFeaturiser implements ImageFeaturiser {
  private constructor(
    private readonly pool: Piscina<ImageTask, ImageTaskResult>,
    private readonly cnn: BuiltinCnnId,
    private readonly description: FeaturiserDescription,
  ) {}

  /**
   * Starts `threads` threads and loads the CNN in one of them to learn its id and size. Up to
   * `maxQueue` batches wait for a thread; past that a call fails with SERVICE_BUSY rather than
   * holding ever more decoded pixels in memory.
   */
  static async start(
    cnn: BuiltinCnnId,
    threads: number,
    maxQueue: number,
  ): Promise<PooledImageFeaturiser> {
    const pool = new Piscina<ImageTask, ImageTaskResult>({
      filename: new URL('./image-thread.mjs', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      // Waiting batches queue here rather than oversubscribing the cores.
      maxQueue,
    });
    try {
      const { describe } = await pool.run({ cnn, images: [] });
      return new PooledImageFeaturiser(pool, cnn, describe);
    } catch (error) {
      await pool.destroy();
      throw error;
    }
  }

  get id(): string {
    return this.description.id;
  }
  get version(): string {
    return this.description.version;
  }
  get dims(): number {
    return this.description.dims;
  }
  get inputSize(): number {
    return this.description.inputSize;
  }

  async featurise(images: readonly DecodedImage[]): Promise<Float32Array[]> {
    // Own copies of the pixels, so transferring them cannot detach a buffer someone else holds.
    const owned = images.map((image) => ({ ...image, rgb: image.rgb.slice() }));
    if (this.pool.queueSize >= this.pool.options.maxQueue) {
      throw new AppError(
        'SERVICE_BUSY',
        `The image featuriser is busy (${this.pool.queueSize} batches waiting); retry shortly.`,
      );
    }
    const result = await this.pool.run(
      { cnn: this.cnn, images: owned },
      { transferList: owned.map((image) => image.rgb.buffer) },
    );
    return result.features;
  }

  /** Threads ready to take a batch (for tests and diagnostics). */
  get threads(): number {
    return this.pool.threads.length;
  }

  dispose(): void {
    void this.pool.destroy();
  }
}
