import sharp, { type Metadata } from 'sharp';
import { Resvg } from '@resvg/resvg-js';
import { FeatureError } from '../errors.ts';
import type { ContentKind } from '../detect.ts';

/** Largest image accepted, in pixels (width × height): beyond this it is a decompression bomb. */
export const DEFAULT_MAX_PIXELS = 40_000_000;

export type ImageFit = 'fill' | 'cover' | 'contain';

export interface DecodeImageArgs {
  /** Side of the square the network takes (224 for MobileNetV2, 299 for InceptionV3). */
  size: number;
  /** Pixel limit (width × height of the source image); default {@link DEFAULT_MAX_PIXELS}. */
  maxPixels?: number;
  /**
   * How a non-square image becomes square: `fill` stretches (what nsfwjs does), `cover` centre-crops,
   * `contain` letterboxes on white. Default `fill`.
   */
  fit?: ImageFit;
}

export interface ImageInfo {
  format: ContentKind;
  /** Source size after EXIF orientation is applied. */
  width: number;
  height: number;
  /** EXIF orientation tag (1–8) when present. */
  orientation?: number;
  hasAlpha: boolean;
  /** Number of frames/pages in the source (GIF, TIFF, WebP); only the first is used. */
  pages?: number;
}

export interface DecodedImage {
  /** Packed 8-bit RGB, row-major, `size × size × 3` bytes. */
  rgb: Uint8Array;
  size: number;
  info: ImageInfo;
}

const WHITE = { r: 255, g: 255, b: 255 };

/** Sharp's format names for the bitmap kinds it decodes for us. */
const SHARP_FORMAT: Partial<Record<ContentKind, string>> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tiff: 'tiff',
};

function sharpError(err: unknown): FeatureError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message))
    return new FeatureError('PIXEL_LIMIT', `image exceeds the pixel limit: ${message}`);
  return new FeatureError('CORRUPT_IMAGE', `image could not be decoded: ${message}`, {
    cause: err,
  });
}

function checkPixels(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels)
    throw new FeatureError(
      'PIXEL_LIMIT',
      `image is ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels}`,
    );
}

/** Renders an SVG to a PNG no larger than needed for the network input (plus headroom). */
function renderSvg(bytes: Uint8Array, size: number, maxPixels: number): Buffer {
  let resvg: Resvg;
  try {
    resvg = new Resvg(Buffer.from(bytes), {
      fitTo: { mode: 'width', value: size * 2 },
      background: 'white',
      font: { loadSystemFonts: false },
    });
  } catch (err) {
    throw new FeatureError('CORRUPT_IMAGE', `SVG could not be parsed: ${String(err)}`, {
      cause: err,
    });
  }
  // The declared size, not the render size, is what a bomb inflates.
  checkPixels(Math.round(resvg.width), Math.round(resvg.height), maxPixels);
  const rendered = resvg.render();
  checkPixels(rendered.width, rendered.height, maxPixels);
  return rendered.asPng();
}

/**
 * Decodes the first frame of a JPEG/PNG/WebP/GIF/TIFF (sharp/libvips) or renders an SVG (resvg),
 * applies the EXIF orientation, flattens transparency onto white and resizes to `size × size` RGB.
 * `kind` must be the type detected from magic bytes; a decoder that finds another format is an error.
 */
export async function decodeImage(
  bytes: Uint8Array,
  kind: ContentKind,
  args: DecodeImageArgs,
): Promise<DecodedImage> {
  const maxPixels = args.maxPixels ?? DEFAULT_MAX_PIXELS;
  const fit = args.fit ?? 'fill';
  let input: Buffer;
  let svgInfo: { width: number; height: number } | undefined;
  if (kind === 'svg') {
    input = renderSvg(bytes, args.size, maxPixels);
    const m = await sharp(input).metadata();
    svgInfo = { width: m.width ?? 0, height: m.height ?? 0 };
  } else if (SHARP_FORMAT[kind] !== undefined) {
    input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } else {
    throw new FeatureError('UNSUPPORTED_TYPE', `${kind} is not an image type`);
  }

  // `failOn: 'warning'` makes truncated/damaged files errors rather than half-grey images.
  const options = { limitInputPixels: maxPixels, failOn: 'warning' as const, pages: 1 };
  let meta: Metadata;
  try {
    // Header only: no limit here, so an oversized image gets a message with its dimensions below.
    meta = await sharp(input, { ...options, limitInputPixels: false }).metadata();
  } catch (err) {
    throw sharpError(err);
  }
  if (kind !== 'svg' && meta.format !== SHARP_FORMAT[kind])
    throw new FeatureError('TYPE_MISMATCH', `expected ${kind} but decoder found ${meta.format}`);
  const rawW = meta.width ?? 0;
  const rawH = meta.height ?? 0;
  checkPixels(rawW, rawH, maxPixels);
  const rotated = (meta.orientation ?? 1) >= 5; // orientations 5–8 swap width and height

  try {
    const { data, info } = await sharp(input, options)
      .rotate()
      .flatten({ background: WHITE })
      .resize(args.size, args.size, { fit, background: WHITE, kernel: 'lanczos3' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== args.size * args.size * 3)
      throw new FeatureError(
        'CORRUPT_IMAGE',
        `decoder produced ${info.width}×${info.height}×${info.channels}, expected ${args.size}×${args.size}×3`,
      );
    return {
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      size: args.size,
      info: {
        format: kind,
        width: svgInfo?.width ?? (rotated ? rawH : rawW),
        height: svgInfo?.height ?? (rotated ? rawW : rawH),
        ...(meta.orientation !== undefined ? { orientation: meta.orientation } : {}),
        hasAlpha: meta.hasAlpha ?? false,
        ...(meta.pages !== undefined ? { pages: meta.pages } : {}),
      },
    };
  } catch (err) {
    if (err instanceof FeatureError) throw err;
    throw sharpError(err);
  }
}
