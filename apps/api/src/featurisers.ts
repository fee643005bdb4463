/**
 * The content featurisers the API and worker share: the image CNNs, keyed by featuriser id and
 * each loaded once, lazily (a dataset names its own, see `catalogue.ts`), and a placeholder for
 * texts at ingestion time — text features (LSA) are fitted per model at training, so ingestion
 * only extracts and stores the text. With `threads` > 0 the CNNs run on one pool of worker
 * threads (piscina), off the event loop that answers requests; 0 runs them in-process.
 */
import {
  BUILTIN_CNNS,
  ingest,
  type BuiltinCnnId,
  type ImageFeaturiser,
  type IngestArgs,
  type IngestResult,
  type SourceItem,
  type TextFeaturiser,
} from '@concord/features';
import { AppError, badInput } from './errors.ts';
import {
  builtinId,
  cacheStamp,
  listUserModels,
  loadImageModel,
  resolveImageModel,
  USER_PREFIX,
  type ImageModelSpec,
} from './featurise/catalogue.ts';
import {
  ImageFeaturiserPool,
  PooledImageFeaturiser,
  type Lane,
} from './featurise/pooled-image-featuriser.ts';

export const DEFERRED_TEXT_FEATURISER: TextFeaturiser = {
  id: 'deferred',
  version: 'fitted-at-training',
  dims: 0,
  featurise: (texts) => Promise.resolve(texts.map(() => new Float32Array(0))),
};

export interface FeaturisersConfig {
  /** The CNN of datasets created without a choice (env IMAGE_FEATURISER). */
  defaultImage: BuiltinCnnId;
  /** Folder of user models (`<dir>/<name>/model.json`); null = none offered. */
  modelsDir: string | null;
  maxPixels: number;
  /** Worker threads running the CNNs; 0 = in-process. */
  threads: number;
  /** Batches that may wait per lane of the thread pool. */
  maxQueue: number;
}

export interface ImageFeaturiserInfo {
  id: string;
  kind: 'BUILTIN' | 'USER';
  /** Null when a user model cannot be loaded (`description` says why). */
  dims: number | null;
  inputSize: number | null;
  description: string;
}

const BUILTIN_NAMES: Record<BuiltinCnnId, string> = {
  mobilenet_v2: 'MobileNetV2',
  inception_v3: 'InceptionV3',
};

export class Featurisers {
  private pool: ImageFeaturiserPool | null = null;
  private readonly loaded = new Map<
    string,
    { stamp: string; featuriser: Promise<ImageFeaturiser> }
  >();

  constructor(readonly config: FeaturisersConfig) {}

  get defaultImageId(): string {
    return builtinId(this.config.defaultImage);
  }

  /** The image featuriser id a dataset records (datasets without one: the default). */
  imageIdOf(dataset: { featurisers: unknown }): string {
    const recorded = (dataset.featurisers as { image?: unknown } | null)?.image;
    return typeof recorded === 'string' ? recorded : this.defaultImageId;
  }

  /** Every image featuriser a dataset may be created with: the built-ins, then user models. */
  async list(): Promise<ImageFeaturiserInfo[]> {
    const builtins = (Object.keys(BUILTIN_CNNS) as BuiltinCnnId[]).map((model) =>
      builtinInfo(model),
    );
    const users = await listUserModels(this.config.modelsDir);
    const described = await Promise.all(users.map((name) => this.info(`${USER_PREFIX}${name}`)));
    return [...builtins, ...described.filter((info) => info !== null)];
  }

  /** One offered featuriser, or null when `id` names none. A user model is loaded to describe it. */
  async info(id: string): Promise<ImageFeaturiserInfo | null> {
    const spec = await resolveImageModel(id, this.config.modelsDir);
    if (!spec) return null;
    if (spec.kind === 'builtin') return builtinInfo(spec.model);
    const description = `TF.js model "${spec.name}" from the operator's models folder`;
    try {
      const f = await this.load(spec);
      return { id, kind: 'USER', dims: f.dims, inputSize: f.inputSize, description };
    } catch (error) {
      // Any viewer reads this: the operator's folder is not shown.
      const reason = (error as Error).message.replaceAll(spec.dir, `<${spec.name}>`);
      return {
        id,
        kind: 'USER',
        dims: null,
        inputSize: null,
        description: `${description}; it cannot be loaded: ${reason}`,
      };
    }
  }

  /**
   * The featuriser `id` (default: the process default), loaded once; a user model is reloaded
   * when its folder changed, and then records a new version (the hash of its files).
   */
  async imageFeaturiser(id: string = this.defaultImageId): Promise<ImageFeaturiser> {
    const spec = await resolveImageModel(id, this.config.modelsDir);
    if (!spec)
      throw new AppError(
        'FAILED_PRECONDITION',
        `The image featuriser ${JSON.stringify(id)} is not offered here (is its folder still in the models folder?).`,
      );
    return this.load(spec);
  }

  private load(spec: ImageModelSpec): Promise<ImageFeaturiser> {
    const stamp = cacheStamp(spec);
    const entry = this.loaded.get(spec.id);
    if (entry?.stamp === stamp) return entry.featuriser;
    // A replaced in-process model may still be featurising a batch: it is not disposed here.
    const featuriser =
      this.config.threads > 0
        ? (this.pool ??= ImageFeaturiserPool.start(
            this.config.threads,
            this.config.maxQueue,
          )).featuriser(spec)
        : loadImageModel(spec);
    const fresh = { stamp, featuriser };
    featuriser.catch(() => {
      if (this.loaded.get(spec.id) === fresh) this.loaded.delete(spec.id);
    });
    this.loaded.set(spec.id, fresh);
    return featuriser;
  }

  /**
   * Runs the ingestion pipeline (the same one the corpus went through) over items, with the image
   * featuriser `imageId`; `sink` says which items are stored already and hands back stored
   * vectors of known content. Search queries go in the featuriser pool's query lane, ahead of
   * waiting ingestion batches.
   */
  async *run(
    imageId: string,
    items: SourceItem[],
    sink: Pick<IngestArgs, 'isKnown' | 'storedFeatures'> = {},
    lane: Lane = 'ingestion',
  ): AsyncGenerator<IngestResult> {
    const needsImages = items.some((item) => item.modality !== 'text');
    const featuriser = needsImages ? await this.imageFeaturiser(imageId) : undefined;
    const image =
      lane === 'query' && featuriser instanceof PooledImageFeaturiser
        ? featuriser.forQueries()
        : featuriser;
    const results = ingest(items, {
      ...(image ? { image } : {}),
      text: DEFERRED_TEXT_FEATURISER,
      maxPixels: this.config.maxPixels,
      ...(sink.isKnown ? { isKnown: sink.isKnown } : {}),
      ...(sink.storedFeatures ? { storedFeatures: sink.storedFeatures } : {}),
    });
    for await (const result of results) yield result;
  }

  /** Features of one query image by `imageId`, exactly as the corpus images were featurised. */
  async imageFeatures(
    imageId: string,
    bytes: Uint8Array,
    mime?: string | null,
  ): Promise<Float32Array> {
    const item: SourceItem = {
      key: 'query',
      bytes,
      modality: 'image',
      labels: [],
      ...(mime ? { mime } : {}),
    };
    for await (const result of this.run(imageId, [item], {}, 'query')) {
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
    const loaded = [...this.loaded.values()];
    this.loaded.clear();
    for (const entry of loaded) (await entry.featuriser.catch(() => null))?.dispose();
    await this.pool?.destroy();
    this.pool = null;
  }
}

function builtinInfo(model: BuiltinCnnId): ImageFeaturiserInfo {
  const spec = BUILTIN_CNNS[model];
  return {
    id: builtinId(model),
    kind: 'BUILTIN',
    dims: spec.dims,
    inputSize: spec.inputSize,
    description: `${BUILTIN_NAMES[model]} with the weights bundled in nsfwjs (offline): ${spec.dims}-d pooled features of ${spec.inputSize} px images`,
  };
}
