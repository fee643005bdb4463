/**
 * ImageFeaturisers whose CNNs run on one piscina pool of worker threads. Decoding stays where the
 * ingestion pipeline does it (sharp, on libuv's thread pool); only the decoded pixels travel to a
 * thread (transferred, not copied) and the vectors come back. The pool keeps its threads (and
 * the CNNs they loaded) alive while the API runs. Every task names its CNN (datasets choose
 * theirs), and each thread loads a CNN the first time a task needs it.
 *
 * Two lanes share the threads: search queries (`forQueries()`) and ingestion batches. A waiting
 * query batch always goes before waiting ingestion batches, so someone searching by image waits
 * for at most the batch a thread is on, not for a bulk upload's whole backlog. Each lane has its
 * own bound: a full ingestion backlog never refuses a query.
 */
import type { DecodedImage, ImageFeaturiser } from '@concord/features';
import { Piscina, type TaskQueue } from 'piscina';
import { AppError } from '../errors.ts';
import type { ImageModelSpec } from './catalogue.ts';
import type { FeaturiserDescription, ImageTask, ImageTaskResult } from './protocol.ts';

export type Lane = 'query' | 'ingestion';

/** piscina's queued task (its type is not exported by name). */
type Task = Parameters<TaskQueue['push']>[0];

/** A lane is read from the task's queue options (piscina's hook for custom queues). */
interface LaneOptions {
  lane: Lane;
}

/** piscina's task queue with the query lane served first; FIFO within a lane. */
export class LaneTaskQueue implements TaskQueue {
  private readonly lanes: Record<Lane, Task[]> = { query: [], ingestion: [] };

  get size(): number {
    return this.lanes.query.length + this.lanes.ingestion.length;
  }

  sizeOf(lane: Lane): number {
    return this.lanes[lane].length;
  }

  push(task: Task): void {
    this.lanes[laneOf(task)].push(task);
  }

  unshift(task: Task): void {
    this.lanes[laneOf(task)].unshift(task);
  }

  shift(): Task | null {
    return this.lanes.query.shift() ?? this.lanes.ingestion.shift() ?? null;
  }

  remove(task: Task): void {
    const lane = this.lanes[laneOf(task)];
    const index = lane.indexOf(task);
    if (index >= 0) lane.splice(index, 1);
  }
}

function laneOf(task: Task): Lane {
  const options = task[Piscina.queueOptionsSymbol as keyof Task] as LaneOptions | null;
  return options?.lane ?? 'ingestion';
}

export class ImageFeaturiserPool {
  private constructor(
    private readonly pool: Piscina<ImageTask, ImageTaskResult>,
    private readonly queue: LaneTaskQueue,
    private readonly maxQueue: number,
    /** Threads of the pool: a batch is split across them. */
    readonly size: number,
  ) {}

  /**
   * Starts `threads` threads. Up to `maxQueue` batches of each lane wait for a thread; past that a
   * call fails with SERVICE_BUSY rather than holding ever more decoded pixels in memory.
   */
  static start(threads: number, maxQueue: number): ImageFeaturiserPool {
    const queue = new LaneTaskQueue();
    const pool = new Piscina<ImageTask, ImageTaskResult>({
      filename: new URL('./image-thread.mjs', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      // Waiting batches queue here rather than oversubscribing the cores; the bound per lane is
      // checked before each run.
      taskQueue: queue,
      maxQueue: 2 * maxQueue,
      // A task no thread could take goes back to the head of its lane, not to the tail.
      stricterFIFO: true,
    });
    return new ImageFeaturiserPool(pool, queue, maxQueue, threads);
  }

  /** Loads the CNN of `model` in one thread to learn its id, version and size. */
  async featuriser(model: ImageModelSpec): Promise<PooledImageFeaturiser> {
    const { describe } = await this.pool.run({ model, images: [] });
    return new PooledImageFeaturiser(this, model, describe, 'ingestion');
  }

  /** Runs one batch in `lane`, refused with SERVICE_BUSY when that lane's backlog is full. */
  async run(model: ImageModelSpec, images: DecodedImage[], lane: Lane): Promise<ImageTaskResult> {
    const waiting = this.queue.sizeOf(lane);
    if (waiting >= this.maxQueue) {
      throw new AppError(
        'SERVICE_BUSY',
        `The image featuriser is busy (${waiting} ${lane} batches waiting); retry shortly.`,
      );
    }
    const task: ImageTask & { [key: symbol]: LaneOptions } = {
      model,
      images,
      [Piscina.queueOptionsSymbol]: { lane },
    };
    // Callers pass pixels they own (copies), never a shared buffer.
    const transferList = images.map((image) => image.rgb.buffer as ArrayBuffer);
    return this.pool.run(task, { transferList });
  }

  /** Threads ready to take a batch (for tests and diagnostics). */
  get threads(): number {
    return this.pool.threads.length;
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}

/** The fewest images a batch is split into a task for: smaller parts cost more than they gain. */
const MIN_PART = 4;

/** One CNN on the pool's threads, in one lane. */
export class PooledImageFeaturiser implements ImageFeaturiser {
  constructor(
    private readonly pool: ImageFeaturiserPool,
    private readonly model: ImageModelSpec,
    private readonly description: FeaturiserDescription,
    private readonly lane: Lane,
  ) {}

  /** The same threads and CNN, for search queries: served before waiting ingestion batches. */
  forQueries(): PooledImageFeaturiser {
    return new PooledImageFeaturiser(this.pool, this.model, this.description, 'query');
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
    const results = await this.featuriseOnThreads(images);
    return results.flatMap((result) => result.features);
  }

  /**
   * One task per part of the batch, the batch split evenly across the pool's threads (parts of at
   * least MIN_PART images), so one import or bulk ingestion keeps every thread busy; results in
   * the batch's order.
   */
  async featuriseOnThreads(images: readonly DecodedImage[]): Promise<ImageTaskResult[]> {
    const parts = Math.max(1, Math.min(this.pool.size, Math.floor(images.length / MIN_PART)));
    const size = Math.ceil(images.length / parts);
    const results = await Promise.all(
      Array.from({ length: parts }, (_, i) =>
        // Own copies of the pixels, so transferring them cannot detach a buffer someone else holds.
        this.pool.run(
          this.model,
          images
            .slice(i * size, (i + 1) * size)
            .map((image) => ({ ...image, rgb: image.rgb.slice() })),
          this.lane,
        ),
      ),
    );
    // A thread that reloaded a changed model folder computed other features than this version's.
    if (results.some(({ describe }) => describe.version !== this.description.version))
      throw new Error(`${this.id} changed while this batch waited; featurise it again`);
    return results;
  }

  /** The pool is shared by every CNN; `Featurisers` destroys it. */
  dispose(): void {}
}
