import sharp from 'sharp';
import type { AppDeps } from '../../context.ts';

/** A small PNG preview of an image item as a data: URL (made on request from the stored bytes). */
export async function makeThumbnail(
  deps: AppDeps,
  itemId: string,
  size: number,
): Promise<string | null> {
  const content = await deps.repos.items.content(itemId);
  if (!content) return null;
  const side = Math.max(16, Math.min(size, 512));
  try {
    const png = await sharp(content, { limitInputPixels: deps.env.MAX_IMAGE_PIXELS })
      .resize(side, side, { fit: 'inside' })
      .png()
      .toBuffer();
    return `data:image/png;base64,${png.toString('base64')}`;
  } catch {
    return null;
  }
}
