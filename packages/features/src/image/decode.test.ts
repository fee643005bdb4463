import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeatureError } from '../errors.ts';
import { PASCAL, fixture } from '../test-paths.ts';
import { decodeImage, type DecodedImage } from './decode.ts';

/** Mean RGB over a rectangle of a decoded image. */
function meanRgb(img: DecodedImage, x0: number, y0: number, x1: number, y1: number): number[] {
  const sum = [0, 0, 0];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++)
      for (let c = 0; c < 3; c++) sum[c]! += img.rgb[(y * img.size + x) * 3 + c]!;
  const n = (x1 - x0) * (y1 - y0);
  return sum.map((s) => s / n);
}

/** Every channel within `tol` of the expected 0–255 value. */
function expectColour(actual: number[], expected: number[], tol: number): void {
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(tol));
}

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof FeatureError ? err.code : `unexpected ${String(err)}`;
  }
}

// Colour tolerance: JPEG/WebP/resampling change flat colours by a few levels; 12/255 is generous
// for flat areas sampled away from the colour boundary.
const TOL = 12;

describe('decodeImage', () => {
  it('decodes the real Pascal JPEGs to size×size RGB with their true dimensions', async () => {
    const files = readdirSync(join(PASCAL, 'images')).slice(0, 5);
    for (const f of files) {
      const bytes = readFileSync(join(PASCAL, 'images', f));
      const img = await decodeImage(bytes, 'jpeg', { size: 224 });
      expect(img.rgb.length).toBe(224 * 224 * 3);
      expect(img.info.width).toBeGreaterThan(100);
      expect(img.info.height).toBeGreaterThan(100);
      // A photo is not a flat image: its pixel values vary.
      const set = new Set(img.rgb);
      expect(set.size).toBeGreaterThan(64);
    }
  });

  it('honours EXIF orientation 6 (stored red|blue becomes red over blue, 32×64)', async () => {
    const img = await decodeImage(readFileSync(fixture('images', 'orientation-6.jpg')), 'jpeg', {
      size: 32,
    });
    expect(img.info.orientation).toBe(6);
    expect([img.info.width, img.info.height]).toEqual([32, 64]);
    expectColour(meanRgb(img, 0, 0, 32, 12), [255, 0, 0], TOL); // top
    expectColour(meanRgb(img, 0, 20, 32, 32), [0, 0, 255], TOL); // bottom
  });

  it('flattens transparency onto white', async () => {
    const img = await decodeImage(readFileSync(fixture('images', 'alpha.png')), 'png', {
      size: 32,
    });
    expect(img.info.hasAlpha).toBe(true);
    expectColour(meanRgb(img, 0, 0, 12, 32), [255, 255, 255], TOL);
    expectColour(meanRgb(img, 20, 0, 32, 32), [0, 160, 0], TOL);
  });

  it('decodes WebP and TIFF', async () => {
    const webp = await decodeImage(readFileSync(fixture('images', 'halves.webp')), 'webp', {
      size: 48,
    });
    expectColour(meanRgb(webp, 0, 0, 18, 48), [255, 0, 0], TOL);
    expectColour(meanRgb(webp, 30, 0, 48, 48), [0, 0, 255], TOL);
    const tiff = await decodeImage(readFileSync(fixture('images', 'halves.tiff')), 'tiff', {
      size: 40,
    });
    expectColour(meanRgb(tiff, 0, 0, 15, 40), [0, 160, 0], TOL);
    expectColour(meanRgb(tiff, 25, 0, 40, 40), [0, 0, 255], TOL);
  });

  it('uses the first frame of an animated GIF (red, not the blue second frame)', async () => {
    const img = await decodeImage(readFileSync(fixture('images', 'two-frames.gif')), 'gif', {
      size: 24,
    });
    expect(img.info.pages).toBe(2);
    expectColour(meanRgb(img, 0, 0, 24, 24), [255, 0, 0], TOL);
  });

  it('renders SVG (resvg) on white', async () => {
    const img = await decodeImage(readFileSync(fixture('images', 'left-red.svg')), 'svg', {
      size: 32,
    });
    expectColour(meanRgb(img, 0, 0, 12, 32), [255, 0, 0], TOL);
    expectColour(meanRgb(img, 20, 0, 32, 32), [255, 255, 255], TOL);
  });

  it('rejects truncated and corrupt images, and images over the pixel limit', async () => {
    const jpeg = readFileSync(join(PASCAL, 'images', '2008_000716.jpg'));
    expect(
      await errorCode(decodeImage(jpeg.subarray(0, jpeg.length >> 1), 'jpeg', { size: 64 })),
    ).toBe('CORRUPT_IMAGE');
    const garbage = Buffer.concat([jpeg.subarray(0, 600), Buffer.alloc(2000, 0x55)]);
    expect(await errorCode(decodeImage(garbage, 'jpeg', { size: 64 }))).toBe('CORRUPT_IMAGE');
    const bomb = readFileSync(fixture('bad', 'bomb-8000x6000.png'));
    expect(await errorCode(decodeImage(bomb, 'png', { size: 64 }))).toBe('PIXEL_LIMIT');
    // The limit is configurable: 500×278 = 139,000 pixels is over a 100,000 limit.
    expect(await errorCode(decodeImage(jpeg, 'jpeg', { size: 64, maxPixels: 100_000 }))).toBe(
      'PIXEL_LIMIT',
    );
    const svgBomb = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="10" height="10"/></svg>',
    );
    expect(await errorCode(decodeImage(svgBomb, 'svg', { size: 64 }))).toBe('PIXEL_LIMIT');
  });

  it('rejects content whose decoder disagrees with the detected kind', async () => {
    const png = readFileSync(fixture('bad', 'png-named.jpg'));
    expect(await errorCode(decodeImage(png, 'jpeg', { size: 8 }))).toBe('TYPE_MISMATCH');
  });
});
