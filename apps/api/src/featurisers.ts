/**
 * The content featurisers the API and worker share: the image CNN (loaded once, lazily) and a
 * placeholder for texts at ingestion time — text features (LSA) are fitted per model at training,
 * so ingestion only extracts and stores the text. With `threads` > 0 the CNN runs on a pool of
 * worker threads (piscina), off the event loop that answers requests; 0 runs it in-process.
 */
import {
  createImageFeaturiser,
  ingest,
  type BuiltinCnnId,
  type ImageFeaturiser,
  type IngestResult,
  type SourceItem,
  type TextFeaturiser,
} from '@concord/features';
import { AppError, badInput } from './errors.ts';
import { PooledImageFeaturiser, type Lane } from './featurise/pooled-image-featuriser.ts';

export const DEFERRED_TEXT_FEATURISER: TextFeaturiser = {
  id: 'deferred',
  version: 'fitted-at-training',
  dims: 0,
  featurise: (texts) => Promise.resolve(texts.map(() => new Float32Array(0))),
};

export class Featurisers {
  private image: Promise<ImageFeaturiser> | null = null;

  constructor(
    readonly cnn: BuiltinCnnId,
    readonly maxPixels: number,
    readonly threads = 1,
    readonly maxQueue = 256,
  ) {}

  get imageFeaturiserId(): string {
    return `nsfwjs/${this.cnn}`;
  }

  imageFeaturiser(): Promise<ImageFeaturiser> {
    this.image ??=
      this.threads > 0
        ? PooledImageFeaturiser.start(this.cnn, this.threads, this.maxQueue)
        : createImageFeaturiser({ kind: 'builtin', model: this.cnn });
    return this.image;
  }

  /**
   * Runs the ingestion pipeline (the same one the corpus went through) over items. Search
   * queries go in the featuriser pool's query lane, ahead of waiting ingestion batches.
   */
  async *run(
    items: SourceItem[],
    isKnown?: (checksum: string, modality: 'image' | 'text') => Promise<boolean>,
    lane: Lane = 'ingestion',
  ): AsyncGenerator<IngestResult> {
    const needsImages = items.some((item) => item.modality !== 'text');
    const featuriser = needsImages ? await this.imageFeaturiser() : undefined;
    const image =
      lane === 'query' && featuriser instanceof PooledImageFeaturiser
        ? featuriser.forQueries()
        : featuriser;
    const results = ingest(items, {
      ...(image ? { image } : {}),
      text: DEFERRED_TEXT_FEATURISER,
      maxPixels: this.maxPixels,
      ...(isKnown ? { isKnown } : {}),
    });
    for await (const result of results) yield result;
  }

  /** Features of one query image, exactly as the corpus images were featurised. */
  async imageFeatures(bytes: Uint8Array, mime?: string | null): Promise<Float32Array> {
    const item: SourceItem = {
      key: 'query',
      bytes,
      modality: 'image',
      labels: [],
      ...(mime ? { mime } : {}),
    };
    for await (const result of this.run([item], undefined, 'query')) {
      if (result.status === 'featurised') return result.features;
      if (result.status === 'failed') {
        throw result.error.code === 'PIXEL_LIMIT'
          ? new AppError('PAYLOAD_TOO_LARGE', result.error.message, ['query', 'image'])
          : badInput(`The query image was refused: ${result.error.message}`, ['query', 'image']);
      }
    }
    throw badInput('The query image could not be read.', ['query', 'image']);
  }

  async dispose(): Promise<void> {
    if (this.image) (await this.image).dispose();
  }
}
