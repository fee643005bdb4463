import { toErrorInfo } from '../errors.ts';
import type { Modality } from '../detect.ts';
import type { ImageFit } from '../image/decode.ts';
import type { ImageFeaturiser } from '../image/cnn-featuriser.ts';
import type { TextFeaturiser } from '../text/featuriser.ts';
import { fitLsa, type LsaArgs, type LsaModel } from '../text/lsa.ts';
import { prepareItem, type Prepared } from './prepare.ts';
import type {
  FailedItem,
  FeaturisedItem,
  IngestPhase,
  IngestResult,
  IngestSummary,
  ProgressEvent,
  SourceItem,
} from './types.ts';

export const DEFAULT_INGEST_BATCH = 32;

export interface IngestArgs {
  /** Featuriser for images; without one, image items fail. */
  image?: ImageFeaturiser;
  /**
   * Featuriser for texts: a fitted model (e.g. the dataset's saved LSA), or `{ fitLsa }` to fit
   * LSA on this run's texts first (texts are then held until the input ends).
   */
  text?: TextFeaturiser | { fitLsa: LsaArgs };
  /** Receives the LSA model fitted by `{ fitLsa }`, to be saved with the dataset. */
  onTextModel?: (model: LsaModel) => void | Promise<void>;
  /** Items decoded concurrently and featurised together. Default 32. */
  batchSize?: number;
  maxPixels?: number;
  /** Byte limit per item (default 256 MiB); larger files are `TOO_LARGE` without being read. */
  maxBytes?: number;
  imageFit?: ImageFit;
  /**
   * The sink's idempotency check: an item it already holds (by content, or by the item's key) is
   * not decoded or featurised again.
   */
  isKnown?: (checksum: string, modality: Modality, item: SourceItem) => boolean | Promise<boolean>;
  /**
   * Features the sink already stored for this content from exactly this featuriser (under another
   * key): used instead of running the featuriser again. Content repeated within a batch is
   * featurised once either way.
   */
  storedFeatures?: (
    checksum: string,
    modality: Modality,
    featuriser: { id: string; version: string },
  ) => Promise<Float32Array | null>;
  onProgress?: (event: ProgressEvent) => void;
  /** Number of items, when known, for progress. */
  total?: number;
  signal?: AbortSignal;
}

function isFitRequest(t: IngestArgs['text']): t is { fitLsa: LsaArgs } {
  return t !== undefined && 'fitLsa' in t;
}

type Featuriser = ImageFeaturiser | TextFeaturiser;

function inputOf(p: Prepared): unknown {
  return p.modality === 'image' ? p.image : p.text;
}

function featurised(f: Featuriser, p: Prepared, features: Float32Array): FeaturisedItem {
  return {
    ok: true,
    status: 'featurised',
    item: p.item,
    modality: p.modality,
    kind: p.kind,
    mime: p.mime,
    size: p.content.byteLength,
    checksum: p.checksum,
    content: p.content,
    ...(p.modality === 'text' ? { text: p.text } : {}),
    metadata: p.metadata,
    features,
    featuriserId: f.id,
    featuriserVersion: f.version,
  };
}

/**
 * Featurises one batch, each content once: features the sink stored for a checksum are reused,
 * and content repeated in the batch is featurised for its first item and shared with the rest.
 */
async function featuriseShared(
  f: Featuriser,
  batch: Prepared[],
  stored: IngestArgs['storedFeatures'],
): Promise<IngestResult[]> {
  const reused = new Map<string, Float32Array>();
  if (stored) {
    for (const p of batch) {
      if (reused.has(p.checksum)) continue;
      const features = await stored(p.checksum, p.modality, { id: f.id, version: f.version });
      if (features) reused.set(p.checksum, features);
    }
  }
  const first = new Map<string, Prepared>();
  for (const p of batch)
    if (!reused.has(p.checksum) && !first.has(p.checksum)) first.set(p.checksum, p);
  const computed = new Map<string, IngestResult>();
  for (const r of await featuriseBatch(f, [...first.values()])) computed.set(r.checksum!, r);
  return batch.map((p): IngestResult => {
    const features = reused.get(p.checksum);
    if (features) return featurised(f, p, features);
    const r = computed.get(p.checksum)!;
    if (r.item === p.item) return r;
    return r.status === 'featurised' ? featurised(f, p, r.features) : { ...r, item: p.item };
  });
}

/**
 * Featurises one batch. If the featuriser fails on the whole batch, each item is retried alone
 * so one bad item cannot fail its neighbours.
 */
async function featuriseBatch(f: Featuriser, batch: Prepared[]): Promise<IngestResult[]> {
  if (batch.length === 0) return [];
  const run = (ps: Prepared[]) =>
    (f.featurise as (xs: unknown[]) => Promise<Float32Array[]>)(ps.map(inputOf));
  const ok = (p: Prepared, features: Float32Array) => featurised(f, p, features);
  try {
    const vectors = await run(batch);
    return batch.map((p, i) => ok(p, vectors[i]!));
  } catch {
    const out: IngestResult[] = [];
    for (const p of batch) {
      try {
        out.push(ok(p, (await run([p]))[0]!));
      } catch (err) {
        const failed: FailedItem = {
          ok: false,
          status: 'failed',
          item: p.item,
          checksum: p.checksum,
          error: toErrorInfo(err, 'FEATURISER_FAILED'),
        };
        out.push(failed);
      }
    }
    return out;
  }
}

/**
 * The content pipeline: reads each item, checks its type by magic bytes, checksums it, decodes or
 * extracts it, and featurises in batches. Yields one result per item — featurised, known (the
 * sink's `isKnown` said so) or failed with a `{code, message}` — and never stops on a bad item.
 * Results come in input order within a modality; with `{ fitLsa }` texts come after all images.
 */
export async function* ingest(
  items: Iterable<SourceItem> | AsyncIterable<SourceItem>,
  args: IngestArgs = {},
): AsyncGenerator<IngestResult, IngestSummary> {
  const started = Date.now();
  const batchSize = Math.max(1, args.batchSize ?? DEFAULT_INGEST_BATCH);
  const counts = { featurised: 0, known: 0, failed: 0 };
  const progress = (phase: IngestPhase) =>
    args.onProgress?.({
      phase,
      processed: counts.featurised + counts.known + counts.failed,
      ...counts,
      ...(args.total !== undefined ? { total: args.total } : {}),
      elapsedMs: Date.now() - started,
    });
  const count = (r: IngestResult) => {
    if (r.status === 'featurised') counts.featurised++;
    else if (r.status === 'known') counts.known++;
    else counts.failed++;
    return r;
  };
  const fitText = isFitRequest(args.text) ? args.text.fitLsa : undefined;
  const textFeaturiser = isFitRequest(args.text) ? undefined : args.text;
  const heldTexts: Prepared[] = [];
  const prepareArgs = {
    ...(args.image ? { imageSize: args.image.inputSize } : {}),
    ...(args.maxPixels !== undefined ? { maxPixels: args.maxPixels } : {}),
    ...(args.maxBytes !== undefined ? { maxBytes: args.maxBytes } : {}),
    ...(args.imageFit !== undefined ? { imageFit: args.imageFit } : {}),
    ...(args.isKnown ? { isKnown: args.isKnown } : {}),
  };

  async function* flush(chunk: SourceItem[]): AsyncGenerator<IngestResult> {
    progress('reading');
    const outcomes = await Promise.all(chunk.map((item) => prepareItem(item, prepareArgs)));
    const images: Prepared[] = [];
    const texts: Prepared[] = [];
    for (const o of outcomes) {
      if (o.state === 'failed') yield count(o.failed);
      else if (o.state === 'known')
        yield count({
          ok: true,
          status: 'known',
          item: o.item,
          modality: o.modality,
          checksum: o.checksum,
        });
      else if (o.prepared.modality === 'image') images.push(o.prepared);
      else texts.push(o.prepared);
    }
    progress('featurising');
    if (images.length > 0)
      for (const r of await featuriseShared(args.image!, images, args.storedFeatures))
        yield count(r);
    if (texts.length > 0) {
      if (textFeaturiser)
        for (const r of await featuriseShared(textFeaturiser, texts, args.storedFeatures))
          yield count(r);
      else if (fitText) heldTexts.push(...texts);
      else
        for (const p of texts)
          yield count({
            ok: false,
            status: 'failed',
            item: p.item,
            checksum: p.checksum,
            error: {
              code: 'FEATURISER_FAILED',
              message: 'no text featuriser is configured for this run',
            },
          });
    }
    progress('featurising');
  }

  let chunk: SourceItem[] = [];
  for await (const item of items) {
    args.signal?.throwIfAborted();
    chunk.push(item);
    if (chunk.length >= batchSize) {
      yield* flush(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) yield* flush(chunk);

  if (fitText && heldTexts.length > 0) {
    progress('fitting');
    let model: LsaModel;
    try {
      model = fitLsa(
        heldTexts.map((p) => (p.modality === 'text' ? p.text : '')),
        fitText,
      );
    } catch (err) {
      const error = toErrorInfo(err, 'FEATURISER_FAILED');
      for (const p of heldTexts)
        yield count({ ok: false, status: 'failed', item: p.item, checksum: p.checksum, error });
      progress('done');
      return { ...counts, elapsedMs: Date.now() - started };
    }
    await args.onTextModel?.(model);
    progress('featurising');
    for (let i = 0; i < heldTexts.length; i += batchSize) {
      args.signal?.throwIfAborted();
      for (const r of await featuriseBatch(model, heldTexts.slice(i, i + batchSize)))
        yield count(r);
      progress('featurising');
    }
  }
  progress('done');
  return { ...counts, elapsedMs: Date.now() - started };
}

/** Runs {@link ingest} and hands every result to `sink`, awaiting it (back-pressure). */
export async function ingestInto(
  items: Iterable<SourceItem> | AsyncIterable<SourceItem>,
  sink: (result: IngestResult) => void | Promise<void>,
  args: IngestArgs = {},
): Promise<IngestSummary> {
  const it = ingest(items, args);
  for (;;) {
    const next = await it.next();
    if (next.done === true) return next.value;
    await sink(next.value);
  }
}
