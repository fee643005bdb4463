/**
 * The browser tests' corpus: the shared balanced slice of the emoji demo corpus from
 * `@concord/features/demo` (64 px Google emoji PNGs and emoji names from emoji-datasource-google,
 * labelled by category, on two sites, with explicit splits; images and texts from different emoji).
 */
import {
  EMOJI_TEST_CATEGORIES,
  emojiTestCorpus,
  spareEmojiImage,
  type EmojiTestItem,
} from '@concord/features/demo';

export const CATEGORIES = EMOJI_TEST_CATEGORIES;
export const SITES = ['north-plant', 'south-plant'] as const;

export type CorpusItem = EmojiTestItem;

export function emojiCorpus(perClass: number): { images: CorpusItem[]; texts: CorpusItem[] } {
  return emojiTestCorpus(perClass, { sites: SITES });
}

/** An image of `label` that is not in the corpus: a fresh query for search. */
export function queryImage(label: string, corpus: CorpusItem[]): string {
  return spareEmojiImage(
    label,
    corpus.flatMap((c) => (c.imagePath ? [c.imagePath] : [])),
  );
}
