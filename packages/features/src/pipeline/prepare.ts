import { readFile, stat } from 'node:fs/promises';
import { sha256Hex } from '../checksum.ts';
import {
  detectContent,
  kindFromMime,
  kindFromPath,
  type ContentKind,
  type DetectedContent,
  type Modality,
} from '../detect.ts';
import { FeatureError, toErrorInfo } from '../errors.ts';
import { decodeImage, type DecodedImage, type ImageFit } from '../image/decode.ts';
import { extractText, normaliseWhitespace } from '../text/extract.ts';
import type { FailedItem, SourceItem } from './types.ts';

export interface PreparedBase {
  item: SourceItem;
  content: Uint8Array;
  checksum: string;
  kind: ContentKind;
  mime: string;
}

export type Prepared =
  | (PreparedBase & { modality: 'image'; image: DecodedImage; metadata: Record<string, unknown> })
  | (PreparedBase & { modality: 'text'; text: string; metadata: Record<string, unknown> });

/** Largest file read into memory, in bytes (256 MiB). */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export interface PrepareArgs {
  /** Files or byte arrays larger than this are `TOO_LARGE`; default {@link DEFAULT_MAX_BYTES}. */
  maxBytes?: number;
  /** Square input size of the image featuriser; undefined when images are not accepted. */
  imageSize?: number;
  maxPixels?: number;
  imageFit?: ImageFit;
  isKnown?: (checksum: string, modality: Modality, item: SourceItem) => boolean | Promise<boolean>;
}

export type PrepareOutcome =
  | { state: 'ready'; prepared: Prepared }
  | { state: 'known'; item: SourceItem; modality: Modality; checksum: string }
  | { state: 'failed'; failed: FailedItem };

function fail(item: SourceItem, err: unknown, checksum?: string): PrepareOutcome {
  return {
    state: 'failed',
    failed: {
      ok: false,
      status: 'failed',
      item,
      error: toErrorInfo(err, 'FEATURISER_FAILED'),
      ...(checksum !== undefined ? { checksum } : {}),
    },
  };
}

async function loadContent(
  item: SourceItem,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; inline: boolean }> {
  const given = [item.path, item.bytes, item.text].filter((x) => x !== undefined).length;
  if (given !== 1)
    throw new FeatureError('BAD_RECORD', 'an item needs exactly one of path, bytes or text');
  if (item.text !== undefined) return { bytes: new TextEncoder().encode(item.text), inline: true };
  const tooLarge = (size: number) =>
    new FeatureError('TOO_LARGE', `content is ${size} bytes, over the limit of ${maxBytes}`);
  if (item.bytes !== undefined) {
    if (item.bytes.byteLength > maxBytes) throw tooLarge(item.bytes.byteLength);
    return { bytes: item.bytes, inline: false };
  }
  try {
    const size = (await stat(item.path!)).size;
    if (size > maxBytes) throw tooLarge(size);
    return { bytes: await readFile(item.path!), inline: false };
  } catch (err) {
    if (err instanceof FeatureError) throw err;
    throw new FeatureError('READ_FAILED', `cannot read ${item.path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Reads one item, checks its real type against its declared type and modality, computes its
 * checksum, and decodes it (image) or extracts its text. Never throws: failures are outcomes.
 */
export async function prepareItem(item: SourceItem, args: PrepareArgs): Promise<PrepareOutcome> {
  if (item.error) return fail(item, new FeatureError(item.error.code, item.error.message));
  let content: Uint8Array;
  let inline: boolean;
  try {
    ({ bytes: content, inline } = await loadContent(item, args.maxBytes ?? DEFAULT_MAX_BYTES));
  } catch (err) {
    return fail(item, err);
  }
  const checksum = sha256Hex(content);
  try {
    const declared =
      (item.mime !== undefined ? kindFromMime(item.mime) : undefined) ??
      (inline ? 'text' : item.path !== undefined ? kindFromPath(item.path) : undefined);
    const detected: DetectedContent = await detectContent(content, declared);
    if (item.modality !== undefined && item.modality !== detected.modality)
      throw new FeatureError(
        'TYPE_MISMATCH',
        `declared modality ${item.modality} but content is ${detected.kind} (${detected.modality})`,
      );
    if (args.isKnown !== undefined && (await args.isKnown(checksum, detected.modality, item)))
      return { state: 'known', item, modality: detected.modality, checksum };
    const base = { item, content, checksum, kind: detected.kind, mime: detected.mime };
    if (detected.modality === 'image') {
      if (args.imageSize === undefined)
        throw new FeatureError(
          'FEATURISER_FAILED',
          'no image featuriser is configured for this run',
        );
      const image = await decodeImage(content, detected.kind, {
        size: args.imageSize,
        ...(args.maxPixels !== undefined ? { maxPixels: args.maxPixels } : {}),
        ...(args.imageFit !== undefined ? { fit: args.imageFit } : {}),
      });
      return {
        state: 'ready',
        prepared: { ...base, modality: 'image', image, metadata: { ...image.info } },
      };
    }
    if (inline) {
      const text = normaliseWhitespace(item.text!);
      if (text.length === 0) throw new FeatureError('EMPTY_CONTENT', 'text is empty');
      return {
        state: 'ready',
        prepared: { ...base, modality: 'text', text, metadata: { characters: text.length } },
      };
    }
    const extracted = await extractText(content, detected.kind);
    return {
      state: 'ready',
      prepared: { ...base, modality: 'text', text: extracted.text, metadata: extracted.metadata },
    };
  } catch (err) {
    return fail(item, err, checksum);
  }
}
