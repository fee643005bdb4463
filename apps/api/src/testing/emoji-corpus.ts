/**
 * A small real corpus for API tests: emoji images (64 px Google PNGs) and emoji descriptions from
 * emoji-datasource-google, labelled by category, split explicitly so every class is in every
 * split, on two sites.
 */
import { readFileSync } from 'node:fs';
import { loadEmojiCorpus } from '@concord/features';

export const TEST_CATEGORIES = ['Animals & Nature', 'Food & Drink', 'Flags'] as const;

export interface CorpusItem {
  key: string;
  label: string;
  site: string;
  split: 'TRAIN' | 'VALIDATION' | 'TEST';
  base64?: string;
  text?: string;
}

/** `perClass` images and `perClass` texts of each category (different emoji for the two). */
export function emojiTestCorpus(
  perClass: number,
  sites: [string, string],
): { images: CorpusItem[]; texts: CorpusItem[] } {
  const records = loadEmojiCorpus({ sites });
  const images: CorpusItem[] = [];
  const texts: CorpusItem[] = [];
  for (const label of TEST_CATEGORIES) {
    const ofClass = records.filter((r) => r.label === label);
    // Every other emoji: images from even positions, texts from odd ones (no image–text pairs).
    ofClass
      .filter((_, i) => i % 2 === 0)
      .slice(0, perClass)
      .forEach((r, i) => {
        images.push({
          key: `img-${r.id}`,
          label,
          site: r.site,
          split: splitOf(i, perClass),
          base64: readFileSync(r.imagePath).toString('base64'),
        });
      });
    ofClass
      .filter((_, i) => i % 2 === 1)
      .slice(0, perClass)
      .forEach((r, i) => {
        texts.push({
          key: `txt-${r.id}`,
          label,
          site: r.site,
          split: splitOf(i, perClass),
          text: `${r.text} (${r.subcategory.replaceAll('-', ' ')})`,
        });
      });
  }
  return { images, texts };
}

/** About 70% train, 10% validation, 20% test, in a fixed order. */
function splitOf(i: number, n: number): CorpusItem['split'] {
  const test = Math.max(2, Math.round(n * 0.2));
  const validation = Math.max(1, Math.round(n * 0.1));
  if (i < test) return 'TEST';
  if (i < test + validation) return 'VALIDATION';
  return 'TRAIN';
}
