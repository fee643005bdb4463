/**
 * A small balanced slice of the emoji demo corpus for tests (the API's and the dashboard's):
 * `perClass` images and `perClass` texts of each category, taken from different emoji (images
 * from even positions, texts from odd ones — no image–text pairs, as DRCL expects), on two sites,
 * with explicit splits so every class is in every split.
 */
import { loadEmojiCorpus, type EmojiRecord } from './emoji.ts';

export const EMOJI_TEST_CATEGORIES = ['Animals & Nature', 'Food & Drink', 'Flags'] as const;

export type EmojiSplit = 'TRAIN' | 'VALIDATION' | 'TEST';

export interface EmojiTestItem {
  key: string;
  label: string;
  site: string;
  split: EmojiSplit;
  /** Set on images: the 64×64 PNG. */
  imagePath?: string;
  /** Set on texts: name and short names, then the sub-category. */
  text?: string;
}

export interface EmojiTestCorpusArgs {
  sites: readonly [string, string];
  categories?: readonly string[];
}

export function emojiTestCorpus(
  perClass: number,
  args: EmojiTestCorpusArgs,
): { images: EmojiTestItem[]; texts: EmojiTestItem[] } {
  const records = loadEmojiCorpus({ sites: args.sites });
  const images: EmojiTestItem[] = [];
  const texts: EmojiTestItem[] = [];
  for (const label of args.categories ?? EMOJI_TEST_CATEGORIES) {
    const ofClass = records.filter((r) => r.label === label);
    const pick = (parity: number) => ofClass.filter((_, i) => i % 2 === parity).slice(0, perClass);
    pick(0).forEach((r, i) =>
      images.push({
        key: `img-${r.id}`,
        label,
        site: r.site,
        split: splitAt(i, perClass),
        imagePath: r.imagePath,
      }),
    );
    pick(1).forEach((r, i) =>
      texts.push({
        key: `txt-${r.id}`,
        label,
        site: r.site,
        split: splitAt(i, perClass),
        text: testText(r),
      }),
    );
  }
  return { images, texts };
}

/** An image of `label` outside `used` (image paths), from the image positions: a fresh query. */
export function spareEmojiImage(label: string, used: Iterable<string>): string {
  const taken = new Set(used);
  const pick = loadEmojiCorpus()
    .filter((r) => r.label === label)
    .find((r, i) => i % 2 === 0 && !taken.has(r.imagePath));
  if (!pick) throw new Error(`no spare emoji image of ${label}`);
  return pick.imagePath;
}

function testText(r: EmojiRecord): string {
  return `${r.text} (${r.subcategory.replaceAll('-', ' ')})`;
}

/** About 70% train, 10% validation, 20% test, in a fixed order. */
function splitAt(i: number, n: number): EmojiSplit {
  const test = Math.max(2, Math.round(n * 0.2));
  const validation = Math.max(1, Math.round(n * 0.1));
  if (i < test) return 'TEST';
  if (i < test + validation) return 'VALIDATION';
  return 'TRAIN';
}
